"""Claim registry (real SQLite store) and matching on the paraphrase set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from giamsat.nlp.claim_matcher import ClaimMatcher, windows
from giamsat.nlp.claims import claims_add, claims_list, claims_withdraw

CASES = [
    json.loads(x) for x in (Path(__file__).parent / "claim_paraphrases.jsonl").read_text("utf-8").splitlines()
]


@pytest.fixture(scope="module")
def matcher() -> ClaimMatcher:
    return ClaimMatcher([{"id": c["id"], "text": c["claim"]} for c in CASES])


def test_paraphrase_set_is_large_and_complete() -> None:
    assert len(CASES) >= 60
    for c in CASES:
        assert c["paraphrases"] and c["social"] and c["no_diacritics"] and c["negatives"]


def test_rewrites_find_their_claim_first(matcher) -> None:
    hits = total = 0
    for c in CASES:
        for q in c["paraphrases"] + c["social"] + c["no_diacritics"]:
            total += 1
            got = matcher.match(q)
            hits += bool(got) and got[0][0] == c["id"]
    assert hits / total >= 0.8  # measured figure in docs/nlp.md; this is a floor, not the result


def test_hard_negatives_rarely_auto_link(matcher) -> None:
    auto = sum(any(s >= matcher.auto_link for _, s in matcher.match(c["negatives"][0])) for c in CASES)
    assert auto <= 3


def test_short_texts_are_not_judged(matcher) -> None:
    assert matcher.match("nước máy nhiễm độc") == []
    assert not matcher.judgeable("quá ngắn để đối chiếu")


def test_claim_inside_a_long_article_still_matches(matcher) -> None:
    filler = "Hôm nay thời tiết ở nhiều nơi trong tỉnh nắng nhẹ, chợ búa đông vui như thường lệ. " * 8
    text = filler + CASES[1]["paraphrases"][0] + ". " + filler
    assert len(windows(text)) > 3
    assert matcher.match(text)[0][0] == CASES[1]["id"]


def test_registry_add_list_withdraw(tmp_store) -> None:
    c = claims_add(
        tmp_store,
        CASES[0]["claim"],
        "Tỉnh khẳng định không có chủ trương này.",
        "https://khanhhoa.gov.vn/x",
        "giamsat1",
    )
    assert c["status"] == "hieu-luc" and c["created_by"] == "giamsat1"
    assert [x["id"] for x in claims_list(tmp_store)] == [c["id"]]
    m = ClaimMatcher(claims_list(tmp_store))
    assert m.match(CASES[0]["social"][0])[0][0] == c["id"]
    claims_withdraw(tmp_store, c["id"], "giamsat1")
    assert claims_list(tmp_store) == [] and len(claims_list(tmp_store, include_withdrawn=True)) == 1
    assert [e.action for e in tmp_store.events("claim", c["id"])] == ["withdraw", "create"] or {
        e.action for e in tmp_store.events("claim", c["id"])
    } == {"create", "withdraw"}
    with pytest.raises(ValueError):
        claims_add(tmp_store, "quá ngắn", "x", None, "giamsat1")
