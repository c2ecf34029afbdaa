"""NLP throughput: items/s through ``Enricher.enrich_batch`` for social-length posts and for full
articles, next to bare underthesea ``word_tokenize`` on the same texts (the floor any
word-segmenting pipeline pays), plus peak memory (RSS high-water mark).

    .venv/bin/python benchmarks/nlp.py [--n-posts 10000] [--n-articles 500] [--entities relevant]
    .venv/bin/python benchmarks/nlp.py --real-load 10000   # + the real-load stream (realload.py)

Posts: ViHSD comments mixed with our corpus' social posts; articles: ReINTEL long posts and
our corpus' press texts (only read, nothing trained).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

from giamsat.core.model import Item
from giamsat.core.profile import load_profile
from giamsat.nlp import datasets as D
from giamsat.nlp.enrich import Enricher


def _items(texts: list[str], kind: str) -> list[Item]:
    return [
        Item(source_id="mxh-import", url=f"bench:{i}", text=t, kind=kind, id=str(i))
        for i, t in enumerate(texts)
    ]


def _texts(n: int, long: bool) -> list[str]:
    corpus = [e.text for e in D.corpus() if (e.meta.get("style") == "social") != long]
    ext = [e.text for e in (D.reintel("train") if long else D.vihsd("train"))]
    if long:
        ext = [t for t in ext if len(t.split()) >= 150]
    pool = corpus + ext
    return [pool[i % len(pool)] for i in range(n)]


def bench(texts: list[str], kind: str, entities: str) -> dict[str, float]:
    from underthesea import word_tokenize

    enricher = Enricher(load_profile(), None, entities=entities)
    enricher.enrich_batch(_items(texts[:50], kind))  # load models, gazetteer, warm caches
    items = _items(texts, kind)
    t0 = time.perf_counter()
    for i in range(0, len(items), 2000):
        enricher.enrich_batch(items[i : i + 2000])
    ours = time.perf_counter() - t0
    sub = texts[: min(len(texts), 2000)]
    t0 = time.perf_counter()
    for t in sub:
        word_tokenize(t)
    wt = (time.perf_counter() - t0) / len(sub) * len(texts)
    return {
        "n": len(texts),
        "avg_words": round(sum(len(t.split()) for t in texts) / len(texts), 1),
        "enrich_s": round(ours, 2),
        "enrich_items_per_s": round(len(texts) / ours, 1),
        "word_tokenize_items_per_s": round(len(texts) / wt, 1),
        # the Enricher's rate as a share of the bare tokenizer's, measured in the same run
        "enrich_vs_word_tokenize": round(wt / ours, 3),
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-posts", type=int, default=10_000)
    ap.add_argument("--n-articles", type=int, default=500)
    ap.add_argument("--entities", default="relevant", choices=("all", "relevant", "none"))
    ap.add_argument(
        "--real-load",
        type=int,
        default=0,
        metavar="N",
        help="also run N real posts with entities on every post and story grouping (realload.py)",
    )
    args = ap.parse_args()
    load_before = os.getloadavg()[0]
    report = {
        "posts": bench(_texts(args.n_posts, long=False), "social", args.entities),
        "articles": bench(_texts(args.n_articles, long=True), "press", args.entities),
        "entities": args.entities,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    if args.real_load:
        # the stream the crawler passes on: every item province-relevant, so every one pays NER
        import realload  # benchmarks/ is sys.path[0] when run as a script

        report["real_load_distinct_entities_all"] = realload.run(
            realload.distinct_posts(args.real_load), "all"
        )
    print(json.dumps(report, indent=1))
