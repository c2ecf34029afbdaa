"""Dashboard speed on a large SQLite store: every page must render in under 2 s with 1M items.

    .venv/bin/python benchmarks/dashboard.py                    # 1,000,000 items in /tmp
    .venv/bin/python benchmarks/dashboard.py --items 200000 --db /tmp/b.db

1. Generates (or reuses) a store of synthetic enriched items (``dashboard.sample``) through the
   real ``SQLiteStore.upsert_items`` + ``save_enrichments`` in batches, and reports how long it took.
2. Opens alerts/tickets through the triage service when it is built (a sample of risky items).
3. Renders each page with Streamlit's AppTest as a logged-in monitor (admin for Quản trị), cold
   (empty caches) and warm (second visit within the cache TTL), and times the query functions the
   pages call. Prints a table; exits 1 when a cold page render is over the budget.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent

from giamsat.core.errors import GiamsatError  # noqa: E402
from giamsat.core.model import utcnow  # noqa: E402
from giamsat.core.timeutil import local_day_bounds, to_local  # noqa: E402
from giamsat.dashboard.sample import generate  # noqa: E402
from giamsat.storage.base import Query  # noqa: E402
from giamsat.storage.sqlite import SQLiteStore  # noqa: E402

BUDGET_S = 2.0
console = Console()
log = logging.getLogger("benchmarks.dashboard")


def build(path: Path, count: int, days: int, batch: int = 5000) -> float:
    """Fill a fresh store; returns seconds taken."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = SQLiteStore(f"sqlite:///{path}")
    # Bulk-load settings for this throw-away file only: the store's own durability settings are
    # for real data, a benchmark file can be rebuilt.
    store.db.execute("PRAGMA synchronous=OFF")
    store.db.execute("PRAGMA cache_size=-400000")
    start = time.perf_counter()
    items = generate(count, end=utcnow() - timedelta(minutes=1), days=days, story_count=max(500, count // 40))
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("tạo dữ liệu", total=count)
        chunk = []
        for item in items:
            chunk.append(item)
            if len(chunk) == batch:
                _flush(store, chunk)
                progress.advance(task, len(chunk))
                chunk = []
        if chunk:
            _flush(store, chunk)
            progress.advance(task, len(chunk))
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.db.execute("ANALYZE")
    elapsed = time.perf_counter() - start
    store.close()
    return elapsed


def _flush(store: SQLiteStore, chunk: list) -> None:
    store.upsert_items(chunk)
    store.save_enrichments([(i.id, i.enrichment) for i in chunk])


def seed_triage(store: SQLiteStore) -> str:
    """Alerts (and a few tickets) from the riskiest recent items, when the service exists."""
    from giamsat.core.profile import load_profile
    from giamsat.dashboard import auth
    from giamsat.triage.service import Triage

    profile = load_profile("khanh-hoa")
    for username in ("giamsat1", "admin"):
        auth.set_password(store, username, "mat-khau-benchmark")
    if store.count_docs("alerts"):
        return f"{store.count_docs('alerts')} cảnh báo có sẵn"
    triage = Triage(profile, store)
    items = store.search(
        Query(since=utcnow() - timedelta(days=2), min_risk=0.5, order="risk"), limit=2000
    ).items
    try:
        alerts = triage.ingest(items)
        monitor = profile.user("giamsat1")
        for a in alerts[:30]:
            triage.confirm(monitor, a.id)
    except GiamsatError as exc:
        return f"chưa có cảnh báo ({exc})"
    return f"{store.count_docs('alerts')} cảnh báo, {store.count_docs('tickets')} phiếu"


def time_queries(store: SQLiteStore) -> list[tuple[str, float, str]]:
    today = to_local(utcnow()).date()
    day = local_day_bounds(today)
    week = (local_day_bounds(today - timedelta(days=6))[0], day[1])
    month = (local_day_bounds(today - timedelta(days=29))[0], day[1])
    cases = [
        ("count, 1 ngày", lambda: store.count(Query(since=day[0], until=day[1]))),
        ("facet category, 30 ngày", lambda: store.facet("category", Query(since=month[0], until=month[1]))),
        ("facet topic, 30 ngày", lambda: store.facet("topic", Query(since=month[0], until=month[1]))),
        (
            "facet locality, 7 ngày",
            lambda: store.facet("locality", Query(since=week[0], until=week[1]), limit=200),
        ),
        ("histogram, 30 ngày", lambda: store.histogram(Query(since=month[0], until=month[1]))),
        (
            "histogram tiêu cực, 30 ngày",
            lambda: store.histogram(Query(since=month[0], until=month[1], sentiments=["tieu-cuc"])),
        ),
        ("top_stories, 7 ngày", lambda: store.top_stories(Query(since=week[0], until=week[1]))),
        ("top_stories, 30 ngày", lambda: store.top_stories(Query(since=month[0], until=month[1]))),
        (
            "top_reach author, 30 ngày",
            lambda: store.top_reach("author", Query(since=month[0], until=month[1])),
        ),
        ("hourly, 1 ngày", lambda: store.hourly(Query(since=day[0], until=day[1]))),
        (
            "search 'khai thac cat', 7 ngày",
            lambda: store.search(Query(text="khai thac cat", since=week[0], until=week[1]), limit=25),
        ),
        (
            "search 'cát' + phản ánh, 30 ngày",
            lambda: store.search(
                Query(text="cát", categories=["phan-anh"], since=month[0], until=month[1]), limit=25
            ),
        ),
    ]
    out = []
    for name, fn in cases:
        t = time.perf_counter()
        result = fn()
        size = getattr(result, "total", None)
        size = size if size is not None else (len(result) if hasattr(result, "__len__") else result)
        out.append((name, time.perf_counter() - t, str(size)))
    return out


def time_pages(uri: str) -> list[tuple[str, float, float, str]]:
    import importlib

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from giamsat.dashboard.views import PAGES

    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "missing ScriptRunContext" noise
    for page in PAGES:  # module imports happen once per server process: not part of a page view
        importlib.import_module(f"giamsat.dashboard.views.{page.module}")
    importlib.import_module("giamsat.nlp.claims")
    os.environ["GIAMSAT_STORE"] = uri
    os.environ.setdefault("GIAMSAT_PROFILE", "khanh-hoa")
    app = str(ROOT / "dashboard" / "app.py")
    variants: list[tuple[str, str, dict[str, object]]] = [(p.title, p.slug, {}) for p in PAGES]
    variants[1:1] = [
        ("Điểm tin, 7 ngày", "diem-tin", {"brief_range": 7}),
        ("Điểm tin, 30 ngày", "diem-tin", {"brief_range": 30}),
    ]
    from giamsat.dashboard import auth
    from giamsat.storage import open_store

    store = open_store(uri)
    tokens = {name: auth.start_session(store, name) for name in ("admin", "giamsat1")}
    rows = []
    for title, slug, state in variants:
        timings = []
        problem = ""
        st.cache_data.clear()
        for _visit in range(2):  # cold, then warm (caches filled by the first visit)
            at = AppTest.from_file(app, default_timeout=120)
            who = "admin" if slug == "quan-tri" else "giamsat1"
            at.session_state["username"] = who
            at.session_state["token"] = tokens[who]  # a signed session, as after a log-in
            at.session_state["last_active"] = utcnow()
            for key, value in state.items():
                at.session_state[key] = value
            at.query_params["page"] = slug
            t = time.perf_counter()
            at.run()
            timings.append(time.perf_counter() - t)
            if at.exception:
                problem = str(at.exception[0].message)[:60]
        rows.append((title, timings[0], timings[1], problem))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=60, help="items spread over this many days")
    parser.add_argument("--db", type=Path, default=Path("/tmp/giamsat-bench-dashboard.db"))
    parser.add_argument(
        "--rebuild", action="store_true", help="regenerate even if the file has the right size"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    uri = f"sqlite:///{args.db}"
    existing = SQLiteStore(uri).count(Query()) if args.db.exists() else 0
    if args.rebuild or existing != args.items:
        seconds = build(args.db, args.items, args.days)
        console.print(
            f"Tạo {args.items:,} tin: {seconds:.0f} s ({args.items / seconds:,.0f} tin/s); "
            f"tệp {args.db.stat().st_size / 1e9:.2f} GB"
        )
    else:
        console.print(f"Dùng lại {args.db} ({existing:,} tin)")
    store = SQLiteStore(uri)
    console.print(f"Triage: {seed_triage(store)}")

    table = Table(title=f"Truy vấn ({args.items:,} tin)")
    for col in ("truy vấn", "giây", "kết quả"):
        table.add_column(col)
    for name, seconds, size in time_queries(store):
        table.add_row(name, f"{seconds:.3f}", size)
    console.print(table)
    store.close()

    table = Table(title=f"Trang (AppTest, {args.items:,} tin, ngân sách {BUDGET_S} s)")
    for col in ("trang", "lần đầu (s)", "lần sau (s)", "lỗi"):
        table.add_column(col)
    worst = 0.0
    for title, cold, warm, problem in time_pages(uri):
        worst = max(worst, cold)
        table.add_row(title, f"{cold:.2f}", f"{warm:.2f}", problem)
    console.print(table)
    console.print(f"Chậm nhất (lần đầu): {worst:.2f} s — {'ĐẠT' if worst < BUDGET_S else 'KHÔNG ĐẠT'}")
    return 0 if worst < BUDGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
