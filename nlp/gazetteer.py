"""The place-name gazetteer: every Vietnamese province and commune/ward (current and pre-2025),
plus a profile's landmarks, compiled into one Aho-Corasick automaton.

Sources (nothing typed by hand):

* ``vietnam_provinces`` -- the 34 provinces and 3,321 communes/wards in force since 1/7/2025
  (authoritative names and codes).
* ``vietnamadminunits`` -- its bundled ``dataset.db`` (the 63 old provinces, ~700 old districts,
  ~10,000 old communes) and ``converter_2025.json`` (old province -> new province, old commune ->
  new commune; for a commune split between several new ones the library's default is used).
* the profile -- ``province.aliases``, ``gazetteer.landmarks`` (with aliases) and
  ``gazetteer.stop_phrases`` (phrases that look like a place but are not).

Keys. Each name is stored under its *folded* key (``fold``: lower case, no diacritics, đ->d) with
runs of spaces/dashes squeezed to one space ("Phan Rang-Tháp Chàm" = "phan rang thap cham"), and
with its *exact* key (``match_key``: diacritics kept, new tone style, lower case). The automaton
runs over the folded text, so it finds names written with or without diacritics, in either tone
style and any case; the exact key then tells whether the writer used the same diacritics
("Hòa Khánh" = "Hoà Khánh" = "hoa khanh", but "hoà khánh" is not "Hòa Khành"). ``fold`` keeps one
output character per input character, so spans map back to the original text. Deciding which
matches are real places is :mod:`nlp.mentions`' job.

Building takes about a second; the result is cached in-process per profile.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import ahocorasick

from giamsat.core.text import fold, match_key, nfc, normalize_tone

if TYPE_CHECKING:
    from giamsat.core.profile import Profile

log = logging.getLogger(__name__)

# runs of these characters are one separator inside a name ("Phan Rang - Tháp Chàm")
SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_]+")
LEVELS = ("province", "ward", "old-province", "old-district", "old-ward", "landmark")


@dataclass(frozen=True, slots=True)
class Entry:
    key: str  # folded, separators squeezed
    exact: str  # match_key form, separators squeezed (same length as key)
    level: str  # one of LEVELS, or "stop" for a stop phrase
    province: str | None  # slug of the current province
    code: str | None  # official code of the unit named (old code for old units)
    name: str | None  # current standard name, with diacritics
    ward_code: str | None = None  # current ward code, when known
    unit_type: str = ""  # folded type word: tinh, thanh pho, phuong, xa, thi tran, dac khu, huyen...
    cased: bool = True  # the written name has capitals (a proper noun): case is evidence
    profile: bool = False  # from the profile (landmark, alias, stop phrase)
    prefixed: bool = False  # the key already includes its level word ("phuong 1")
    dashed: bool = False  # the name has a dash ("Bà Rịa - Vũng Tàu"): may cross a " - " in text
    upper: bool = False  # written in capitals in the source ("KH", "TPHCM"): an abbreviation
    compact: bool = False  # a multi-word name written as one word ("Danang", "Haiphong")

    @property
    def acronym(self) -> bool:
        """KH, HCMC, TPHCM: short, one word, no diacritics, written in capitals -- only trusted in
        capitals (a one-word exonym such as "Hanoi" is not an acronym)."""
        return len(self.key) <= 5 and " " not in self.key and self.key == self.exact and self.upper


def squeeze(text: str) -> str:
    return SEPARATORS.sub(" ", text).strip()


def folded_key(name: str) -> str:
    return squeeze(fold(name))


def exact_key(name: str) -> str:
    key = squeeze(match_key(name))
    # match_key can in theory change the length (exotic case mappings); fall back to lower()
    return key if len(key) == len(folded_key(name)) else squeeze(nfc(name).lower())


def province_slug(codename: str) -> str:
    return codename.replace("_", "-")


_TYPE_PREFIXES = ("thành phố", "tỉnh", "phường", "xã", "thị trấn", "đặc khu", "huyện", "quận", "thị xã")


def split_type(full_name: str) -> tuple[str, str]:
    """``"Thành phố Nha Trang"`` -> ``("thanh pho", "Nha Trang")``."""
    name = nfc(full_name).strip()
    low = name.lower()
    for prefix in _TYPE_PREFIXES:
        if low.startswith(prefix + " "):
            return fold(prefix), name[len(prefix) + 1 :].strip()
    return "", name


@dataclass
class Gazetteer:
    entries: list[Entry]
    automaton: ahocorasick.Automaton
    # folded key -> set of provinces having a unit (ward/old-ward/old-district) with that name
    unit_provinces: dict[str, set[str]]
    province_names: dict[str, str]  # slug -> current standard name ("Khánh Hòa")
    province_codes: dict[str, str]  # slug -> official code ("56")
    old_ward_to_new: dict[str, str]  # old ward code -> current ward code
    ward_names: dict[str, str]  # current ward code -> full name ("Phường Nha Trang")
    build_seconds: float = 0.0
    stop_keys: set[str] = field(default_factory=set)


def _admin_db() -> Path:
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"


def _converter_json() -> Path:
    import vietnamadminunits

    return Path(vietnamadminunits.__file__).parent / "data" / "converter_2025.json"


def _national_entries() -> tuple[list[Entry], dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    from vietnam_provinces import Province, Ward

    entries: list[Entry] = []
    provinces = list(Province.iter_all())
    slug_by_code = {int(p.code): province_slug(p.codename) for p in provinces}
    province_names: dict[str, str] = {}
    province_codes: dict[str, str] = {}
    for p in provinces:
        slug = slug_by_code[int(p.code)]
        kind, short = split_type(normalize_tone(p.name))
        kind = kind or ("thanh pho" if "thanh_pho" in str(p.division_type.name).lower() else "tinh")
        province_names[slug] = short
        province_codes[slug] = str(int(p.code))
        entries.append(_entry(short, "province", slug, str(int(p.code)), short, unit_type=kind))

    ward_names: dict[str, str] = {}
    for w in Ward.iter_all():
        slug = slug_by_code[int(w.province_code)]
        code = str(int(w.code))
        full = normalize_tone(w.name)  # the package mixes tone styles ("Xã Hoà Khánh")
        ward_names[code] = full
        kind, short = split_type(full)
        entries.append(_entry(short, "ward", slug, code, full, ward_code=code, unit_type=kind))

    # -- pre-2025 units from vietnamadminunits -------------------------------------------------
    conv = json.loads(_converter_json().read_text(encoding="utf-8"))
    new_prov_of_old = {old: new for new, olds in conv["DICT_PROVINCE"].items() for old in olds}
    with sqlite3.connect(f"file:{_admin_db()}?mode=ro", uri=True) as db:
        new_rows = db.execute(
            "SELECT provinceKey, provinceCode, wardKey, wardCode FROM admin_units"
        ).fetchall()
        legacy = db.execute(
            "SELECT province, provinceShort, provinceKey, provinceCode, district, districtKey,"
            " districtCode, ward, wardKey, wardCode FROM admin_units_legacy"
        ).fetchall()
    slug_of_new_key = {pk: slug_by_code.get(int(pc)) for pk, pc, _, _ in new_rows}
    new_ward_code = {(pk, fold(wk).replace(" ", "")): str(int(wc)) for pk, _, wk, wc in new_rows if wc}
    old_key_to_new_ward: dict[str, str] = {}
    for new_pk, wards in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wk, olds in wards.items():
            same = new_ward_code.get((new_pk, fold(new_wk)))
            for old in olds:
                if same:
                    old_key_to_new_ward[old] = same
    for new_pk, divided in conv["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, options in divided.items():
            default = next((o for o in options if o.get("isDefaultNewWard")), options[0] if options else None)
            chosen = new_ward_code.get((new_pk, fold(default["newWardKey"]))) if default else None
            if chosen and old not in old_key_to_new_ward:
                old_key_to_new_ward[old] = chosen

    old_ward_to_new: dict[str, str] = {}
    seen_prov: set[str] = set()
    seen_dist: set[str] = set()
    for p_full, p_short, pk, pcode, d_full, dk, dcode, w_full, wk, wcode in legacy:
        new_pk = new_prov_of_old.get(pk)
        new_slug = slug_of_new_key.get(new_pk) if new_pk else None
        if not new_slug:
            continue
        slug = new_slug
        pname = province_names[slug]
        if pk not in seen_prov:
            seen_prov.add(pk)
            kind = fold(split_type(p_full)[0]) or "tinh"
            p_short = normalize_tone(p_short)
            entries.append(_entry(p_short, "old-province", slug, str(int(pcode)), pname, unit_type=kind))
            if "-" in p_short:  # "Bà Rịa - Vũng Tàu": the halves are how people write it
                for half in p_short.split("-"):
                    entries.append(
                        _entry(half.strip(), "old-province", slug, str(int(pcode)), pname, unit_type=kind)
                    )
        if d_full and dcode and dcode not in seen_dist:
            seen_dist.add(dcode)
            kind, short = split_type(d_full)
            entries.append(_entry(short, "old-district", slug, str(int(dcode)), pname, unit_type=kind))
            if kind == "thanh pho" and " " not in short:  # "TP Vinh" as well as "thành phố Vinh"
                entries.append(_entry(short, "old-district", slug, str(int(dcode)), pname, unit_type="tp"))
        if w_full and wcode:
            kind, short = split_type(w_full)
            new_code = old_key_to_new_ward.get(f"{pk}_{dk}_{wk}")
            if new_code:
                old_ward_to_new[str(int(wcode))] = new_code
            name = ward_names.get(new_code or "", pname)
            entries.append(
                _entry(short, "old-ward", slug, str(int(wcode)), name, ward_code=new_code, unit_type=kind)
            )
    return entries, province_names, province_codes, old_ward_to_new, ward_names


def _entry(
    name: str, level: str, province: str | None, code: str | None, std_name: str | None, **kw
) -> Entry:
    name = nfc(name).strip()
    prefixed = False
    unit_type = kw.get("unit_type", "")
    if level in ("ward", "old-ward", "old-district") and (any(c.isdigit() for c in name) or " " not in name):
        # "Phường 1", "Quận 3", "Xã Ia O": the bare name is meaningless, keep the level word in the key
        written = {fold(p): p for p in _TYPE_PREFIXES}.get(unit_type, unit_type.upper())
        name = f"{written} {name}" if unit_type else name
        prefixed = True
        kw["unit_type"] = unit_type
    return Entry(
        key=folded_key(name),
        exact=exact_key(name),
        level=level,
        province=province,
        code=code,
        name=std_name,
        cased=any(c.isupper() for c in name),
        prefixed=prefixed,
        dashed=bool(re.search(r"[\-\u2010-\u2015]", name)),
        upper=len(name) > 1 and name.isupper(),
        **kw,
    )


_FINAL_K = re.compile(r"(?<=\w)k\b")


def _final_k_entries(entries: list[Entry]) -> list[Entry]:
    """Names of the Central Highlands spelt with a final "k" (Đắk Nông, Đắk Lắk, Krông Búk) are as
    often written with the Vietnamese final "c" ("Đắc Nông", "Đắc Lắc", "H. Đắc Mil"): one variant
    per province, district or commune name with such a syllable, unless another place already
    has that spelling."""
    taken = {e.key for e in entries}
    out: list[Entry] = []
    for e in entries:
        if e.level not in ("province", "old-province", "ward", "old-district") or e.profile:
            continue
        key = _FINAL_K.sub("c", e.key)
        if key == e.key or key in taken:
            continue
        taken.add(key)
        out.append(replace(e, key=key, exact=_FINAL_K.sub("c", e.exact)))
    return out


def _compact_entries(entries: list[Entry]) -> list[Entry]:
    """Province names written as one word without diacritics, as English text and URLs do
    ("Danang", "Haiphong", "Quangnam"): generated for every current and pre-2025 province of two
    or more words, so no exonym has to be typed by hand."""
    out: list[Entry] = []
    seen: set[str] = set()
    for e in entries:
        if e.level not in ("province", "old-province") or e.profile or " " not in e.key or e.dashed:
            continue
        key = e.key.replace(" ", "")
        if key in seen or not key.isalpha():
            continue
        seen.add(key)
        out.append(
            Entry(
                key=key,
                exact=key,
                level=e.level,
                province=e.province,
                code=e.code,
                name=e.name,
                unit_type=e.unit_type,
                compact=True,
            )
        )
    return out


def _profile_entries(profile: Profile) -> list[Entry]:
    slug = profile.province.code
    pname = profile.province.name
    out = [
        _entry(
            alias, "province", slug, str(profile.province.admin_code), pname, unit_type="tinh", profile=True
        )
        for alias in profile.province.aliases
    ]
    for lm in profile.gazetteer.landmarks:
        level = "landmark"
        for alias in (lm.name, *lm.aliases):
            out.append(_entry(alias, level, slug, lm.ward, lm.name, ward_code=lm.ward, profile=True))
    for phrase in profile.gazetteer.stop_phrases:
        out.append(_entry(phrase, "stop", None, None, None, profile=True))
    return out


# Everyday names of provinces that no data package lists (curated; the packages cover the rest).
NATIONAL_ALIASES: dict[str, tuple[str, ...]] = {
    "ho-chi-minh": (
        "TP.HCM", "TPHCM", "TP HCM", "TP. HCM", "HCMC", "Sài Gòn", "Saigon", "Ho Chi Minh City", "Sài Thành",
    ),
    "ha-noi": ("Hanoi", "Thủ đô Hà Nội", "Hà Thành"),
    "da-nang": ("Danang",),
    "hue": ("Cố đô Huế", "xứ Huế"),
    "dak-lak": ("Daklak", "Đăk Lăk"),
    # "xứ X": the everyday nickname of a province by its first or last syllable
    "lang-son": ("xứ Lạng",),
    "thanh-hoa": ("xứ Thanh",),
}  # fmt: skip

# Phrases that look like a place but are (almost always) not, in any province's writing.
BUILTIN_STOP_PHRASES = ("khánh thành", "quốc khánh", "khánh kiệt", "an ninh hòa bình", "an ninh trật tự")


@lru_cache(maxsize=1)
def _national() -> tuple[list[Entry], dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    return _national_entries()


def build_gazetteer(profile: Profile | None = None) -> Gazetteer:
    """Compile the automaton (national data, plus the profile's extras when given)."""
    t0 = time.perf_counter()
    national, province_names, province_codes, old_ward_to_new, ward_names = _national()
    entries = list(national)
    entries += [_entry(p, "stop", None, None, None) for p in BUILTIN_STOP_PHRASES]
    for slug, aliases in NATIONAL_ALIASES.items():
        code, pname = province_codes.get(slug), province_names.get(slug)
        entries += [_entry(a, "province", slug, code, pname, unit_type="thanh pho") for a in aliases]
    entries += _compact_entries(entries)
    entries += _final_k_entries(entries)
    if profile is not None:
        entries += _profile_entries(profile)
    by_key: dict[str, list[int]] = defaultdict(list)
    unit_provinces: dict[str, set[str]] = defaultdict(set)
    for i, e in enumerate(entries):
        if not e.key:
            continue
        by_key[e.key].append(i)
        if e.level in ("ward", "old-ward", "old-district") and e.province:
            unit_provinces[e.key].add(e.province)
    automaton = ahocorasick.Automaton()
    for key, idxs in by_key.items():
        automaton.add_word(key, tuple(idxs))
    automaton.make_automaton()
    gaz = Gazetteer(
        entries=entries,
        automaton=automaton,
        unit_provinces=dict(unit_provinces),
        province_names=province_names,
        province_codes=province_codes,
        old_ward_to_new=old_ward_to_new,
        ward_names=ward_names,
        stop_keys={e.key for e in entries if e.level == "stop"},
    )
    gaz.build_seconds = time.perf_counter() - t0
    log.info("gazetteer: %d names, %d keys, built in %.2fs", len(entries), len(by_key), gaz.build_seconds)
    return gaz
