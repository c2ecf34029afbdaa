"""Place mentions: a suite of tricky cases (tests/nlp/mention_cases.yaml) scored as a whole
(precision/recall/F1) and one by one, plus the API around ``find``."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest
import yaml

from giamsat.core.profile import load_profile
from giamsat.core.text import fold
from giamsat.nlp.mentions import MentionFinder, is_about_province

CASES = yaml.safe_load((Path(__file__).parent / "mention_cases.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def kh_profile():
    return load_profile("khanh-hoa")


def _finder(case, profile):
    return MentionFinder.for_profile(None if case.get("profile") == "national" else profile)


def _predict(case, profile) -> list[tuple[str, str]]:
    return [(m.text, m.province) for m in _finder(case, profile).find(case["text"])]


def _same(pred: tuple[str, str], exp: tuple[str, str]) -> bool:
    """Same province and one span inside the other (level words may or may not be included)."""
    p, e = fold(pred[0]), fold(exp[0])
    return pred[1] == exp[1] and (p in e or e in p)


def _score(pred: list[tuple[str, str]], expected: list[tuple[str, str]]) -> tuple[int, int, int]:
    """True positives, false positives, false negatives (one-to-one matching)."""
    left = list(expected)
    tp = 0
    for p in pred:
        hit = next((e for e in left if _same(p, e)), None)
        if hit is not None:
            left.remove(hit)
            tp += 1
    return tp, len(pred) - tp, len(left)


def test_suite_is_large_enough():
    assert len(CASES) >= 80
    assert sum(1 for c in CASES if not c["expect"]) >= 10  # negatives are part of the point


def test_suite_f1(kh_profile):
    tp = fp = fn = 0
    for case in CASES:
        a, b, c = _score(_predict(case, kh_profile), [tuple(x) for x in case["expect"]])
        tp, fp, fn = tp + a, fp + b, fn + c
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall)
    print(f"mentions: P={precision:.3f} R={recall:.3f} F1={f1:.3f} over {len(CASES)} cases")
    assert f1 >= 0.97


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:50] for c in CASES])
def test_case(case, kh_profile):
    pred = _predict(case, kh_profile)
    expected = [tuple(x) for x in case["expect"]]
    _tp, fp, fn = _score(pred, expected)
    assert (fp, fn) == (0, 0), f"predicted {pred}, expected {expected}"


def test_spans_point_into_the_original_text(kh_profile):
    finder = MentionFinder.for_profile(kh_profile)
    text = "Mưa lớn ở  huyện   Cam Lâm và Nha Trang-Khánh Hòa"
    for m in finder.find(text):
        assert text[m.start : m.end] == m.text
    # decomposed (NFD) input: spans still index the string we were given
    nfd = unicodedata.normalize("NFD", "Người dân Khánh Hòa phản ánh")
    (m,) = finder.find(nfd)
    assert nfd[m.start : m.end] == m.text
    assert unicodedata.normalize("NFC", m.text) == "Khánh Hòa"


def test_mention_fields(kh_profile):
    finder = MentionFinder.for_profile(kh_profile)
    ms = {
        m.level: m for m in finder.find("Xã Cam Hải Đông, huyện Cam Lâm, tỉnh Ninh Thuận và phường Ba Ngòi")
    }
    assert ms["old-ward"].province == "khanh-hoa" and ms["old-ward"].code
    assert ms["old-district"].code == "570"
    assert ms["old-province"].name == "Khánh Hòa" and ms["old-province"].code == "58"
    assert ms["ward"].name == "Phường Ba Ngòi" and ms["ward"].code == "22423"


def test_main_province_localities_and_ward_codes(kh_profile):
    finder = MentionFinder.for_profile(kh_profile)
    text = "Sạt lở ở xã Khánh Sơn, Khánh Hòa. Trước đó Đà Nẵng cũng ngập; phường Ba Ngòi và Vịnh Vân Phong bình yên."
    mentions = finder.find(text)
    assert finder.main_province(mentions) == "khanh-hoa"
    locs = finder.localities(mentions, "khanh-hoa")
    assert "Xã Khánh Sơn" in locs and "Phường Ba Ngòi" in locs and "Vịnh Vân Phong" in locs
    assert "Khánh Hòa" not in locs
    codes = finder.ward_codes(mentions, "khanh-hoa")
    assert "22714" in codes and "22423" in codes
    # an old commune routes to its current ward
    old = finder.find("xã Cam Hải Đông")
    assert finder.ward_codes(old, "khanh-hoa")
    assert finder.main_province([]) is None


def test_main_province_prefers_the_title(kh_profile):
    finder = MentionFinder.for_profile(kh_profile)
    title = "Đà Nẵng: mưa lớn gây ngập"
    body = " ." * 100 + " Trong khi đó Khánh Hòa nắng."
    assert finder.main_province(finder.find(title + body)) == "da-nang"


def test_is_about_province(kh_profile):
    assert is_about_province("Sạt lở ở huyện Khánh Sơn", kh_profile)
    assert is_about_province("thu hoi dat o nha trang", kh_profile)
    assert not is_about_province("Hà Nội mưa lớn", kh_profile)
    assert not is_about_province("", kh_profile)


def test_build_is_cached_and_fast(kh_profile):
    t0 = time.perf_counter()
    a = MentionFinder.for_profile(kh_profile)
    b = MentionFinder.for_profile(kh_profile)
    assert a is b
    assert time.perf_counter() - t0 < 3.0 or a.gaz.build_seconds < 3.0


def test_robust_to_odd_input(kh_profile):
    finder = MentionFinder.for_profile(kh_profile)
    assert finder.find("") == []
    assert finder.find("   \n") == []
    assert finder.find("😀😀 !!! ??? 12345") == []
    big = "Người dân Khánh Hòa phản ánh. " * 2000
    assert len(finder.find(big)) == 2000


def test_main_province_needs_a_dominant_province(kh_profile):
    finder = MentionFinder.for_profile(kh_profile)
    # a storm along a coast, a list of provinces: about no province (docs/annotation.md §1)
    coast = "Bão số 4 tiến vào vùng biển. Mưa lớn ở Thanh Hóa, Nghệ An, Hà Tĩnh và Quảng Trị." + " ." * 80
    assert finder.main_province(finder.find(coast)) is None
    # one passing mention deep in a long article
    national = "Bộ Y tế ban hành hướng dẫn mới về tiêm chủng cho trẻ em." + " ." * 200 + " Ví dụ ở Khánh Hòa."
    assert finder.main_province(finder.find(national)) is None
    # the headline names one province alone: it leads although the body names others
    title = "Khánh Hòa: sạt lở đèo Khánh Lê\n" + " ." * 90 + " Xe từ Lâm Đồng, Đắk Lắk, Gia Lai bị kẹt."
    assert finder.main_province(finder.find(title)) == "khanh-hoa"


def test_person_named_province_and_artists(kh_profile):
    finder = MentionFinder.for_profile(kh_profile)
    got = finder.find("Học tập tư tưởng, đạo đức, phong cách Hồ Chí Minh; NSND Lệ Thủy hát tại Nha Trang.")
    assert [m.province for m in got] == ["khanh-hoa"]
    assert [m.province for m in finder.find("TP Hồ Chí Minh mưa lớn")] == ["ho-chi-minh"]


def test_local_place_names_stop_at_a_line_break(kh_profile):
    finder = MentionFinder.for_profile(kh_profile)
    got = finder.find("Hội thi về biển, đảo\nHội thi Tìm hiểu lịch sử tại Khánh Hòa")
    assert all("\n" not in m.text for m in got)


def test_a_name_in_two_named_provinces_goes_to_the_nearer(kh_profile):
    finder = MentionFinder.for_profile(kh_profile)
    text = "Q. (SN 1985, ở thị trấn Phố Châu, Hương Sơn, Hà Tĩnh) trộm xe máy ở Hà Nội."
    got = {m.text: m.province for m in finder.find(text)}
    assert got["Hương Sơn"] == "ha-tinh"


def test_communes_the_unit_data_no_longer_lists(kh_profile):
    from giamsat.core.profile import load_profile

    finder = MentionFinder.for_profile(load_profile("ha-tinh"))
    got = finder.find("Người dân thôn Vĩnh Mới, xã Thạch Tiến, huyện Thạch Hà, Hà Tĩnh bức xúc.")
    assert {m.text: m.level for m in got}["xã Thạch Tiến"] == "commune"
    assert "Thạch Tiến" in finder.localities(got, "ha-tinh")
    assert not finder.find("Đây là vấn đề xã hội, phường hội.")


def test_highland_spellings_and_lowercase_numbered_wards(kh_profile):
    from giamsat.core.profile import load_profile

    finder = MentionFinder.for_profile(load_profile("lam-dong"))
    assert [m.province for m in finder.find("ở H. Đắc Mil, tỉnh Đắc Nông")] == ["lam-dong", "lam-dong"]
    assert [m.level for m in finder.find("huyện Đắk Glong")] == ["old-district"]
    got = finder.find("anh Đ. (30 tuổi, ngụ phường 5, Đà Lạt, Lâm Đồng) cho biết")
    assert any(m.text == "phường 5" and m.province == "lam-dong" for m in got)
    # an average is not a district ("bình quân 6 triệu")
    got = finder.find("Bình Dương: công nhân nhận thưởng Tết bình quân 6 triệu đồng")
    assert all(m.level != "old-district" for m in got)
