"""Phiếu xử lý: each unit's inbox with deadline countdowns, a ticket's detail, its transitions,
comments and links, and its full history.

A unit user only ever gets its own tickets: the triage service filters ``list_tickets`` and
refuses ``get_ticket`` for anything else (also when the id comes from ``?ticket=`` in the URL)."""

from __future__ import annotations

import streamlit as st

from giamsat.core.codes import TICKET_ACTION_LABELS
from giamsat.core.errors import GiamsatError
from giamsat.core.model import Ticket, parse_dt
from giamsat.core.timeutil import fmt_datetime
from giamsat.dashboard.ui import (
    CATEGORY_LABELS,
    SEVERITY_ICONS,
    SEVERITY_LABELS,
    TICKET_STATUS_LABELS,
    countdown,
    error_message,
    label,
    snippet,
)
from giamsat.dashboard.views import PageContext, flash, guarded
from giamsat.triage import access
from giamsat.triage.workflow import (
    ANSWERED_STATUSES,
    NEEDS_REASON,
    OPEN_STATUSES,
    allowed_targets,
)

ALL_UNITS = "__all__"
ACTION_LABELS = TICKET_ACTION_LABELS


def targets_for(ctx: PageContext, ticket: Ticket) -> list[str]:
    """Statuses this user may move the ticket to (the service checks again on submit)."""
    return [
        to
        for to in allowed_targets(ticket.status)
        if access.may_transition(ctx.user, ticket, to, ctx.profile)
    ]


def deadline(ticket: Ticket, now) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """(which deadline, countdown) — acknowledgement first while it is pending, then answer."""
    if ticket.due_ack and not ticket.acknowledged_at and ticket.status in ("moi", "da-giao"):
        return "Hạn tiếp nhận", countdown(ticket.due_ack, now).markdown()
    done = ticket.status in ANSWERED_STATUSES
    return "Hạn trả lời", countdown(ticket.due, now, done=done).markdown()


def render(ctx: PageContext) -> None:
    st.header(":material/assignment: Phiếu xử lý")
    c1, c2 = st.columns(2)
    if ctx.user.role == "unit":
        unit = None
        c1.markdown(f"Hộp phiếu của **{ctx.profile.unit_name(ctx.user.unit or '')}**")
    else:
        choice = c1.selectbox(
            "Đơn vị",
            [ALL_UNITS, *[u.code for u in ctx.profile.units]],
            key="tk_unit",
            format_func=lambda c: "Tất cả đơn vị" if c == ALL_UNITS else ctx.profile.unit_name(c),
        )
        unit = None if choice == ALL_UNITS else choice
    statuses = c2.multiselect(
        "Trạng thái",
        list(TICKET_STATUS_LABELS),
        default=list(OPEN_STATUSES),
        format_func=TICKET_STATUS_LABELS.get,
        key="tk_status",
    )
    try:
        tickets = ctx.triage.list_tickets(ctx.user, status=statuses or None, unit=unit)
    except GiamsatError as exc:
        st.error(error_message(exc))
        return
    tickets = sorted(tickets, key=lambda t: (t.due is None, t.due or t.created))
    _inbox(ctx, tickets)
    _detail(ctx, tickets)


def _inbox(ctx: PageContext, tickets: list[Ticket]) -> None:
    st.markdown(f"**{len(tickets)}** phiếu, hạn gần nhất trước")
    if not tickets:
        st.info("Không có phiếu nào.")
        return
    lines = []
    for t in tickets[:200]:
        which, left = deadline(t, ctx.now)
        lines.append(
            f"| [{t.id}](?page=phieu&ticket={t.id}) | {SEVERITY_ICONS.get(t.severity, '')} {label(SEVERITY_LABELS, t.severity)} "
            f"| {snippet(t.title, 80).replace('|', '/')} | {ctx.profile.unit_name(t.lead_unit)} "
            f"| {label(TICKET_STATUS_LABELS, t.status)} | {which}: {left} |"
        )
    st.markdown(
        "| Số phiếu | Mức độ | Tiêu đề | Chủ trì | Trạng thái | Thời hạn |\n|---|---|---|---|---|---|\n"
        + "\n".join(lines)
    )


def _detail(ctx: PageContext, tickets: list[Ticket]) -> None:
    st.subheader("Chi tiết phiếu")
    ids = [t.id for t in tickets]
    wanted = st.query_params.get("ticket")
    current = st.session_state.get("tk_detail")
    if current and current not in ids and current != wanted:
        ids.insert(0, current)  # just acted on: it left the filtered list, keep showing it
    if wanted and wanted not in ids:
        ids.insert(0, wanted)  # the service decides whether this user may open it
    if wanted and st.session_state.get("_tk_from_url") != wanted:
        st.session_state["tk_detail"] = wanted
        st.session_state["_tk_from_url"] = wanted
    if not ids:
        return
    by_id = {t.id: t for t in tickets}
    ticket_id = st.selectbox(
        "Phiếu",
        ids,
        key="tk_detail",
        format_func=lambda i: f"{i} — {snippet(by_id[i].title, 80)}" if i in by_id else f"Phiếu {i}",
    )
    try:
        ticket = ctx.triage.get_ticket(ctx.user, str(ticket_id))
    except GiamsatError as exc:
        st.error(error_message(exc))
        return
    _summary(ctx, ticket)
    _transition(ctx, ticket)
    _comment(ctx, ticket)
    if ctx.can_act:
        _assign(ctx, ticket)
    _history(ctx, ticket)


def _summary(ctx: PageContext, t: Ticket) -> None:
    st.markdown(f"### Phiếu {t.id}: {t.title}")
    which, left = deadline(t, ctx.now)
    st.markdown(
        f"**Trạng thái:** {label(TICKET_STATUS_LABELS, t.status)} · **{which}:** {left}"
        f"  \n**Mức độ:** {SEVERITY_ICONS.get(t.severity, '')} {label(SEVERITY_LABELS, t.severity)}"
        f" · **Phân loại:** {label(CATEGORY_LABELS, t.category)}"
        f"  \n**Chủ trì:** {ctx.profile.unit_name(t.lead_unit)}"
        f" · **Phối hợp:** {', '.join(ctx.profile.unit_name(c) for c in t.co_units) or '—'}"
        + (f"  \n**Quy tắc điều phối:** {t.rule}" if t.rule else "")
        + f"  \n**Tạo lúc:** {fmt_datetime(t.created)}"
        + (f" · **Hạn tiếp nhận:** {fmt_datetime(t.due_ack)}" if t.due_ack else "")
        + (f" · **Hạn trả lời:** {fmt_datetime(t.due)}" if t.due else "")
        + (f"  \n**Tiếp nhận lúc:** {fmt_datetime(t.acknowledged_at)}" if t.acknowledged_at else "")
        + (f"  \n**Trả lời lúc:** {fmt_datetime(t.answered_at)}" if t.answered_at else "")
    )
    if t.summary:
        st.markdown(f"**Tóm tắt:** {t.summary}")
    if t.answer_text or t.answer_url:
        st.success(
            f"Nội dung trả lời: {t.answer_text or ''}"
            + (f"  \n[Văn bản trả lời]({t.answer_url})" if t.answer_url else "")
        )
    if t.item_ids:
        items = ctx.store.get_items(t.item_ids[:10])
        st.markdown("**Tin liên quan**\n" + "\n".join(f"- [{i.title or i.url}]({i.url})" for i in items if i))
    if t.escalations:
        st.warning(
            "Đã nhắc/báo cáo vượt cấp: "
            + "; ".join(f"{e.get('kind', '')} {e.get('at', '')}" for e in t.escalations)
        )


def _transition(ctx: PageContext, t: Ticket) -> None:
    targets = targets_for(ctx, t)
    if not targets:
        return
    key = f"tk_{t.id}"
    with st.form(f"{key}_transition"):
        st.markdown("**Chuyển trạng thái**")
        to = st.selectbox("Sang trạng thái", targets, format_func=TICKET_STATUS_LABELS.get, key=f"{key}_to")
        note = st.text_area("Ghi chú / lý do", key=f"{key}_note")
        answer = st.text_area("Nội dung trả lời (khi phản hồi)", key=f"{key}_answer")
        url = st.text_input("Đường dẫn văn bản trả lời (nếu có)", key=f"{key}_url")
        if st.form_submit_button("Cập nhật"):
            if to in NEEDS_REASON and not note.strip():
                st.error(f"Cần ghi lý do khi chuyển sang '{TICKET_STATUS_LABELS.get(to, to)}'.")
                return
            if to == "da-phan-hoi" and not (answer.strip() or url.strip()):
                st.error("Cần nhập nội dung trả lời hoặc đường dẫn văn bản trả lời.")
                return
            done = guarded(
                lambda: ctx.triage.transition(
                    ctx.user,
                    str(t.id),
                    to,
                    expected_version=t.version,
                    note=note.strip() or None,
                    answer_text=answer.strip() or None,
                    answer_url=url.strip() or None,
                )
            )
            if done:
                flash(f"Phiếu {t.id}: đã chuyển sang '{TICKET_STATUS_LABELS.get(to, to)}'.")
                st.rerun()


def _comment(ctx: PageContext, t: Ticket) -> None:
    st.markdown("**Trao đổi**")
    for c in t.comments:
        link = f" — [liên kết]({c['link']})" if c.get("link") else ""
        st.markdown(
            f"- *{c.get('actor', c.get('by', ''))}* ({fmt_datetime(_dt(c.get('at')))}): {c.get('text', '')}{link}"
        )
    for a in t.attachments:
        st.markdown(f"- 📎 [{a.get('name') or a.get('url')}]({a.get('url')})")
    key = f"tk_{t.id}"
    with st.form(f"{key}_comment", clear_on_submit=True):
        text = st.text_area("Bình luận", key=f"{key}_ctext")
        link = st.text_input("Liên kết tài liệu (tùy chọn)", key=f"{key}_clink")
        if st.form_submit_button("Gửi bình luận"):
            if not text.strip():
                st.error("Bình luận không được để trống.")
            elif link.strip() and not link.strip().startswith(("http://", "https://")):
                st.error("Liên kết phải bắt đầu bằng http:// hoặc https://")
            elif guarded(lambda: ctx.triage.comment(ctx.user, str(t.id), text.strip(), link.strip() or None)):
                flash("Đã gửi bình luận.")
                st.rerun()


def _assign(ctx: PageContext, t: Ticket) -> None:
    with st.expander("Giao lại đơn vị"), st.form(f"tk_{t.id}_assign"):
        units = [u.code for u in ctx.profile.units]
        lead = st.selectbox(
            "Đơn vị chủ trì",
            units,
            index=units.index(ctx.profile.current_unit(t.lead_unit))
            if ctx.profile.current_unit(t.lead_unit) in units
            else 0,
            format_func=ctx.profile.unit_name,
            key=f"tk_{t.id}_lead",
        )
        co = st.multiselect(
            "Đơn vị phối hợp",
            units,
            default=[c for c in dict.fromkeys(map(ctx.profile.current_unit, t.co_units)) if c in units],
            format_func=ctx.profile.unit_name,
            key=f"tk_{t.id}_co",
        )
        reason = st.text_input("Lý do", key=f"tk_{t.id}_why")
        if st.form_submit_button("Giao lại") and guarded(
            lambda: ctx.triage.assign(ctx.user, str(t.id), lead, co, reason.strip())
        ):
            flash(f"Phiếu {t.id}: đã giao {ctx.profile.unit_name(lead)} chủ trì.")
            st.rerun()


def _history(ctx: PageContext, t: Ticket) -> None:
    st.markdown("**Lịch sử xử lý**")
    if not t.history:
        st.caption("Chưa có thay đổi nào.")
        return
    rows = []
    for e in t.history:
        before, after = e.before.get("status"), e.after.get("status")
        change = (
            f"{label(TICKET_STATUS_LABELS, before)} → {label(TICKET_STATUS_LABELS, after)}"
            if after and before != after
            else ""
        )
        # Unit codes recorded in the log (possibly of dissolved units) shown by current name.
        lead_before, lead_after = e.before.get("lead_unit"), e.after.get("lead_unit")
        unit = ""
        if lead_after:
            unit = ctx.profile.unit_name(lead_after)
            if lead_before and lead_before != lead_after:
                unit = f"{lead_before} → {lead_after}: {unit}"
        rows.append(
            {
                "Thời gian": fmt_datetime(e.at),
                "Người thực hiện": e.actor,
                "Thao tác": ACTION_LABELS.get(e.action, e.action),
                "Trạng thái": change,
                "Đơn vị chủ trì": unit,
                "Ghi chú": e.note or "",
            }
        )
    st.dataframe(rows, hide_index=True, width="stretch")


def _dt(value):  # type: ignore[no-untyped-def]
    try:
        return parse_dt(value)
    except ValueError:
        return None
