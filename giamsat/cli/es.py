"""``giamsat es``: running giamsat on Elasticsearch.

* ``setup``    - as an administrator: the apps' least-privilege role and user, templates, ILM policy;
* ``health``   - read-only check for container health checks (writes nothing, not even a template);
* ``failures`` - the retry queue of writes the cluster refused or did not answer (works offline);
* ``replay``   - re-send that queue (the worker also does it every few minutes);
* ``check``    - prove a cluster end to end and print a pass/fail table (``make es-check``).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from giamsat.context import get_context
from giamsat.core.errors import StoreError

console = Console()
err = Console(stderr=True)

es_app = typer.Typer(help="Elasticsearch: setup, health, failures, replay, check.", no_args_is_help=True)

# What the apps may do on their own prefix, and nothing else (docs/scale.md §2).
APP_CLUSTER_PRIVILEGES = ["monitor", "read_ilm"]
APP_INDEX_PRIVILEGES = ["read", "write", "create_index", "view_index_metadata", "maintenance"]


def app_role(prefix: str) -> dict[str, Any]:
    """The apps' role: read/write their own indices, create monthly indices, refresh them, read
    templates and the ILM policy (to compare versions) — but not change templates, policies,
    other indices, users or cluster settings."""
    return {
        "cluster": list(APP_CLUSTER_PRIVILEGES),
        "indices": [{"names": [f"{prefix}-*"], "privileges": list(APP_INDEX_PRIVILEGES)}],
        "metadata": {"managed_by": "giamsat"},
    }


def _store_uri() -> str:
    uri = get_context().settings.store_uri
    if not uri.startswith(("http://", "https://")):
        raise StoreError(f"GIAMSAT_STORE={uri} không phải Elasticsearch (http(s)://máy-chủ:9200)")
    return uri


@es_app.command("setup")
def setup(
    app_user: Annotated[
        str, typer.Option("--app-user", help="Tên tài khoản cho các ứng dụng.")
    ] = "giamsat_app",
    password_env: Annotated[
        str, typer.Option("--password-env", help="Biến môi trường chứa mật khẩu của tài khoản ứng dụng.")
    ] = "ELASTICSEARCH_APP_PASSWORD",
    force: Annotated[
        bool, typer.Option("--force", help="Ghi lại mẫu chỉ mục và chính sách dù không đổi.")
    ] = False,
) -> None:
    """Cài đặt (bằng tài khoản quản trị): vai trò và tài khoản quyền tối thiểu cho ứng dụng, mẫu chỉ mục, ILM.

    Ví dụ: ELASTICSEARCH_USERNAME=elastic ELASTICSEARCH_PASSWORD=... ELASTICSEARCH_APP_PASSWORD=... giamsat es setup
    """
    from elasticsearch import ApiError

    from giamsat.storage.elasticsearch import ElasticsearchStore

    store = ElasticsearchStore(_store_uri(), install=False)
    try:
        written = store.install(force=force)
        console.print(f"Mẫu chỉ mục/ILM '{store.prefix}-*': " + (", ".join(written) or "đã đúng phiên bản"))
        password = os.environ.get(password_env, "")
        if not password:
            console.print(f"[yellow]Bỏ qua tạo tài khoản: chưa đặt {password_env}[/]")
            return
        role = f"{store.prefix}_app"
        try:
            store.es.security.put_role(name=role, **app_role(store.prefix))
            store.es.security.put_user(
                username=app_user, password=password, roles=[role], full_name="giamsat (ứng dụng)"
            )
        except ApiError as exc:
            raise StoreError(f"không tạo được vai trò/tài khoản (cần quyền manage_security): {exc}") from exc
        console.print(f"Vai trò {role} và tài khoản {app_user}: đã tạo/cập nhật")
    finally:
        store.close()


@es_app.command("health")
def health() -> None:
    """Kiểm tra sức khỏe chỉ đọc (cho healthcheck của container): không ghi gì vào cụm.

    Ví dụ: giamsat es health
    """
    from giamsat.storage.elasticsearch import ElasticsearchStore

    store = ElasticsearchStore(_store_uri(), install=False)
    try:
        h = store.health()
    finally:
        store.close()
    console.print(json.dumps(h, ensure_ascii=False))
    if h["status"] not in ("green", "yellow") or not h["alias"]:
        raise typer.Exit(1)


@es_app.command("failures")
def failures(
    as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON.")] = False,
) -> None:
    """Các bản ghi chưa ghi được vào Elasticsearch (hàng đợi gửi lại); không cần kết nối cụm.

    Ví dụ: giamsat es failures
    """
    from dataclasses import asdict

    from giamsat.storage.es.bulk import queue_summary

    s = queue_summary()
    if as_json:
        console.print_json(json.dumps(asdict(s), ensure_ascii=False))
        return
    if not s.count:
        console.print(f"Hàng đợi gửi lại trống ({s.path}).")
        return
    console.print(f"[yellow]{s.count} bản ghi chờ gửi lại[/] ({s.path}), từ {s.oldest} đến {s.newest}")
    table = Table("Chỉ mục", "Số bản ghi")
    for index, n in sorted(s.by_index.items()):
        table.add_row(index, str(n))
    console.print(table)
    reasons = Table("Lý do (mã HTTP)", "Số lần")
    for reason, n in s.reasons:
        reasons.add_row(reason, str(n))
    console.print(reasons)
    console.print("Sửa nguyên nhân rồi chạy: giamsat es replay (worker cũng tự gửi lại sau vài phút).")


@es_app.command("replay")
def replay() -> None:
    """Gửi lại hàng đợi; bản mới hơn đã lưu luôn thắng bản cũ trong hàng đợi.

    Ví dụ: giamsat es replay
    """
    store = get_context().store
    r = store.replay_failed_writes()
    if r.busy:
        console.print("Một tiến trình khác đang gửi lại hàng đợi; thử lại sau.")
        return
    console.print(f"Đã ghi {r.sent}, bỏ {r.superseded} (đã có bản mới hơn), còn lỗi {r.failed}.")
    if r.failed:
        raise typer.Exit(1)


# -- check: prove a cluster ------------------------------------------------------------------
@dataclass
class Step:
    name: str
    ok: bool | None  # None: not run (skipped)
    detail: str
    seconds: float


def _run(cmd: list[str], env: dict[str, str], timeout: int = 600) -> tuple[bool, str]:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    ok = proc.returncode == 0
    # success: the command's own last line; failure: the error it printed
    lines = (proc.stdout if ok else proc.stderr or proc.stdout).strip().splitlines()
    tail = " ".join(lines[-1:] if ok else lines[-3:]).strip()[:300]
    return ok, tail


def _giamsat(*args: str) -> list[str]:
    return [sys.executable, "-m", "giamsat", *args]


def _seed_source(path: Path, n: int) -> dict[str, int]:
    """A small SQLite store to migrate: items with revisions and raw pages, tickets, events,
    counters. Counts are above the check's result window, so every read must page."""
    from giamsat.core.model import Event, Item
    from giamsat.storage.sqlite import SQLiteStore

    src = SQLiteStore(f"sqlite:///{path}")
    now = datetime.now(UTC).replace(microsecond=0)

    def item(i: int, note: str = "") -> Item:
        return Item(
            source_id="baokhanhhoa",
            url=f"https://baokhanhhoa.vn/xa-hoi/es-check-{i}.html",
            title=f"Người dân Nha Trang phản ánh sạt lở đất ven biển Cam Ranh lần {i}",
            text=(
                f"Bài {i}: Khánh Hòa thu hồi toàn bộ đất ven biển Cam Ranh để giao cho nhà đầu tư, "
                f"người dân phản ánh với UBND tỉnh về việc sạt lở và ngập úng.{note}"
            ),
            published=now - timedelta(hours=i),
            fetched=now - timedelta(hours=i) + timedelta(minutes=3),
        )

    items = [item(i) for i in range(n)]
    src.upsert_items(items, raw={it.key: f"<html>{it.text}</html>".encode() for it in items[:5]})
    src.upsert_items([item(0, " (đã sửa)")])  # one earlier revision to carry over
    for i in range(n):
        src.put_doc("tickets", {"id": f"check-{i}", "status": "moi", "number": i, "created": now.isoformat()})
        src.append_event(Event("ticket", f"check-{i}", "tao", "giamsat1", at=now))
    for _ in range(3):
        src.next_sequence("ticket")
    src.close()
    return {"items": n, "tickets": n, "events": n, "revisions": 1}


def _contract_step(junit: Path | None) -> Step:
    if junit is None:
        return Step("Bộ kiểm thử hợp đồng (pytest)", None, "không chạy (make es-check chạy nó)", 0.0)
    if not junit.exists():
        return Step("Bộ kiểm thử hợp đồng (pytest)", False, f"không thấy {junit}", 0.0)
    root = ET.parse(junit).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    attrs = suite.attrib if suite is not None else {}
    total, fails = int(attrs.get("tests", 0)), int(attrs.get("failures", 0)) + int(attrs.get("errors", 0))
    skipped = int(attrs.get("skipped", 0))
    ran = total - skipped
    ok = ran > 0 and fails == 0
    return Step(
        "Bộ kiểm thử hợp đồng (pytest)",
        ok,
        f"{ran - fails}/{ran} đạt, {skipped} bỏ qua",
        float(attrs.get("time", 0)),
    )


def run_check(
    url: str, window: int = 25, items: int = 60, keep: bool = False, contract_junit: Path | None = None
) -> list[Step]:
    """Every step against ``url`` on a fresh prefix, each as a real ``giamsat`` command where there
    is one, with a small result window so that deep reads are proven on a few dozen records."""
    from giamsat.storage.elasticsearch import ElasticsearchStore

    steps: list[Step] = [_contract_step(contract_junit)]
    prefix = f"giamsat-check-{uuid.uuid4().hex[:8]}"
    work = Path(tempfile.mkdtemp(prefix="giamsat-es-check-"))
    env = {
        **os.environ,
        "GIAMSAT_STORE": url,
        "GIAMSAT_ES_PREFIX": prefix,
        "GIAMSAT_ES_RESULT_WINDOW": str(window),
        "GIAMSAT_ES_SPOOL": str(work / "queue.jsonl"),
        "GIAMSAT_PROFILE": get_context().settings.profile,
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # in-process steps (dashboard queries) open the same prefix

    def step(name: str, fn: Callable[[], str]) -> None:
        t = time.monotonic()
        try:
            detail = fn()
            steps.append(Step(name, True, detail, time.monotonic() - t))
        except Exception as exc:  # a failed step is a row in the table, not a traceback
            steps.append(Step(name, False, f"{type(exc).__name__}: {exc}"[:300], time.monotonic() - t))

    def command(*args: str, expect: str | None = None) -> str:
        ok, tail = _run(_giamsat(*args), env)
        if not ok or (expect and expect not in tail):
            raise RuntimeError(f"giamsat {' '.join(args)}: {tail}")
        return tail

    store: ElasticsearchStore | None = None
    try:

        def connect() -> str:
            nonlocal store
            store = ElasticsearchStore(url)
            again = store.install()
            if again:
                raise RuntimeError(f"mở lần hai vẫn ghi lại: {again}")
            warn = f"; {store.compat_warning.split(':')[0]}" if store.compat_warning else ""
            if store.compat_warning and not store.check_version:
                warn += " (GIAMSAT_ES_SKIP_VERSION_CHECK=1: chỉ dùng cho bộ giả lập)"
            from giamsat.storage.es.compat import client_version

            return f"máy chủ {store.server_version}, thư viện {client_version()}{warn}"

        step("Kết nối, phiên bản, mẫu chỉ mục (ghi một lần)", connect)
        if store is None:
            return steps
        src = work / "source.db"
        counts = _seed_source(src, items)
        step(
            "giamsat migrate (SQLite → Elasticsearch)",
            lambda: command("migrate", "--from", f"sqlite:///{src}", "--to", url),
        )

        def migrated() -> str:
            from giamsat.storage.base import Query

            revised = [i for i in store.iter_items(Query()) if i.revision > 1]
            got = (
                store.count(Query()),
                store.count_docs("tickets"),
                len(store.events(limit=10**9)),
                sum(len(store.item_revisions(i.id or "")) for i in revised),
            )
            want = (counts["items"], counts["tickets"], counts["events"], counts["revisions"])
            if got != want:
                raise RuntimeError(f"đếm được {got}, cần {want}")
            return f"{got[0]} bài, {got[3]} bản cũ, {got[1]} phiếu, {got[2]} sự kiện (trang ≤ {window})"

        step("Dữ liệu đã chép đủ", migrated)
        step(
            "giamsat claims add (sổ tin đã bác bỏ có ít nhất một tin)",
            lambda: command(
                "claims", "add", "Khánh Hòa thu hồi toàn bộ đất ven biển Cam Ranh để giao cho nhà đầu tư",
                "--answer", "UBND tỉnh khẳng định không có chủ trương này", "--as", "giamsat1",
            ),
        )  # fmt: skip

        def process() -> str:
            tail = command("process")
            from giamsat.storage.base import Query

            bad = [i for i in store.iter_items(Query()) if not i.enrichment or i.enrichment.error]
            if bad:
                err_text = bad[0].enrichment.error if bad[0].enrichment else "chưa phân tích"
                raise RuntimeError(f"{len(bad)} bài lỗi phân tích: {err_text}")
            matched = sum(1 for i in store.iter_items(Query()) if i.enrichment and i.enrichment.claim_matches)
            if not matched:
                raise RuntimeError("không bài nào khớp tin đã bác bỏ")
            return f"{tail}; {matched} bài khớp tin đã bác bỏ"

        step("giamsat process (có tin đã bác bỏ)", process)
        today = date.today().isoformat()
        for kind, fmt in (("daily", "docx"), ("monthly", "md"), ("yearly", "csv")):
            args = (
                "report",
                kind,
                "--date",
                today,
                "--format",
                fmt,
                "-o",
                str(work / f"report-{kind}.{fmt}"),
            )
            step(f"giamsat report {kind} --format {fmt}", functools.partial(command, *args))

        def dashboard() -> str:
            from giamsat.core.timeutil import to_local
            from giamsat.dashboard import queries as dq
            from giamsat.dashboard.resources import profile_name

            now = datetime.now(UTC)
            who = (url, profile_name(), "giamsat1")  # read as a monitor, through the triage service
            p = dq.params(since=now - timedelta(days=7), until=now + timedelta(hours=1))
            b = dq.briefing(who, to_local(now).date(), 7, now.replace(second=0, microsecond=0).isoformat())
            page = dq.search(who, p, limit=10, offset=window + 3)  # a page past the window
            if b.total != items or page.total != items or len(page.items) != 10:
                raise RuntimeError(f"tổng {b.total}, trang sâu {len(page.items)}/{page.total}")
            return (
                f"{b.total} bài, {len(b.stories)} câu chuyện, trang sau {window + 3}: {len(page.items)} bài"
            )

        step("Truy vấn bảng điều khiển (điểm tin, tìm kiếm trang sâu)", dashboard)
        step("giamsat es replay (hàng đợi gửi lại)", lambda: command("es", "replay"))
        back = work / "back.db"

        def migrate_back() -> str:
            from giamsat.storage.base import Query
            from giamsat.storage.sqlite import SQLiteStore

            tail = command("migrate", "--from", url, "--to", f"sqlite:///{back}")
            copy = SQLiteStore(f"sqlite:///{back}")
            try:
                got = (copy.count(Query()), copy.count_docs("tickets"), len(copy.events(limit=10**9)))
            finally:
                copy.close()
            if got[0] != items or got[1] != items:
                raise RuntimeError(f"bản sao có {got}")
            return tail

        step("giamsat migrate (Elasticsearch → SQLite, đọc sâu)", migrate_back)
    finally:
        if store is not None:
            if not keep:
                store.drop_all()
            store.close()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return steps


def print_steps(steps: list[Step], url: str) -> bool:
    table = Table(title=f"giamsat es check — {url}")
    for col in ("Bước", "Kết quả", "Chi tiết", "Giây"):
        table.add_column(col)
    for s in steps:
        mark = "[green]ĐẠT[/]" if s.ok else ("[dim]BỎ QUA[/]" if s.ok is None else "[red]LỖI[/]")
        table.add_row(s.name, mark, s.detail, f"{s.seconds:.1f}")
    console.print(table)
    ran = [s for s in steps if s.ok is not None]
    passed = sum(1 for s in ran if s.ok)
    console.print(f"{passed} passed, {len(ran) - passed} failed")
    return passed == len(ran)


@es_app.command("check")
def check(
    window: Annotated[int, typer.Option(help="Cửa sổ kết quả nhỏ để buộc mọi lần đọc phải phân trang.")] = 25,
    items: Annotated[int, typer.Option(help="Số bài viết mẫu.")] = 60,
    keep: Annotated[bool, typer.Option("--keep", help="Giữ lại tiền tố kiểm tra (mặc định xóa).")] = False,
    contract_junit: Annotated[
        Path | None, typer.Option("--contract-junit", help="Kết quả pytest (JUnit XML) của bộ hợp đồng.")
    ] = None,
) -> None:
    """Chứng minh một cụm: migrate, process (có tin đã bác bỏ), mọi báo cáo, truy vấn bảng điều khiển; in bảng đạt/lỗi.

    Ví dụ: GIAMSAT_STORE=https://es:9200 giamsat es check
    """
    url = _store_uri()
    ok = print_steps(run_check(url, window, items, keep, contract_junit), url)
    raise typer.Exit(0 if ok else 1)
