"""Normalisation keys, teencode, model input and surface features."""

from __future__ import annotations

import unicodedata

import pytest

from giamsat.core.text import clean, fold, match_key, nfc, normalize_tone
from giamsat.nlp.normalize import expand_teencode, extract_features, normalize_for_model
from giamsat.nlp.text import extract_features as text_features
from giamsat.nlp.text import split_sentences


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà", "hòa"),
        ("Hoà", "Hòa"),
        ("HOÀ", "HÒA"),
        ("thuỷ", "thủy"),
        ("Thuý", "Thúy"),
        ("khoẻ", "khỏe"),
        ("hoạ", "họa"),
        ("tuỳ", "tùy"),
        ("uỷ ban", "ủy ban"),
        ("khoá", "khóa"),
        ("loè", "lòe"),
        ("Khánh Hoà", "Khánh Hòa"),
        ("Thanh Hoá", "Thanh Hóa"),
        ("xoã", "xõa"),
        ("THUỶ", "THỦY"),
    ],
)
def test_old_tone_style_moves(old, new):
    assert normalize_tone(old) == new
    assert normalize_tone(new) == new  # idempotent


@pytest.mark.parametrize(
    "word",
    [
        "hoàng",
        "quyết",
        "thuyền",
        "khuyến",
        "ngoài",
        "quý",
        "quả",
        "quà",
        "Quỳnh",
        "QUÝ",
        "thuế",
        "Huế",
        "của",
        "mùa",
        "hoàn",
        "huyện",
        "khoảng",
    ],
)
def test_words_that_must_not_change(word):
    assert normalize_tone(word) == word


def test_nfc_and_decomposed_input():
    decomposed = unicodedata.normalize("NFD", "Khánh Hoà")
    assert nfc(decomposed) == "Khánh Hoà"
    assert match_key(decomposed) == "khánh hòa"
    assert fold(decomposed) == "khanh hoa"


def test_fold_keeps_length_and_folds_d():
    for text in ["Đất đai Khánh Hòa", "ĐƯỜNG Trần Phú", "Quỹ 😀 ở Huế", "中文 và tiếng Việt"]:
        assert len(fold(text)) == len(nfc(text))
    assert fold("Đắk Nông") == "dak nong"


def test_table_fold_equals_the_per_character_definition():
    """fold() runs through a cached translate table; it must give exactly the documented per-character key."""

    def by_char(text: str) -> str:
        out = []
        for ch in nfc(text):
            base = unicodedata.normalize("NFD", ch)[0]
            if ch in "đĐ" or ch in "’‘ʼ`´":
                out.append("d" if ch in "đĐ" else "'")
            else:
                out.append(base.lower() if len(base.lower()) == 1 else ch.lower())
        return "".join(out)

    sample = "".join(chr(c) for c in range(0x20, 0x3000) if not 0xD800 <= c < 0xE000) + "İ ǅ ß ﬁ 😀"
    assert fold(sample) == by_char(sample)


def test_clean_entities_and_whitespace():
    assert clean("  Khánh&nbsp;Hòa &amp; Ninh\tThuận\n\n ") == "Khánh Hòa & Ninh Thuận"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ko dc", "không được"),
        ("k biết", "không biết"),
        ("hok bít j r", "không biết gì rồi"),
        ("đc vs ng nhà", "được với người nhà"),
        ("UBND xã", "ủy ban nhân dân xã"),
        ("CA tỉnh", "công an tỉnh"),
        ("tp Nha Trang", "thành phố Nha Trang"),
        ("TP Nha Trang", "thành phố Nha Trang"),
        ("mn ơi cho xin sđt", "mọi người ơi cho xin số điện thoại"),
        ("nt cho mình", "nhắn tin cho mình"),
        ("bt thôi", "bình thường thôi"),
    ],
)
def test_teencode(text, expected):
    assert expand_teencode(text) == expected


def test_teencode_leaves_words_and_unknown_acronyms():
    assert expand_teencode("ca sĩ hát ca khúc") == "ca sĩ hát ca khúc"  # only upper-case CA is công an
    assert expand_teencode("Sở KH&ĐT") == "Sở KH&ĐT"
    assert expand_teencode("50k một suất") == "50k một suất"


def test_normalize_for_model():
    out = normalize_for_model(
        "Hoà ko dc giải quyết!!! https://x.vn/a?b=1 @ubnd_xa 0905.123.456 UBND TP Nha Trang"
    )
    assert out == "hòa không được giải quyết!!! xxurl xxuser xxphone ủy ban nhân dân thành phố nha trang"
    assert normalize_for_model("") == ""


def test_extract_features():
    f = extract_features(
        "NÓNG!!! Xem https://fb.com/x và baokhanhhoa.vn/abc #KhanhHoa @ubnd 0905 123 456, +84 912345678 "
        "mail a.b@gmail.com 😡😡 quáaaa?"
    )
    assert f["urls"] == ["https://fb.com/x", "baokhanhhoa.vn/abc"]
    assert f["domains"] == ["fb.com", "baokhanhhoa.vn"]
    assert f["hashtags"] == ["KhanhHoa"]
    assert f["mentions"] == ["ubnd"]
    assert f["emails"] == ["a.b@gmail.com"]
    assert f["phones"] == ["0905123456", "0912345678"]
    assert f["emojis"] == ["😡"] and f["n_emojis"] == 2
    assert f["exclamations"] == 3 and f["questions"] == 1
    assert f["elongated"] >= 1
    assert 0 < f["upper_ratio"] < 1
    assert f == text_features(
        "NÓNG!!! Xem https://fb.com/x và baokhanhhoa.vn/abc #KhanhHoa @ubnd 0905 123 456, +84 912345678 "
        "mail a.b@gmail.com 😡😡 quáaaa?"
    )


def test_extract_features_empty_and_plain():
    f = extract_features("")
    assert f["urls"] == [] and f["n_chars"] == 0 and f["upper_ratio"] == 0.0
    f = extract_features("Năm 2024 có 1.234 hộ dân, mã số 123456789012.")
    assert f["phones"] == []  # not a phone number shape


def test_split_sentences():
    assert split_sentences("Mưa lớn. Nhiều nơi ngập! Dân lo lắng?\nTin mới") == [
        "Mưa lớn.",
        "Nhiều nơi ngập!",
        "Dân lo lắng?",
        "Tin mới",
    ]
    assert split_sentences("") == []
