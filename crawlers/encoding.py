"""Turn fetched bytes into correct Vietnamese text.

Order of trust: a byte-order mark, then the charset in the HTTP header, then the one in the page's
``<meta>``, then detection. A declared charset that does not decode the bytes is reported and the
next candidate is tried, so a wrong header never produces mojibake silently.

Two Vietnamese specifics:

* Python's ``cp1258`` codec (Windows Vietnamese) yields *decomposed* tone marks (``a`` + U+0301);
  everything downstream expects NFC, so decoded text is always NFC-normalised.
* Pre-Unicode font encodings (TCVN3/ABC ".Vn" fonts, VNI fonts) are plain Latin-1 bytes that only
  look Vietnamese in the matching font. They cannot be told apart from the charset; we detect them
  from their characteristic letter shapes and report them (``legacy_font``) instead of guessing.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

import charset_normalizer

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_.:-]+)", re.I)

# Names seen in the wild for the same codecs Python knows under another name.
_ALIASES = {
    "windows-1258": "cp1258",
    "x-cp1258": "cp1258",
    "vn": "cp1258",
    "iso-8859-1": "cp1252",  # browsers decode latin-1 labels as windows-1252 (WHATWG)
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "utf8": "utf-8",
}

# Letters that exist only in Vietnamese (after NFC): used to score competing decodings.
_VI_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")

# TCVN3 (ABC) puts tone-marked vowels on Latin-1 punctuation code points (¸ µ ¶ · ¹ ...), which
# never occur *inside* a real word. VNI writes a base letter followed by a Latin-1 "accent" byte.
_TCVN3_CHARS = "¸µ¶·¹¨©ª«¬®§¡¢£¤¥¦ÆÇËÌÎÏÑÒÓÔÕÖØÙÚÛÜÝÞßãåæçèéêëìíîïñòóôõöøùúûüýþ"
_TCVN3_WORD = re.compile(r"[A-Za-z]+[¸µ¶·¹¨©ª«¬®§¡¢£¤¥¦ß¾½¼]+[A-Za-z]*|[¸µ¶·¹¨©ª«¬®§][a-z]+")
_VNI_WORD = re.compile(r"[aeiouyAEIOUY][øùûõïøöôñ][a-z]*|\b[ñÑ][a-z]+|[a-z][aeo][øùûõï]")


@dataclass
class Decoded:
    text: str
    encoding: str
    how: str  # bom | header | meta | utf-8 | detected
    warnings: list[str] = field(default_factory=list)
    legacy_font: str | None = None  # "TCVN3" | "VNI" when such text was detected


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return m.group(1) if m else None


def meta_charset(body: bytes) -> str | None:
    m = _META_CHARSET.search(body[:8192])
    return m.group(1).decode("ascii", "ignore") if m else None


def _vi_score(text: str) -> int:
    return sum(1 for ch in text if ch in _VI_LETTERS)


def detect_legacy_font(text: str) -> str | None:
    """Return ``"TCVN3"`` or ``"VNI"`` when the text is Vietnamese typed in a legacy font encoding."""
    words = text.split()
    if len(words) < 5:
        return None
    sample = " ".join(words[:3000])
    n = len(words[:3000])
    tcvn = len(_TCVN3_WORD.findall(sample))
    if tcvn >= 3 and tcvn / n > 0.04:
        return "TCVN3"
    vni = len(_VNI_WORD.findall(sample))
    # Genuine Vietnamese (NFC) has many letters from _VI_LETTERS; VNI text has almost none.
    if vni >= 3 and vni / n > 0.04 and _vi_score(sample) < vni:
        return "VNI"
    return None


def _try(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(body: bytes, content_type: str | None = None, *, legacy: bool = True) -> Decoded:
    """Decode an HTML/XML/text payload; never raises (the worst case is a lossy detected decode).

    ``legacy=False`` skips the legacy-font check (``legacy_font``): a caller that extracts the
    article runs ``detect_legacy_font`` on that text instead of on the whole page's visible text,
    which costs as much as parsing the page."""
    warnings: list[str] = []
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            text = body.decode(codec, errors="replace")
            return _finish(text, codec, "bom", warnings, legacy)

    declared = [("header", header_charset(content_type)), ("meta", meta_charset(body))]
    for how, name in declared:
        if not name:
            continue
        found = _codec(name)
        if found is None:
            warnings.append(f"bảng mã khai báo không hợp lệ ({how}: {name})")
            continue
        attempt = _try(body, found)
        if attempt is None:
            warnings.append(f"bảng mã khai báo sai ({how}: {name}): không giải mã được")
            continue
        if found == "cp1252" and _try(body, "utf-8") is not None and _vi_score(body.decode("utf-8")) > 0:
            # a UTF-8 page mislabelled latin-1: the UTF-8 reading is the Vietnamese one
            warnings.append(f"bảng mã khai báo sai ({how}: {name}): trang là UTF-8")
            return _finish(body.decode("utf-8"), "utf-8", "utf-8", warnings, legacy)
        return _finish(attempt, found, how, warnings, legacy)

    as_utf8 = _try(body, "utf-8")
    if as_utf8 is not None:
        if not any(n for _, n in declared):
            warnings.append("không khai báo bảng mã; đọc là UTF-8")
        return _finish(as_utf8, "utf-8", "utf-8", warnings, legacy)

    # Undeclared legacy bytes: compare Windows-Vietnamese with the detector's best guess.
    guess = charset_normalizer.from_bytes(body).best()
    candidates: list[tuple[str, str]] = []
    if guess is not None and guess.encoding:
        candidates.append((guess.encoding, str(guess)))
    cp = _try(body, "cp1258")
    if cp is not None:
        candidates.append(("cp1258", cp))
    if not candidates:
        warnings.append("không xác định được bảng mã; thay ký tự lỗi")
        return _finish(body.decode("utf-8", errors="replace"), "utf-8", "detected", warnings, legacy)
    codec, text = max(candidates, key=lambda c: _vi_score(unicodedata.normalize("NFC", c[1])))
    warnings.append(f"không khai báo bảng mã; nhận dạng là {codec}")
    return _finish(text, codec, "detected", warnings, legacy)


def legacy_warning(font: str) -> str:
    return f"văn bản dùng phông cũ {font} (không phải Unicode): cần chuyển mã"


def _finish(text: str, codec: str, how: str, warnings: list[str], check_legacy: bool = True) -> Decoded:
    text = unicodedata.normalize("NFC", text)
    legacy = detect_legacy_font(_visible_sample(text)) if check_legacy else None
    if legacy:
        warnings.append(legacy_warning(legacy))
    return Decoded(text=text, encoding=codec, how=how, warnings=warnings, legacy_font=legacy)


_TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S | re.I)


def _visible_sample(text: str) -> str:
    return _TAGS.sub(" ", text[:200_000]) if "<" in text else text
