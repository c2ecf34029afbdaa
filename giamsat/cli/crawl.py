"""Crawler commands (``giamsat crawl``, ``sources``, ``tip``, ``import``): the CLI's part of the
crawl stage. The main app supplies the profile and store from its common options.

Each ``*_cmd`` returns the process exit code and prints Vietnamese messages; library errors
(``ConfigError``...) are left to the caller's error translation.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from giamsat.cli.output import esc, plain
from giamsat.core.profile import Profile
from giamsat.crawlers.health import STATUS_LABELS, health_rows
from giamsat.crawlers.report import CrawlReport
from giamsat.crawlers.runner import crawl, load_sources_file
from giamsat.crawlers.social.importer import FORMATS, import_file
from giamsat.crawlers.tips import add_tip
from giamsat.storage.base import Store
from giamsat.triage.service import Triage

console = Console()


def _report_table(report: CrawlReport, title: str) -> Table:
    table = Table(title=title)
    for col in ("Nguồn", "Tải", "304", "Đã có", "Mới", "Sửa", "Loại", "Lỗi", "Ghi chú"):
        table.add_column(col, justify="right" if col not in ("Nguồn", "Ghi chú") else "left")
    for sid, r in sorted(report.sources.items()):
        note = r.fatal or (r.errors[0]["reason"] if r.errors else "")
        table.add_row(
            plain(sid),
            str(r.fetched),
            str(r.not_modified),
            str(r.skipped_seen),
            str(r.new),
            str(r.revised),
            str(r.dropped),
            str(r.error_count + (1 if r.fatal else 0)),
            plain(note, 60),
        )
    return table


def crawl_cmd(
    profile: Profile, store: Store, once: bool, sources_file: Path | None, source_id: str | None
) -> int:
    """``giamsat crawl``: exit 0 when at least one source worked (1 when all failed, 2 on bad options)."""
    sources = load_sources_file(sources_file) if sources_file else list(profile.sources)
    if source_id:
        sources = [s for s in sources if s.id == source_id]
        if not sources:
            where = f"tệp {sources_file}" if sources_file else "hồ sơ"
            console.print(f"[red]Không có nguồn '{esc(source_id)}'[/] trong {esc(where)}.")
            return 2
        sources = [s.model_copy(update={"enabled": True}) for s in sources]  # asked for by name: run it
    report = crawl(profile, store, sources, once=once, progress=True)
    console.print(_report_table(report, "Kết quả thu thập"))
    console.print(plain(report.summary()))
    if report.sources and not any(r.ok for r in report.sources.values()):
        return 1
    return 0


STATUS_STYLE = {
    "ok": "green",
    "loi": "red",
    "im-lang": "yellow",
    "tang-dot-bien": "magenta",
    "chua-chay": "dim",
}


def _vn_time(value: str | None, tz: str) -> str:
    if not value:
        return "—"
    return datetime.fromisoformat(value).astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M")


def sources_cmd(profile: Profile, store: Store) -> int:
    """``giamsat sources``: the health table."""
    tz = profile.province.timezone
    table = Table(title=f"Tình trạng nguồn tin — {profile.province.name}")
    for col in (
        "Nguồn",
        "Loại",
        "Trạng thái",
        "Thành công gần nhất",
        "Lỗi gần nhất",
        "Lỗi liên tiếp",
        "Tin hôm nay",
        "TB/ngày (14 ngày)",
        "robots",
    ):
        table.add_column(col)
    today = datetime.now(ZoneInfo(tz)).date().isoformat()
    for row in health_rows(store, profile):
        per_day = row.get("items_per_day") or {}
        past = [n for d, n in per_day.items() if d != today][-14:]
        avg = f"{sum(past) / 14:.1f}" if past else "—"
        status = row["status"]
        label = STATUS_LABELS.get(status, "chưa chạy")
        disabled = " (tắt)" if row.get("enabled") is False else ""
        table.add_row(
            plain(f"{row['id']}{disabled}"),
            plain(row.get("type") or ""),
            f"[{STATUS_STYLE.get(status, '')}]{esc(label)}[/]",
            _vn_time(row.get("last_success"), tz),
            plain(row.get("last_error") or "—", 50),
            str(row.get("consecutive_failures") or 0),
            str(per_day.get(today, 0)),
            avg,
            "bỏ qua" if row.get("obey_robots") is False else "tuân thủ",
        )
    console.print(table)
    failed = Triage(profile, store).count_failed_notifications()
    if failed:
        console.print(
            f"[red]{failed} thông báo gửi không được[/] — xem: giamsat notifications list --as <tên>; "
            "gửi lại: giamsat notifications retry --as <tên>"
        )
    queued = store.failed_writes()
    if queued.count:
        console.print(
            f"[yellow]{queued.count} bản ghi chưa ghi được vào kho (cũ nhất {queued.oldest}): "
            "xem 'giamsat es failures', gửi lại 'giamsat es replay' (worker tự gửi lại sau vài phút).[/]"
        )
    return 0


def tip_cmd(
    profile: Profile,
    store: Store,
    url: str | None,
    text: str | None,
    title: str | None,
    screenshot: Path | None,
    actor: str,
) -> int:
    """``giamsat tip``: exit 2 when neither --url nor --text is given or a file is missing."""
    try:
        item = add_tip(store, profile, url=url, text=text, title=title, screenshot=screenshot, actor=actor)
    except ValueError as exc:
        console.print(f"[red]Không nhập được tin:[/] {esc(exc)}")
        return 2
    console.print(f"Đã lưu tin [bold]{esc(item.id)}[/]: {esc(item.title or '(không tiêu đề)')}")
    if item.meta.get("fetch_error"):
        console.print(
            f"[yellow]Không tải được trang ({esc(item.meta['fetch_error'])}); đã lưu đường dẫn và nội dung nhập.[/]"
        )
    return 0


def import_cmd(profile: Profile, store: Store, path: Path, fmt: str | None, source_id: str) -> int:
    """``giamsat import``: exit 1 when the file cannot be read at all."""
    if fmt and fmt not in FORMATS:
        console.print(f"[red]Định dạng '{esc(fmt)}' không hỗ trợ.[/] Chọn một trong: {', '.join(FORMATS)}")
        return 2
    report = import_file(store, profile, Path(path), fmt=fmt, source_id=source_id)
    rep = report.sources[source_id]
    for note in rep.warnings[:10]:
        console.print(plain(f"  {note}"))
    if rep.fatal:
        console.print(f"[red]Không nhập được {esc(path)}:[/] {esc(rep.fatal)}")
        if rep.new or rep.revised:
            console.print(plain(f"(đã lưu {rep.new} mới, {rep.revised} cập nhật trước khi dừng)"))
        return 1
    console.print(
        plain(
            f"Đã đọc {rep.fetched} dòng: {rep.new} mới, {rep.revised} cập nhật, {rep.unchanged} trùng, "
            f"{rep.dropped} loại (không về tỉnh), {rep.error_count} dòng lỗi."
        )
    )
    for err in rep.errors[:10]:
        console.print(f"  [yellow]{esc(err['url'])}[/]: {esc(err['reason'])}")
    if rep.error_count > 10:
        console.print(plain(f"  … và {rep.error_count - 10} dòng lỗi khác"))
    return 0
