"""Language identification: ``detect_language(text) -> ISO 639-1 code`` or ``'und'``.

Order of decisions (all deterministic):

1. Too little text (fewer than 3 letters, or a lone short word) -> ``'und'``.
2. Script: Hangul -> ``ko``, kana -> ``ja``, Han only -> ``zh``, Thai -> ``th``, Khmer -> ``km``,
   Lao -> ``lo``; these need no statistics.
3. Vietnamese: letters only Vietnamese uses (ă â đ ê ô ơ ư and the stacked tone vowels) make up
   a clear share of the words -> ``vi``. Text *without diacritics* ("nguoi dan phan anh ve viec thu
   hoi dat") is recognised by two signals on the folded words: nearly all words are valid
   Vietnamese syllables, and several are frequent Vietnamese function words that are not English
   words. langdetect alone gets such text wrong (it says Indonesian, Tagalog, ...).
4. Otherwise ``langdetect`` with ``DetectorFactory.seed = 0`` (reproducible); ``zh-cn``/``zh-tw``
   -> ``zh``. A langdetect failure gives ``'und'``.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from giamsat.core.text import fold, nfc
from giamsat.nlp.normalize import TEENCODE

log = logging.getLogger(__name__)

UNDETERMINED = "und"

# Letters that occur in Vietnamese and (practically) no other Latin-script language.
_VI_ONLY = set("ăâđêôơưĂÂĐÊÔƠƯ") | {chr(c) for c in range(0x1EA0, 0x1EFA)}
# Frequent Vietnamese words, written without diacritics, that are not common English/French words.
_VI_FUNCTION = frozenset(
    [
        "nguoi",
        "dan",
        "cua",
        "cac",
        "nhung",
        "duoc",
        "khong",
        "trong",
        "voi",
        "cho",
        "viec",
        "nay",
        "tai",
        "tren",
        "theo",
        "tu",
        "sau",
        "truoc",
        "nhieu",
        "mot",
        "hai",
        "ba",
        "bon",
        "nam",
        "rat",
        "cung",
        "nhu",
        "vao",
        "ra",
        "di",
        "den",
        "da",
        "dang",
        "se",
        "thi",
        "ma",
        "nen",
        "hay",
        "hoac",
        "vi",
        "neu",
        "khi",
        "nao",
        "gi",
        "ai",
        "dau",
        "chua",
        "roi",
        "con",
        "lai",
        "bi",
        "phai",
        "can",
        "muon",
        "biet",
        "noi",
        "lam",
        "xem",
        "nghe",
        "thay",
        "tinh",
        "huyen",
        "xa",
        "phuong",
        "thanh",
        "pho",
        "ve",
        "o",
        "ong",
        "chi",
        "anh",
        "em",
        "minh",
        "chung",
        "toi",
        "ho",
        "nhau",
        "day",
        "kia",
        "dong",
        "tien",
        "nha",
        "dat",
        "nuoc",
        "biet",
        "luc",
        "gio",
        "ngay",
        "thang",
        "nam",
        "hom",
        "qua",
        "mai",
        "sang",
        "chieu",
        "toi",
        "dem",
    ]
)
# teencode tokens (ko, dc, mn, ...) are Vietnamese evidence too, though not syllables
_VI_TEEN = frozenset(fold(k) for k in TEENCODE if " " not in k) - {"ok", "oke", "thanks"}
_ENGLISH_COMMON = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "is",
        "it",
        "you",
        "that",
        "was",
        "for",
        "on",
        "are",
        "with",
        "as",
        "be",
        "at",
        "this",
        "have",
        "from",
        "or",
        "by",
        "not",
    ]
)
# Vietnamese syllable: optional onset, vowel nucleus, optional coda (folded, no tones).
_VI_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
    r"(?:uye|uya|uyu|oai|oay|oeo|uay|uoi|uou|ieu|yeu|uoc|uon|uong|"
    r"ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|ua|ue|ui|uo|uu|uy|ye|"
    r"a|e|i|o|u|y)"
    r"(?:ng|nh|ch|[cmnpt]|[iouy])?$"
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _langdetect():
    from langdetect import DetectorFactory, detect

    DetectorFactory.seed = 0
    return detect


# Any character of the scripts counted below; a text without one (most of what we read: Latin
# script, Vietnamese or not) is decided without the per-character loop.
_OTHER_SCRIPTS = re.compile(
    "[\u0400-\u04ff\u0e00-\u0eff\u1100-\u11ff\u1780-\u17ff\u3040-\u30ff\u3130-\u318f"
    "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
)


def _script_language(text: str) -> str | None:
    if not _OTHER_SCRIPTS.search(text):
        return None
    counts = {"hangul": 0, "kana": 0, "han": 0, "thai": 0, "khmer": 0, "lao": 0, "latin": 0, "cyr": 0}
    for ch in text:
        cp = ord(ch)
        if 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
            counts["hangul"] += 1
        elif 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF:
            counts["kana"] += 1
        elif 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF:
            counts["han"] += 1
        elif 0x0E00 <= cp <= 0x0E7F:
            counts["thai"] += 1
        elif 0x1780 <= cp <= 0x17FF:
            counts["khmer"] += 1
        elif 0x0E80 <= cp <= 0x0EFF:
            counts["lao"] += 1
        elif 0x0400 <= cp <= 0x04FF:
            counts["cyr"] += 1
        elif ch.isalpha():
            counts["latin"] += 1
    total = sum(counts.values()) or 1
    if counts["hangul"] / total > 0.3:
        return "ko"
    if counts["kana"] / total > 0.1:
        return "ja"
    if counts["han"] / total > 0.3:
        return "zh"
    for script, code in (("thai", "th"), ("khmer", "km"), ("lao", "lo")):
        if counts[script] / total > 0.3:
            return code
    return None


def vietnamese_score(text: str) -> float:
    """0..1: how Vietnamese the words look (diacritic letters, or syllable shape + function words)."""
    words = _WORD.findall(nfc(text))
    if not words:
        return 0.0
    with_vi_letters = sum(1 for w in words if any(c in _VI_ONLY for c in w))
    if with_vi_letters / len(words) >= 0.25:
        return 1.0
    folded = [fold(w) for w in words]
    syllables = sum(1 for w in folded if _VI_SYLLABLE.match(w) or w in _VI_TEEN)
    function = sum(1 for w in folded if w in _VI_FUNCTION or w in _VI_TEEN)
    english = sum(1 for w in folded if w in _ENGLISH_COMMON)
    if english >= max(2, function):
        return 0.0
    shape = syllables / len(folded)
    func = function / len(folded)
    if shape >= 0.85 and function >= min(2, len(folded)) and func >= 0.2:
        return min(1.0, 0.5 + shape / 4 + func)
    return 0.0


MAX_CHARS = 5000


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text`` (``vi``, ``en``, ``ru``, ``zh``, ``ja``, ``ko``, ``fr``, ...) or
    ``'und'`` when there is too little text to tell.

    >>> detect_language("nguoi dan phan anh ve viec thu hoi dat o Nha Trang")
    'vi'
    """
    # the first few thousand characters decide; a 5 MB page must not cost more than a post
    text = nfc((text or "")[:MAX_CHARS])
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 3:
        return UNDETERMINED
    script = _script_language(text)
    if script:
        return script
    words = _WORD.findall(text)
    if vietnamese_score(text) >= 0.5 and (len(words) >= 2 or any(c in _VI_ONLY for c in text)):
        return "vi"
    if len(words) < 2 and len(letters) < 8:
        return UNDETERMINED
    try:
        code = _langdetect()(text)
    except Exception:  # langdetect raises LangDetectException on feature-less text
        log.debug("langdetect failed on %r", text[:80])
        return UNDETERMINED
    return code.split("-")[0].lower()
