"""Speed at real load: the Enricher with entities and story grouping on, 10,000 posts, as the
worker runs it (batches of 500, one StoryIndex across the stream).

Two streams, both real text written by others:

* ``distinct`` — 10,000 distinct real social posts and comments (ReINTEL, ViHSD, ViCTSD, VnExpress
  comments, ViHOS; read only, nothing trained) processed with ``entities="all"``: every post pays
  for NER and story grouping, the cost of a stream in which everything is about the province
  (the crawler keeps only relevant items, so nearly all of them are);
* ``relevant`` — every real Baomoi lead and ReINTEL post that names Khánh Hòa or its places (a few
  hundred), repeated in stream order as reposts are (with "Chia sẻ:", without diacritics, with a
  hashtag) up to 10,000, ``entities="relevant"``.

Prints wall time, CPU time, items/s, stories, semantic (e5) calls, and the load average, because
figures taken while other work runs are slower: quote them with it.

    .venv/bin/python benchmarks/realload.py [--n 10000] [--stream distinct|relevant|both]
"""

from __future__ import annotations

import argparse
import csv
import json
import lzma
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta

from giamsat.core.model import Item
from giamsat.core.profile import load_profile
from giamsat.core.settings import Settings
from giamsat.core.text import fold
from giamsat.nlp.enrich import Enricher
from giamsat.nlp.mentions import MentionFinder
from giamsat.nlp.stories import StoryIndex

csv.field_size_limit(sys.maxsize)


def _csv(path: str, column: str) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [r[column] for r in csv.DictReader(fh) if (r.get(column) or "").strip()]


def distinct_posts(n: int) -> list[str]:
    root = str(Settings.from_env().data_dir)
    pools = [
        _csv(f"{root}/reintel/train.csv", "post_message"),
        _csv(f"{root}/vihsd/train.csv", "free_text"),
        _csv(f"{root}/victsd/ViCTSD_train.csv", "Comment"),
        _csv(f"{root}/vnexpress-comments/comments.csv", "commentgoc"),
    ]
    seen: set[str] = set()
    out: list[str] = []
    for i in range(max(len(p) for p in pools)):
        for pool in pools:
            if i < len(pool):
                text = pool[i][:2000]
                key = " ".join(text.split())
                if key not in seen:
                    seen.add(key)
                    out.append(text)
                    if len(out) >= n:
                        return out
    return out


def relevant_posts(n: int) -> list[str]:
    root = str(Settings.from_env().data_dir)
    finder = MentionFinder.for_profile(load_profile("khanh-hoa"))
    keys = ("khanh hoa", "nha trang", "cam ranh", "ninh thuan", "phan rang", "ninh hoa", "van ninh")
    pool: list[str] = []
    with lzma.open(f"{root}/baomoi/tc201805_baomoi.jsonl.xz", "rt", encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line).get("text") or ""
            if any(k in fold(text) for k in keys):
                pool.append(text)
    pool += [
        t[:1500] for t in _csv(f"{root}/reintel/train.csv", "post_message") if any(k in fold(t) for k in keys)
    ]
    rel = [t for t in pool if any(m.province == "khanh-hoa" for m in finder.find(t))]
    rng = random.Random(7)
    out = []
    for i in range(n):
        text = rel[i % len(rel)]
        if i >= len(rel):  # reposts, as social streams carry them
            roll = rng.random()
            text = (
                "Chia sẻ: " + text
                if roll < 0.3
                else fold(text)
                if roll < 0.5
                else text + " #khanhhoa"
                if roll < 0.6
                else text
            )
        out.append(text)
    return out


def run(texts: list[str], entities: str) -> dict[str, float]:
    profile = load_profile("khanh-hoa")
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    items = [
        Item(
            source_id="mxh-import",
            url=f"bench:{i}",
            text=t,
            kind="social",
            id=f"p{i}",
            published=t0 + timedelta(minutes=4 * i),
        )
        for i, t in enumerate(texts)
    ]
    index = StoryIndex()
    enricher = Enricher(profile, None, story_index=index, entities=entities)
    enricher.enrich_batch(
        [Item(source_id="x", url="warm", text="Khởi động ở Nha Trang, ông Nguyễn Văn A nói.")]
    )
    index = enricher.story_index = StoryIndex()
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(items), 500):
        enricher.enrich_batch(items[start : start + 500])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "items": len(items),
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "items_per_s": round(len(items) / wall, 1),
        "stories": len({m.story for m in index._items.values()}),
        "semantic_calls": index.semantic_calls,
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--stream", choices=("distinct", "relevant", "both"), default="both")
    args = ap.parse_args()
    out = {}
    if args.stream in ("distinct", "both"):
        out["distinct, entities=all"] = run(distinct_posts(args.n), "all")
    if args.stream in ("relevant", "both"):
        out["relevant, entities=relevant"] = run(relevant_posts(args.n), "relevant")
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
