"""Windows of real items to cluster by event: the gold set for story grouping (B-cubed).

A story-grouping evaluation needs every item of a stream slice assigned to an event, not pairs
picked because they look alike (that would leave out the hard negatives: two land disputes in the
same ward). So this script cuts *windows*: consecutive items (by time) that name one watched
province, as a monitoring office would receive them, and an annotator groups each window into
events by reading (docs/annotation.md, "Events").

    GIAMSAT_DATA_DIR=/work/shared/data .venv/bin/python nlp/gold/cluster_windows.py OUT_DIR

* Baomoi (train-ok press, ids grow with time; outlets report the same event in their own words):
  per watched province, one window in the development slice and one in the test slice (the same
  id cut-offs as the item gold set), ~120 items each.
* ReINTEL (test-only social posts with timestamps; the same rumour reposted and reworded): two
  windows of the posts that name any place, ~120 each, by timestamp.

Writes ``window-NN.jsonl`` ({"id", "text", "when"}) and ``windows.json`` (which window is dev or
test, and from which source). Deterministic; no text is written into the repository.
"""

from __future__ import annotations

import csv
import json
import lzma
import sys
from datetime import UTC, datetime
from pathlib import Path

from names import watched_hits

from giamsat.nlp.goldset import data_dir, shown_text

BAOMOI_TEST_FROM = 23_742_572  # the item gold set's cut-offs (nlp/gold/README.md)
BAOMOI_DEV_FROM = 23_278_950
WINDOW = 120
PROVINCES = ("khanh-hoa", "lam-dong", "ha-tinh", "lang-son")


def baomoi_rows(root: Path) -> list[tuple[int, str]]:
    out = []
    with lzma.open(root / "baomoi" / "tc201805_baomoi.jsonl.xz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            key = str(row.get("baomoi_id") or "")
            if len(key) == 8 and key.isdigit():  # the press part (ids grow with time)
                out.append((int(key), row.get("text") or row.get("title") or ""))
    out.sort()
    return out


def province_of(text: str) -> set[str]:
    return {h.province for h in watched_hits(text)}


def baomoi_windows(root: Path) -> list[tuple[str, str, list[dict[str, str]]]]:
    rows = baomoi_rows(root)
    windows = []
    seen_texts: set[str] = set()
    for province in PROVINCES:
        for split, lo, hi in (("dev", BAOMOI_DEV_FROM, BAOMOI_TEST_FROM), ("test", BAOMOI_TEST_FROM, 10**9)):
            pool = []
            for key, text in rows:
                if lo <= key < hi and province in province_of(text) and text not in seen_texts:
                    pool.append((key, text))
            # the middle of the slice: a dense stretch of consecutive days
            start = max(0, len(pool) // 2 - WINDOW // 2)
            chosen = pool[start : start + WINDOW]
            seen_texts.update(t for _, t in chosen)
            items = [{"id": f"baomoi:{k}", "text": shown_text(t)[0], "when": str(k)} for k, t in chosen]
            windows.append((split, f"baomoi/{province}", items))
    return windows


def reintel_windows(root: Path) -> list[tuple[str, str, list[dict[str, str]]]]:
    rows = []
    for split in ("train", "test"):
        with (root / "reintel" / f"{split}.csv").open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                text = r.get("post_message") or ""
                ts = r.get("timestamp_post") or ""
                if text.strip() and ts.replace(".", "").isdigit():
                    rows.append((int(float(ts)), f"reintel:{split}/{r['id']}", text))
    rows.sort()
    placed = [
        r
        for r in rows
        if watched_hits(r[2]) or any(w in r[2] for w in ("Hà Nội", "TP HCM", "Sài Gòn", "Đà Nẵng"))
    ]
    half = len(placed) // 2
    windows = []
    for split, start in (("dev", half // 2), ("test", half + half // 2)):
        chosen = placed[start : start + WINDOW]
        items = [
            {
                "id": rid,
                "text": shown_text(t)[0],
                "when": datetime.fromtimestamp(ts, UTC).isoformat(),
            }
            for ts, rid, t in chosen
        ]
        windows.append((split, "reintel", items))
    return windows


def main(out: Path) -> None:
    root = data_dir()
    out.mkdir(parents=True, exist_ok=True)
    plan = []
    for n, (split, source, items) in enumerate([*baomoi_windows(root), *reintel_windows(root)], start=1):
        name = f"window-{n:02d}.jsonl"
        with (out / name).open("w", encoding="utf-8") as fh:
            for it in items:
                fh.write(json.dumps(it, ensure_ascii=False) + "\n")
        plan.append({"file": name, "split": split, "source": source, "items": len(items)})
        print(name, split, source, len(items))
    (out / "windows.json").write_text(json.dumps(plan, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/annot/clusters"))
