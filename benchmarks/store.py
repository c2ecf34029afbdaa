"""Store throughput: upserts/s, enrichment saves/s, search / facet / histogram / top-stories latency
on synthetic Vietnamese items. Run on demand; the figures go into docs/scale.md.

    .venv/bin/python benchmarks/store.py --sizes 100000 1000000
    .venv/bin/python benchmarks/store.py --sizes 100000 --store http://localhost:9200   # Elasticsearch

Items are generated deterministically (seeded): 60 sources, 90 days, titles and bodies drawn from
Vietnamese words with diacritics, 1 in 5 items enriched with sentiment/category/topics/localities.
Latency is the median (p50) and p95 of repeated queries over the last 30 days, as the dashboard
asks them; each store is fresh, in a temporary folder (SQLite) or under a fresh index prefix (ES).
``upserts_per_s`` averages the whole fill (random dates); ``upserts_per_s_at_size_live`` and
``_backfill`` time 20,000 more new items once the store has ``size`` items, in time order (a live
crawl) and spread over 90 days (a backfill). The 1-minute load average is printed with each size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from giamsat.core.model import Engagement, Enrichment, Item, Scored
from giamsat.storage.base import FACETS, Query, Store
from giamsat.storage.elasticsearch import ElasticsearchStore
from giamsat.storage.sqlite import SQLiteStore

_PHRASES = (
    "người dân phản ánh đất đai thu hồi bồi thường dự án khu đô thị sạt lở mưa lớn ngập úng giao thông "
    "tai nạn công an tỉnh ủy ban nhân dân xã phường Khánh Hòa Nha Trang Cam Ranh Ninh Hòa Vạn Ninh Diên Khánh "
    "du lịch biển đảo khách quốc tế giá xăng dầu tăng giảm học sinh trường học bệnh viện y tế dịch bệnh "
    "lừa đảo trực tuyến mạng xã hội tin giả đính chính cơ quan chức năng xử lý vi phạm môi trường rác thải "
    "nuôi trồng thủy sản ngư dân tàu cá bão áp thấp nhiệt đới điện nước sinh hoạt"
)
WORDS = _PHRASES.split(" ")
TOPICS = ("dat-dai", "giao-thong", "moi-truong", "y-te", "giao-duc", "du-lich", "kinh-te", "an-ninh")
LOCALITIES = ("Nha Trang", "Cam Ranh", "Ninh Hòa", "Vạn Ninh", "Diên Khánh", "Khánh Vĩnh", "Cam Lâm")
SENTIMENTS = ("tich-cuc", "trung-tinh", "tieu-cuc")
CATEGORIES = ("none", "phan-anh", "sai-su-that", "xau-doc")
QUERIES = (
    "khanh hoa",
    "dat dai",
    "Khánh Hoà",
    "sạt lở",
    "tin gia",
    "nha trang du lich",
    '"thu hoi dat"',
    "ngap*",
)
END = datetime(2025, 6, 1, tzinfo=UTC)


def make_items(n: int, seed: int = 7) -> Iterator[Item]:
    rnd = random.Random(seed)
    for i in range(n):
        title = " ".join(rnd.choices(WORDS, k=10))
        text = " ".join(rnd.choices(WORDS, k=80))
        yield Item(
            source_id=f"src-{rnd.randrange(60)}",
            url=f"https://bao{rnd.randrange(60)}.vn/bai-{i}.html",
            title=title.capitalize(),
            text=text,
            kind=rnd.choice(("press", "press", "social", "forum")),
            published=END - timedelta(seconds=rnd.randrange(90 * 86400)),
            fetched=END,
            engagement=Engagement(likes=rnd.randrange(100), shares=rnd.randrange(20)),
            language="vi",
        )


def make_enrichment(rnd: random.Random) -> Enrichment:
    return Enrichment(
        language="vi",
        province="khanh-hoa",
        localities=rnd.sample(LOCALITIES, k=rnd.randrange(0, 3)),
        sentiment=Scored(rnd.choice(SENTIMENTS), 0.8),
        topics=[Scored(t, 0.7) for t in rnd.sample(TOPICS, k=rnd.randrange(1, 3))],
        category=Scored(rnd.choice(CATEGORIES), 0.6),
        risk=round(rnd.random(), 3),
        severity=rnd.choice(("khan", "cao", "trung-binh", "thap")),
        story_id=f"story-{rnd.randrange(2000)}",
    )


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(p50, p95) in milliseconds."""
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return round(statistics.median(samples), 2), round(p95, 2)


def open_bench_store(uri: str | None, folder: Path) -> Store:
    if uri and uri.startswith("http"):
        return ElasticsearchStore(
            uri, prefix=f"giamsat-bench-{uuid.uuid4().hex[:8]}", spool=folder / "spool.jsonl"
        )
    return SQLiteStore(f"sqlite:///{folder / 'bench.db'}")


def run(size: int, uri: str | None, batch: int, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="giamsat-bench-") as tmp:
        store = open_bench_store(uri, Path(tmp))
        out: dict[str, Any] = {"items": size, "store": store.uri.split("://")[0]}
        ids: list[str] = []
        t = time.perf_counter()
        buf: list[Item] = []
        for it in make_items(size):
            buf.append(it)
            if len(buf) == batch:
                ids.extend(store.upsert_items(buf).ids)
                buf = []
        if buf:
            ids.extend(store.upsert_items(buf).ids)
        out["upserts_per_s"] = round(size / (time.perf_counter() - t))

        # 20k new items into the store of `size`: in time order, as a live crawl adds them (the time
        # indexes grow at their end), and spread over 90 days, as a backfill of old pages does
        for shape in ("live", "backfill"):
            fresh = list(make_items(20000, seed=size + len(shape)))
            for i, it in enumerate(fresh):
                it.url, it.canonical_url = f"https://{shape}.vn/{i}.html", None
                it.__post_init__()
            if shape == "live":
                fresh.sort(key=lambda it: it.published or END)
                for i, it in enumerate(fresh):
                    it.published = END + timedelta(seconds=5 * i)
            t = time.perf_counter()
            for start in range(0, len(fresh), batch):
                store.upsert_items(fresh[start : start + batch])
            out[f"upserts_per_s_at_size_{shape}"] = round(len(fresh) / (time.perf_counter() - t))

        # a re-crawl of 20k known items: the common case once a store is warm
        again = list(make_items(min(size, 20000)))
        t = time.perf_counter()
        for start in range(0, len(again), batch):
            store.upsert_items(again[start : start + batch])
        out["unchanged_upserts_per_s"] = round(len(again) / (time.perf_counter() - t))

        rnd = random.Random(11)
        enrich_ids = ids[::5]  # one in five items enriched: topics, localities, sentiment facets
        t = time.perf_counter()
        for start in range(0, len(enrich_ids), batch):
            store.save_enrichments([(i, make_enrichment(rnd)) for i in enrich_ids[start : start + batch]])
        out["enrichments_per_s"] = round(len(enrich_ids) / (time.perf_counter() - t))

        window = Query(since=END - timedelta(days=30), until=END)
        qi = iter(range(10**9))

        def one_search() -> None:
            text = QUERIES[next(qi) % len(QUERIES)]
            store.search(Query(text=text, since=window.since, until=window.until), limit=50)

        out["search_ms"] = timed(one_search, repeat)
        out["search_filtered_ms"] = timed(
            lambda: store.search(
                Query(text="dat dai", sentiments=["tieu-cuc"], since=window.since), limit=50
            ),
            repeat,
        )
        out["browse_newest_ms"] = timed(lambda: store.search(window, limit=50), repeat)
        out["count_ms"] = timed(lambda: store.count(window), repeat)
        out["facet_ms"] = {
            name: timed(lambda name=name: store.facet(name, window), max(3, repeat // 3)) for name in FACETS
        }
        out["histogram_ms"] = timed(lambda: store.histogram(window), max(3, repeat // 3))
        out["top_stories_ms"] = timed(lambda: store.top_stories(window), max(3, repeat // 3))
        if isinstance(store, ElasticsearchStore):
            store.drop_all()  # the SQLite file is a temporary one
        store.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100000])
    ap.add_argument(
        "--store", default=None, help="http(s)://... to benchmark Elasticsearch (default: SQLite)"
    )
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = ap.parse_args()
    results = []
    for size in args.sizes:
        load_before = os.getloadavg()[0]
        res = run(size, args.store, args.batch, args.repeat)
        res["load_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        results.append(res)
        print(json.dumps(res, ensure_ascii=False), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
