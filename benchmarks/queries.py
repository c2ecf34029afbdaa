"""Search and dashboard query latency on a large SQLite store: p50/p95/p99, with bare FTS5 beside search.

    .venv/bin/python benchmarks/queries.py                          # the 1,000,000-item store in /tmp
    .venv/bin/python benchmarks/queries.py --items 200000 --db /tmp/q.db --repeat 30

The store is the one ``benchmarks/dashboard.py`` builds (``dashboard.sample`` items, 60 days,
enriched; reused when it has the right size). Every query is run the way the dashboard runs it
(the functions of ``dashboard/queries.py`` without their Streamlit cache, on ``SQLiteStore``), each
repetition on a different window or search term so that the figures are not one cached answer:
windows end on each of the last ``--repeat`` days of the data (the newest day first), search terms
cycle through ``TERMS``.

Search is paired with bare FTS5 on the same file in the same run: ``SELECT rowid FROM items_fts
WHERE items_fts MATCH ? ORDER BY rank LIMIT 25`` (FTS5's own best-match page) and the bare match
count. The 1-minute load average is printed at the start and the end; the CPU column (this
process, all threads: the briefing runs its queries on three) shows what load cannot inflate.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sqlite3
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from giamsat.core.model import parse_dt
from giamsat.core.timeutil import local_day_bounds, to_local
from giamsat.storage.base import FACETS, Query
from giamsat.storage.sqlite import SQLiteStore, fts_query

ROOT = Path(__file__).resolve().parent.parent
TERMS = (
    "khai thac cat",
    "sạt lở",
    "Nha Trang",
    "thu hồi đất",
    "tin đồn",
    "ngộ độc thực phẩm",
    "cao tốc",
    '"tàu hút cát"',
    "lừa đảo",
    "du khách",
    "bức xúc",
    "ô nhiễm",
)


def _dashboard_bench() -> Any:
    spec = importlib.util.spec_from_file_location("dashboard_bench", ROOT / "benchmarks" / "dashboard.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """(p50, p95, p99) in ms, nearest-rank."""
    s = sorted(samples)

    def rank(p: float) -> float:
        return s[min(len(s) - 1, max(0, round(p * len(s) + 0.5) - 1))] * 1000

    return statistics.median(s) * 1000, rank(0.95), rank(0.99)


def timed(fn: Callable[[int], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds (this process, all threads) of each repetition."""
    wall, cpu = [], []
    for i in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn(i)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/giamsat-bench-dashboard.db"))
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--user", default="giamsat1", help="the profile user the pages read as")
    args = parser.parse_args()

    uri = f"sqlite:///{args.db}"
    existing = SQLiteStore(uri).count(Query()) if args.db.exists() else 0
    if existing != args.items:
        seconds = _dashboard_bench().build(args.db, args.items, 60)
        print(f"built {args.items:,} items in {seconds:.0f} s")
    from giamsat.dashboard import queries as dq  # imports streamlit; the cache is bypassed below

    def raw(fn: Any) -> Any:
        return getattr(fn, "__wrapped__", fn)

    store = SQLiteStore(uri)
    bare = sqlite3.connect(args.db)
    last = parse_dt(store.db.execute("SELECT max(ts) FROM items").fetchone()[0])
    assert last is not None
    newest = to_local(last).date()
    n = args.repeat
    # the pages read as the logged-in user (dashboard/queries.py -> triage reads): a monitor
    who = (uri, "khanh-hoa", args.user)

    def window(i: int, days: int) -> tuple[datetime, datetime]:
        end = newest - timedelta(days=i % 30)
        return local_day_bounds(end - timedelta(days=days - 1))[0], local_day_bounds(end)[1]

    def p(i: int, days: int, **filters: Any) -> dict[str, Any]:
        since, until = window(i, days)
        return dq.params(since, until, **filters)

    def briefing(days: int) -> Callable[[int], Any]:
        def run(i: int) -> Any:
            day = newest - timedelta(days=i % 30)
            return raw(dq.briefing)(who, day, days, datetime.now(UTC).isoformat(timespec="minutes"))

        return run

    def search_page(i: int) -> Any:
        term = TERMS[i % len(TERMS)]
        raw(dq.facet)(who, "locality", p(i, 30), 200)
        q = p(i, 30, text=term, order="newest")
        raw(dq.count)(who, q)
        return raw(dq.search)(who, q, 25, 0)

    def text(i: int, **kw: Any) -> Any:
        since, until = window(i, 30)
        return store.search(Query(text=TERMS[i % len(TERMS)], since=since, until=until, **kw), limit=25)

    def match(i: int) -> str | None:
        return fts_query(TERMS[i % len(TERMS)])

    cases: list[tuple[str, Callable[[int], Any]]] = [
        ("search: text, 30 days, newest first (store.search)", lambda i: text(i)),
        ("search: text, no time limit (store.search)", lambda i: store.search(Query(text=TERMS[i % len(TERMS)]), limit=25)),
        ("search: text + phản ánh, 30 days", lambda i: text(i, categories=["phan-anh"])),
        ("search: text, relevance order, 30 days", lambda i: text(i, order="relevance")),
        ("bare FTS5: MATCH … ORDER BY rank LIMIT 25", lambda i: bare.execute(
            "SELECT rowid FROM items_fts WHERE items_fts MATCH ? ORDER BY rank LIMIT 25", (match(i),)).fetchall()),
        ("bare FTS5: count(*) MATCH", lambda i: bare.execute(
            "SELECT count(*) FROM items_fts WHERE items_fts MATCH ?", (match(i),)).fetchone()),
        ("Tìm kiếm page: locality facet + count + search", search_page),
        ("Điểm tin: briefing, 1 day", briefing(1)),
        ("Điểm tin: briefing, 7 days", briefing(7)),
        ("Điểm tin: briefing, 30 days", briefing(30)),
        ("count, 1 day", lambda i: raw(dq.count)(who, p(i, 1))),
        ("Nguồn tin: source facet, 1 day", lambda i: raw(dq.facet)(who, "source_id", p(i, 1), 1000)),
        ("histogram, 30 days", lambda i: raw(dq.histogram)(who, p(i, 30))),
        ("top stories, 7 days", lambda i: raw(dq.top_stories)(who, p(i, 7), 10)),
        ("Cảnh báo: a story's items", lambda i: store.search(Query(story_id=f"s{i * 37 % 500}", order="newest"), limit=12)),
    ]  # fmt: skip
    for name in FACETS:
        cases.append((f"facet {name}, 30 days", lambda i, name=name: raw(dq.facet)(who, name, p(i, 30), 20)))
    cases.append(
        ("facet topic, 30 days, tiêu cực only", lambda i: raw(dq.facet)(who, "topic", p(i, 30, sentiments=["tieu-cuc"]), 20))
    )  # fmt: skip

    print(
        f"store: {args.items:,} items, {args.db.stat().st_size / 1e9:.2f} GB; repeat={n}; load 1 min {os.getloadavg()[0]:.2f}"
    )
    print("| query | p50 ms | p95 ms | p99 ms | CPU p50 ms |")
    print("|---|---|---|---|---|")
    results = {}
    for name, fn in cases:
        fn(0)  # first touch: page cache of this connection
        wall, cpu = timed(fn, n)
        p50, p95, p99 = percentiles(wall)
        results[name] = p95
        print(
            f"| {name} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {statistics.median(cpu) * 1000:.1f} |",
            flush=True,
        )
    ours, floor = results[cases[0][0]], results["bare FTS5: MATCH … ORDER BY rank LIMIT 25"]
    print(f"search p95 / bare FTS5 p95: {ours / floor:.1f}×; load 1 min {os.getloadavg()[0]:.2f}")
    store.close()
    bare.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
