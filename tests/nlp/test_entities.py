"""Named entities with underthesea's offline NER."""

from __future__ import annotations

import giamsat.nlp.entities as entities
from giamsat.nlp.entities import extract_entities, merge_tags


def test_merge_tags():
    tagged = [
        ("Ông", "O"),
        ("Nguyễn Văn", "B-PER"),
        ("Nam", "I-PER"),
        ("tại", "O"),
        ("Nha Trang", "B-LOC"),
        ("Công ty", "I-ORG"),
        ("X", "I-ORG"),
        ("Huế", "B-LOC"),
        ("Đà Nẵng", "B-LOC"),
    ]
    assert merge_tags(tagged) == [
        ("Nguyễn Văn Nam", "PER"),
        ("Nha Trang", "LOC"),
        ("Công ty X", "ORG"),
        ("Huế", "LOC"),
        ("Đà Nẵng", "LOC"),
    ]
    assert merge_tags([]) == []


def test_extract_entities_real_model():
    ents = extract_entities("Ông Nguyễn Văn Nam làm việc tại Nha Trang. Ông Nguyễn Văn Nam cho biết thêm.")
    pairs = [(e.text, e.type) for e in ents]
    assert ("Nguyễn Văn Nam", "PER") in pairs
    assert ("Nha Trang", "LOC") in pairs
    assert len(pairs) == len(set(pairs))  # de-duplicated


def test_empty_huge_and_switch():
    assert extract_entities("") == []
    assert extract_entities("   ") == []
    huge = "Ông Trần Văn Hùng đến Đà Nẵng. " * 5000
    ents = extract_entities(huge, max_chars=3000)
    assert ("Trần Văn Hùng", "PER") in [(e.text, e.type) for e in ents]
    assert extract_entities("Ông Trần Văn Hùng đến Đà Nẵng.", enabled=False) == []
    entities.ENABLED = False
    try:
        assert extract_entities("Ông Trần Văn Hùng đến Đà Nẵng.") == []
    finally:
        entities.ENABLED = True


def test_no_punctuation_wall_of_text():
    text = " ".join(["người dân phản ánh"] * 400)  # no sentence breaks at all
    assert isinstance(extract_entities(text), list)
