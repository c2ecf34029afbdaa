"""Language identification, Vietnamese with and without diacritics first."""

from __future__ import annotations

import pytest

from giamsat.nlp.language import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Người dân phản ánh việc thu hồi đất ở Nha Trang chưa được bồi thường.", "vi"),
        ("nguoi dan phan anh ve viec thu hoi dat o Nha Trang", "vi"),
        ("NGUOI DAN BUC XUC VI BAI RAC GAY O NHIEM", "vi"),
        ("ko dc j het tron", "vi"),
        ("mn oi cho hoi sdt cua ubnd xa", "vi"),
        ("hom nay troi mua to qua", "vi"),
        ("bão số 5 đổ bộ", "vi"),
        ("The provincial government announced a new policy on land compensation.", "en"),
        ("Tourists flock to Nha Trang beaches despite the storm warning.", "en"),
        ("Власти провинции Кханьхоа объявили о новых правилах для туристов.", "ru"),
        ("中国游客在芽庄海滩游泳。", "zh"),
        ("ニャチャンのビーチで観光客が泳いでいます。", "ja"),
        ("나트랑 해변에서 관광객이 수영하고 있습니다.", "ko"),
        ("Le gouvernement provincial a annoncé une nouvelle politique foncière.", "fr"),
        ("Die Provinzregierung hat eine neue Politik angekündigt.", "de"),
    ],
)
def test_detect_language(text, lang):
    assert detect_language(text) == lang


@pytest.mark.parametrize("text", ["", "   ", "ok", "!!!", "12345", "😀😀", None])
def test_too_short_is_und(text):
    assert detect_language(text) == "und"


def test_deterministic():
    text = "Une belle journée à Nha Trang avec des amis."
    assert len({detect_language(text) for _ in range(5)}) == 1
