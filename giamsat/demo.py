"""``giamsat demo``: the whole loop, offline, on the embedded store.

A bundled fixture site (``giamsat/demo_site``: RSS feeds, article pages in the style of
provincial and national papers, a social-media export) is served on 127.0.0.1; it is crawled by
the real crawlers, enriched by the real NLP, triaged by the real rules; a monitoring officer's
decisions are simulated on the riskiest alerts so tickets reach several units; then the
dashboard is served on that store.
"""

from __future__ import annotations

import functools
import http.server
import logging
import threading
import time
from collections import Counter
from pathlib import Path

import yaml
from platformdirs import user_data_dir
from rich.console import Console
from rich.table import Table

from giamsat.context import set_context
from giamsat.core.errors import GiamsatError
from giamsat.core.model import utcnow
from giamsat.core.profile import Profile, Source, load_profile
from giamsat.core.resources import package_path
from giamsat.core.settings import Settings
from giamsat.crawlers.runner import crawl, import_social_export
from giamsat.crawlers.scrapy_settings import FAST
from giamsat.dashboard.auth import set_password
from giamsat.pipeline import process_pending
from giamsat.serve import serve_dashboard
from giamsat.storage.base import Query
from giamsat.triage.service import Triage

DEMO_SITE = package_path("demo_site")
DEMO_PASSWORD = "giamsat-demo"  # printed for the demo only; real deployments use `giamsat users passwd`
DEMO_OFFICER = "giamsat1"

log = logging.getLogger("giamsat.demo")
console = Console()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve_site(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def demo_sources(base: str) -> list[Source]:
    """The demo site's sources: ``sources.yaml`` in the site, with ``{base}`` as the server URL."""
    raw = (DEMO_SITE / "sources.yaml").read_text(encoding="utf-8").replace("{base}", base)
    return [Source.model_validate(s) for s in yaml.safe_load(raw)["sources"]]


def demo_store_uri() -> str:
    return f"sqlite://{Path(user_data_dir('giamsat', appauthor=False)) / 'demo.db'}"


MARKER_ID = "demo-store"  # a document in "state": this store was made by `giamsat demo`


class DemoRefused(GiamsatError):
    exit_code = 2


def is_demo_store(path: Path) -> bool:
    """Does the SQLite file at ``path`` carry the demo's marker? Read-only: nothing is written
    to (or migrated in) a file that may be someone's real store."""
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = db.execute(
                "SELECT 1 FROM docs WHERE collection = 'state' AND id = ?", (MARKER_ID,)
            ).fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return False  # not SQLite, or no docs table: not the demo's
    return row is not None


def prepare_demo_store(store_uri: str, keep: bool) -> Path:
    """The demo's own SQLite file, emptied unless ``keep``. A file that exists and was not made
    by the demo is never touched: the demo deletes data and sets a published password."""
    from giamsat.storage.sqlite import sqlite_path

    if not store_uri.startswith("sqlite://") or sqlite_path(store_uri) == ":memory:":
        raise DemoRefused(
            f"kho demo phải là một tệp SQLite riêng (GIAMSAT_DEMO_STORE=sqlite:///…/demo.db), không phải {store_uri}"
        )
    db_path = Path(sqlite_path(store_uri))
    if db_path.exists() and not is_demo_store(db_path):
        raise DemoRefused(
            f"{db_path} đã có và không phải kho do 'giamsat demo' tạo ra: demo không xóa dữ liệu "
            "và không đặt lại mật khẩu của kho này. Chọn tệp khác bằng GIAMSAT_DEMO_STORE."
        )
    if not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    return db_path


def simulate_officer(profile: Profile, store, limit: int = 12) -> Counter:
    """Confirm the riskiest open alerts as the monitoring officer would, so tickets exist."""
    triage = Triage(profile, store)
    officer = profile.user(DEMO_OFFICER)
    opened: Counter = Counter()
    if officer is None:
        return opened
    alerts = [a for a in triage.list_alerts(officer, status=["mo"]) if a.kind in ("risk", "watch")]
    alerts.sort(key=lambda a: -a.risk)
    for alert in alerts[:limit]:
        if alert.id is None:  # listed alerts always have ids; keeps the type checker honest
            continue
        triage.claim(officer, alert.id)
        ticket = triage.confirm(officer, alert.id, note="Xác nhận trong chạy thử (demo)")
        opened[ticket.lead_unit] += 1
    return opened


def run_demo(no_dashboard: bool = False, port: int = 8501, keep: bool = False) -> int:
    t0 = time.monotonic()
    settings = Settings.from_env()
    store_uri = settings.demo_store or demo_store_uri()
    prepare_demo_store(store_uri, keep)
    ctx = set_context(store=store_uri, profile=settings.profile)
    profile, store = ctx.profile, ctx.store
    if store.get_doc("state", MARKER_ID) is None:
        store.put_doc("state", {"id": MARKER_ID, "created": utcnow().isoformat(), "by": "giamsat demo"})
    console.print(f"[bold]giamsat demo[/] — hồ sơ {profile.province.name}, kho {store.uri}")

    httpd, base = serve_site(DEMO_SITE)
    try:
        sources = demo_sources(base)
        console.print(f"Trang tin mẫu: {base} ({len(sources)} nguồn)")
        report = crawl(
            profile,
            store,
            sources=[s for s in sources if s.type != "social-import"],
            once=True,
            settings=FAST,
        )
        console.print(f"Thu thập: {report.summary() if hasattr(report, 'summary') else report}")
        for export in sorted((DEMO_SITE / "exports").glob("*")):
            rep = import_social_export(store, profile, export, source_id="mxh-demo")
            console.print(f"Nhập tệp MXH {export.name}: {rep.summary() if hasattr(rep, 'summary') else rep}")
    finally:
        httpd.shutdown()
        httpd.server_close()

    result = process_pending(profile, store)
    simulate_officer(profile, store)
    if store.get_doc("state", MARKER_ID) is not None:  # the published password: demo stores only
        for user in profile.users:
            set_password(store, user.username, DEMO_PASSWORD)

    n_items = store.count(Query())
    n_alerts = store.count_docs("alerts")
    n_tickets = store.count_docs("tickets")
    by_unit = Counter(
        profile.current_unit(t.get("lead_unit") or "") for t in store.find_docs("tickets", limit=10_000)
    )
    table = Table(title=f"Kết quả chạy thử ({time.monotonic() - t0:.0f} giây)")
    table.add_column("Chỉ số")
    table.add_column("Giá trị", justify="right")
    table.add_row("Tin đã lưu", str(n_items))
    table.add_row("Tin đã phân tích", str(result.enriched))
    table.add_row("Tin lỗi khi phân tích", str(result.failed))
    table.add_row("Cảnh báo", str(n_alerts))
    table.add_row("Phiếu xử lý", str(n_tickets))
    for unit, n in by_unit.most_common():
        table.add_row(f"  chủ trì: {profile.unit_name(unit or '')}", str(n))
    console.print(table)
    print(
        f"items={n_items} failed={result.failed} alerts={n_alerts} tickets={n_tickets} units={len(by_unit)}",
        flush=True,
    )
    if result.failed:
        console.print("[red]Một số tin không phân tích được — xem nhật ký ở trên.[/]")
        return 1
    if n_items == 0 or n_alerts == 0 or n_tickets == 0:
        console.print("[red]Chạy thử không tạo đủ tin, cảnh báo và phiếu — xem nhật ký ở trên.[/]")
        return 1
    # The demo writes its own store, not the default one: say how to reach it from the CLI.
    console.print(
        "Dữ liệu demo nằm trong kho riêng. Để xem bằng dòng lệnh:\n"
        f"  export GIAMSAT_STORE={store.uri}\n"
        "  giamsat alerts list --as giamsat1\n"
        f"(hoặc thêm --store {store.uri} vào mỗi lệnh)",
        markup=False,
        highlight=False,
    )
    if no_dashboard:
        return 0
    console.print(
        f"Đăng nhập bảng điều khiển bằng một trong các tài khoản {', '.join(u.username for u in profile.users)}"
        f" — mật khẩu demo: [bold]{DEMO_PASSWORD}[/]"
    )
    return serve_dashboard("127.0.0.1", port)


__all__ = ["load_profile", "run_demo"]
