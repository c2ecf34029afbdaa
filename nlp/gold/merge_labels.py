"""Merge the annotators' files into the gold labels (``nlp/gold/labels.jsonl``).

    .venv/bin/python nlp/gold/merge_labels.py /work/annot/labels [--disagreements OUT.jsonl]

* an item labelled once keeps that label;
* an item labelled twice keeps it when both agree on every field that is scored; where they
  disagree, the adjudicated record (``nlp/gold/adjudicated.jsonl``, decided by reading the item
  against the guideline) replaces both; without one, the item is listed as pending and the first
  annotator's label is used, flagged ``"pending": true`` so no figure is reported on it silently.

Each record keeps its provenance: ``annotators`` (who labelled it) and ``adjudicated``.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FIELDS = ("province", "provinces", "localities", "topics", "sentiment", "category", "stance", "lead_unit")
SCORED = ("province", "category", "sentiment", "stance", "lead_unit", "main_topic", "topics")
_FILE = re.compile(r"^(?P<batch>(?:batch|double)-\d+)-(?P<who>\w+)\.jsonl$")


def _main_topic(rec: dict[str, Any]) -> str | None:
    return (rec.get("topics") or [None])[0]


def disagreement(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    out = []
    for f in SCORED:
        if f == "main_topic":
            if _main_topic(a) != _main_topic(b):
                out.append(f)
        elif f == "topics":
            if set(a.get("topics") or []) != set(b.get("topics") or []):
                out.append(f)
        elif (a.get(f) or None) != (b.get(f) or None):
            out.append(f)
    return out


def read_folder(folder: Path) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    by_id: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for path in sorted(folder.glob("*.jsonl")):
        m = _FILE.match(path.name)
        if not m:
            continue  # guide-examples and other files
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                by_id[rec["id"]].append((m["who"], rec))
    return by_id


def merge(folder: Path, adjudicated: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    decided = {}
    if adjudicated.exists():
        for line in adjudicated.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                decided[row["id"]] = row
    out, pending = [], []
    for item_id, recs in sorted(read_folder(folder).items()):
        who = [w for w, _ in recs]
        first = {f: recs[0][1].get(f) for f in FIELDS} | {"note": recs[0][1].get("note")}
        rec: dict[str, Any] = {"id": item_id, **first, "annotators": who, "adjudicated": False}
        if len(recs) >= 2:
            fields = disagreement(recs[0][1], recs[1][1])
            if fields and item_id in decided:
                rec.update({f: decided[item_id].get(f) for f in FIELDS})
                rec["note"] = decided[item_id].get("note")
                rec["adjudicated"] = True
            elif fields:
                rec["pending"] = True
                pending.append({"id": item_id, "fields": fields, "labels": {w: r for w, r in recs}})
        out.append(rec)
    return out, pending


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--out", type=Path, default=HERE / "labels.jsonl")
    ap.add_argument("--adjudicated", type=Path, default=HERE / "adjudicated.jsonl")
    ap.add_argument("--disagreements", type=Path, help="write the pending disagreements here")
    args = ap.parse_args()
    records, pending = merge(args.folder, args.adjudicated)
    with args.out.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    if args.disagreements:
        with args.disagreements.open("w", encoding="utf-8") as fh:
            for p in pending:
                fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    double = sum(1 for r in records if len(r["annotators"]) > 1)
    adjudicated = sum(1 for r in records if r["adjudicated"])
    print(
        f"{len(records)} items ({double} labelled twice, {adjudicated} adjudicated, {len(pending)} pending) -> {args.out}"
    )


if __name__ == "__main__":
    main()
