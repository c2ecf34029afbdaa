"""Command line for triage: ``giamsat alerts|tickets|claims ...`` and ``giamsat report``.

Every command acts ``--as USER`` (a username of the profile); the role is checked in
``triage.service``, not here. Library errors (PermissionDenied, InvalidTransition, StaleEdit...)
reach ``giamsat.cli.main``, which prints them and exits with their code.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from giamsat.context import get_context
from giamsat.core import periods
from giamsat.core.codes import ALERT_STATUS_LABELS
from giamsat.core.errors import PermissionDenied
from giamsat.core.model import Alert, Ticket
from giamsat.core.profile import Profile, User
from giamsat.core.timeutil import VN_TZ, fmt_date, fmt_datetime, parse_vn_date, to_local
from giamsat.storage.base import Store
from giamsat.triage import access
from giamsat.triage.export import FORMATS, write_report
from giamsat.triage.reports import REPORT_KINDS, build_report
from giamsat.triage.service import SYSTEM, Triage
from giamsat.triage.templates import sev
from giamsat.triage.workflow import allowed_targets, label

console = Console()

alerts_app = typer.Typer(
    help="Hàng đợi cảnh báo: list, show, claim, confirm, dismiss, merge, snooze.", no_args_is_help=True
)
tickets_app = typer.Typer(help="Phiếu xử lý: list, show, assign, transition, comment.", no_args_is_help=True)
claims_app = typer.Typer(help="Sổ tin đã bác bỏ: add, list.", no_args_is_help=True)

AsUser = Annotated[str, typer.Option("--as", help="Tên đăng nhập người thao tác (trong hồ sơ).")]
AsJson = Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")]


def _ctx() -> tuple[Profile, Store]:
    ctx = get_context()
    return ctx.profile, ctx.store


def _service() -> Triage:
    profile, store = _ctx()
    return Triage(profile, store)


def _user(username: str) -> User:
    profile, _ = _ctx()
    if username == SYSTEM.username:
        return SYSTEM
    user = profile.user(username)
    if user is None:
        known = ", ".join(u.username for u in profile.users)
        raise PermissionDenied(f"không có người dùng '{username}' trong hồ sơ (có: {known})")
    return user


def _csv(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for raw in values for v in raw.split(",") if v.strip()]


def _print_json(data: Any) -> None:
    console.print_json(json.dumps(data, ensure_ascii=False, default=str))


def _parse_when(text: str) -> datetime:
    """``4h`` / ``90m`` / ``2d`` from now, ``dd/mm/yyyy HH:MM`` or ISO; local time."""
    text = text.strip()
    units = {"m": "minutes", "h": "hours", "d": "days"}
    if text[-1:] in units and text[:-1].isdigit():
        return datetime.now(VN_TZ) + timedelta(**{units[text[-1]]: int(text[:-1])})
    if "/" in text:
        day, _, clock = text.partition(" ")
        d = parse_vn_date(day)
        hh, _, mm = (clock or "08:00").partition(":")
        return datetime(d.year, d.month, d.day, int(hh), int(mm or 0), tzinfo=VN_TZ)
    dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo else dt.replace(tzinfo=VN_TZ)


def _alert_table(alerts: list[Alert]) -> Table:
    table = Table(show_lines=False)
    for col in ("Mã", "Loại", "Mức độ", "Nội dung", "Lan truyền", "Trạng thái", "Người nhận", "Cập nhật"):
        # ids and times are what staff type or read back: never cut them
        table.add_column(col, no_wrap=col in ("Mã", "Cập nhật"), max_width=40 if col == "Nội dung" else None)
    for a in alerts:
        table.add_row(
            a.id or "",
            a.kind,
            sev(a.severity),
            a.title[:70],
            f"{a.reach.get('items', 0)} bài/{a.reach.get('sources', 0)} nguồn",
            ALERT_STATUS_LABELS.get(a.status, a.status),
            a.claimed_by or "",
            fmt_datetime(a.updated),
        )
    return table


def _print_results(results: list[dict[str, Any]], as_json: bool) -> int:
    if as_json:
        _print_json(results)
    else:
        for r in results:
            if r["ok"]:
                console.print(f"[green]✓[/] {r['id']} → {r.get('result') or ''} {r.get('status') or ''}")
            else:
                console.print(f"[red]✗[/] {r['id']}: {r['error']}", highlight=False)
    failed = sum(not r["ok"] for r in results)
    if failed:
        console.print(f"{failed}/{len(results)} cảnh báo không xử lý được.")
    return 1 if failed else 0


def _select(
    svc: Triage, actor: User, ids: list[str] | None, severity: str | None, kind: str | None, q: str | None
) -> list[str]:
    if ids:
        return ids
    if not (severity or kind or q):
        raise typer.BadParameter(
            "cần mã cảnh báo, hoặc bộ lọc --severity/--kind/--q để chọn nhiều cảnh báo đang mở"
        )
    filters = {k: v for k, v in (("severity", severity), ("kind", kind), ("q", q)) if v}
    return [a.id for a in svc.list_alerts(actor, ["mo", "tam-hoan"], limit=10_000, **filters) if a.id]


Ids = Annotated[list[str] | None, typer.Argument(help="Mã cảnh báo (một hoặc nhiều).")]
SelSeverity = Annotated[str | None, typer.Option("--severity", help="Chọn mọi cảnh báo mở có mức độ này.")]
SelKind = Annotated[str | None, typer.Option("--kind", help="Chọn theo loại: risk, watch, spike, source.")]
SelQ = Annotated[str | None, typer.Option("--q", help="Chọn theo từ trong tiêu đề.")]


# -- alerts ------------------------------------------------------------------------------------
@alerts_app.command("list")
def alerts_list(
    as_: AsUser,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            help="mo, tam-hoan, da-xac-nhan, bo-qua, da-gop (lặp lại hoặc phân tách bằng dấu phẩy).",
        ),
    ] = None,
    severity: Annotated[str | None, typer.Option("--severity")] = None,
    kind: Annotated[str | None, typer.Option("--kind")] = None,
    topic: Annotated[str | None, typer.Option("--topic")] = None,
    locality: Annotated[str | None, typer.Option("--locality")] = None,
    q: Annotated[str | None, typer.Option("--q", help="Từ trong tiêu đề (không dấu cũng được).")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    as_json: AsJson = False,
) -> None:
    """Liệt kê cảnh báo (mặc định: đang mở và tạm hoãn).

    Ví dụ: giamsat alerts list --as giamsat1 --severity khan
    """
    svc = _service()
    filters = {
        k: v
        for k, v in (
            ("severity", severity),
            ("kind", kind),
            ("topic", topic),
            ("locality", locality),
            ("q", q),
        )
        if v
    }
    alerts = svc.list_alerts(_user(as_), _csv(status) or ["mo", "tam-hoan"], limit=limit, **filters)
    if as_json:
        _print_json([a.to_dict() for a in alerts])
    else:
        console.print(_alert_table(alerts))
        console.print(f"{len(alerts)} cảnh báo.")


@alerts_app.command("show")
def alerts_show(alert_id: str, as_: AsUser, as_json: AsJson = False) -> None:
    """Xem chi tiết một cảnh báo và lịch sử xử lý.

    Ví dụ: giamsat alerts show cb-1a2b3c4d5e6f --as giamsat1
    """
    svc = _service()
    user = _user(as_)
    a = svc.get_alert(user, alert_id)
    history = svc.alert_history(user, alert_id)
    if as_json:
        _print_json({**a.to_dict(), "history": [e.to_dict() for e in history]})
        return
    console.print(f"[bold]{a.id}[/] {a.title}", highlight=False)
    console.print(
        f"Loại: {a.kind} | Mức độ: {sev(a.severity)} | Rủi ro: {a.risk:.2f} | Trạng thái: {ALERT_STATUS_LABELS.get(a.status, a.status)}"
    )
    console.print(
        f"Chủ đề: {', '.join(a.topics) or '-'} | Địa bàn: {', '.join(a.localities) or '-'} | Nguồn: {', '.join(a.sources[:10]) or '-'}"
    )
    console.print(f"Lan truyền: {a.reach.get('items', 0)} bài, {a.reach.get('sources', 0)} nguồn")
    for r in a.reasons:
        console.print(f"  - {r}", highlight=False)
    if a.claimed_by:
        console.print(f"Đang do {a.claimed_by} xử lý đến {fmt_datetime(a.claim_expires)}")
    if a.ticket_id:
        console.print(f"Phiếu: {a.ticket_id}")
    for e in history:
        console.print(f"  {fmt_datetime(e.at)} {e.actor}: {e.action} {e.note or ''}", highlight=False)


@alerts_app.command("claim")
def alerts_claim(
    as_: AsUser,
    ids: Ids = None,
    force: Annotated[bool, typer.Option("--force", help="(admin) giành quyền xử lý.")] = False,
    as_json: AsJson = False,
) -> None:
    """Nhận xử lý cảnh báo (khóa có thời hạn để hai người không làm trùng).

    Ví dụ: giamsat alerts claim cb-1a2b3c4d5e6f --as giamsat1
    """
    svc = _service()
    user = _user(as_)
    raise typer.Exit(_print_results(svc.bulk(user, "claim", ids or [], force=force), as_json))


@alerts_app.command("confirm")
def alerts_confirm(
    as_: AsUser,
    ids: Ids = None,
    lead: Annotated[
        str | None, typer.Option("--lead", help="Đơn vị chủ trì (ghi đè quy tắc điều phối).")
    ] = None,
    co_unit: Annotated[
        list[str] | None, typer.Option("--co-unit", help="Đơn vị phối hợp (ghi đè; lặp lại).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    no_assign: Annotated[bool, typer.Option("--no-assign", help="Tạo phiếu nhưng chưa giao đơn vị.")] = False,
    severity: SelSeverity = None,
    kind: SelKind = None,
    q: SelQ = None,
    as_json: AsJson = False,
) -> None:
    """Xác nhận cảnh báo → tạo phiếu xử lý, giao đơn vị theo quy tắc điều phối.

    Ví dụ: giamsat alerts confirm cb-1a2b3c4d5e6f --as giamsat1
    Ví dụ: giamsat alerts confirm cb-1a2b3c4d5e6f --lead so-nnmt --co-unit cong-an --note "theo chỉ đạo" --as giamsat1
    """
    svc = _service()
    user = _user(as_)
    targets = _select(svc, user, ids, severity, kind, q)
    kw: dict[str, Any] = {"lead": lead, "co_units": _csv(co_unit), "note": note, "assign": not no_assign}
    raise typer.Exit(_print_results(svc.bulk(user, "confirm", targets, **kw), as_json))


@alerts_app.command("dismiss")
def alerts_dismiss(
    as_: AsUser,
    reason: Annotated[str, typer.Option("--reason", help="Lý do bỏ qua (bắt buộc).")],
    ids: Ids = None,
    severity: SelSeverity = None,
    kind: SelKind = None,
    q: SelQ = None,
    as_json: AsJson = False,
) -> None:
    """Bỏ qua cảnh báo (ghi lý do; dùng làm nhãn huấn luyện lại).

    Ví dụ: giamsat alerts dismiss cb-1a2b3c4d5e6f --reason "tin đúng, không cần xử lý" --as giamsat1
    Ví dụ: giamsat alerts dismiss --kind spike --reason "lễ hội, tăng bình thường" --as giamsat1
    """
    svc = _service()
    user = _user(as_)
    targets = _select(svc, user, ids, severity, kind, q)
    raise typer.Exit(_print_results(svc.bulk(user, "dismiss", targets, reason=reason), as_json))


@alerts_app.command("merge")
def alerts_merge(
    as_: AsUser,
    ticket: Annotated[str, typer.Option("--ticket", help="Mã phiếu đã có, ví dụ PX-2026-0012.")],
    ids: Ids = None,
    as_json: AsJson = False,
) -> None:
    """Gộp cảnh báo vào một phiếu đã có.

    Ví dụ: giamsat alerts merge cb-1a2b3c4d5e6f --ticket PX-2026-0012 --as giamsat1
    """
    svc = _service()
    raise typer.Exit(_print_results(svc.bulk(_user(as_), "merge", ids or [], ticket_id=ticket), as_json))


@alerts_app.command("snooze")
def alerts_snooze(
    as_: AsUser,
    until: Annotated[str, typer.Option("--until", help="4h, 90m, 2d hoặc 'dd/mm/yyyy HH:MM'.")],
    ids: Ids = None,
    severity: SelSeverity = None,
    kind: SelKind = None,
    q: SelQ = None,
    as_json: AsJson = False,
) -> None:
    """Tạm hoãn cảnh báo đến một thời điểm (tự mở lại khi hết hạn).

    Ví dụ: giamsat alerts snooze cb-1a2b3c4d5e6f --until 4h --as giamsat1
    """
    svc = _service()
    user = _user(as_)
    targets = _select(svc, user, ids, severity, kind, q)
    raise typer.Exit(_print_results(svc.bulk(user, "snooze", targets, until=_parse_when(until)), as_json))


# -- tickets -----------------------------------------------------------------------------------
def _ticket_table(profile: Profile, tickets: list[Ticket]) -> Table:
    table = Table()
    for col in ("Mã", "Mức độ", "Nội dung", "Chủ trì", "Trạng thái", "Hạn phản hồi", "Phiên bản"):
        table.add_column(
            col, no_wrap=col in ("Mã", "Hạn phản hồi"), max_width=40 if col == "Nội dung" else None
        )
    for t in tickets:
        table.add_row(
            t.id or "",
            sev(t.severity),
            t.title[:60],
            profile.unit_short(t.lead_unit),
            label(t.status),
            fmt_datetime(t.due),
            str(t.version),
        )
    return table


@tickets_app.command("list")
def tickets_list(
    as_: AsUser,
    status: Annotated[
        list[str] | None, typer.Option("--status", help="moi, da-giao, dang-xac-minh, ...")
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="Chỉ phiếu đơn vị này chủ trì hoặc phối hợp.")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Chỉ phiếu quá hạn.")] = False,
    limit: Annotated[int, typer.Option("--limit")] = 100,
    as_json: AsJson = False,
) -> None:
    """Liệt kê phiếu (đơn vị chỉ thấy phiếu của mình).

    Ví dụ: giamsat tickets list --as nnmt --status da-giao
    """
    svc = _service()
    tickets = svc.list_tickets(_user(as_), _csv(status), unit, overdue=overdue, limit=limit)
    if as_json:
        _print_json([t.to_dict() for t in tickets])
    else:
        console.print(_ticket_table(_ctx()[0], tickets))
        console.print(f"{len(tickets)} phiếu.")


@tickets_app.command("show")
def tickets_show(ticket_id: str, as_: AsUser, as_json: AsJson = False) -> None:
    """Xem phiếu: đơn vị, hạn, bình luận, lịch sử đầy đủ.

    Ví dụ: giamsat tickets show PX-2026-0012 --as nnmt
    """
    svc = _service()
    user = _user(as_)
    t = svc.get_ticket(user, ticket_id)
    if as_json:
        _print_json({**t.to_dict(), "routing": svc.routing_of(user, ticket_id)})
        return
    profile, _ = _ctx()
    console.print(f"[bold]{t.id}[/] (phiên bản {t.version}) {t.title}", highlight=False)
    console.print(f"Trạng thái: {label(t.status)} → được chuyển sang: {', '.join(allowed_targets(t.status))}")
    console.print(
        f"Mức độ: {sev(t.severity)} | Chủ trì: {profile.unit_name(t.lead_unit)} | Phối hợp: {', '.join(profile.unit_name(c) for c in t.co_units) or '-'} | Quy tắc: {t.rule}"
    )
    console.print(f"Hạn tiếp nhận: {fmt_datetime(t.due_ack) or '-'} | Hạn phản hồi: {fmt_datetime(t.due)}")
    console.print(t.summary, highlight=False)
    if t.answer_text or t.answer_url:
        console.print(f"Phản hồi: {t.answer_text or ''} {t.answer_url or ''}", highlight=False)
    for c in t.comments:
        console.print(
            f"  💬 {fmt_datetime(datetime.fromisoformat(c['at']))} {c['by']}: {c['text']} {c.get('link') or ''}",
            highlight=False,
        )
    for a in t.attachments:
        console.print(f"  📎 {a.get('type')}: {a.get('url')} {a.get('note') or ''}", highlight=False)
    for e in t.history:
        # the log keeps the codes as recorded (perhaps of a dissolved unit); name the current unit
        lead = e.after.get("lead_unit")
        unit = f" [chủ trì: {profile.unit_name(lead)}]" if isinstance(lead, str) and lead else ""
        console.print(
            f"  {fmt_datetime(e.at)} {e.actor}: {e.action} {json.dumps(e.before, ensure_ascii=False, default=str)} → {json.dumps(e.after, ensure_ascii=False, default=str)}{unit} {e.note or ''}",
            highlight=False,
        )


@tickets_app.command("assign")
def tickets_assign(
    ticket_id: str,
    as_: AsUser,
    lead: Annotated[str, typer.Option("--lead", help="Đơn vị chủ trì mới.")],
    co_unit: Annotated[list[str] | None, typer.Option("--co-unit", help="Đơn vị phối hợp (lặp lại).")] = None,
    reason: Annotated[str, typer.Option("--reason")] = "",
) -> None:
    """Phân công lại đơn vị (được ghi vết trước/sau).

    Ví dụ: giamsat tickets assign PX-2026-0012 --lead so-nnmt --co-unit cong-an --reason "đúng thẩm quyền" --as giamsat1
    """
    t = _service().assign(_user(as_), ticket_id, lead, _csv(co_unit), reason)
    profile, _ = _ctx()
    console.print(
        f"{t.id}: chủ trì {profile.unit_name(t.lead_unit)}, phối hợp "
        f"{', '.join(profile.unit_name(c) for c in t.co_units) or '-'} ({label(t.status)})",
        highlight=False,
    )


@tickets_app.command("transition")
def tickets_transition(
    ticket_id: str,
    status: Annotated[
        str,
        typer.Argument(
            help="Trạng thái mới: da-giao, dang-xac-minh, da-phan-hoi, da-dong, tu-choi, chuyen-don-vi, mo-lai."
        ),
    ],
    as_: AsUser,
    note: Annotated[str | None, typer.Option("--note", help="Ghi chú / lý do.")] = None,
    answer_text: Annotated[
        str | None, typer.Option("--answer-text", help="Nội dung phản hồi/đính chính.")
    ] = None,
    answer_url: Annotated[
        str | None, typer.Option("--answer-url", help="Đường dẫn bài phản hồi/đính chính.")
    ] = None,
    version: Annotated[
        int | None, typer.Option("--version", help="Phiên bản phiếu bạn đã xem (chống ghi đè).")
    ] = None,
) -> None:
    """Chuyển trạng thái phiếu.

    Ví dụ: giamsat tickets transition PX-2026-0012 dang-xac-minh --as nnmt
    Ví dụ: giamsat tickets transition PX-2026-0012 da-phan-hoi --answer-url https://baokhanhhoa.vn/... --as nnmt
    """
    t = _service().transition(_user(as_), ticket_id, status, version, note, answer_text, answer_url)
    console.print(f"{t.id}: {label(t.status)} (phiên bản {t.version})")
    for a in t.attachments[-1:]:
        if a.get("type") == "dinh-chinh":
            console.print(f"Kiểm tra đính chính: {a.get('note')}", highlight=False)


@tickets_app.command("comment")
def tickets_comment(
    ticket_id: str,
    text: str,
    as_: AsUser,
    link: Annotated[str | None, typer.Option("--link", help="Đường dẫn/tệp đính kèm.")] = None,
) -> None:
    """Thêm bình luận (và đường dẫn đính kèm) vào phiếu.

    Ví dụ: giamsat tickets comment PX-2026-0012 "Đã liên hệ UBND phường" --link https://... --as nnmt
    """
    t = _service().comment(_user(as_), ticket_id, text, link)
    console.print(f"{t.id}: {len(t.comments)} bình luận")


# -- claims (debunk registry; storage and matching in nlp.claims) -------------------------------
@claims_app.command("add")
def claims_add(
    text: Annotated[str, typer.Argument(help="Nội dung tin sai đã được bác bỏ.")],
    as_: AsUser,
    answer: Annotated[str, typer.Option("--answer", help="Nội dung trả lời/đính chính chính thức.")],
    url: Annotated[str | None, typer.Option("--url", help="Đường dẫn bài đính chính.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Cơ quan/nguồn bác bỏ.")] = None,
) -> None:
    """Thêm một tin đã bác bỏ vào sổ (dùng để đối chiếu tin mới).

    Ví dụ: giamsat claims add "Khánh Hòa thu hồi toàn bộ đất ven biển Cam Ranh" --answer "UBND tỉnh khẳng định không có chủ trương này" --url https://khanhhoa.gov.vn/... --as giamsat1
    """
    try:
        doc = _service().add_claim(_user(as_), text, answer, url, source)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    console.print(f"Đã thêm #{doc['id']}: {doc['text']}", highlight=False)


@claims_app.command("list")
def claims_list(
    as_: AsUser,
    all_: Annotated[bool, typer.Option("--all", help="Cả tin đã thu hồi.")] = False,
    as_json: AsJson = False,
) -> None:
    """Liệt kê sổ tin đã bác bỏ.

    Ví dụ: giamsat claims list --as giamsat1
    """
    docs = _service().list_claims(_user(as_), include_withdrawn=all_)
    if as_json:
        _print_json(docs)
        return
    table = Table()
    for col in ("Mã", "Tin sai", "Trả lời", "Đường dẫn", "Ngày", "Trạng thái"):
        table.add_column(col, no_wrap=col in ("Mã", "Ngày"))
    for d in docs:
        created = d.get("created")
        table.add_row(
            str(d["id"]),
            d["text"][:60],
            (d.get("answer") or "")[:60],
            d.get("answer_url") or "",
            fmt_date(to_local(datetime.fromisoformat(created))) if created else "",
            d.get("status") or "",
        )
    console.print(table)


# -- report -------------------------------------------------------------------------------------
def _parse_day(text: str | None, what: str) -> date | None:
    if not text:
        return None
    try:
        return parse_vn_date(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{what} không hợp lệ '{text}': dùng dd/mm/yyyy hoặc yyyy-mm-dd") from exc


def report_cmd(
    profile: Profile,
    store: Store,
    kind: str,
    date: str | None,
    fmt: str = "docx",
    out: Path | None = None,
    actor: User | None = None,
    number: int | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    event: str | None = None,
) -> int:
    """Build a report and write it as docx|md|csv. ``kind``: daily, weekly, monthly, quarterly,
    yearly, ad-hoc, or the id of an entry of the profile's reporting calendar.

    Ví dụ: giamsat report daily --date 2026-11-23 --format docx -o diem-tin.docx
    """
    if kind not in REPORT_KINDS and profile.schedule(kind) is None:
        ids = [s.id for s in profile.report_calendar]
        raise typer.BadParameter(
            f"loại báo cáo: {', '.join(REPORT_KINDS)}"
            + (f", hoặc báo cáo trong lịch của tỉnh: {', '.join(ids)}" if ids else "")
            + f" (không phải '{kind}')"
        )
    if fmt not in FORMATS:
        raise typer.BadParameter(f"định dạng: {', '.join(FORMATS)} (không phải '{fmt}')")
    if actor is not None:
        access.require_reports(actor)
    day = _parse_day(date, "ngày")
    start, end = _parse_day(date_from, "từ ngày"), _parse_day(date_to, "đến ngày")
    try:
        report = build_report(profile, store, kind, day, number=number, start=start, end=end, event=event)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    stem = report.schedule_id or report.kind
    out = out or Path(f"bao-cao-{stem}-{report.end.isoformat()}.{fmt}")
    write_report(profile, report, fmt, out)
    due = f"; hạn nộp trước ngày {fmt_date(report.due)}" if report.due else ""
    console.print(
        f"Đã ghi {out} ({report.subtitle}; {fmt_date(report.start)} - {fmt_date(report.end)}{due})",
        highlight=False,
    )
    return 0


def calendar_table(profile: Profile, today: date) -> Table:
    """The reporting calendar: for each report, the period due next and its due date."""
    table = Table(title=f"Lịch báo cáo - {profile.province.name} (tính đến {fmt_date(today)})")
    table.add_column("Báo cáo", min_width=28, ratio=3)
    table.add_column("Kỳ", min_width=12, ratio=1)
    table.add_column("Hạn nộp", no_wrap=True)
    table.add_column("Còn", justify="right", no_wrap=True)
    table.add_column("Nhắc (ngày trước)", min_width=6)
    for s in profile.report_calendar:
        p = periods.next_due(s.cycle, today)
        table.add_row(
            f"[bold]{s.id}[/] ({periods.KIND_LABELS.get(s.kind, s.kind).lower()})\n{s.name}",
            f"{fmt_date(p.start)} - {fmt_date(p.end)}" if p else "theo vụ việc",
            fmt_date(p.due) if p and p.due else "",
            f"{(p.due - today).days} ngày" if p and p.due else "",
            ", ".join(map(str, s.remind_days)),
        )
    return table
