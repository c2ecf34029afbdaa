"""Text normalisation for the models and the gazetteer: teencode, acronyms, surface features.
Original text is always kept for display; these functions produce *keys*.

NFC, cleaning, tone style and folding live in ``giamsat.core.text`` (the floor) because storage,
crawlers and the dashboard need the same keys.
"""

from __future__ import annotations

import re

from giamsat.core.text import clean, nfc, normalize_tone

_WS = re.compile(r"\s+")

# -- teencode and abbreviations --------------------------------------------------------------------
# Kept as data so a province can review it. Keys are matched as whole tokens. ``TEENCODE`` is
# case-insensitive (social writing); ``ACRONYMS`` only in the exact case given, because the
# lower-case form is an ordinary word (``ca`` = shift/song, ``tt`` = many things).
TEENCODE: dict[str, str] = {
    "ko": "không",
    "k": "không",
    "kh": "không",
    "kg": "không",
    "khg": "không",
    "k0": "không",
    "hok": "không",
    "hông": "không",
    "hem": "không",
    "dc": "được",
    "đc": "được",
    "dk": "được",
    "đk": "được",
    "ng": "người",
    "ngta": "người ta",
    "nguoi ta": "người ta",
    "mn": "mọi người",
    "mng": "mọi người",
    "mk": "mình",
    "bt": "bình thường",
    "vs": "với",
    "j": "gì",
    "r": "rồi",
    "rùi": "rồi",
    "ròi": "rồi",
    "nt": "nhắn tin",
    "ib": "nhắn tin",
    "sđt": "số điện thoại",
    "sdt": "số điện thoại",
    "đt": "điện thoại",
    "bn": "bao nhiêu",
    "ntn": "như thế nào",
    "trc": "trước",
    "ms": "mới",
    "lm": "làm",
    "cx": "cũng",
    "cg": "cũng",
    "bít": "biết",
    "bik": "biết",
    "wa": "quá",
    "qá": "quá",
    "thik": "thích",
    "iu": "yêu",
    "ck": "chồng",
    "vk": "vợ",
    "cty": "công ty",
    "tp": "thành phố",
    "tx": "thị xã",
    "ubnd": "ủy ban nhân dân",
    "hđnd": "hội đồng nhân dân",
    "csgt": "cảnh sát giao thông",
    "bv": "bệnh viện",
    "cq": "cơ quan",
    "vn": "việt nam",
    "tphcm": "thành phố hồ chí minh",
    "hcm": "hồ chí minh",
    "oke": "ok",
    "oki": "ok",
    "uk": "ừ",
    "dzậy": "vậy",
    "zậy": "vậy",
    "z": "vậy",
    "zô": "vô",
    "hum": "hôm",
    "nhìu": "nhiều",
    "tks": "cảm ơn",
    "thanks": "cảm ơn",
    "cmt": "bình luận",
}
ACRONYMS: dict[str, str] = {
    "CA": "công an",
    "TP": "thành phố",
    "UBND": "ủy ban nhân dân",
    "HĐND": "hội đồng nhân dân",
    "MTTQ": "mặt trận tổ quốc",
    "CSGT": "cảnh sát giao thông",
    "GPMB": "giải phóng mặt bằng",
    "KCN": "khu công nghiệp",
    "BQL": "ban quản lý",
    "CA tỉnh": "công an tỉnh",
}
# a token: letters/digits (any script) possibly joined by đ etc.; punctuation separates tokens
_TOKEN = re.compile(r"\w+", re.UNICODE)
_TEEN_LOWER = {normalize_tone(nfc(k)).lower(): v for k, v in TEENCODE.items()}
_SHOUTED = {"KO", "DC", "ĐC", "HOK", "KHG", "KG", "NG", "MN", "VS", "TP", "UBND", "HĐND", "TPHCM", "HCM"}
_ACRO = {nfc(k): v for k, v in ACRONYMS.items() if " " not in k}


def expand_teencode(text: str) -> str:
    """Replace teencode and abbreviations by the full words, token by token.

    ``ko dc`` -> ``không được``, ``UBND`` -> ``ủy ban nhân dân``, ``CA`` -> ``công an`` (upper-case
    only). Other text is kept as is (case included); the result is for matching and features,
    never for display.
    """

    def repl(m: re.Match[str]) -> str:
        tok = m.group(0)
        if tok in _ACRO:
            return _ACRO[tok]
        if len(tok) > 1 and tok.isupper() and tok not in _SHOUTED:
            return tok  # an unknown acronym (KH, ATTP...), not teencode typed in capitals
        return _TEEN_LOWER.get(normalize_tone(tok).lower(), tok)

    return _TOKEN.sub(repl, nfc(text))


URL_TOKEN = "xxurl"
EMAIL_TOKEN = "xxemail"
USER_TOKEN = "xxuser"
PHONE_TOKEN = "xxphone"


def normalize_for_model(text: str) -> str:
    """The classifier input: clean (NFC, entities, spaces), new tone style, URLs/e-mails/@users/
    phone numbers replaced by tokens, teencode expanded, lower-cased.

    ``Hoà ko dc giải quyết https://x.vn @ubnd`` -> ``hòa không được giải quyết xxurl xxuser``.
    """
    from giamsat.nlp.text import EMAIL_RE, MENTION_RE, PHONE_RE, URL_RE  # local: text imports nothing here

    out = clean(text)
    out = EMAIL_RE.sub(f" {EMAIL_TOKEN} ", out)
    out = URL_RE.sub(f" {URL_TOKEN} ", out)
    out = MENTION_RE.sub(f" {USER_TOKEN} ", out)
    out = PHONE_RE.sub(f" {PHONE_TOKEN} ", out)
    out = expand_teencode(normalize_tone(out))
    return _WS.sub(" ", out.lower()).strip()


def extract_features(text: str) -> dict:
    """Re-exported from :mod:`nlp.text` (URLs, hashtags, @mentions, emojis, phones, counts)."""
    from giamsat.nlp.text import extract_features as _extract

    return _extract(text)
