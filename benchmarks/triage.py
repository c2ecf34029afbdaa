"""Triage throughput and report time on synthetic enriched items (real SQLite store).

1. alerts/s: ``Triage.ingest`` over N enriched items (default 100,000) delivered in batches of
   256, as ``giamsat.pipeline.process_pending`` does; stories have a long-tailed number of
   reposts, ~30 % of items are over the risk threshold.
2. the monthly report over M items (default 1,000,000, spread over one month): time of
   ``build_report`` + DOCX export (aggregate queries only).

Usage:
    .venv/bin/python benchmarks/triage.py --items 100000 --report-items 0
    .venv/bin/python benchmarks/triage.py --items 0 --report-items 1000000
Data generation time is printed separately and is not part of the figures.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from rich.progress import Progress

from giamsat.core.model import Enrichment, Item, Scored
from giamsat.core.profile import load_profile
from giamsat.storage.sqlite import SQLiteStore
from giamsat.triage.export import write_report
from giamsat.triage.reports import build_report
from giamsat.triage.service import Triage

TOPICS = [
    "dat-dai",
    "moi-truong",
    "khoang-san",
    "bien-dao",
    "thien-tai",
    "hanh-chinh",
    "du-lich",
    "y-te",
    "giao-duc",
    "an-ninh",
]
PLACES = ["Nha Trang", "Cam Ranh", "Ninh Hòa", "Vạn Ninh", "Diên Khánh", "Phan Rang", "Trường Sa"]
SENTIMENTS = ["tich-cuc", "trung-tinh", "tieu-cuc"]
KINDS = ["press", "social", "social", "forum", "comment"]


def synth(n: int, start: datetime, span: timedelta, seed: int, stories: int) -> list[tuple[Item, Enrichment]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        # long tail: most stories have 1-3 items, a few have hundreds (viral reposts)
        sid = int(stories * rng.random() ** 3)
        risky = sid % 10 < 3
        topic = TOPICS[sid % len(TOPICS)]
        when = start + span * rng.random()
        item = Item(
            source_id=f"nguon-{rng.randrange(200)}",
            url=f"https://bench.example/{seed}/{i}",
            title=f"Tin số {sid} về {topic} tại {PLACES[sid % len(PLACES)]}",
            text=f"Nội dung bài {i} của câu chuyện {sid}.",
            kind=KINDS[rng.randrange(len(KINDS))],
            published=when,
            fetched=when,
        )
        enr = Enrichment(
            story_id=f"st-{seed}-{sid}",
            risk=rng.uniform(0.5, 0.95) if risky else rng.uniform(0.0, 0.45),
            category=Scored("sai-su-that" if risky else "none", 0.8),
            sentiment=Scored(SENTIMENTS[rng.randrange(3)], 0.7),
            topics=[Scored(topic, 0.8)],
            localities=[PLACES[sid % len(PLACES)]],
            province="khanh-hoa",
        )
        out.append((item, enr))
    return out


def load(
    store: SQLiteStore, rows: list[tuple[Item, Enrichment]], batch: int = 5000, label: str = "nạp dữ liệu"
) -> None:
    with Progress() as bar:
        task = bar.add_task(label, total=len(rows))
        for i in range(0, len(rows), batch):
            chunk = rows[i : i + batch]
            store.upsert_items([it for it, _ in chunk])
            store.save_enrichments([(it.id, enr) for it, enr in chunk])
            for it, enr in chunk:
                it.enrichment = enr
            bar.advance(task, len(chunk))


def bench_ingest(n: int, workdir: Path) -> None:
    profile = load_profile("khanh-hoa")
    store = SQLiteStore(f"sqlite:///{workdir / 'ingest.db'}")
    now = datetime(2026, 11, 23, 3, tzinfo=UTC)
    t0 = time.perf_counter()
    rows = synth(n, now - timedelta(days=1), timedelta(days=1), seed=1, stories=n // 5)
    load(store, rows)
    gen = time.perf_counter() - t0
    triage = Triage(profile, store, clock=lambda: now)
    items = [it for it, _ in rows]
    t0 = time.perf_counter()
    changed = 0
    with Progress() as bar:
        task = bar.add_task("giamsat.triage.ingest", total=len(items))
        for i in range(0, len(items), 256):
            changed += len(triage.ingest(items[i : i + 256]))
            bar.advance(task, min(256, len(items) - i))
    took = time.perf_counter() - t0
    alerts = store.count_docs("alerts")
    print(f"[ingest] {n:,} items generated+stored in {gen:.1f} s")
    print(
        f"[ingest] triage.ingest: {n:,} items in {took:.1f} s = {n / took:,.0f} items/s; "
        f"{alerts:,} alerts (one per story), {changed:,} alert updates = {changed / took:,.0f} alert writes/s"
    )
    store.close()


def bench_report(n: int, workdir: Path) -> None:
    profile = load_profile("khanh-hoa")
    store = SQLiteStore(f"sqlite:///{workdir / 'report.db'}")
    start = datetime(2026, 10, 31, 17, tzinfo=UTC)  # 01/11/2026 00:00 in Khánh Hòa
    t0 = time.perf_counter()
    for part in range(0, n, 200_000):  # generate in parts to bound memory
        rows = synth(min(200_000, n - part), start, timedelta(days=30), seed=100 + part, stories=40_000)
        load(store, rows, label=f"nạp {part + len(rows):,}/{n:,}")
    gen = time.perf_counter() - t0
    print(f"[report] {n:,} items generated+stored in {gen:.1f} s")
    now = datetime(2026, 12, 1, 3, tzinfo=UTC)
    for kind, day in (("daily", date(2026, 11, 23)), ("monthly", date(2026, 11, 15))):
        t0 = time.perf_counter()
        report = build_report(profile, store, kind, day, now=now)
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        out = write_report(profile, report, "docx", workdir / f"{kind}.docx")
        wrote = time.perf_counter() - t0
        print(
            f"[report] {kind} over {n:,} items: build {built:.2f} s, DOCX {wrote:.2f} s ({out.stat().st_size:,} bytes)"
        )
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=100_000, help="items to triage (0: skip)")
    ap.add_argument(
        "--report-items", type=int, default=1_000_000, help="items for the report benchmark (0: skip)"
    )
    ap.add_argument(
        "--workdir", type=Path, default=None, help="where to put the benchmark stores (default: a temp dir)"
    )
    args = ap.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="giamsat-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"stores in {workdir}")
    if args.items:
        bench_ingest(args.items, workdir)
    if args.report_items:
        bench_report(args.report_items, workdir)


if __name__ == "__main__":
    main()
