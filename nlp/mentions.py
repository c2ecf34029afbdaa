"""Find the places a text talks about, resolved to today's province (and commune/ward).

``MentionFinder.for_profile(profile).find(text)`` returns ``storage.model.Mention`` records with
spans on the original text. How a match becomes a mention (see :mod:`nlp.gazetteer` for keys):

1. **Candidates.** The automaton finds every gazetteer name on word boundaries in the folded text.
   A candidate survives only if the writer's diacritics agree with the name's: each character is
   either the same (modulo tone style and case) or written without diacritics. So "hoa khanh" and
   "Hoà Khánh" match "Hòa Khánh", but "nhà trang" does not match "Nha Trang". When a name has
   exact and diacritic-less variants (Bình Định / Bình Đinh) the exact one is kept.
2. **Context of each candidate.** The level word before it (tỉnh, thành phố/TP, huyện/quận/thị xã,
   phường/xã/thị trấn/đặc khu and their abbreviations), whether it is written as a proper noun
   (capitals) in a text that uses capitals at all, whether a person title (anh, ông, bà...) or a
   surname (Nguyễn, Trần...) comes right before it ("anh Khánh Hòa", "ông Nguyễn Khánh Hòa" are
   people), and whether it follows a street word (đường Trần Phú is a street).
3. **Judging.** Province names (current or pre-2025) and the profile's landmarks count on their
   own. A commune/ward or old district name counts when it is unique in the country (or the only
   *current* unit of that name) and written as a proper noun, or when the province it belongs to
   is also mentioned in the text. A name that exists in several provinces ("Phường 1",
   "xã Tân Lập", "Phước Hòa") needs that province context even with its level word; otherwise it
   is dropped. A level word picks the matching kind of unit ("phường Hòa Khánh" is a ward of Đà
   Nẵng, never the province Khánh Hòa).
4. **Overlaps.** The longest name wins ("xã Tây Ninh Hòa" is a commune of Khánh Hòa, not the
   province Tây Ninh); a longer name that was seen but could not be resolved still blocks the
   shorter names inside it. Stop phrases (built in: "khánh thành", "quốc khánh"...; plus the
   profile's) block the places they overlap unless a level word or the province context confirms
   the place.

Added after a held-out run (tests/nlp/mention_heldout.yaml; general rules, checked on Baomoi):

* A writer who capitalises sentence starts writes names capitalised: a lower-case name is a word
  ("an toàn", "vĩnh viễn", "phường trung tâm", "cầu treo", "tình hữu nghị"), even with a level
  word before it (unless its province is in the text).
* Hashtags are tags, not mentions. Hamlet words (thôn, ấp, xóm, bản, tổ dân phố) make the name a
  village, not the commune of that name. A unit followed by a foreign country in brackets or
  after a comma ("Quảng Châu (Trung Quốc)") is abroad.
* A bare unit name followed by another capitalised Vietnamese word that starts no place is part
  of a longer name ("Lý Quốc Sư", "Tây Nam Bộ"); a surname next ("Bạch Mai Nguyễn Thành Nam") or
  a word without diacritics ("Bà Nà Hills") does not count.
* A capitalised surname right before a name is no person evidence when it opens the sentence and
  the unit's province is in the text ("Bắc Kạn: Hồ Ba Bể").
* The profile's province is the prior for a name found in several provinces, when the writer used
  its diacritics ("Vạn Ninh" in a Khánh Hòa feed; "Lam Sơn" is not Khánh Hòa's Lâm Sơn).
* Former urban districts (quận) are known nationally like former cities ("Hà Đông", "Phú Nhuận").
* One-word exonyms are generated for every province ("Haiphong", "Quangnam"); long abbreviations
  may be lower case ("tphcm"); "Hue" without diacritics, in a text without them, is Huế.

Old names resolve to the current province: "huyện Cam Lâm", "Ninh Thuận", "TP Phan Rang-Tháp
Chàm" -> khanh-hoa; "Đắk Nông", "Bình Thuận" -> lam-dong; an old commune also to its current ward
(via the converter data of ``vietnamadminunits``).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar

from giamsat.core.model import Mention
from giamsat.core.text import fold, match_key, nfc, straight_apostrophes
from giamsat.nlp.gazetteer import Entry, Gazetteer, build_gazetteer, folded_key
from giamsat.nlp.localplaces import find_local_places, locate

if TYPE_CHECKING:
    from giamsat.core.profile import Profile

log = logging.getLogger(__name__)

# -- context word lists (data; folded unless said otherwise) -----------------------------------
# person titles, in match_key form (with diacritics) so "ảnh" (photo) is not "anh"
PERSON_TITLES = (
    frozenset(
        [
            "anh",
            "chị",
            "ông",
            "bà",
            "em",
            "cô",
            "chú",
            "bác",
            "cụ",
            "bạn",
            "thầy",
            "cháu",
            "bé",
            "cu",
            "dì",
            "cậu",
            "mợ",
            "thím",
            "chồng",
            "vợ",
            "mr",
            "mrs",
            "ms",
            "miss",
            "đ/c",
        ]
    )
    | {"đồng chí", "ca sĩ", "nhà báo", "nghệ sĩ", "cầu thủ", "bị can", "bị cáo", "đối tượng", "tên", "họa sĩ"}
    | {
        # artists', writers' and athletes' titles before a stage or pen name ("NSND Lệ Thủy", "danh hài
        # Xuân Bắc", "nhà thơ Tố Hữu")
        "nsnd",
        "nsưt",
        "danh hài",
        "diễn viên",
        "nhà văn",
        "nhà thơ",
        "nhạc sĩ",
        "hoa hậu",
        "á hậu",
        "người mẫu",
        "tay vợt",
        "vận động viên",
        "tuyển thủ",
        "mc",
    }
)
# titles written without diacritics that are not other everyday words ("ba" = three, "co" = có)
PLAIN_TITLES = frozenset({"anh", "ong", "chi"})
# "bà con", "anh em" are "people/folks", not a title before a name
COLLECTIVES = frozenset(
    {"bà con", "anh em", "chị em", "cô chú", "cô bác", "ông bà", "bạn bè", "các bạn", "anh chị", "em út"}
)
SURNAMES = frozenset(
    [
        "nguyen",
        "tran",
        "le",
        "pham",
        "hoang",
        "huynh",
        "phan",
        "vu",
        "vo",
        "dang",
        "bui",
        "do",
        "ho",
        "ngo",
        "duong",
        "ly",
        "dao",
        "doan",
        "vuong",
        "trinh",
        "truong",
        "lam",
        "luong",
        "luu",
        "mai",
        "cao",
        "ha",
        "ta",
        "to",
        "thai",
        "chau",
        "quach",
        "la",
        "kieu",
        "ton",
        "dinh",
        "tang",
        "khuc",
        "lai",
        "phung",
        "van",
        "thi",
    ]
)
# words that, right before a name, make it a street name
STREET_WORDS = frozenset({"đường", "phố", "hẻm", "ngõ", "kiệt", "đại lộ", "ngách", "quốc lộ", "tỉnh lộ"})
# words that, right before a name, make it a village/hamlet inside some commune ("thôn Ba Đông"):
# the name is not the commune of that name elsewhere ("làng" is left out: "làng Nhật Tân" is known)
VILLAGE_WORDS = frozenset({"thôn", "ấp", "xóm", "khóm", "bản", "tổ", "khu phố", "tổ dân phố", "buôn làng"})
# a name followed by one of these, in brackets or after a comma, is abroad ("Quảng Châu (Trung
# Quốc)", "Biển Hồ (Campuchia)"): folded, checked against the words right after the name
FOREIGN_COUNTRIES = (
    "trung quoc",
    "lao",
    "campuchia",
    "thai lan",
    "myanmar",
    "han quoc",
    "trieu tien",
    "nhat ban",
    "dai loan",
    "my",
    "hoa ky",
    "phap",
    "nga",
    "uc",
    "anh",
    "duc",
    "an do",
    "indonesia",
    "malaysia",
    "philippines",
    "singapore",
)
_FOREIGN_RE = re.compile(r"^\s?(?:\(|,|-)\s?(?:" + "|".join(FOREIGN_COUNTRIES) + r")\s?(?:\)|,|;|\.|$)")
# a province named after a person: bare, the name is the person ("Chủ tịch Hồ Chí Minh", "tư tưởng
# Hồ Chí Minh", "Đoàn TNCS Hồ Chí Minh"); the city is written with its level word ("TP Hồ Chí Minh")
# or another of its names (TP.HCM, Sài Gòn)
PERSON_NAMED_PROVINCES = frozenset(folded_key(w) for w in ("Hồ Chí Minh",))
# names that are also ordinary words: lower-case use is the word, not the place
COMMON_WORD_NAMES = frozenset(
    folded_key(w) for w in ("Hòa Bình", "Thái Bình", "Thống Nhất", "Độc Lập", "Hưng Yên")
)

# level words (folded). Group -> levels they introduce.
_LEVEL_RE = re.compile(
    r"(?:^|[^0-9a-z])(thanh pho|t\.p\.?|tp\.?|thi tran|thi xa|dac khu|phuong|huyen|quan|tinh|xa|tx\.|tt\.|p\.|q\.|h\.)\s?$"
)
_LEVEL_CANON = {  # folded level word -> (group, canonical written form with diacritics)
    "thanh pho": ("city", "thành phố"),
    "tp": ("city", "tp"),
    "t.p": ("city", "t.p"),
    "thi tran": ("ward", "thị trấn"),
    "thi xa": ("district", "thị xã"),
    "dac khu": ("ward", "đặc khu"),
    "phuong": ("ward", "phường"),
    "huyen": ("district", "huyện"),
    "quan": ("district", "quận"),
    "tinh": ("province", "tỉnh"),
    "xa": ("ward", "xã"),
    "tx": ("district", "tx"),
    "tt": ("ward", "tt"),
    "p": ("ward", "p"),
    "q": ("district", "q"),
    "h": ("district", "h"),
}
_GROUP_LEVELS = {
    "ward": ("ward", "old-ward", "landmark"),
    "district": ("old-district", "landmark"),
    "city": ("province", "old-province", "old-district", "landmark"),
    "province": ("province", "old-province", "landmark"),
}
_LEVEL_PRIORITY = {
    "landmark": 0,
    "province": 1,
    "old-province": 2,
    "ward": 3,
    "old-district": 4,
    "old-ward": 5,
}
MAIN_WEIGHTS = {
    "province": 3.0,
    "old-province": 3.0,
    "landmark": 2.0,
    "ward": 2.0,
    "old-district": 2.0,
    "old-ward": 1.0,
}
UNIT_LEVELS = ("ward", "old-ward", "old-district")
# main_province: the leading province needs this share of the mention weight...
DOMINANT_SHARE = 0.55
# ...and more than one mention when its only one comes after this many characters
PASSING_CHARS = 300


@dataclass
class _Doc:
    """The text prepared for matching: NFC, folded and exact keys with an index map."""

    original: str
    nfc: str
    folded: str  # squeezed folded text the automaton runs on
    exact: str  # squeezed match_key text, same length as folded
    pos: list[int]  # index in folded -> index in nfc
    dashes: list[int]  # squeezed positions of separators that contained a dash, ascending
    breaks: list[int]  # squeezed positions of separators that contained a line break, ascending
    nfc_to_orig: list[tuple[int, int]] | None  # nfc index -> (start, end) in original; None = same
    cased: bool
    diacritics: bool  # the writer uses Vietnamese diacritics
    sentence_cased: bool = False  # capitalises at least sentence starts (a mixed-case word)
    hit_starts: frozenset[int] = frozenset()  # squeezed positions where some name starts


@dataclass
class _Cand:
    start: int  # in the squeezed text
    end: int
    entry: Entry
    exact: bool
    level_group: str | None
    level_start: int  # start including the level word
    capitalized: bool
    confirmed: bool = False  # level word or province context backs it


def _nfc_map(text: str) -> tuple[str, list[tuple[int, int]] | None]:
    normalized = unicodedata.normalize("NFC", text)
    if normalized == text:
        return text, None
    # compose cluster by cluster (a base char and its combining marks) so each output char knows
    # which original chars it came from
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j])
        out.append(piece)
        spans.extend([(i, j)] * len(piece))
        i = j
    return "".join(out), spans


_SEP = re.compile(r"[\s\-\u2010-\u2015_]")


def _prepare(text: str) -> _Doc:
    nfc_text, nfc_to_orig = _nfc_map(text or "")
    nfc_text = straight_apostrophes(nfc_text)
    folded_full = fold(nfc_text)
    exact_full = match_key(nfc_text)
    if len(exact_full) != len(nfc_text):
        exact_full = nfc_text.lower()
    if len(exact_full) != len(nfc_text):
        exact_full = folded_full
    f_out: list[str] = []
    e_out: list[str] = []
    pos: list[int] = []
    prev_sep = True
    dashes: set[int] = set()
    breaks: set[int] = set()
    for i, ch in enumerate(nfc_text):
        if _SEP.match(ch):
            if ch in "\n\r\u2028\u2029":
                breaks.add(len(f_out) - (1 if prev_sep else 0))
            elif not ch.isspace():
                dashes.add(len(f_out) - (1 if prev_sep else 0))
            if prev_sep:
                continue
            f_out.append(" ")
            e_out.append(" ")
            pos.append(i)
            prev_sep = True
        else:
            f_out.append(folded_full[i])
            e_out.append(exact_full[i])
            pos.append(i)
            prev_sep = False
    return _Doc(
        original=text or "",
        nfc=nfc_text,
        folded="".join(f_out),
        exact="".join(e_out),
        pos=pos,
        dashes=sorted(dashes),
        breaks=sorted(breaks),
        nfc_to_orig=nfc_to_orig,
        cased=_is_cased(nfc_text),
        sentence_cased=any(
            w[0].isupper() and any(ch.islower() for ch in w[1:]) for w in re.findall(r"[^\W\d_]+", nfc_text)
        ),
        diacritics=sum(1 for a, b in zip(nfc_text, folded_full, strict=True) if a.lower() != b) >= 2,
    )


def _is_cased(text: str) -> bool:
    """Does the writer use capitals for names (a capitalised word that does not start a sentence)?"""
    for m in re.finditer(r"\w+", text):
        w = m.group(0)
        if not w[0].isupper():
            continue
        before = text[max(0, m.start() - 20) : m.start()].rstrip()
        if before and before[-1] not in ".!?\n:\"'“(«-–—•*#>":
            return True
    return False


class MentionFinder:
    """Finds place mentions. Build once per profile (``for_profile``); ``find`` is thread-safe."""

    _cache: ClassVar[dict[str, MentionFinder]] = {}
    _lock = threading.Lock()

    def __init__(self, gazetteer: Gazetteer, profile_province: str | None = None) -> None:
        self.gaz = gazetteer
        self.profile_province = profile_province

    @classmethod
    def for_profile(cls, profile: Profile | None) -> MentionFinder:
        """The finder for a profile, cached per profile file (``None``: national gazetteer only)."""
        key = "" if profile is None else (profile.path or f"id:{id(profile)}")
        with cls._lock:
            finder = cls._cache.get(key)
            if finder is None:
                finder = cls(build_gazetteer(profile), profile.province.code if profile else None)
                cls._cache[key] = finder
        return finder

    # -- public API ---------------------------------------------------------------------------
    def find(self, text: str) -> list[Mention]:
        if not text or not text.strip():
            return []
        doc = _prepare(text)
        hits = self._hits(doc)
        if not hits:
            return []
        doc.hit_starts = frozenset(c.start for cands in hits for c in cands)
        # pass 1: what provinces does the text name on its own?
        # (with where each is named: a name found in two of them belongs to the nearer one)
        context: dict[str, list[int]] = defaultdict(list)
        for cands in hits:
            for c in cands:
                if c.entry.level in ("province", "old-province", "landmark") and self._accept_alone(doc, c):
                    context[c.entry.province or ""].append(c.start)
        context.pop("", None)
        # pass 1b: units made certain by their level word add their province too
        for cands in hits:
            chosen = self._judge(doc, cands, context=set())
            if chosen and chosen.level_group and chosen.entry.level in UNIT_LEVELS:
                context[chosen.entry.province or ""].append(chosen.start)
        context.pop("", None)
        for where in context.values():
            where.sort()
        # pass 2: judge every hit with that context, then resolve overlaps
        accepted: list[tuple[_Cand, bool]] = []  # (candidate, is_blocker)
        for cands in hits:
            chosen = self._judge(doc, cands, context)
            if chosen and not chosen.confirmed and any(c.entry.level == "stop" for c in cands):
                chosen = None  # "Quốc khánh" is a holiday unless a level word or context says otherwise
            if chosen:
                accepted.append((chosen, False))
            else:
                blocker = self._blocker(doc, cands)
                if blocker:
                    accepted.append((blocker, True))
        return self._with_local_places(doc, self._resolve(doc, accepted))

    def _with_local_places(self, doc: _Doc, mentions: list[Mention]) -> list[Mention]:
        """Add hamlets and kind-named landmarks (``nlp.localplaces``), placed by the units named
        next to them; a place name inside a hamlet's name ("thôn Vĩnh Phúc") is the hamlet's.
        Mentions do not overlap and come sorted, so every look-up is a bisection: a text made of
        thousands of place names stays linear."""
        found = find_local_places(doc.nfc)
        if not found:
            return mentions
        spans = [(place, *self._orig_span(doc, place.start, place.end)) for place in found]
        starts = [m.start for m in mentions]
        # names read inside a hamlet's or a kind-named place's name belong to it, not to the text
        swallowed: set[int] = set()
        for place, _start, end in spans:
            name_start = end - len(place.name)
            inside = [
                k
                for k in range(bisect_left(starts, name_start), bisect_right(starts, end))
                if mentions[k].end <= end
            ]
            if place.level == "village" or not inside:
                swallowed.update(inside)
        out = [m for k, m in enumerate(mentions) if k not in swallowed]
        out_starts = [m.start for m in out]
        units = [m for m in out if m.level in UNIT_LEVELS or m.level in ("province", "old-province")]
        unit_starts = [m.start for m in units]
        provinces = {m.province for m in out if m.province}
        added: list[Mention] = []
        for place, start, end in spans:
            k = bisect_left(out_starts, end) - 1
            if k >= 0 and out[k].end > start:
                continue  # already read as something else (a ward with its level word, a profile landmark)
            if self._province_name(doc.nfc[place.start : place.end]):
                continue  # "Hồ Chí Minh" is a man or the city, not a lake "Chí Minh"
            province = locate(place, doc.nfc, units, provinces, unit_starts)
            if province is not None:
                added.append(
                    Mention(
                        text=doc.original[start:end],
                        start=start,
                        end=end,
                        level=place.level,
                        province=province,
                        name=place.name,
                    )
                )
        return sorted(out + added, key=lambda m: m.start)

    def _province_name(self, segment: str) -> bool:
        """Is the whole ``segment`` (kind word + name) a province's name?"""
        key = fold(segment).replace("-", " ")
        found = self.gaz.automaton.get(" ".join(key.split()), None)
        return bool(found) and any(self.gaz.entries[i].level in ("province", "old-province") for i in found)

    def _orig_span(self, doc: _Doc, start: int, end: int) -> tuple[int, int]:
        if doc.nfc_to_orig is None:
            return start, end
        return doc.nfc_to_orig[start][0], doc.nfc_to_orig[end - 1][1]

    def main_province(self, mentions: list[Mention], title_chars: int = 160) -> str | None:
        """The province the text is mainly about (docs/annotation.md, section 1), or None.

        Mentions are weighted by level and counted twice in the first ``title_chars`` characters
        (where the title is, when callers pass title + text). The leading province must then
        *dominate*: the guideline leaves an item with several provinces, none of which
        dominates, and a national story that names one province in passing, about no province.
        So the answer is None when

        * the leader holds less than ``DOMINANT_SHARE`` of the weight (a storm along a coast,
          a list of provinces, a route between two cities), unless the title names it and no
          other province (the headline says where the story is);
        * the leader is named only once, after the first ``PASSING_CHARS`` characters of a text
          longer than that (one passing reference deep in a long article).

        Thresholds chosen on the gold train split (nlp/gold), checked on dev; see docs/nlp.md.
        """
        scores: dict[str, float] = defaultdict(float)
        first: dict[str, int] = {}
        count: dict[str, int] = defaultdict(int)
        in_title: set[str] = set()
        for m in mentions:
            if not m.province:
                continue
            weight = MAIN_WEIGHTS.get(m.level, 1.0)
            if m.start < title_chars:
                weight *= 2
                in_title.add(m.province)
            scores[m.province] += weight
            count[m.province] += 1
            first.setdefault(m.province, m.start)
        if not scores:
            return None
        best = max(scores, key=lambda p: (scores[p], -first[p]))
        share = scores[best] / sum(scores.values())
        if share < DOMINANT_SHARE and in_title != {best}:
            return None
        if count[best] == 1 and first[best] >= PASSING_CHARS:
            return None
        return best

    def localities(self, mentions: list[Mention], province: str) -> list[str]:
        """Current ward names (with diacritics) and landmark names mentioned in ``province``."""
        out: dict[str, None] = {}
        for m in mentions:
            if m.province != province:
                continue
            if m.level == "ward" and m.name:
                out[m.name] = None
            elif m.level == "old-ward":
                new = self.gaz.old_ward_to_new.get(m.code or "")
                if new and new in self.gaz.ward_names:
                    out[self.gaz.ward_names[new]] = None
            elif m.level in ("landmark", "village", "commune") and m.name:
                out[m.text if m.level == "village" else m.name] = None
        return list(out)

    def ward_codes(self, mentions: list[Mention], province: str) -> list[str]:
        """Current ward codes named (directly, by an old commune name, or by a landmark's ward)."""
        out: dict[str, None] = {}
        for m in mentions:
            if m.province != province:
                continue
            code = None
            if m.level == "ward":
                code = m.code
            elif m.level == "old-ward":
                code = self.gaz.old_ward_to_new.get(m.code or "")
            elif m.level == "landmark":
                code = m.code  # a landmark's code is its ward code when the profile gives one
            if code:
                out[code] = None
        return list(out)

    # -- matching -----------------------------------------------------------------------------
    def _hits(self, doc: _Doc) -> list[list[_Cand]]:
        """Automaton hits with diacritic-compatible entries, grouped per span."""
        text = doc.folded
        out: list[list[_Cand]] = []
        for end_idx, idxs in self.gaz.automaton.iter(text):
            end = end_idx + 1
            key_len = len(self.gaz.entries[idxs[0]].key)
            start = end - key_len
            if start > 0 and text[start - 1].isalnum():
                continue
            if end < len(text) and text[end].isalnum():
                continue
            crosses_dash = _any_inside(doc.dashes, start, end)
            if _any_inside(doc.breaks, start, end):
                continue  # names do not run across lines
            seg_e = doc.exact[start:end]
            seg_f = text[start:end]
            cands: list[_Cand] = []
            level = self._level_word(doc, start)
            a, b = doc.pos[start], doc.pos[end - 1] + 1
            if a > 0 and doc.nfc[a - 1] == "#":
                continue  # a hashtag (#khanhhoa) is a tag, not a mention
            before = re.findall(r"[^\W\d_]+", doc.nfc[max(0, a - 30) : a])[-1:]
            after = re.findall(r"[^\W\d_]+", doc.nfc[b : b + 30])[:1]
            capitalized = _capitalized(doc.nfc[a:b], " ".join(before + after))
            for i in idxs:
                e = self.gaz.entries[i]
                if crosses_dash and not e.dashed:
                    continue  # "Phú Yên - Khánh Hòa" holds no "Yên Khánh"
                if seg_e == e.exact:
                    exact = True
                elif all(
                    a in (b, f, _untoned(b)) or (b == "ă" and _untoned(a) == "ă")
                    for a, b, f in zip(seg_e, e.exact, seg_f, strict=True)
                ):
                    # the last case: Highland names the data spells without their tone ("Đăk
                    # Glong") that writers give one ("Đắk Glong")
                    exact = False
                else:
                    continue  # written with other diacritics: another word
                group, lstart = level if level else (None, start)
                cands.append(_Cand(start, end, e, exact, group, lstart, capitalized))
            if any(c.exact for c in cands):
                # keep province readings written without a tone ("Đăk Nông" is the province, even
                # though a commune in Kon Tum is spelt exactly so)
                cands = [c for c in cands if c.exact or c.entry.level in ("province", "old-province")]
            if cands:
                out.append(cands)
        return out

    def _level_word(self, doc: _Doc, start: int) -> tuple[str, int] | None:
        window_start = max(0, start - 12)
        m = _LEVEL_RE.search(doc.folded[window_start:start])
        if not m:
            return None
        word = m.group(1)
        canon_key = word.rstrip(".")
        group, canon = _LEVEL_CANON[canon_key]
        w_start = window_start + m.start(1)
        written = doc.exact[w_start : w_start + len(canon_key)]
        # "xa" with diacritics must be "xã" (not "xa" far / "xà"); plain "xa" only in a text
        # written without diacritics
        plain = written == doc.folded[w_start : w_start + len(canon_key)]
        if written != canon and not (plain and not doc.diacritics):
            return None
        if canon_key in ("p", "q", "h") and not word.endswith("."):
            return None
        return group, w_start

    def _prev_words(self, doc: _Doc, start: int, n: int = 3) -> list[str]:
        """Up to n words before ``start`` (nearest last), in match_key form, stopping at punctuation."""
        before = doc.exact[max(0, start - 40) : start]
        m = re.search(rf"((?:[\w/]+ ){{1,{n}}})$", before)
        return m.group(1).split() if m else []

    def _person_context(self, doc: _Doc, c: _Cand) -> bool:
        return self._person_evidence(doc, c) is not None

    def _person_evidence(self, doc: _Doc, c: _Cand) -> str | None:
        """Why the name looks like a person's: "title", "surname", "age", or None."""
        age = "age" if self._followed_by_age(doc, c) else None
        words = self._prev_words(doc, c.level_start)
        if c.level_group or not words:
            return age
        last = words[-1]
        two = " ".join(words[-2:])
        if two in COLLECTIVES:
            return None
        if two in PERSON_TITLES or last in PERSON_TITLES or last in PLAIN_TITLES:
            return "title"
        # a capitalised surname right before: "Nguyễn Khánh Hòa", "Lê Văn Khánh Hòa"
        nfc_before = doc.nfc[max(0, doc.pos[c.start] - 40) : doc.pos[c.start]].rstrip()
        prev_token = re.search(r"(\w+)$", nfc_before)
        if prev_token and prev_token.group(1)[0].isupper() and fold(prev_token.group(1)) in SURNAMES:
            return "surname"
        return age

    def _village(self, doc: _Doc, c: _Cand) -> bool:
        """ "thôn Ba Đông", "ấp 3": a hamlet inside some commune, not the commune of that name."""
        words = self._prev_words(doc, c.level_start, 3)
        return bool(words) and (
            words[-1] in VILLAGE_WORDS
            or " ".join(words[-2:]) in VILLAGE_WORDS
            or " ".join(words[-3:]) in VILLAGE_WORDS
        )

    def _abroad(self, doc: _Doc, c: _Cand) -> bool:
        """Followed by a foreign country in brackets or after a comma: "Quảng Châu (Trung Quốc)"."""
        return bool(_FOREIGN_RE.match(doc.folded[c.end : c.end + 16]))

    def _continues(self, doc: _Doc, c: _Cand) -> bool:
        """The next word, right after a space, is capitalised and starts no other name: the match is
        part of a longer proper noun ("Lý Quốc Sư", "Tây Nam Bộ", "Sài Gòn Thương Tín")."""
        if c.end >= len(doc.folded) or doc.folded[c.end] != " " or (c.end + 1) in doc.hit_starts:
            return False
        a = doc.pos[c.end - 1] + 1
        m = re.match(r"[ \t]([^\W\d_]+)", doc.nfc[a : a + 30])
        if not m:
            return False
        word = m.group(1)
        # a surname next starts a person's name: "Bệnh viện Bạch Mai Nguyễn Thành Nam" keeps Bạch Mai;
        # a word without diacritics in a text with them is a brand's or foreign suffix ("Bà Nà
        # Hills", "Ha Long Park"), the place still named
        return (
            word[0].isupper()
            and any(ch.islower() for ch in word[1:])
            and fold(word) not in SURNAMES
            and (fold(word) != word.lower() or not doc.diacritics)
        )

    def _surname_opens_sentence(self, doc: _Doc, c: _Cand) -> bool:
        """The capitalised "surname" before the name starts the sentence, so its capital proves
        nothing ("Hồ Ba Bể" = Ba Bể lake after "Bắc Kạn: ")."""
        a = doc.pos[c.start]
        m = re.search(r"([^\W\d_]+)[ \t]+$", doc.nfc[max(0, a - 30) : a])
        if m is None:
            return False
        return _sentence_start(doc.nfc[max(0, a - len(m.group(0)) - 20) : a - len(m.group(0))])

    def _followed_by_age(self, doc: _Doc, c: _Cand) -> bool:
        after = doc.folded[c.end : c.end + 20]
        return bool(re.match(r"\s?(?:\(\s?sn|\(\s?\d{4}\)|,? (?:sn|sinh nam) |,? \d{1,3} tuoi)", after))

    def _street(self, doc: _Doc, c: _Cand) -> bool:
        words = self._prev_words(doc, c.level_start, 2)
        if not words:
            return False
        if words[-1] in STREET_WORDS and " ".join(words[-2:]) != "thành phố":
            return True
        return " ".join(words[-2:]) in STREET_WORDS

    def _accept_alone(self, doc: _Doc, c: _Cand) -> bool:
        """Province-level names and landmarks: count without other context?"""
        e = c.entry
        syllables = e.key.count(" ") + 1
        if c.level_group and c.level_group not in ("province", "city") and e.level != "landmark":
            return False  # "phường Khánh Hòa" is a ward somewhere, not the province
        if e.key in PERSON_NAMED_PROVINCES and not c.level_group:
            return False
        if self._person_context(doc, c) or (self._street(doc, c) and not e.profile):
            return False
        if (
            not c.exact
            and syllables < 2
            and not (e.level == "province" and c.capitalized and not doc.diacritics)
        ):
            return False  # "Hue" in a text without diacritics is Huế; "hue" in Vietnamese is not
        long_acronym = e.acronym and len(e.key) >= 5
        if syllables < 2 and not (c.capitalized or c.level_group or long_acronym):
            return False
        a, b = doc.pos[c.start], doc.pos[c.end - 1] + 1
        if (
            e.level == "landmark"
            and e.cased
            and (doc.cased or doc.sentence_cased)
            and _all_lower(doc.nfc[a:b])
        ):
            return False  # "tình hữu nghị", "cầu treo": ordinary words in a cased text
        if e.acronym:
            if not doc.nfc[a:b].isupper() and len(e.key) < 5:
                return False  # short aliases (KH, HCM) only in capitals ("tphcm" is unambiguous)...
            if (a > 0 and doc.nfc[a - 1] in "&/-.") or (b < len(doc.nfc) and doc.nfc[b] in "&/-"):
                return False  # ...and not inside another acronym (Sở KH&ĐT)
        if e.key in COMMON_WORD_NAMES and not (c.capitalized or c.level_group):
            return False
        # a one-word landmark in lower case inside properly cased text is an ordinary word
        return not (e.level == "landmark" and e.cased and doc.cased and not c.capitalized and syllables < 2)

    def _judge(
        self, doc: _Doc, cands: list[_Cand], context: Mapping[str, list[int]] | set[str]
    ) -> _Cand | None:
        """The accepted reading of one span, or None."""
        group = cands[0].level_group
        if group:
            compatible = [c for c in cands if c.entry.level in _GROUP_LEVELS[group]]
            if not compatible:  # a level word that fits no reading: judge as if absent
                compatible = [c for c in cands if c.entry.level != "stop"]
                for c in compatible:
                    c.level_group, c.level_start = None, c.start
                group = None
        else:
            compatible = [c for c in cands if c.entry.level != "stop"]
        if not compatible:
            return None
        if self._abroad(doc, compatible[0]):
            compatible = [c for c in compatible if c.entry.level not in UNIT_LEVELS]
            if not compatible:
                return None
        # 1. province names and landmarks stand alone
        alone = sorted(
            (c for c in compatible if c.entry.level in ("province", "old-province", "landmark")),
            key=lambda c: (not c.entry.profile, _LEVEL_PRIORITY[c.entry.level]),
        )
        has_units = any(c.entry.level in UNIT_LEVELS for c in compatible)
        for c in alone:
            if c.entry.level == "landmark" and group in ("ward", "district") and has_units:
                continue  # "phường Nha Trang" is the ward, not the landmark
            if self._accept_alone(doc, c):
                c.confirmed = bool(c.level_group) or c.entry.province in context or c.exact
                return c
        # 2. communes/wards and old districts
        units = [c for c in compatible if c.entry.level in UNIT_LEVELS]
        if not units:
            return None
        probe = units[0]
        in_context = [c for c in units if c.entry.province in context]
        person = self._person_evidence(doc, probe)
        if person and not (person == "surname" and in_context and self._surname_opens_sentence(doc, probe)):
            return None  # ("Bắc Kạn: Hồ Ba Bể" is the lake, not a Mr Hồ; "GS Nguyễn Văn Chương" is a man)
        if self._street(doc, probe) or self._village(doc, probe):
            return None
        segment = doc.nfc[doc.pos[probe.start] : doc.pos[probe.end - 1] + 1]
        if group and (doc.cased or doc.sentence_cased) and not in_context and _all_lower(segment):
            return None  # "phường trung tâm" is the central ward, not Phường Trung Tâm (Lào Cai)
        # the profile's province is the prior for a name found in several places: the finder runs
        # on that province's sources ("Vạn Ninh" in a Khánh Hòa feed is Khánh Hòa's)
        home = [
            c
            for c in units
            if self.profile_province
            and c.entry.province == self.profile_province
            and c.entry.level in ("ward", "old-district")
            and (c.exact or not doc.diacritics)  # "Lam Sơn" is not Khánh Hòa's Lâm Sơn
        ]
        if group == "ward":
            typed = [c for c in units if c.entry.unit_type == fold(_level_text(doc, probe))]
            units = typed or units
        if group == "city":
            units = [c for c in units if c.entry.level == "old-district"] or units
        provinces = {c.entry.province for c in units}
        syllables = probe.entry.key.count(" ") + 1
        # a writer who capitalises (sentence starts at least) writes names capitalised
        # ("phường 5": a numbered unit's name starts with its level word, in lower case mid-sentence)
        proper = (
            probe.capitalized
            or not (doc.cased or doc.sentence_cased)
            or (probe.entry.prefixed and probe.exact and bool(in_context))
        )
        current = {c.entry.province for c in units if c.entry.level in ("ward", "old-district")}
        cities = {
            c.entry.province
            for c in units
            if c.entry.level == "old-district" and c.entry.unit_type in ("thanh pho", "tp", "thi xa", "quan")
        }
        if group:
            if in_context:
                best = _best(_nearest(in_context, context, probe.start))
            elif home and not (doc.cased and not probe.capitalized):
                best = _best(home)
            elif len(provinces) == 1:
                best = _best(units)
            elif len(current) == 1 and len(provinces) <= 2:
                # one unit in force today; the other is an abolished commune elsewhere
                best = _best([c for c in units if c.entry.province in current])
            else:
                return None
            best.confirmed = True
            return best
        # bare name: must look like a proper noun, and not be a person's name
        if not proper or (syllables < 2 and not probe.entry.prefixed):
            return None
        if probe.entry.key in COMMON_WORD_NAMES and not probe.capitalized:
            return None  # "vì hòa bình" is peace
        if in_context:
            best = _best(_nearest(in_context, context, probe.start))
            best.confirmed = True
            return best
        if doc.cased and self._continues(doc, probe):
            return None
        if home and (probe.exact or probe.capitalized):
            return _best(home)
        if not probe.exact and not (probe.capitalized and doc.cased):
            return None  # lower-case without diacritics and no context: too weak
        if all(c.entry.level == "old-ward" for c in units):
            return None  # an abolished commune's bare name ("Trường Chinh", "Đông Nam") needs context
        if len(cities) == 1:
            # a former city/town (Hội An, Phan Thiết, Ninh Hòa) is known by that name nationally
            return _best([c for c in units if c.entry.province in cities])
        if probe.entry.key.split(" ", 1)[0] in SURNAMES and len(provinces) > 1:
            return None  # "Trần Phú", "Lê Lợi": a person (or a street named after one)
        if len(provinces) == 1:
            return _best(units)
        if len(current) == 1 and len(provinces) <= 2:
            return _best([c for c in units if c.entry.province in current])
        return None

    def _blocker(self, doc: _Doc, cands: list[_Cand]) -> _Cand | None:
        """A span that blocks shorter names inside it although it is not itself resolved."""
        for c in cands:
            if c.entry.level == "stop":
                return c
        for c in cands:
            if (
                c.entry.level in ("ward", "old-district", "province")
                and (c.exact or not doc.cased)
                and (c.capitalized or not doc.cased)
            ):
                return c
        return None

    def _resolve(self, doc: _Doc, accepted: list[tuple[_Cand, bool]]) -> list[Mention]:
        confirmed = _confirmed_spans(accepted)

        def rank(item: tuple[_Cand, bool]) -> tuple:
            c, blocker = item
            stop = c.entry.level == "stop"
            # at equal length a stop phrase beats an unconfirmed place, a place beats a blocker
            tier = 0 if (stop and (c.start, c.end) not in confirmed) else (1 if not blocker else 2)
            return (-(c.end - c.start), tier, c.start)

        taken: list[tuple[_Cand, bool]] = []
        used: set[int] = set()  # squeezed positions already covered (names are short: cheap)
        for c, blocker in sorted(accepted, key=rank):
            if any(i in used for i in range(c.start, c.end)):
                continue
            if c.entry.level == "stop" and not blocker:
                continue
            if c.entry.level == "stop" and (c.start, c.end) in confirmed:
                continue  # a confirmed place with the same span: let it through
            taken.append((c, blocker))
            used.update(range(c.start, c.end))
        out = [self._mention(doc, c) for c, blocker in taken if not blocker]
        return sorted(out, key=lambda m: m.start)

    def _mention(self, doc: _Doc, c: _Cand) -> Mention:
        start_nfc = doc.pos[c.level_start]
        end_nfc = doc.pos[c.end - 1] + 1
        if doc.nfc_to_orig is not None:
            start, end = doc.nfc_to_orig[start_nfc][0], doc.nfc_to_orig[end_nfc - 1][1]
        else:
            start, end = start_nfc, end_nfc
        e = c.entry
        code = e.code
        if e.level == "landmark":
            code = e.ward_code
        return Mention(
            text=doc.original[start:end],
            start=start,
            end=end,
            level=e.level,
            code=code,
            province=e.province,
            name=e.name,
        )


def _any_inside(positions: list[int], start: int, end: int) -> bool:
    """Is some position p with start < p < end in the ascending list? (bisect: a linear scan per
    hit made matching quadratic in the number of names - 160 KB of place names took 105 s)"""
    i = bisect_right(positions, start)
    return i < len(positions) and positions[i] < end


def _confirmed_spans(accepted: list[tuple[_Cand, bool]]) -> set[tuple[int, int]]:
    """Spans of confirmed places (not stop phrases, not blockers): looked up once per stop phrase."""
    return {(c.start, c.end) for c, b in accepted if not b and c.entry.level != "stop" and c.confirmed}


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


@lru_cache(maxsize=512)
def _untoned(ch: str) -> str:
    """The letter without its tone mark but with its quality mark (ắ -> ă, ộ -> ô): people who
    skip tones ("Đăk Nông") still wrote the letter."""
    return unicodedata.normalize(
        "NFC", "".join(c for c in unicodedata.normalize("NFD", ch) if c not in _TONE_MARKS)
    )


def _nearest(cands: list[_Cand], context: Mapping[str, list[int]] | set[str], at: int) -> list[_Cand]:
    """The candidates of the context province named nearest to ``at`` ("Phố Châu, Hương Sơn, Hà
    Tĩnh ... Hà Nội": Hương Sơn of Hà Tĩnh, not the Hà Nội commune of that name)."""
    if not isinstance(context, Mapping) or len({c.entry.province for c in cands}) < 2:
        return cands

    def distance(c: _Cand) -> int:
        # positions are sorted (``find``): the nearest on either side by bisection, so a long list
        # of place names stays linear; its own reading (pass 1b put it there) is no evidence
        where = context.get(c.entry.province or "", [])
        i = bisect_left(where, at)
        near = [where[j] for j in (i - 1, i, i + 1) if 0 <= j < len(where) and where[j] != at]
        return min((abs(p - at) for p in near), default=1 << 30)

    closest = min(distance(c) for c in cands)
    return [c for c in cands if distance(c) == closest]


def _best(cands: list[_Cand]) -> _Cand:
    return min(cands, key=lambda c: (not c.exact, _LEVEL_PRIORITY[c.entry.level]))


def _level_text(doc: _Doc, c: _Cand) -> str:
    return doc.exact[c.level_start : c.start].strip().rstrip(".")


def _sentence_start(before: str) -> bool:
    """Does a word preceded by ``before`` start a sentence, a line or a quote?"""
    before = before.rstrip(" \t")
    return not before or before[-1] in ".!?\n\r:\"'“(«-–—•*#>…"


def _all_lower(segment: str) -> bool:
    """Every word of the name in lower case (digits aside): "phường trung tâm", "cầu treo"."""
    words = [w for w in re.split(r"[\s\-\u2010-\u2015_.]+", segment) if w and w[0].isalpha()]
    return bool(words) and all(w[0].islower() for w in words)


def _capitalized(segment: str, around: str = "") -> bool:
    """Written as a proper noun: every word capitalised ("Hai anh" = two brothers is not). Text in
    capitals ("AN TOÀN" in a shouted headline) is no evidence unless the words around are cased."""
    words = [w for w in re.split(r"[\s\-\u2010-\u2015_.]+", segment) if w and w[0].isalpha()]
    if not words or not all(w[0].isupper() for w in words):
        return False
    if all(w.isupper() for w in words) and any(len(w) > 1 for w in words):
        # evidence only when the neighbouring words are not in capitals too
        neighbours = re.findall(r"[^\W\d_]{2,}", around)
        return bool(neighbours) and not any(n.isupper() for n in neighbours)
    return True


def is_about_province(text: str, profile: Profile) -> bool:
    """The crawler's province filter: does ``text`` mention ``profile``'s province (any level,
    old names and landmarks included)?"""
    finder = MentionFinder.for_profile(profile)
    return any(m.province == profile.province.code for m in finder.find(nfc(text)))
