"""Surface features of a post that normalisation would otherwise lose, and sentence splitting.

``extract_features`` pulls out URLs (and their domains), hashtags, @mentions, e-mails, emojis and
Vietnamese phone numbers, plus simple counts (exclamation/question marks, upper-case ratio,
elongated words). They are stored in ``Enrichment.features`` and used by the risk model: a post
shouting in capitals with ``!!!`` and a phone number reads differently from a press article.

This module depends only on the standard library (``nlp.normalize`` imports its patterns).
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org|gov|info|io|me|ly)(?:/[^\s<>\"']*)?\b",
    re.IGNORECASE,
)
EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# @name not preceded by a word char (so e-mails are not mentions); Vietnamese letters allowed
MENTION_RE = re.compile(r"(?<![\w@])@([\w.]{2,50})")
HASHTAG_RE = re.compile(r"(?<![\w#&])#(\w{1,100})")
# Vietnamese phones: 0 or +84/84 then 9 digits (mobiles 03/05/07/08/09, landlines 02x), allowing
# spaces/dots/dashes between groups; 1800/1900 hotlines.
PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+?84|0)[\s.-]?(?:\d[\s.-]?){8}\d|1[89]00[\s.-]?\d{3,4}(?:[\s.-]?\d{2,4})?)(?!\d)"
)
_ELONGATED = re.compile(r"(\w)\1{2,}", re.UNICODE)  # quáaaa, huhuuu, !!!
_SENT_END = re.compile(r"(?<=[.!?…])\s+(?=[\"'“(]?[A-ZÀ-Ỹ0-9Đ])|\n+")

# Emoji blocks (pictographs, dingbats, symbols, flags). Variation selectors/ZWJ are dropped so a
# composed emoji is counted once per pictograph.
_EMOJI_RANGES = (
    (0x1F000, 0x1FAFF),
    (0x2600, 0x27BF),
    (0x2B00, 0x2BFF),
    (0x2190, 0x21FF),
    (0x2300, 0x23FF),
    (0x1F1E6, 0x1F1FF),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
)


_EMOJI_RE = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _EMOJI_RANGES) + "]")


def is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _EMOJI_RANGES)


def find_emojis(text: str) -> list[str]:
    # one regex pass instead of a range test per character (a 20,000-character article is 20,000 tests)
    return _EMOJI_RE.findall(text)


def find_urls(text: str) -> list[str]:
    out = []
    for m in URL_RE.finditer(text):
        url = m.group(0).rstrip(".,;:!?")
        out.append(url)
    return out


def url_domain(url: str) -> str:
    host = re.sub(r"^(?:https?://)?", "", url, flags=re.IGNORECASE).split("/")[0].split("?")[0]
    host = host.split(":")[0].lower()
    return host[4:] if host.startswith("www.") else host


def find_phones(text: str) -> list[str]:
    """Phone numbers, normalised to digits with a leading 0 (``+84 905 123 456`` -> ``0905123456``)."""
    out = []
    for m in PHONE_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if digits.startswith("84") and len(digits) == 11:
            digits = "0" + digits[2:]
        out.append(digits)
    return out


def upper_ratio(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return round(sum(c.isupper() for c in letters) / len(letters), 4)


def extract_features(text: str) -> dict[str, Any]:
    """Everything surface-level in one dict (JSON-safe): lists are de-duplicated, order kept.

    >>> f = extract_features("Nóng!!! Xem https://fb.com/x #KhanhHoa @ubnd 0905 123 456 😡")
    >>> f["hashtags"], f["phones"], f["exclamations"]
    (['KhanhHoa'], ['0905123456'], 3)
    """
    raw = unicodedata.normalize("NFC", html.unescape(text or ""))
    # e-mails first: their domain would otherwise be taken for a bare-domain URL
    emails = EMAIL_RE.findall(raw)
    no_emails = EMAIL_RE.sub(" ", raw)
    urls = find_urls(no_emails)
    no_urls = URL_RE.sub(" ", no_emails)
    emojis = find_emojis(raw)
    words = re.findall(r"\w+", no_urls)
    return {
        "urls": _uniq(urls),
        "domains": _uniq(url_domain(u) for u in urls),
        "hashtags": _uniq(HASHTAG_RE.findall(no_urls)),
        "mentions": _uniq(MENTION_RE.findall(no_urls)),
        "emails": _uniq(emails),
        "emojis": _uniq(emojis),
        "phones": _uniq(find_phones(no_urls)),
        "n_chars": len(raw),
        "n_words": len(words),
        "n_emojis": len(emojis),
        "exclamations": raw.count("!"),
        "questions": raw.count("?"),
        "upper_ratio": upper_ratio(no_urls),
        "elongated": len(_ELONGATED.findall(no_urls)),
    }


def split_sentences(text: str) -> list[str]:
    """Split on sentence punctuation followed by a capital, and on newlines. Cheap and good
    enough for NER batches; never returns empty strings."""
    parts = _SENT_END.split(text or "")
    return [p.strip() for p in parts if p and p.strip()]


def _uniq(values: Any) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        if v and v not in seen:
            seen[v] = None
    return list(seen)
