"""Place mentions on the held-out suite (tests/nlp/mention_heldout.yaml, written before the
finder's rules were read): scored as a whole only -- its cases are never fixed one by one, so it
keeps measuring generalisation (figures: benchmarks/mentions.py). Plus the general rules added
after the first held-out run, each checked on fresh sentences that are in neither suite."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from giamsat.core.profile import load_profile
from giamsat.core.text import fold
from giamsat.nlp.mentions import MentionFinder

HELDOUT = yaml.safe_load((Path(__file__).parent / "mention_heldout.yaml").read_text(encoding="utf-8"))
LEVELS = {"province", "old-province", "old-district", "ward", "old-ward", "landmark"}


def _finder(name: str) -> MentionFinder:
    return MentionFinder.for_profile(None if name == "national" else load_profile(name))


def _same(pred: tuple[str, str], exp: tuple[str, str]) -> bool:
    p, e = fold(pred[0]), fold(exp[0])
    return pred[1] == exp[1] and (p in e or e in p)


def test_heldout_suite_shape():
    assert len(HELDOUT) >= 150
    assert sum(1 for c in HELDOUT if not c["expect"]) >= 25  # hard negatives
    provinces = {e[1] for c in HELDOUT for e in c["expect"]}
    assert len(provinces) == 34  # every current province
    for case in HELDOUT:
        assert set(case) <= {"text", "expect", "profile", "main"}, case
        for e in case["expect"]:
            assert len(e) == 3 and e[2] in LEVELS, case
            assert fold(e[0]) in fold(case["text"]), case


def test_heldout_f1_floor():
    """A regression floor, not a target: the figure itself is printed by benchmarks/mentions.py."""
    tp = fp = fn = 0
    for case in HELDOUT:
        pred = [(m.text, m.province) for m in _finder(case.get("profile", "khanh-hoa")).find(case["text"])]
        left = [tuple(e[:2]) for e in case["expect"]]
        for p in pred:
            hit = next((e for e in left if _same(p, e)), None)
            if hit is None:
                fp += 1
            else:
                left.remove(hit)
                tp += 1
        fn += len(left)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    print(f"held-out mentions: P={precision:.3f} R={recall:.3f} F1={f1:.3f}")
    assert f1 >= 0.95


# -- the general rules, on sentences of their own ---------------------------------------------
@pytest.mark.parametrize(
    ("text", "profile", "expected"),
    [
        # one-word exonyms generated from the province names (not typed by hand)
        (
            "Typhoon Kalmaegi weakens before reaching Haiphong and Quangninh.",
            "national",
            {("Haiphong", "hai-phong"), ("Quangninh", "quang-ninh")},
        ),
        # a one-syllable province written without diacritics, in a text without diacritics
        ("Heavy rain floods the old town of Hue again.", "national", {("Hue", "hue")}),
        # long abbreviations may be lower case
        ("ai o tphcm cho minh hoi cho sua laptop", "national", {("tphcm", "ho-chi-minh")}),
        # hashtags are tags
        ("Mưa to quá #camranh #khanhhoa", "khanh-hoa", set()),
        # a name abroad
        ("Hàng giả được đưa về từ Đông Hưng (Trung Quốc).", "national", set()),
        # a hamlet is not the commune of the same name elsewhere
        ("Ông Tư sống ở thôn Phú Thượng, xã Hòa Phong từ nhỏ.", "national", set()),
        # a lower-case phrase after a level word, in a cased text
        ("Các xã vùng cao và phường trung tâm đều được cấp kinh phí.", "national", set()),
        # common words in a text that capitalises only sentence starts
        ("Sản phẩm này có an toàn không? Dùng lâu dài có hại vĩnh viễn không?", "national", set()),
        # a longer proper noun that merely starts with a commune's name
        ("Quán phở nằm trên phố Lý Quốc Sư rất đông khách.", "national", set()),
        # the profile's province is the prior for an ambiguous name
        ("Bà con ở Vạn Thắng kêu cứu vì nước mặn.", "khanh-hoa", None),
        # ...but only when written with its own diacritics
        ("Khởi nghĩa Lam Sơn được tái hiện trên sân khấu.", "khanh-hoa", set()),
    ],
)
def test_general_rules(text, profile, expected):
    got = {(m.text, m.province) for m in _finder(profile).find(text)}
    if expected is None:  # only: everything found is in the profile's province
        assert got and all(p == "khanh-hoa" for _, p in got), got
    else:
        assert got == expected


def test_landmark_lowercase_common_word():
    finder = _finder("ha-tinh")
    assert not finder.find("Người dân góp tiền làm cầu treo qua suối, ai cũng vui.")
    assert {m.province for m in finder.find("Cửa khẩu Cầu Treo đông người qua lại.")} == {"ha-tinh"}
