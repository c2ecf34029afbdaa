"""Text normalisation for matching. Original text is always kept for display; these functions
produce *keys* used by the gazetteer, features and full-text search.

Why two tone-mark styles matter: Vietnamese writes the tone on a different vowel in the "old"
style (hoà, thuỷ) than in the "new" style (hòa, thủy); both are common and are the same word.
"""

from __future__ import annotations

import html
import re
import unicodedata

# old style -> new style tone placement (on the first vowel of oa/oe/uy clusters)
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
# "qu" is a consonant: in quý/quả/quà the tone already sits on the only vowel, so never move it.
_OLD_STYLE = re.compile(r"(?<![qQ])([oOuU])([aAeEyY])([" + _TONES + r"])(?![a-zA-Zđ])")
_WS = re.compile(r"\s+")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def clean(text: str) -> str:
    """NFC, HTML entities decoded, whitespace collapsed. Safe for display."""
    return _WS.sub(" ", html.unescape(nfc(text))).strip()


def normalize_tone(text: str) -> str:
    """Move tone marks of ``oa``/``oe``/``uy`` syllables ending the word to the new style.

    ``hoà``->``hòa``, ``thuỷ``->``thủy``, ``khoẻ``->``khỏe``. Only syllable-final clusters move,
    so ``hoàng``/``khuyến`` (where the tone sits on the second vowel by rule) are left alone.
    """
    decomposed = unicodedata.normalize("NFD", text or "")
    # in NFD a tone mark follows its vowel (after any quality mark such as circumflex)
    moved = _OLD_STYLE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed)
    return unicodedata.normalize("NFC", moved)


def fold(text: str) -> str:
    """Lower-case, strip all diacritics and fold đ/Đ to d: ``Đất đai Khánh Hòa`` -> ``dat dai khanh hoa``.

    The key for search and for diacritic-insensitive matching. Keeps string length equal to the
    NFC input (one output char per input char) so spans found on the folded text map back.
    """
    out = []
    for ch in nfc(text):
        if ch in "đĐ":
            out.append("d")
            continue
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base.lower() if len(base.lower()) == 1 else ch.lower())
    return "".join(out)


def match_key(text: str) -> str:
    """Lower-case, NFC, new tone style: the key for diacritic-*sensitive* matching."""
    return normalize_tone(nfc(text)).lower()


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
    from nlp.text import EMAIL_RE, MENTION_RE, PHONE_RE, URL_RE  # local: text imports nothing here

    out = clean(text)
    out = EMAIL_RE.sub(f" {EMAIL_TOKEN} ", out)
    out = URL_RE.sub(f" {URL_TOKEN} ", out)
    out = MENTION_RE.sub(f" {USER_TOKEN} ", out)
    out = PHONE_RE.sub(f" {PHONE_TOKEN} ", out)
    out = expand_teencode(normalize_tone(out))
    return _WS.sub(" ", out.lower()).strip()


def extract_features(text: str) -> dict:
    """Re-exported from :mod:`nlp.text` (URLs, hashtags, @mentions, emojis, phones, counts)."""
    from nlp.text import extract_features as _extract

    return _extract(text)
