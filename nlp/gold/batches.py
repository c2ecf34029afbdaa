"""Write the annotators' batch files (outside the repository) and choose the double-labelled items.

    GIAMSAT_DATA_DIR=/work/shared/data .venv/bin/python nlp/gold/batches.py --out /work/annot/batches

* ``batch-NN.jsonl`` -- every item once, ``{"id", "text"}`` (plus ``"truncated": true`` and, for
  ViCTSD comments, ``"context"``: the article title the comment answers), ~150 items of mixed data
  sets each, shuffled with a fixed seed.
* ``double.txt`` -- the ids labelled twice: a sample stratified by (data set, split), ~60 % of it
  from test+dev.
* ``double-NN.jsonl`` -- the same ids again for the second, independent annotator. Batches are cut
  into groups (``plan.json``); ``double-NN`` holds exactly the double items of group NN's batches,
  so it must go to someone who labelled none of that group's batches.

``items.jsonl`` gets each item's ``batch`` and, for double items, ``double`` (its double file).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from giamsat.nlp.goldset import MANIFEST, read_manifest, read_records, sha1

SEED = 20260302
BATCH_SIZE = 150
DOUBLE_TARGET = 640
DOUBLE_HELD_OUT_SHARE = 0.60  # share of the double items from test + dev
GROUPS = 4


def pick_double(items: list[dict[str, Any]], rng: random.Random) -> set[str]:
    """Stratified by (data set, split): the same rate inside test+dev, another inside train."""
    held = [it for it in items if it["split"] in ("test", "dev")]
    train = [it for it in items if it["split"] == "train"]
    rates = {
        "held": DOUBLE_TARGET * DOUBLE_HELD_OUT_SHARE / max(1, len(held)),
        "train": DOUBLE_TARGET * (1 - DOUBLE_HELD_OUT_SHARE) / max(1, len(train)),
    }
    strata: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for it in items:
        strata[(it["dataset"], it["split"])].append(it)
    out: set[str] = set()
    for (_ds, split), members in sorted(strata.items()):
        rate = rates["train" if split == "train" else "held"]
        n = min(len(members), max(3, math.ceil(rate * len(members))))
        out |= {it["id"] for it in rng.sample(sorted(members, key=lambda i: i["id"]), n)}
    return out


def line(item_id: str, rec_text: str, truncated: bool, context: str | None) -> str:
    row: dict[str, Any] = {"id": item_id, "text": rec_text}
    if truncated:
        row["truncated"] = True
    if context:
        row["context"] = context
    return json.dumps(row, ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path("/work/annot/batches"))
    ap.add_argument("--data-dir")
    args = ap.parse_args(argv)
    items = read_manifest()
    records = read_records((it["id"] for it in items), args.data_dir)
    for it in items:  # the check of load_texts, without reading the data sets twice
        if sha1(records[it["id"]].text) != it["sha1"]:
            raise SystemExit(f"{it['id']}: text differs from the one selected (sha1 mismatch)")
    rng = random.Random(SEED)
    double = pick_double(items, rng)
    order = sorted(items, key=lambda it: it["id"])
    rng.shuffle(order)
    n_batches = math.ceil(len(order) / BATCH_SIZE)
    size = math.ceil(len(order) / n_batches)
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    per_group = math.ceil(len(batches) / GROUPS)
    args.out.mkdir(parents=True, exist_ok=True)
    for old in [*args.out.glob("batch-*.jsonl"), *args.out.glob("double-*.jsonl")]:
        old.unlink()
    plan: dict[str, Any] = {"batches": {}, "double": {}, "groups": {}}
    double_files: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for b, batch in enumerate(batches, 1):
        name = f"batch-{b:02d}.jsonl"
        group = (b - 1) // per_group + 1
        plan["groups"].setdefault(f"double-{group:02d}.jsonl", []).append(name)
        with (args.out / name).open("w", encoding="utf-8") as fh:
            for it in batch:
                rec = records[it["id"]]
                fh.write(line(it["id"], rec.text, rec.truncated, rec.meta.get("context")) + "\n")
                it["batch"] = name
                if it["id"] in double:
                    double_files[group].append(it)
        plan["batches"][name] = len(batch)
    for group, members in sorted(double_files.items()):
        name = f"double-{group:02d}.jsonl"
        rng.shuffle(members)
        with (args.out / name).open("w", encoding="utf-8") as fh:
            for it in members:
                rec = records[it["id"]]
                fh.write(line(it["id"], rec.text, rec.truncated, rec.meta.get("context")) + "\n")
                it["double"] = name
        plan["double"][name] = len(members)
    (args.out / "double.txt").write_text("".join(f"{i}\n" for i in sorted(double)), encoding="utf-8")
    (args.out / "plan.json").write_text(
        json.dumps(plan, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    with MANIFEST.open("w", encoding="utf-8") as fh:
        for it in items:
            fh.write(json.dumps(it, ensure_ascii=False) + "\n")
    held = sum(1 for it in items if it["id"] in double and it["split"] != "train")
    print(
        f"{len(batches)} batches of ~{size}; {len(double)} double ids ({held} from test+dev) in {len(double_files)} files"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
