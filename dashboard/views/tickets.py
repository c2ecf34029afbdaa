"""Phiếu xử lý: each unit's inbox with deadline countdowns; a click opens the ticket under it with
the matter itself - the posts' text with evidence marked, links, screenshots, the debunked claim
and its official answer - then what to do (transitions, comments, re-assignment) and the history.

A unit user only ever gets its own tickets: the triage service filters ``list_tickets`` and
refuses ``get_ticket`` for anything else (also when the id comes from ``?ticket=`` in the URL);
the posts are read through the same service, so they stop at the unit's scope too."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import streamlit as st

from giamsat.core.codes import EVENT_ACTION_LABELS, TICKET_ACTION_LABELS
from giamsat.core.errors import GiamsatError
from giamsat.core.model import Event, Ticket, parse_dt
from giamsat.core.timeutil import fmt_datetime
from giamsat.dashboard import safe
from giamsat.dashboard.ui import (
    CATEGORY_LABELS,
    SEVERITY_ICONS,
    SEVERITY_LABELS,
    TICKET_STATUS_LABELS,
    Countdown,
    countdown,
    error_message,
    label,
    snippet,
)
from giamsat.dashboard.views import PageContext, choose, flash, guarded, show_flashes
from giamsat.dashboard.views.alerts import claim_matches, evidence_card, show_claims
from giamsat.triage import access
from giamsat.triage.workflow import (
    ANSWERED_STATUSES,
    NEEDS_REASON,
    OPEN_STATUSES,
    allowed_targets,
)

ALL_UNITS = "__all__"
PLACE = "ticket"
MAX_ITEMS_SHOWN = 10
ACTION_LABELS = {**EVENT_ACTION_LABELS, **TICKET_ACTION_LABELS}
# A unit keeps its answered tickets in view: they leave the list only once closed.
DEFAULT_STATUSES = (*OPEN_STATUSES, "da-phan-hoi")


def targets_for(ctx: PageContext, ticket: Ticket) -> list[str]:
    """Statuses this user may move the ticket to (the service checks again on submit)."""
    return [
        to
        for to in allowed_targets(ticket.status)
        if access.may_transition(ctx.user, ticket, to, ctx.profile)
    ]


def deadline(ticket: Ticket, now: datetime) -> tuple[str, Countdown]:
    """(which deadline, countdown) — acknowledgement first while it is pending, then answer; an
    answered ticket says when it was answered and whether that was on time."""
    if ticket.due_ack and not ticket.acknowledged_at and ticket.status in ("moi", "da-giao"):
        return "Hạn tiếp nhận", countdown(ticket.due_ack, now)
    if ticket.status in ANSWERED_STATUSES:
        at = ticket.answered_at or ticket.closed_at
        if at is None:
            return "Đã trả lời", Countdown("—", "gray")
        late = ticket.due is not None and at > ticket.due
        return "Đã trả lời", Countdown(f"{fmt_datetime(at)} ({'quá hạn' if late else 'đúng hạn'})", "gray")
    return "Hạn trả lời", countdown(ticket.due, now)


def _rule_text(ctx: PageContext, rule_id: str | None) -> str | None:
    if not rule_id:
        return None
    rule = next((r for r in ctx.profile.routing.rules if r.id == rule_id), None)
    return rule.description if rule else rule_id


def render(ctx: PageContext) -> None:
    st.header(":material/assignment: Phiếu xử lý")
    c1, c2 = st.columns(2)
    if ctx.user.role == "unit":
        unit = None
        c1.markdown(f"Hộp phiếu của **{safe.md(ctx.unit_name(ctx.user.unit))}**")
    else:
        choice = c1.selectbox(
            "Đơn vị",
            [ALL_UNITS, *[u.code for u in ctx.profile.units]],
            key="tk_unit",
            format_func=lambda c: "Tất cả đơn vị" if c == ALL_UNITS else ctx.unit_name(c),
        )
        unit = None if choice == ALL_UNITS else choice
    statuses_all = list(TICKET_STATUS_LABELS)
    statuses = c2.multiselect(
        "Trạng thái",
        statuses_all,
        default=list(DEFAULT_STATUSES),
        format_func=lambda s: TICKET_STATUS_LABELS[s],
        key="tk_status",
        placeholder=choose(statuses_all),
    )
    try:
        tickets = ctx.triage.list_tickets(ctx.user, status=statuses or None, unit=unit)
    except GiamsatError as exc:
        st.error(safe.md(error_message(exc), limit=600))
        return
    tickets = sorted(
        tickets, key=lambda t: (t.status in ANSWERED_STATUSES, t.due is None, t.due or t.created)
    )
    selected = _inbox(ctx, tickets)
    current = _current(selected)
    if current:
        _detail(ctx, current)
    else:
        show_flashes(PLACE)


def _inbox(ctx: PageContext, tickets: list[Ticket]) -> str | None:
    st.markdown(f"**{len(tickets)}** phiếu, hạn gần nhất trước")
    if not tickets:
        st.info("Không có phiếu nào.")
        return None
    shown = tickets[:300]
    rows = []
    for t in shown:
        which, left = deadline(t, ctx.now)
        rows.append(
            {
                "Số phiếu": t.id,
                "Mức độ": f"{SEVERITY_ICONS.get(t.severity, '')} {label(SEVERITY_LABELS, t.severity)}",
                "Tiêu đề": snippet(safe.plain(t.title), 90),
                "Chủ trì": ctx.unit_name(t.lead_unit),
                "Phối hợp": ", ".join(ctx.unit_name(c) for c in t.co_units) or "—",
                "Trạng thái": label(TICKET_STATUS_LABELS, t.status),
                "Thời hạn": f"{left.icon} {which}: {left.text}",
            }
        )
    digest = hashlib.sha1("|".join(str(t.id) for t in shown).encode()).hexdigest()[:10]
    event: Any = st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(rows), 380),
        on_select="rerun",
        selection_mode="single-row",
        key=f"tk_inbox_{digest}",
    )
    st.caption("Bấm vào một dòng để mở phiếu ngay bên dưới.")
    picked = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    return str(shown[picked[0]].id) if picked and 0 <= picked[0] < len(shown) else None


def _current(selected: str | None) -> str | None:
    if selected and selected != st.session_state.get("_tk_selected"):
        st.session_state["tk_current"] = selected
    st.session_state["_tk_selected"] = selected
    wanted = st.query_params.get("ticket")
    if wanted and st.session_state.get("_tk_from_url") != wanted:
        st.session_state["tk_current"] = wanted
        st.session_state["_tk_from_url"] = wanted
    current = st.session_state.get("tk_current")
    if current and st.query_params.get("ticket") != current:
        st.query_params["ticket"] = current
        st.session_state["_tk_from_url"] = current
    return current


def _detail(ctx: PageContext, ticket_id: str) -> None:
    st.divider()
    try:
        ticket = ctx.triage.get_ticket(ctx.user, ticket_id)
    except GiamsatError as exc:
        show_flashes(PLACE)
        st.error(safe.md(error_message(exc), limit=600))
        return
    c1, c2 = st.columns([6, 1])
    c1.subheader(f"Phiếu {safe.md(ticket.id)}: {safe.md(ticket.title, 200)}", anchor=False)
    if c2.button("Đóng", key="tk_close", icon=":material/close:"):
        st.session_state.pop("tk_current", None)
        st.query_params.pop("ticket", None)
        st.rerun()
    show_flashes(PLACE)
    _summary(ctx, ticket)
    _matter(ctx, ticket)
    _transition(ctx, ticket)
    _comment(ctx, ticket)
    if ctx.can_act:
        _assign(ctx, ticket)
    _history(ctx, ticket)


def _summary(ctx: PageContext, t: Ticket) -> None:
    which, left = deadline(t, ctx.now)
    c = st.columns(3)
    c[0].metric("Trạng thái", label(TICKET_STATUS_LABELS, t.status))
    c[1].metric("Mức độ", f"{SEVERITY_ICONS.get(t.severity, '')} {label(SEVERITY_LABELS, t.severity)}")
    c[2].metric("Phân loại", label(CATEGORY_LABELS, t.category))
    st.markdown(f"#### {left.icon} {which}: {left.markdown()}")
    lines = [
        f"**Chủ trì:** {safe.md(ctx.unit_name(t.lead_unit))}",
        f"**Phối hợp:** {safe.md(', '.join(ctx.unit_name(c) for c in t.co_units) or '—')}",
    ]
    rule = _rule_text(ctx, t.rule)
    if rule:
        lines.append(f"**Căn cứ phân công:** {safe.md(rule)}")
    times = [f"**Tạo lúc:** {fmt_datetime(t.created)}"]
    if t.due_ack:
        times.append(f"**Hạn tiếp nhận:** {fmt_datetime(t.due_ack)}")
    if t.due:
        times.append(f"**Hạn trả lời:** {fmt_datetime(t.due)}")
    lines.append(" · ".join(times))
    if t.acknowledged_at:
        lines.append(f"**Tiếp nhận lúc:** {fmt_datetime(t.acknowledged_at)}")
    if t.answered_at:
        lines.append(f"**Trả lời lúc:** {fmt_datetime(t.answered_at)}")
    st.markdown("  \n".join(lines))
    if t.summary:
        st.markdown("**Tóm tắt nội dung**")
        st.markdown(safe.md(t.summary, 2000, inline=False))
    if t.answer_text or t.answer_url:
        st.success(
            "**Nội dung trả lời:** "
            + safe.md(t.answer_text or "", 4000, inline=False)
            + (f"  \n{safe.link('Văn bản trả lời', t.answer_url)}" if t.answer_url else "")
        )
    if t.escalations:
        st.warning(
            "Đã nhắc hạn, báo cáo vượt cấp: "
            + "; ".join(
                f"quá hạn {'tiếp nhận' if e.get('kind') == 'ack' else 'trả lời'} "
                f"({fmt_datetime(parse_dt(e.get('at')))})"
                for e in t.escalations
            )
        )


def _matter(ctx: PageContext, t: Ticket) -> None:
    """The posts the unit has to answer for, as evidence - not just their titles."""
    if not t.item_ids:
        return
    items = ctx.triage.read_items(ctx.user, t.item_ids[:MAX_ITEMS_SHOWN])
    st.markdown(f"**Tin, bài liên quan** ({len(t.item_ids)})")
    lexicon = [
        p
        for group in ("phan_anh", "sai_su_that", "xau_doc")
        for p in getattr(ctx.profile.category_lexicon, group)
    ]
    for i, item in enumerate(items):
        if i < 3:
            evidence_card(ctx, item, lexicon)
        else:
            with st.expander(snippet(safe.plain(item.title) or "(không tiêu đề)", 100)):
                evidence_card(ctx, item, lexicon)
    if len(t.item_ids) > len(items):
        st.caption(f"Hiển thị {len(items)}/{len(t.item_ids)} tin.")
    show_claims(ctx, claim_matches(items))


def _transition(ctx: PageContext, t: Ticket) -> None:
    targets = targets_for(ctx, t)
    if not targets:
        return
    key = f"tk_{t.id}"
    with st.form(f"{key}_transition"):
        st.markdown("**Cập nhật xử lý**")
        to = st.selectbox(
            "Chuyển sang trạng thái", targets, format_func=lambda s: TICKET_STATUS_LABELS[s], key=f"{key}_to"
        )
        note = st.text_area("Ghi chú / lý do", key=f"{key}_note")
        answer = st.text_area("Nội dung trả lời (khi phản hồi)", key=f"{key}_answer")
        url = st.text_input("Đường dẫn văn bản trả lời (nếu có)", key=f"{key}_url")
        if st.form_submit_button("Cập nhật", type="primary"):
            target = str(to)
            if target in NEEDS_REASON and not note.strip():
                st.error(f"Cần ghi lý do khi chuyển sang '{TICKET_STATUS_LABELS.get(target, target)}'.")
                return
            if target == "da-phan-hoi" and not (answer.strip() or url.strip()):
                st.error("Cần nhập nội dung trả lời hoặc đường dẫn văn bản trả lời.")
                return
            if url.strip() and safe.safe_url(url) is None:
                st.error("Đường dẫn phải bắt đầu bằng http:// hoặc https://")
                return
            done = guarded(
                lambda: ctx.triage.transition(
                    ctx.user,
                    str(t.id),
                    target,
                    expected_version=t.version,
                    note=note.strip() or None,
                    answer_text=answer.strip() or None,
                    answer_url=url.strip() or None,
                )
            )
            if done:
                flash(f"Đã chuyển phiếu sang '{TICKET_STATUS_LABELS.get(target, target)}'.", place=PLACE)
                st.rerun()


def _comment(ctx: PageContext, t: Ticket) -> None:
    st.markdown("**Trao đổi**")
    for c in t.comments:
        link = f" — {safe.link('liên kết', c['link'])}" if c.get("link") else ""
        who = ctx.person(str(c.get("actor") or c.get("by") or ""))
        st.markdown(
            f"- **{safe.md(who)}** ({fmt_datetime(parse_dt(c.get('at')))}): {safe.md(c.get('text', ''), 2000)}{link}"
        )
    for a in t.attachments:
        st.markdown(f"- 📎 {safe.link(a.get('name') or a.get('url'), a.get('url'))}")
    if not t.comments and not t.attachments:
        st.caption("Chưa có trao đổi.")
    key = f"tk_{t.id}"
    with st.form(f"{key}_comment", clear_on_submit=True):
        text = st.text_area("Bình luận", key=f"{key}_ctext")
        link = st.text_input("Liên kết tài liệu (tùy chọn)", key=f"{key}_clink")
        if st.form_submit_button("Gửi bình luận"):
            if not text.strip():
                st.error("Bình luận không được để trống.")
            elif link.strip() and safe.safe_url(link) is None:
                st.error("Liên kết phải bắt đầu bằng http:// hoặc https://")
            elif guarded(lambda: ctx.triage.comment(ctx.user, str(t.id), text.strip(), link.strip() or None)):
                flash("Đã gửi bình luận.", place=PLACE)
                st.rerun()


def _assign(ctx: PageContext, t: Ticket) -> None:
    with st.expander("Giao lại đơn vị", icon=":material/swap_horiz:"), st.form(f"tk_{t.id}_assign"):
        units = [u.code for u in ctx.profile.units]
        lead = st.selectbox(
            "Đơn vị chủ trì",
            units,
            index=units.index(ctx.profile.current_unit(t.lead_unit))
            if ctx.profile.current_unit(t.lead_unit) in units
            else 0,
            format_func=ctx.unit_name,
            key=f"tk_{t.id}_lead",
        )
        co = st.multiselect(
            "Đơn vị phối hợp",
            units,
            default=[c for c in dict.fromkeys(map(ctx.profile.current_unit, t.co_units)) if c in units],
            format_func=ctx.unit_name,
            key=f"tk_{t.id}_co",
            placeholder=choose(units),
        )
        reason = st.text_input("Lý do", key=f"tk_{t.id}_why")
        if st.form_submit_button("Giao lại") and guarded(
            lambda: ctx.triage.assign(ctx.user, str(t.id), str(lead), list(co), reason.strip())
        ):
            flash(f"Đã giao {safe.md(ctx.unit_name(str(lead)))} chủ trì.", place=PLACE)
            st.rerun()


def history_rows(ctx: PageContext, events: list[Event]) -> list[dict[str, str]]:
    rows = []
    for e in events:
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
                unit = f"{ctx.profile.unit_name(lead_before)} → {unit}"
        rows.append(
            {
                "Thời gian": fmt_datetime(e.at),
                "Người thực hiện": ctx.person(e.actor),
                "Thao tác": ACTION_LABELS.get(e.action, e.action),
                "Trạng thái": change,
                "Đơn vị chủ trì": unit,
                "Ghi chú": safe.plain(e.note or "", 300),
            }
        )
    return rows


def _history(ctx: PageContext, t: Ticket) -> None:
    st.markdown("**Lịch sử xử lý**")
    if not t.history:
        st.caption("Chưa có thay đổi nào.")
        return
    st.dataframe(history_rows(ctx, t.history), hide_index=True, width="stretch")
