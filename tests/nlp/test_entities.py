"""Named entities with underthesea's offline NER."""

from __future__ import annotations

import pytest

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


def test_our_feature_loop_tags_exactly_like_underthesea_ner_on_real_sentences() -> None:
    """The linear-time feature loop must not change a single tag (real Baomoi/ReINTEL sentences)."""
    from underthesea import ner

    from giamsat.nlp.entities import _ner

    sentences = [
        "UBND tỉnh Khánh Hòa vừa có văn bản chỉ đạo Sở Nông nghiệp và Môi trường kiểm tra hồ Đá Bàn.",
        "Ông Nguyễn Văn Nam, Chủ tịch UBND TP Nha Trang, cho biết sẽ xử lý nghiêm các sai phạm.",
        "Hạt đác là nguyên liệu đặc sản, nổi tiếng ở Nha Trang, nay đã lan rộng ra rất nhiều nơi.",
        "Từ 2 - 3/6, tại Cam Ranh diễn ra Lễ hội Văn hóa, Thể thao và Du lịch biển đảo lần thứ 12.",
        "Công an huyện Cam Lâm bắt giữ 3 đối tượng khai thác cát trái phép trên sông Cái.",
        "Thủ tướng Phạm Minh Chính làm việc với lãnh đạo tỉnh Lạng Sơn về cửa khẩu Hữu Nghị.",
        "nghe noi ho da ban sap vo, ai o ninh hoa thi lo di",
        "Theo Báo Tuổi Trẻ , ngày 21/5 , Bộ Y tế đã có công văn gửi Sở Y tế TP.HCM .",
    ]
    pipeline = _ner()
    for s in sentences:
        assert [tuple(t) for t in pipeline(s)] == [tuple(t) for t in ner(s)], s


def test_sentences_where_no_name_can_be_are_not_tagged() -> None:
    assert not entities.could_name("nghe noi ho da ban sap vo roi, ai o ninh hoa thi lo di")
    assert not entities.could_name("Mưa lớn kéo dài khiến nước sông dâng cao.")
    assert entities.could_name("Mưa lớn ở Nha Trang.")
    assert entities.could_name("Nguyễn Văn A đã đến.")
    assert entities.could_name("Đoàn kiểm tra của UBND đã đến.")


@pytest.mark.parametrize("n_words", [1, 2, 3, 7, 40])
def test_feature_strings_equal_underthesea_word2features(n_words: int) -> None:
    """Every template shifted past either end of short and long sentences gives underthesea's own
    strings (BOS/EOS included), for the POS, chunk and NER templates."""
    from underthesea.pipeline.ner import tagged_feature as f

    from giamsat.nlp.entities import _features, _ner

    words = [
        "Ông",
        "Nguyễn",
        "Văn",
        "Nam",
        ",",
        "Chủ",
        "tịch",
        "UBND",
        "TP",
        "Nha",
        "Trang",
        "cho",
        "biết",
        "12",
        "hộ",
        "dân",
        "ở",
        "Cam",
        "Ranh",
    ]
    rows = [(w, "N", "B-NP", "X") for w in (words * 3)[:n_words]]
    pipeline = _ner()
    for predictor, parsed in (
        (pipeline.pos, pipeline.t_pos),
        (pipeline.chunk, pipeline.t_chunk),
        (pipeline.ner, pipeline.t_ner),
    ):
        theirs = [f.word2features(rows, i, predictor.transformer.template) for i in range(len(rows))]
        assert _features(rows, parsed) == theirs
