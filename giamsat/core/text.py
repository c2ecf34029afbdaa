"""Text keys every stage shares: NFC, display cleaning, the two tone-mark styles, and folding.

The floor owns these because storage (the FTS index), the crawler (cleaning), triage and the
dashboard (diacritic-insensitive filters) all need exactly the same keys as the NLP stage; a
second copy would let search and matching drift apart.

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


_APOSTROPHES = "’‘ʼ`´"
_STRAIGHT = str.maketrans(dict.fromkeys(_APOSTROPHES, "'"))


def straight_apostrophes(text: str) -> str:
    """Typographic apostrophes as ``'`` (same length): "Đắk R’lấp" is "Đắk R'Lấp"."""
    return text.translate(_STRAIGHT)


def fold(text: str) -> str:
    """Lower-case, strip all diacritics and fold đ/Đ to d: ``Đất đai Khánh Hòa`` -> ``dat dai khanh hoa``.

    Typographic apostrophes become ``'``. The key for search and for diacritic-insensitive matching. Keeps string length equal to the
    NFC input (one output char per input char) so spans found on the folded text map back.
    """
    # one C-level str.translate over a table filled on first sight of each character: the
    # per-character Python loop this replaces was a fifth of article extraction time
    return nfc(text).translate(_FOLDS)


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    if ch in _APOSTROPHES:  # "Đắk R’lấp" is written with any of them
        return "'"
    base = unicodedata.normalize("NFD", ch)[0]
    return base.lower() if len(base.lower()) == 1 else ch.lower()


class _FoldTable(dict[int, str]):
    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLDS = _FoldTable()


def match_key(text: str) -> str:
    """Lower-case, NFC, new tone style: the key for diacritic-*sensitive* matching."""
    return normalize_tone(nfc(text)).lower()


def snippet(text: str, length: int = 240) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis (never mid-word)."""
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"
