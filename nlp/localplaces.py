"""The places people actually name below the commune: hamlets, residential groups, and landmarks
written with their kind ("thôn Phi Nôm", "tổ dân phố 7", "suối Đại Tầm", "cảng cá Mỹ Tân",
"tháp Pô Sah Inư", "chùa Linh Sơn Tự", "khu du lịch Biển Đá Vàng").

No gazetteer lists every hamlet, stream, pagoda or fishing port of a province, and the official
unit lists (``vietnam-provinces``, ``vietnamadminunits``) stop at the commune. But Vietnamese
writers almost always say what kind of place it is, and then give its name as a proper noun (or a
number: "thôn 7"). So the kind word plus a proper noun is the evidence, found systematically in
any text rather than listed by example; the place is placed in the province of the unit named next
to it ("thôn Phi Nôm, xã Hiệp Thạnh, huyện Đức Trọng" → the province of Hiệp Thạnh), else of the
one province the text names. A profile's ``gazetteer.landmarks`` still adds famous places written
without their kind ("Hòn Tằm", "Ponagar").

Kind words follow the guideline's list of localities (docs/annotation.md §2). Streets are not
places here ("đường Trần Phú" is an address), nor are organisations.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from giamsat.core.model import Mention

# (kind word, level). Longest alternatives first; matched case-insensitively, whole words.
_VILLAGE = [
    "tổ dân phố", "khu dân cư", "khu phố", "thôn", "buôn", "bon", "làng", "xóm", "ấp", "bản", "plei",
    "khóm", "tdp",
]  # fmt: skip
# communes and wards the unit data no longer lists (merged before 2025, e.g. in 2019-2020: "xã Thạch
# Môn", "thị trấn Đồng Bành"): the level word plus a proper name is a commune all the same
_COMMUNE = ["thị trấn", "xã", "phường"]
_LANDMARK = [
    "cảng hàng không", "vườn quốc gia", "khu bảo tồn", "khu du lịch", "khu công nghiệp", "cụm công nghiệp",
    "khu kinh tế", "khu di tích", "di tích", "bãi biển", "bãi tắm", "cảng cá", "bến cảng", "cửa khẩu",
    "cửa biển", "hồ chứa", "hồ thủy lợi", "thủy điện", "nhiệt điện", "nhà máy", "sân bay", "nhà thờ",
    "quảng trường", "công viên", "bãi rác", "vqg", "kdl", "kcn", "ccn", "kkt", "cảng", "suối", "sông",
    "hồ", "đập", "đèo", "núi", "đảo", "hòn", "vịnh", "đầm", "tháp", "chùa", "đình", "đền", "miếu",
    "chợ", "cầu", "thác", "mũi", "mỏ", "bến", "resort",
]  # fmt: skip
# After the kind word, up to six tokens are read; the name is the run of capitalised tokens (a
# lower-case one only between two capitalised ones: "Pô sah Inư"), or a number ("thôn 7", "3A").
# Names do not run across lines ("đảo" ending a heading, the next line's first words): only
# horizontal space separates the kind word and the name's tokens.
_TOKENS = r"(?:[\w'’\-]+[,.;:)!?]*(?:[^\S\n\r]+|(?=[\n\r])|$)){1,6}"


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# the kind word in any case ("Thôn", "KCN"); the name is judged by its capitals in ``_name``
_PATTERN = re.compile(
    rf"(?<![\w])(?P<kind>(?i:{_alternation(_VILLAGE + _COMMUNE)}|{_alternation(_LANDMARK)}))[^\S\n\r]+(?=(?P<rest>{_TOKENS}))"
)
_VILLAGE_SET = {w.lower() for w in _VILLAGE}
_COMMUNE_SET = {w.lower() for w in _COMMUNE}
_SENTENCE_END = re.compile(r"[.!?\n;]")
_NEAR = 160  # characters: how far a unit that locates the place may stand
_STOP_NAMES = {"quốc", "trung", "nhà", "ông", "bà", "anh", "chị", "tại", "của", "này", "tết", "xuân"}
_NOT_A_NAME = re.compile(r"^(?:Việt Nam|Nhà nước|Đảng|Chính phủ|Trung ương|Tổng|Ban|Sở|Bộ|UBND|HĐND)\b")
# a kind word inside an organisation's name ("Bệnh viện Chợ Rẫy", "Trường THPT Cầu Giấy", "Công ty
# Cảng Cam Ranh"): the guideline counts no place inside the names of hospitals, schools, companies
_ORGANISATION_BEFORE = re.compile(
    r"(?:bệnh viện|trường|công ty|tập đoàn|ngân hàng|khách sạn|nhà hàng|thpt|thcs|đại học)\s+$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^\d+[A-Z]?$")
_BRIDGE = re.compile(r"^[a-z]{2,5}$")


def _name(rest: str) -> str:
    """The proper name at the start of ``rest`` (tokens as written), or ""."""
    tokens = rest.split()
    if tokens and _NUMBER.match(tokens[0].rstrip(",.;:)")):
        return tokens[0].rstrip(",.;:)")
    name: list[str] = []
    for i, raw in enumerate(tokens):
        tok = raw.rstrip(",.;:)!?")
        capitalised = bool(tok) and tok[0].isupper() and tok[0].isalpha()
        # a lower-case syllable inside a minority-language name ("Pô sah Inư"), never a Vietnamese
        # word ("Cầu Trần Phú ở Nha Trang" is a bridge, then the city)
        bridge = (
            bool(name) and bool(_BRIDGE.match(tok)) and i + 1 < len(tokens) and tokens[i + 1][:1].isupper()
        )
        if capitalised or bridge:
            name.append(tok)
        else:
            break
        if tok != raw:  # punctuation ends the name
            break
    while name and not name[-1][0].isupper():
        name.pop()
    return " ".join(name)


@dataclass(frozen=True)
class LocalPlace:
    start: int
    end: int
    kind: str  # the kind word as written
    name: str  # the name as written
    level: str  # village | commune | landmark


def find_local_places(text: str) -> list[LocalPlace]:
    """Every "kind word + proper name" in ``text`` (NFC), in order, without overlaps."""
    out: list[LocalPlace] = []
    for m in _PATTERN.finditer(text):
        kind, name = m.group("kind"), _name(m.group("rest")).rstrip("'’-")
        if not name or name.split()[0].lower() in _STOP_NAMES or _NOT_A_NAME.match(name):
            continue
        if (
            kind.isupper()
            and len(kind) <= 4
            and kind.lower() not in {"vqg", "kdl", "kcn", "ccn", "kkt", "tdp"}
        ):
            continue
        if _ORGANISATION_BEFORE.search(text[max(0, m.start() - 16) : m.start()]):
            continue
        low = kind.lower()
        level = "village" if low in _VILLAGE_SET else ("commune" if low in _COMMUNE_SET else "landmark")
        if name[0].isdigit() and level != "village":
            continue  # "cầu 2", "đảo 3": too generic without a name
        out.append(LocalPlace(m.start(), m.start("rest") + len(name), kind, name, level))
    return out


def locate(
    place: LocalPlace, text: str, units: list[Mention], provinces: set[str], starts: list[int] | None = None
) -> str | None:
    """The province of the place: the unit named right after it in the same sentence ("thôn X, xã
    Y"), else the one right before it, else the only province the text names. ``units`` are sorted
    by position and do not overlap (as the finder returns them; ``starts`` their start offsets):
    looked up by bisection, so thousands of places in one text stay linear."""
    if starts is None:
        starts = [u.start for u in units]
    sentence_end = _SENTENCE_END.search(text, place.end, place.end + _NEAR)
    limit = min(place.end + _NEAR, sentence_end.start() if sentence_end else len(text))
    for u in units[bisect_left(starts, place.end) :]:
        if u.start >= limit:
            break
        if u.province:
            return u.province
    window = max(_sentence_start(text, place.start), place.start - _NEAR)
    for u in reversed(units[: bisect_right(starts, place.start)]):
        if u.end < window:
            break
        if u.end <= place.start and u.province:
            return u.province
    return next(iter(provinces)) if len(provinces) == 1 else None


def _sentence_start(text: str, at: int) -> int:
    """Where the sentence holding ``at`` starts, looking back at most ``_NEAR`` characters."""
    lo = max(0, at - _NEAR)
    return max(text.rfind(mark, lo, at) for mark in ".!?;\n") + 1
