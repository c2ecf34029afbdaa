"""Check a labels file against the gold schema (docs/annotation.md).

    GIAMSAT_DATA_DIR=/work/shared/data .venv/bin/python nlp/gold/validate.py LABELS.jsonl [...]

Prints one line per error (``file:line: id: message``) and exits 1 when there is any. Texts are
read back from the data sets (``giamsat.nlp.goldset``): gold items are checked against their sha1; other ids
(the guideline's worked examples) are read directly.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from giamsat.core.text import nfc
from giamsat.nlp.goldset import read_manifest, read_records, sha1

TOPICS = [
    "dat-dai",
    "moi-truong",
    "khoang-san",
    "bien-dao",
    "thien-tai",
    "nong-nghiep",
    "hanh-chinh",
    "chuyen-doi-so",
    "dau-tu",
    "ha-tang",
    "du-lich",
    "y-te",
    "giao-duc",
    "an-ninh",
    "cong-thuong",
    "bien-gioi",
    "lao-dong-xa-hoi",
    "van-hoa-the-thao",
    "dan-toc-ton-giao",
]
SENTIMENTS = ("tich-cuc", "trung-tinh", "tieu-cuc")
CATEGORIES = ("none", "phan-anh", "sai-su-that", "xau-doc")
STANCES = ("none", "tin-don", "bac-bo")
UNITS = [
    "so-vhttdl",
    "cong-an",
    "ban-tgdv",
    "so-khcn",
    "so-nnmt",
    "so-tai-chinh",
    "so-xay-dung",
    "so-noi-vu",
    "so-y-te",
    "so-gddt",
    "so-cong-thuong",
    "so-tu-phap",
    "thanh-tra",
    "vp-ubnd",
    "so-dttg",
    "bdbp",
]
WATCHED = ("khanh-hoa", "lam-dong", "ha-tinh", "lang-son")
FIELDS = {
    "id", "province", "provinces", "localities", "topics", "sentiment", "category", "stance", "lead_unit", "note",
}  # fmt: skip


def province_slugs() -> set[str]:
    from vietnam_provinces import Province

    return {p.codename.replace("_", "-") for p in Province.iter_all()}


def check(row: dict[str, Any], text: str | None, slugs: set[str]) -> list[str]:
    """Every problem of one label row (``text`` None when the id could not be read)."""
    errs: list[str] = []
    extra = set(row) - FIELDS
    missing = FIELDS - {"note"} - set(row)
    if extra:
        errs.append(f"unknown fields {sorted(extra)}")
    if missing:
        errs.append(f"missing fields {sorted(missing)}")
    prov = row.get("province")
    if prov is not None and prov not in slugs:
        errs.append(f"province {prov!r} is not a current province slug")
    provs = row.get("provinces")
    if not isinstance(provs, list) or any(p not in slugs for p in provs):
        errs.append(f"provinces must be a list of current slugs, got {provs!r}")
    elif prov is not None and prov not in provs:
        errs.append(f"province {prov!r} missing from provinces")
    elif len(set(provs)) != len(provs):
        errs.append("provinces has repeats")
    locs = row.get("localities")
    if not isinstance(locs, list) or not all(isinstance(x, str) and x.strip() for x in locs):
        errs.append(f"localities must be a list of non-empty strings, got {locs!r}")
    elif text is not None:
        for loc in locs:
            if loc not in text and nfc(loc) not in nfc(text):
                errs.append(f"locality {loc!r} is not a substring of the text")
        if locs and not set(provs or []) & set(WATCHED):
            errs.append("localities given but no watched province in provinces")
    topics = row.get("topics")
    if not isinstance(topics, list) or len(topics) > 3 or any(t not in TOPICS for t in topics):
        errs.append(f"topics must be 0-3 codes of {TOPICS}, got {topics!r}")
    elif len(set(topics)) != len(topics):
        errs.append("topics has repeats")
    for name, allowed in (("sentiment", SENTIMENTS), ("category", CATEGORIES), ("stance", STANCES)):
        if row.get(name) not in allowed:
            errs.append(f"{name} must be one of {allowed}, got {row.get(name)!r}")
    unit = row.get("lead_unit")
    needs_unit = prov in WATCHED or row.get("category", "none") != "none"
    if unit is not None and unit not in UNITS:
        errs.append(f"lead_unit {unit!r} is not a unit code")
    elif needs_unit and unit is None:
        errs.append("lead_unit is required (watched province or category != none)")
    elif not needs_unit and unit is not None:
        errs.append("lead_unit must be null (province not watched and category none)")
    if row.get("stance") == "tin-don" and row.get("category") == "none":
        errs.append(
            "stance tin-don with category none: a rumour is at least sai-su-that (or say why in note)"
        )
    note = row.get("note")
    if note is not None and not isinstance(note, str):
        errs.append("note must be a string")
    return errs


def validate(path: Path, data_dir: str | None = None) -> list[str]:
    rows: list[tuple[int, dict[str, Any]]] = []
    errors: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                errors.append(f"{path}:{n}: not JSON ({exc})")
                continue
            if not isinstance(row, dict) or not isinstance(row.get("id"), str):
                errors.append(f"{path}:{n}: a JSON object with a string id is required")
                continue
            rows.append((n, row))
    seen: dict[str, int] = {}
    for n, row in rows:
        if row["id"] in seen:
            errors.append(f"{path}:{n}: {row['id']}: labelled again (first on line {seen[row['id']]})")
        seen.setdefault(row["id"], n)
    manifest = {it["id"]: it for it in read_manifest()}
    texts: dict[str, str] = {}
    try:
        records = read_records({row["id"] for _, row in rows}, data_dir)
        texts = {i: r.text for i, r in records.items()}
    except Exception as exc:  # an unknown id: report it per line below
        errors.append(f"{path}: {exc}")
        for _, row in rows:
            try:
                texts.update({i: r.text for i, r in read_records([row["id"]], data_dir).items()})
            except Exception:
                errors.append(f"{path}: {row['id']}: id not found in the data sets")
    slugs = province_slugs()
    for n, row in rows:
        text = texts.get(row["id"])
        item = manifest.get(row["id"])
        if item and text is not None and sha1(text) != item["sha1"]:
            errors.append(f"{path}:{n}: {row['id']}: the data set's text changed since selection (sha1)")
        errors += [f"{path}:{n}: {row['id']}: {e}" for e in check(row, text, slugs)]
    return errors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("labels", nargs="+", type=Path)
    ap.add_argument("--data-dir")
    args = ap.parse_args(argv)
    bad = 0
    for path in args.labels:
        errors = validate(path, args.data_dir)
        for e in errors:
            print(e)
        bad += len(errors)
        print(f"{path}: {'OK' if not errors else f'{len(errors)} errors'}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
