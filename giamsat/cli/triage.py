"""Command line for triage: ``giamsat alerts|tickets|claims ...`` and ``giamsat report``.

Every command acts ``--as USER`` (a username of the profile); the role is checked in
``triage.service``, not here. Library errors (PermissionDenied, InvalidTransition, StaleEdit...)
reach ``giamsat.cli.main``, which prints them and exits with their code.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from giamsat.cli import tables
from giamsat.cli.output import esc, json_text, parse_day, plain
from giamsat.context import get_context
from giamsat.core import periods
from giamsat.core.codes import ALERT_KIND_LABELS, ALERT_STATUS_LABELS
from giamsat.core.errors import PermissionDenied
from giamsat.core.model import Alert, Ticket, parse_dt
from giamsat.core.profile import Profile, User
from giamsat.core.timeutil import VN_TZ, fmt_date, fmt_datetime, fmt_number
from giamsat.storage.base import Store
from giamsat.triage import access
from giamsat.triage.export import FORMATS, write_report
from giamsat.triage.reports import REPORT_KINDS, build_report
from giamsat.triage.service import Triage
from giamsat.triage.templates import sev
from giamsat.triage.workflow import allowed_targets, label

console = Console()

alerts_app = typer.Typer(
    help="Hàng đợi cảnh báo: list, show, claim, confirm, dismiss, merge, snooze.", no_args_is_help=True
)
tickets_app = typer.Typer(help="Phiếu xử lý: list, show, assign, transition, comment.", no_args_is_help=True)
claims_app = typer.Typer(help="Sổ tin đã bác bỏ: add, list.", no_args_is_help=True)
notifications_app = typer.Typer(
    help="Thông báo (e-mail, webhook) gửi không được: list, retry.", no_args_is_help=True
)

AsUser = Annotated[
    str,
    typer.Option(
        "--as",
        envvar="GIAMSAT_USER",
        show_envvar=True,
        help="Tên đăng nhập người thao tác (trong hồ sơ); mặc định lấy từ GIAMSAT_USER.",
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")]


def _ctx() -> tuple[Profile, Store]:
    ctx = get_context()
    return ctx.profile, ctx.store


def _service() -> Triage:
    profile, store = _ctx()
    return Triage(profile, store)


def _user(username: str) -> User:
    """A user of the profile. The worker's identity (``he-thong``) is not one: no hidden admin."""
    profile, _ = _ctx()
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
    console.print_json(json_text(data))


def _parse_when(text: str) -> datetime:
    """``4h`` / ``90m`` / ``2d`` from now, ``dd/mm/yyyy HH:MM`` or ISO; local time. Anything else
    (or a time more than a year away) is a ``BadParameter``, never a traceback."""
    text = text.strip()
    units = {"m": "minutes", "h": "hours", "d": "days"}
    problem = typer.BadParameter(
        f"thời điểm không hợp lệ '{esc(text[:40])}': dùng 4h, 90m, 2d hoặc 'dd/mm/yyyy HH:MM'",
        param_hint="--until",
    )
    try:
        if text[-1:] in units and text[:-1].isdigit() and len(text) < 8:
            when = datetime.now(VN_TZ) + timedelta(**{units[text[-1]]: int(text[:-1])})
        elif "/" in text:
            day, _, clock = text.partition(" ")
            d = parse_day(day, "--until")
            hh, _, mm = (clock or "08:00").partition(":")
            when = datetime(d.year, d.month, d.day, int(hh), int(mm or 0), tzinfo=VN_TZ)
        else:
            dt = datetime.fromisoformat(text)
            when = dt if dt.tzinfo else dt.replace(tzinfo=VN_TZ)
    except (ValueError, OverflowError, TypeError):
        raise problem from None
    if abs(when - datetime.now(VN_TZ)) > timedelta(days=366):
        raise problem
    return when


def _alert_table(alerts: list[Alert]) -> Table:
    profile, _ = _ctx()
    return tables.table(
        ("Mã", "Mức độ", "Nội dung", "Số bài", "Trạng thái", "Người nhận", "Cập nhật"),
        (
            (
                a.id or "",
                sev(a.severity),
                (f"[{ALERT_KIND_LABELS.get(a.kind, a.kind)}] " if a.kind != "risk" else "") + a.title,
                str(a.reach.get("items", 0)),
                ALERT_STATUS_LABELS.get(a.status, a.status),
                tables.person(profile, a.claimed_by),
                tables.short_time(a.updated),
            )
            for a in alerts
        ),
        flex="Nội dung",
    )


def _print_results(results: list[dict[str, Any]], as_json: bool) -> int:
    if as_json:
        _print_json(results)
    else:
        for r in results:
            if r["ok"]:
                console.print(
                    f"[green]✓[/] {esc(r['id'])} → {esc(r.get('result') or '')} {esc(r.get('status') or '')}"
                )
            else:
                console.print(f"[red]✗[/] {esc(r['id'])}: {esc(r['error'])}", highlight=False)
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
    profile, _ = _ctx()

    def names(codes: list[str], name: Any) -> str:
        return ", ".join(name(c) for c in codes) or "—"

    lines = [
        f"{a.id}: {a.title}",
        f"Loại: {ALERT_KIND_LABELS.get(a.kind, a.kind)} | Mức độ: {sev(a.severity)} | "
        f"Điểm rủi ro: {fmt_number(a.risk, 2)} | Trạng thái: {ALERT_STATUS_LABELS.get(a.status, a.status)}",
        f"Chủ đề: {names(a.topics, lambda c: t.name if (t := profile.topic(c)) else c)} | "
        f"Địa bàn: {', '.join(a.localities) or '—'}",
        f"Nguồn: {names(a.sources[:10], lambda s: (x.name or s) if (x := profile.source(s)) else s)}",
        f"Lan truyền: {a.reach.get('items', 0)} bài, {a.reach.get('sources', 0)} nguồn",
        *(f"  - {r}" for r in a.reasons),
    ]
    if a.claimed_by:
        lines.append(
            f"Đang do {tables.person(profile, a.claimed_by)} xử lý đến {fmt_datetime(a.claim_expires)}"
        )
    if a.ticket_id:
        lines.append(f"Phiếu: {a.ticket_id}")
    for line in lines:
        console.print(plain(line))
    if history:
        console.print(plain("Lịch sử xử lý (giờ Việt Nam):"))
    for e in history:
        console.print(plain("  ") + tables.event_line(profile, e))


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
    return tables.table(
        ("Mã", "Mức độ", "Nội dung", "Chủ trì", "Trạng thái", "Hạn trả lời"),
        (
            (
                t.id or "",
                sev(t.severity),
                t.title,
                profile.unit_short(t.lead_unit),
                label(t.status),
                tables.short_time(t.due),
            )
            for t in tickets
        ),
        flex="Nội dung",
    )


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
    rule = next((r.description for r in profile.routing.rules if r.id == t.rule), t.rule) if t.rule else "—"
    out = [
        f"{t.id}: {t.title}",
        f"Trạng thái: {label(t.status)} → có thể chuyển sang: "
        + (", ".join(label(x) for x in allowed_targets(t.status)) or "—"),
        f"Mức độ: {sev(t.severity)} | Chủ trì: {profile.unit_name(t.lead_unit)} | "
        f"Phối hợp: {', '.join(profile.unit_name(c) for c in t.co_units) or '—'}",
        f"Căn cứ phân công: {rule}",
        f"Hạn tiếp nhận: {fmt_datetime(t.due_ack) or '—'} | Hạn trả lời: {fmt_datetime(t.due) or '—'}",
        "",
        t.summary,
    ]
    if t.answer_text or t.answer_url:
        out.append(f"Trả lời: {t.answer_text or ''} {t.answer_url or ''}".rstrip())
    for line in out:
        console.print(plain(line))
    if t.comments:
        console.print(plain("Trao đổi:"))
    for c in t.comments:
        when = fmt_datetime(parse_dt(c.get("at")))
        who = tables.person(profile, c.get("by") or c.get("actor"))
        console.print(plain(f"  {when} — {who}: {c.get('text', '')} {c.get('link') or ''}".rstrip()))
    for a in t.attachments:
        console.print(plain(f"  📎 {a.get('url')} {a.get('note') or ''}".rstrip()))
    if t.history:
        console.print(plain("Lịch sử xử lý (giờ Việt Nam):"))
    for e in t.history:
        # the log keeps the codes as recorded (perhaps of a dissolved unit): the line names units
        # through the profile, which maps an old code to the unit that replaced it
        console.print(plain("  ") + tables.event_line(profile, e))


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
        plain(
            f"{t.id}: chủ trì {profile.unit_name(t.lead_unit)}, phối hợp "
            f"{', '.join(profile.unit_name(c) for c in t.co_units) or '-'} ({label(t.status)})"
        ),
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
    console.print(plain(f"{t.id}: {label(t.status)} (phiên bản {t.version})"))
    for a in t.attachments[-1:]:
        if a.get("type") == "dinh-chinh":
            console.print(plain(f"Kiểm tra đính chính: {a.get('note')}"), highlight=False)


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
    console.print(plain(f"{t.id}: {len(t.comments)} bình luận"))


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
    console.print(plain(f"Đã thêm #{doc['id']}: {doc['text']}"), highlight=False)


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
    console.print(
        tables.table(
            ("Mã", "Tin sai", "Đính chính", "Ngày", "Trạng thái"),
            (
                (
                    str(d["id"]),
                    d.get("text", ""),
                    d.get("answer") or "",
                    fmt_date(parse_dt(d.get("created"))) if d.get("created") else "",
                    "còn hiệu lực" if d.get("status", "active") == "active" else "đã thu hồi",
                )
                for d in docs
            ),
            flex="Tin sai",
        )
    )


# -- notifications (the outbox; triage.notifications) ---------------------------------------------
NOTIFICATION_LABELS = {"pending": "chờ gửi", "sent": "đã gửi", "failed": "lỗi", "skipped": "chưa cấu hình"}


@notifications_app.command("list")
def notifications_list(
    as_: AsUser,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help="failed (mặc định), pending, sent, skipped (lặp lại hoặc dấu phẩy)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit")] = 100,
    as_json: AsJson = False,
) -> None:
    """Liệt kê thông báo theo trạng thái (mặc định: gửi không được), kèm lỗi gần nhất.

    Ví dụ: giamsat notifications list --as admin
    """
    svc = _service()
    try:
        docs = svc.list_notifications(_user(as_), _csv(status), limit=limit)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--status") from None
    if as_json:
        _print_json(docs)
        return
    # one block per message: the error text is long and must be read whole
    for d in docs:
        created = d.get("created")
        when = fmt_datetime(datetime.fromisoformat(created)) if created else ""
        shown = NOTIFICATION_LABELS.get(d.get("status") or "", d.get("status"))
        console.print(
            f"[bold]{esc(d.get('id'))}[/] {esc(d.get('channel'))} → {esc(d.get('to') or '—')} "
            f"(về {esc(d.get('ref'))}, {esc(d.get('event'))}): {esc(shown)}, "
            f"{d.get('attempts') or 0} lần thử, tạo lúc {when}",
            soft_wrap=True,
        )
        if d.get("last_error"):
            console.print(plain(f"    lỗi gần nhất: {d['last_error']}"), soft_wrap=True)
    console.print(plain(f"{len(docs)} thông báo."))


@notifications_app.command("retry")
def notifications_retry(
    as_: AsUser,
    ids: Annotated[
        list[str] | None, typer.Argument(help="Mã thông báo (bỏ trống: mọi thông báo lỗi).")
    ] = None,
    ref: Annotated[str | None, typer.Option("--ref", help="Chỉ thông báo của phiếu/cảnh báo này.")] = None,
    now: Annotated[bool, typer.Option("--now", help="Gửi ngay, không đợi vòng worker kế tiếp.")] = False,
) -> None:
    """Đưa thông báo gửi lỗi vào hàng đợi gửi lại (sau khi đã sửa cấu hình máy chủ thư/webhook).

    Ví dụ: giamsat notifications retry --as admin
    Ví dụ: giamsat notifications retry 3f2a9c1b7d0e --now --as admin
    """
    svc = _service()
    user = _user(as_)
    done = svc.retry_notifications(user, ids=ids or None, ref=ref)
    console.print(plain(f"Đã đưa {len(done)} thông báo vào hàng đợi gửi lại."))
    if now and done:
        counts = svc.send_pending_notifications(user)
        console.print(
            plain(f"Gửi ngay: {counts['sent']} đã gửi, {counts['retry']} sẽ thử lại, {counts['failed']} lỗi.")
        )


# -- report -------------------------------------------------------------------------------------
def _parse_day(text: str | None, option: str) -> date | None:
    return parse_day(text, option) if text else None


def report_cmd(
    profile: Profile,
    store: Store,
    kind: str,
    date: str | None,
    fmt: str = "docx",
    out: Path | None = None,
    actor: User | None = None,
    number: int | None = None,
    variant: str = "full",
    date_from: str | None = None,
    date_to: str | None = None,
    event: str | None = None,
) -> int:
    """Build a report and write it as docx|pdf|md|csv. ``kind``: daily, weekly, monthly, quarterly,
    yearly, ad-hoc, or the id of an entry of the profile's reporting calendar; ``variant="leader"``
    the one-page daily briefing.

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
    day = _parse_day(date, "--date")
    start, end = _parse_day(date_from, "--from"), _parse_day(date_to, "--to")
    try:
        reader = (Triage(profile, store), actor) if actor is not None else None
        report = build_report(
            profile,
            store,
            kind,
            day,
            number=number,
            start=start,
            end=end,
            event=event,
            variant=variant,
            reader=reader,
        )
    except ValueError as exc:
        raise typer.BadParameter(esc(exc)) from exc
    stem = report.schedule_id or report.kind
    out = out or Path(f"bao-cao-{stem}-{report.end.isoformat()}.{fmt}")
    write_report(profile, report, fmt, out)
    due = f"; hạn nộp trước ngày {fmt_date(report.due)}" if report.due else ""
    console.print(
        plain(f"Đã ghi {out} ({report.subtitle}; {fmt_date(report.start)} - {fmt_date(report.end)}{due})"),
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
