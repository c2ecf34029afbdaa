"""Cảnh báo: the monitor's loop on one screen - the queue (highest risk first), a click on a row
opens the alert right under it with its evidence, and only the actions that fit its state:
claim or release, confirm into a ticket, dismiss, merge into a ticket, snooze. Several rows
selected (or picked by typing in the bulk form) are claimed, snoozed or dismissed at once.

After an action the result shows at the top of the alert's panel - where the eye is - and the
alert stays open even when it leaves the filtered queue, with its new state and ticket link.
Every action goes through the triage service with the logged-in user as ``actor``; the service
checks the role, so a leader sees the queue read-only."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

import streamlit as st

from giamsat.core.errors import GiamsatError
from giamsat.core.model import Alert, Item
from giamsat.core.text import fold
from giamsat.core.timeutil import fmt_datetime, fmt_number
from giamsat.dashboard import safe
from giamsat.dashboard.ui import (
    ALERT_KIND_LABELS,
    ALERT_STATUS_LABELS,
    CATEGORY_LABELS,
    KIND_LABELS,
    SEVERITY_ICONS,
    SEVERITY_LABELS,
    error_message,
    highlight_html,
    label,
    mention_spans,
    phrase_spans,
    risky_phrases,
    snippet,
)
from giamsat.dashboard.views import CHOOSE, PageContext, choose, flash, guarded, show_flashes
from giamsat.storage.base import Query
from giamsat.triage.base import ACTIONABLE
from giamsat.triage.routing import route
from giamsat.triage.workflow import OPEN_STATUSES

MAX_ITEMS_SHOWN = 5
MAX_ALERTS = 500
TIME_WINDOWS = {0: "Mọi thời điểm", 1: "24 giờ qua", 7: "7 ngày qua", 30: "30 ngày qua"}
BULK_ACTIONS = {"claim": "Nhận xử lý", "snooze": "Tạm hoãn 24 giờ", "dismiss": "Bỏ qua"}
PLACE = "alert"


def alert_option(a: Alert) -> str:
    """One line naming an alert in a selection list (plain text: options are never Markdown)."""
    return (
        f"{SEVERITY_ICONS.get(a.severity, '')} {fmt_number(a.risk, 2)} — {snippet(safe.plain(a.title), 90)}"
    )


def filter_alerts(alerts: list[Alert], f: dict[str, Any], now: datetime) -> list[Alert]:
    """Filters applied on the (small) alert collection, then highest risk first."""
    out = []
    for a in alerts:
        if f.get("severity") and a.severity not in f["severity"]:
            continue
        if f.get("category") and a.category not in f["category"]:
            continue
        if f.get("kind") and a.kind not in f["kind"]:
            continue
        if f.get("topics") and not set(a.topics) & set(f["topics"]):
            continue
        if f.get("localities") and not {fold(x) for x in a.localities} & {fold(x) for x in f["localities"]}:
            continue
        if f.get("sources") and not set(a.sources) & set(f["sources"]):
            continue
        if f.get("days") and a.updated < now - timedelta(days=f["days"]):
            continue
        out.append(a)
    return sorted(out, key=lambda a: (-a.risk, a.created))


def render(ctx: PageContext) -> None:
    st.header(":material/notifications_active: Cảnh báo")
    if not ctx.can_act:
        st.caption("Chế độ chỉ xem: chỉ cán bộ giám sát và quản trị được xử lý cảnh báo.")
    f = _filters(ctx)
    server = {k: f[k] for k in ("severity", "category", "kind") if f.get(k)}
    try:
        alerts = ctx.triage.list_alerts(ctx.user, status=f["status"] or None, limit=MAX_ALERTS, **server)
    except GiamsatError as exc:
        st.error(safe.md(error_message(exc), limit=600))
        return
    shown = filter_alerts(alerts, f, ctx.now)
    more = " — chỉ xét 500 cảnh báo cập nhật gần nhất, hãy lọc thêm" if len(alerts) >= MAX_ALERTS else ""
    st.markdown(f"**{len(shown)}** cảnh báo, rủi ro cao nhất trước{more}")
    selected = _queue(ctx, shown) if shown else []
    if not shown:
        st.info("Không có cảnh báo nào khớp bộ lọc.")
    current = _current(ctx, shown, selected)
    if ctx.can_act and shown:
        _bulk(ctx, shown, selected)
    if current:
        _detail(ctx, current)
    else:
        show_flashes(PLACE)


def _filters(ctx: PageContext) -> dict[str, Any]:
    with st.expander("Bộ lọc", expanded=False, icon=":material/filter_list:"):
        c0, c1, c2, c3 = st.columns(4)
        statuses = list(ALERT_STATUS_LABELS)
        f: dict[str, Any] = {
            "status": c0.multiselect(
                "Trạng thái",
                statuses,
                default=["mo"],
                format_func=lambda c: ALERT_STATUS_LABELS[c],
                key="al_status",
                placeholder=choose(statuses),
            ),
            "severity": c1.multiselect(
                "Mức độ",
                list(SEVERITY_LABELS),
                format_func=lambda c: SEVERITY_LABELS[c],
                key="al_sev",
                placeholder=choose(list(SEVERITY_LABELS)),
            ),
            "category": c2.multiselect(
                "Phân loại",
                list(CATEGORY_LABELS),
                format_func=lambda c: CATEGORY_LABELS[c],
                key="al_cat",
                placeholder=choose(list(CATEGORY_LABELS)),
            ),
            "kind": c3.multiselect(
                "Loại cảnh báo",
                list(ALERT_KIND_LABELS),
                format_func=lambda c: ALERT_KIND_LABELS[c],
                key="al_kind",
                placeholder=choose(list(ALERT_KIND_LABELS)),
            ),
        }
        c4, c5, c6, c7 = st.columns(4)
        topics = [t.code for t in ctx.profile.topics]
        f["topics"] = c4.multiselect(
            "Chủ đề", topics, key="al_topic", format_func=ctx.topic_name, placeholder=choose(topics)
        )
        f["localities"] = _split(c5.text_input("Địa bàn (cách nhau bằng dấu phẩy)", key="al_loc"))
        sources = [s.id for s in ctx.profile.sources]
        f["sources"] = c6.multiselect(
            "Nguồn", sources, key="al_src", format_func=ctx.source_name, placeholder=choose(sources)
        )
        f["days"] = c7.selectbox(
            "Thời gian", list(TIME_WINDOWS), format_func=lambda d: TIME_WINDOWS[d], key="al_days"
        )
    return f


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def _queue(ctx: PageContext, shown: list[Alert]) -> list[str]:
    """The queue as a table: a click on a row opens it, several rows are a bulk selection.
    Returns the ids of the selected rows."""
    rows = [
        {
            "Mức độ": f"{SEVERITY_ICONS.get(a.severity, '')} {label(SEVERITY_LABELS, a.severity)}",
            "Rủi ro": fmt_number(a.risk, 2),
            "Tiêu đề": safe.plain(a.title, 160),
            "Phân loại": label(CATEGORY_LABELS, a.category),
            "Loại": label(ALERT_KIND_LABELS, a.kind),
            "Số tin": len(a.item_ids),
            "Trạng thái": label(ALERT_STATUS_LABELS, a.status),
            "Người nhận": ctx.person(a.claimed_by) if a.claimed_by else "",
            "Cập nhật": fmt_datetime(a.updated),
        }
        for a in shown
    ]
    # A new list of rows is a new table: a selection never points at a row that moved.
    digest = hashlib.sha1("|".join(str(a.id) for a in shown).encode()).hexdigest()[:10]
    event: Any = st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(rows), 420),
        on_select="rerun",
        selection_mode="multi-row" if ctx.can_act else "single-row",
        key=f"al_queue_{digest}",
        column_config={"Tiêu đề": st.column_config.TextColumn(width="large")},
    )
    st.caption(
        "Bấm vào một dòng để mở cảnh báo ngay bên dưới"
        + ("; chọn nhiều dòng (ô đầu dòng, Shift hoặc Ctrl) để xử lý hàng loạt." if ctx.can_act else ".")
    )
    picked = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    return [str(shown[i].id) for i in picked if 0 <= i < len(shown)]


def _current(ctx: PageContext, shown: list[Alert], selected: list[str]) -> str | None:
    """Which alert is open: the last one clicked, or the one a link names; it stays open after an
    action even when it leaves the filtered queue."""
    if selected != st.session_state.get("_al_selected", []):
        st.session_state["_al_selected"] = selected
        if selected:
            st.session_state["al_current"] = selected[-1]
    wanted = st.query_params.get("alert")
    if wanted and st.session_state.get("_al_from_url") != wanted:
        st.session_state["al_current"] = wanted
        st.session_state["_al_from_url"] = wanted
    current = st.session_state.get("al_current")
    if current and st.query_params.get("alert") != current:
        st.query_params["alert"] = current
        st.session_state["_al_from_url"] = current
    return current


def _bulk(ctx: PageContext, shown: list[Alert], selected: list[str]) -> None:
    by_id = {str(a.id): a for a in shown}
    open_ids = [i for i, a in by_id.items() if a.status in ACTIONABLE]
    label_ = f"Xử lý hàng loạt ({len(selected)} dòng đang chọn)" if len(selected) > 1 else "Xử lý hàng loạt"
    with st.expander(label_, expanded=len(selected) > 1, icon=":material/checklist:"):
        # keyboard path: type in the list to pick alerts, Tab to the action, Enter submits
        digest = hashlib.sha1("|".join(selected).encode()).hexdigest()[:8]
        with st.form(f"al_bulk_{digest}", clear_on_submit=True):
            chosen = st.multiselect(
                "Cảnh báo",
                open_ids,
                default=[i for i in selected if i in open_ids],
                format_func=lambda i: alert_option(by_id[i]),
                key=f"al_bulk_ids_{digest}",
                placeholder=choose(open_ids),
            )
            c1, c2 = st.columns([1, 2])
            action = c1.radio(
                "Thao tác", list(BULK_ACTIONS), format_func=lambda a: BULK_ACTIONS[a], key="al_bulk_action"
            )
            reason = c2.text_input("Lý do (bắt buộc khi bỏ qua)", key="al_bulk_reason")
            go = st.form_submit_button("Thực hiện", type="primary")
        if not go:
            return
        if not chosen:
            st.error("Chưa chọn cảnh báo nào.")
            return
        if action == "dismiss" and not reason.strip():
            st.error("Cần nhập lý do bỏ qua.")
            return
        kw: dict[str, Any] = {}
        if action == "dismiss":
            kw["reason"] = reason.strip()
        elif action == "snooze":
            kw["until"] = ctx.now + timedelta(hours=24)
        results: Any = guarded(lambda: ctx.triage.bulk(ctx.user, str(action), list(chosen), **kw)) or []
        done = sum(1 for r in results if r.get("ok"))
        flash(f"{BULK_ACTIONS[str(action)]}: đã xử lý {done}/{len(chosen)} cảnh báo.", place=PLACE)
        for r in results:
            if not r.get("ok"):
                flash(safe.md(f"{alert_option(by_id[r['id']])}: {r.get('error')}", limit=400), "error", PLACE)
        st.rerun()


def _detail(ctx: PageContext, alert_id: str) -> None:
    st.divider()
    try:
        alert = ctx.triage.get_alert(ctx.user, alert_id)
    except GiamsatError as exc:
        show_flashes(PLACE)
        st.error(safe.md(error_message(exc), limit=600))
        return
    c1, c2 = st.columns([6, 1])
    c1.subheader(f"{SEVERITY_ICONS.get(alert.severity, '')} {safe.md(alert.title, 200)}", anchor=False)
    if c2.button("Đóng", key="al_close", icon=":material/close:"):
        st.session_state.pop("al_current", None)
        st.query_params.pop("alert", None)
        st.rerun()
    show_flashes(PLACE)
    if ctx.can_act:
        _actions(ctx, alert)
    _summary(ctx, alert)
    items = ctx.triage.read_items(ctx.user, alert.item_ids[:MAX_ITEMS_SHOWN])
    _evidence(ctx, alert, items)
    _similar(ctx, alert)
    _claims(ctx, items)


def _summary(ctx: PageContext, a: Alert) -> None:
    c = st.columns(4)
    c[0].metric("Mức độ", label(SEVERITY_LABELS, a.severity))
    c[1].metric("Điểm rủi ro", fmt_number(a.risk, 2))
    c[2].metric("Số tin", len(a.item_ids))
    c[3].metric("Số nguồn", len(a.sources))
    topics = ", ".join(ctx.topic_name(t) for t in a.topics) or "—"
    lines = [
        f"**Trạng thái:** {label(ALERT_STATUS_LABELS, a.status)} · **Loại:** {label(ALERT_KIND_LABELS, a.kind)}"
        f" · **Phân loại:** {label(CATEGORY_LABELS, a.category)}",
        f"**Chủ đề:** {safe.md(topics)} · **Địa bàn:** {safe.md(', '.join(a.localities) or '—')}",
        f"**Nguồn:** {safe.md(', '.join(ctx.source_name(s) for s in a.sources[:8]) or '—')}",
        f"**Phát hiện lúc:** {fmt_datetime(a.created)} · **Cập nhật:** {fmt_datetime(a.updated)}",
    ]
    if a.claimed_by:
        lines.append(
            f"**Người nhận xử lý:** {safe.md(ctx.person(a.claimed_by))} (đến {fmt_datetime(a.claim_expires)})"
        )
    if a.snoozed_until and a.status == "tam-hoan":
        lines.append(f"**Tạm hoãn đến:** {fmt_datetime(a.snoozed_until)}")
    st.markdown("  \n".join(lines))
    if a.reasons:
        st.markdown("**Lý do cảnh báo:**\n" + "\n".join(f"- {safe.md(r)}" for r in a.reasons[:10]))


def _evidence(ctx: PageContext, alert: Alert, items: list[Item]) -> None:
    st.markdown("**Nội dung** (🟨 địa danh, 🟥 cụm từ nguy cơ)")
    lexicon = [
        p
        for group in ("phan_anh", "sai_su_that", "xau_doc")
        for p in getattr(ctx.profile.category_lexicon, group)
    ]
    for item in items:
        evidence_card(ctx, item, lexicon, alert.reasons)
    if len(alert.item_ids) > len(items):
        st.caption(f"Hiển thị {len(items)}/{len(alert.item_ids)} tin của cảnh báo.")


def evidence_card(ctx: PageContext, item: Item, lexicon: list[str], reasons: list[str] | None = None) -> None:
    """One post as evidence: title linking to the original, when and where, its text with place
    names and risky phrases marked, the reasons the model gave (shared with the ticket page)."""
    enr = item.enrichment
    phrases = risky_phrases((enr.reasons if enr else []) + list(reasons or []), lexicon)
    with st.container(border=True):
        st.markdown(
            f"**{safe.link(item.title or '(không tiêu đề)', item.url)}**  \n"
            f"{fmt_datetime(item.published or item.fetched)} · {safe.md(ctx.source_name(item.source_id))}"
            f" · {label(KIND_LABELS, item.kind)}"
            + (f" · {safe.md(item.author, 80)}" if item.author else "")
            + f" · {fmt_number(item.engagement.total(), 0)} tương tác"
        )
        text = item.text[: safe.TEXT_MAX]
        spans = mention_spans(text, enr.mentions if enr else []) + phrase_spans(text, phrases)
        st.html(f'<div style="line-height:1.6">{highlight_html(text, spans)}</div>')
        if len(item.text) > safe.TEXT_MAX:
            st.caption(
                f"Đã rút gọn: hiển thị {fmt_number(safe.TEXT_MAX, 0)}/{fmt_number(len(item.text), 0)} ký tự."
            )
        shot = item.meta.get("screenshot") if isinstance(item.meta, dict) else None
        if shot:
            _screenshot(str(shot))
        if enr and enr.reasons:
            st.caption("Lý do: " + "; ".join(safe.md(r) for r in enr.reasons[:6]))


def _screenshot(path: str) -> None:
    """A tip's screenshot, read from the server's disk (never fetched from a URL)."""
    from pathlib import Path

    p = Path(path)
    try:
        if (
            p.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp")
            and p.is_file()
            and p.stat().st_size < 10_000_000
        ):
            st.image(p.read_bytes(), caption="Ảnh chụp màn hình kèm tin báo", width=480)
    except OSError:
        st.caption("Không đọc được ảnh chụp màn hình.")


def _similar(ctx: PageContext, alert: Alert) -> None:
    if not alert.story_id:
        return
    page = ctx.triage.search_items(ctx.user, Query(story_id=alert.story_id, order="newest"), limit=12)
    others = [i for i in page.items if i.id not in set(alert.item_ids)][:10]
    st.markdown(f"**Tin cùng sự kiện** ({page.total} tin)")
    if not others:
        st.caption("Không có tin khác cùng sự kiện.")
        return
    st.markdown(
        "\n".join(
            f"- {safe.link(i.title or '(không tiêu đề)', i.url, 160)} — {safe.md(ctx.source_name(i.source_id))}, "
            f"{fmt_datetime(i.published or i.fetched)}"
            for i in others
        )
    )


def claim_matches(items: list[Item]) -> dict[str, float]:
    matches: dict[str, float] = {}
    for item in items:
        for m in item.enrichment.claim_matches if item.enrichment else []:
            cid = str(m.get("claim_id") or m.get("id") or "")
            if cid:
                matches[cid] = max(matches.get(cid, 0.0), float(m.get("score") or 0.0))
    return matches


def show_claims(ctx: PageContext, matches: dict[str, float]) -> None:
    if not matches:
        return
    st.markdown("**Khớp với tin đã bác bỏ**")
    for cid, score in sorted(matches.items(), key=lambda kv: -kv[1]):
        doc = ctx.store.get_doc("claims", cid) or {}
        answer = (
            f"  \n  ✅ Đính chính: {safe.md(doc['answer'], 600)}"
            + (f" ({safe.link('văn bản', doc['answer_url'])})" if doc.get("answer_url") else "")
            if doc.get("answer")
            else ""
        )
        st.markdown(
            f"- Tin sai #{safe.md(cid)} (độ giống {fmt_number(score, 2)}): "
            f"{safe.md(doc.get('text', '(không còn trong danh sách)'), 600)}{answer}"
        )


def _claims(ctx: PageContext, items: list[Item]) -> None:
    show_claims(ctx, claim_matches(items))


def _actions(ctx: PageContext, a: Alert) -> None:
    """Only what fits the alert's state: a confirmed or merged alert links to its ticket, a
    dismissed one says why; an open one can be claimed (or released), confirmed, dismissed,
    merged or snoozed - unless someone else holds it."""
    if a.status in ("da-xac-nhan", "da-gop"):
        if a.ticket_id:
            st.success(
                f"{label(ALERT_STATUS_LABELS, a.status)}: "
                + safe.internal_link(f"mở phiếu {a.ticket_id}", f"page=phieu&ticket={a.ticket_id}")
            )
        return
    if a.status == "bo-qua":
        st.info(f"Đã bỏ qua. Lý do: {safe.md(a.dismiss_reason or '—', 600)}")
        return
    if a.status not in ACTIONABLE:
        return
    key = f"al_{a.id}"
    held_by_other = (
        a.claimed_by and a.claimed_by != ctx.user.username and a.claim_expires and a.claim_expires > ctx.now
    )
    if held_by_other and ctx.user.role != "admin":
        st.info(
            f"Đang do {safe.md(ctx.person(a.claimed_by))} xử lý đến {fmt_datetime(a.claim_expires)}; "
            "chỉ người đó (hoặc quản trị) được thao tác."
        )
        return
    c1, c2, c3 = st.columns([1, 1, 2])
    if a.claimed_by == ctx.user.username:
        if c1.button("Trả lại", key=f"{key}_release", icon=":material/undo:") and guarded(
            lambda: ctx.triage.release(ctx.user, str(a.id))
        ):
            flash("Đã trả lại cảnh báo cho hàng đợi.", place=PLACE)
            st.rerun()
    elif c1.button("Nhận xử lý", key=f"{key}_claim", icon=":material/back_hand:") and guarded(
        lambda: ctx.triage.claim(ctx.user, str(a.id), force=bool(held_by_other))
    ):
        flash("Đã nhận xử lý cảnh báo.", place=PLACE)
        st.rerun()
    if a.status == "mo":
        hours = c3.number_input(
            "Tạm hoãn (giờ)", min_value=1, max_value=24 * 14, value=24, key=f"{key}_hours"
        )
        if c2.button("Tạm hoãn", key=f"{key}_snooze", icon=":material/snooze:") and guarded(
            lambda: ctx.triage.snooze(ctx.user, str(a.id), ctx.now + timedelta(hours=int(hours)))
        ):
            flash(f"Đã tạm hoãn {int(hours)} giờ.", place=PLACE)
            st.rerun()

    confirm_tab, dismiss_tab, merge_tab = st.tabs(["Xác nhận, tạo phiếu", "Bỏ qua", "Gộp vào phiếu"])
    with confirm_tab:
        _confirm(ctx, a, key)
    with dismiss_tab, st.form(f"{key}_dismiss_form"):
        reason = st.text_input("Lý do bỏ qua", key=f"{key}_reason")
        if st.form_submit_button("Bỏ qua cảnh báo"):
            if not reason.strip():
                st.error("Cần nhập lý do bỏ qua.")
            elif guarded(lambda: ctx.triage.dismiss(ctx.user, str(a.id), reason.strip())):
                flash("Đã bỏ qua cảnh báo.", place=PLACE)
                st.rerun()
    with merge_tab:
        _merge(ctx, a, key)


def _confirm(ctx: PageContext, a: Alert, key: str) -> None:
    decision = route(ctx.profile, a.category, a.topics, [], a.severity)
    units = [u.code for u in ctx.profile.units]
    auto = "__auto__"
    with st.form(f"{key}_confirm_form"):
        lead = st.selectbox(
            "Đơn vị chủ trì",
            [auto, *units],
            key=f"{key}_lead",
            format_func=lambda c: f"Theo quy chế: {decision.explanation}" if c == auto else ctx.unit_name(c),
        )
        co = st.multiselect(
            "Đơn vị phối hợp",
            units,
            default=[c for c in decision.co_units if c in units],
            format_func=ctx.unit_name,
            key=f"{key}_co",
            placeholder=choose(units),
        )
        note = st.text_area("Ghi chú cho đơn vị", key=f"{key}_note")
        if st.form_submit_button("Xác nhận và tạo phiếu", type="primary"):
            ticket: Any = guarded(
                lambda: ctx.triage.confirm(
                    ctx.user,
                    str(a.id),
                    lead=None if lead == auto else str(lead),
                    co_units=list(co) or None,
                    note=note.strip() or None,
                )
            )
            if ticket:
                flash(
                    f"Đã tạo phiếu {safe.md(ticket.id)} giao {safe.md(ctx.unit_name(ticket.lead_unit))} chủ trì — "
                    + safe.internal_link("mở phiếu", f"page=phieu&ticket={ticket.id}"),
                    place=PLACE,
                )
                st.rerun()


def _merge(ctx: PageContext, a: Alert, key: str) -> None:
    try:
        tickets = ctx.triage.list_tickets(ctx.user, status=list(OPEN_STATUSES))
    except GiamsatError as exc:
        st.caption(safe.md(error_message(exc), limit=600))
        return
    if not tickets:
        st.caption("Không có phiếu đang mở để gộp.")
        return
    by_id = {str(t.id): t for t in tickets}
    with st.form(f"{key}_merge_form"):
        target = st.selectbox(
            "Phiếu",
            list(by_id),
            key=f"{key}_merge_to",
            format_func=lambda i: f"{i} — {snippet(safe.plain(by_id[i].title), 80)}",
            placeholder=CHOOSE,
        )
        if st.form_submit_button("Gộp vào phiếu") and guarded(
            lambda: ctx.triage.merge(ctx.user, str(a.id), str(target))
        ):
            flash(
                f"Đã gộp vào phiếu {safe.md(target)} — "
                + safe.internal_link("mở phiếu", f"page=phieu&ticket={target}"),
                place=PLACE,
            )
            st.rerun()
