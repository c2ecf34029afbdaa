"""Cảnh báo: the alert queue (sorted by risk), an alert's evidence, and the monitor's actions:
claim, confirm (opens a ticket), dismiss, merge into a ticket, snooze — one by one or in bulk.

Every action goes through the triage service with the logged-in user as ``actor``; the service
checks the role, so a leader sees the queue but the buttons only explain they are read-only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import streamlit as st

from giamsat.core.errors import GiamsatError
from giamsat.core.model import Alert, Item
from giamsat.core.text import fold
from giamsat.core.timeutil import fmt_datetime, fmt_number
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
from giamsat.dashboard.views import PageContext, flash, guarded
from giamsat.storage.base import Query
from giamsat.triage.routing import route
from giamsat.triage.workflow import OPEN_STATUSES

MAX_ITEMS_SHOWN = 5
MAX_ALERTS = 500
TIME_WINDOWS = {0: "Mọi thời điểm", 1: "24 giờ qua", 7: "7 ngày qua", 30: "30 ngày qua"}


def alert_option(a: Alert) -> str:
    return f"{SEVERITY_ICONS.get(a.severity, '')} {fmt_number(a.risk, 2)} — {snippet(a.title, 90)} [{a.id}]"


def filter_alerts(alerts: list[Alert], f: dict[str, Any], now: Any) -> list[Alert]:
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
    statuses = st.multiselect(
        "Trạng thái",
        list(ALERT_STATUS_LABELS),
        default=["mo"],
        format_func=ALERT_STATUS_LABELS.get,
        key="al_status",
    )
    f = _filters(ctx)
    # Equality filters run in the store; the multi-valued ones on the (small) result.
    server = {k: f[k] for k in ("severity", "category", "kind") if f.get(k)}
    try:
        alerts = ctx.triage.list_alerts(ctx.user, status=statuses or None, limit=MAX_ALERTS, **server)
    except GiamsatError as exc:
        st.error(error_message(exc))
        return
    shown = filter_alerts(alerts, f, ctx.now)
    more = " — chỉ xét 500 cảnh báo cập nhật gần nhất, hãy lọc thêm" if len(alerts) >= MAX_ALERTS else ""
    st.markdown(f"**{len(shown)}** cảnh báo, xếp theo điểm rủi ro{more}")
    if not shown:
        st.info("Không có cảnh báo nào khớp bộ lọc.")
        return
    st.dataframe(
        [
            {
                "Mức độ": f"{SEVERITY_ICONS.get(a.severity, '')} {label(SEVERITY_LABELS, a.severity)}",
                "Rủi ro": round(a.risk, 2),
                "Tiêu đề": a.title,
                "Loại": label(ALERT_KIND_LABELS, a.kind),
                "Phân loại": label(CATEGORY_LABELS, a.category),
                "Số tin": len(a.item_ids),
                "Trạng thái": label(ALERT_STATUS_LABELS, a.status),
                "Người nhận": a.claimed_by or "",
                "Cập nhật": fmt_datetime(a.updated),
                "Mã": a.id,
            }
            for a in shown
        ],
        hide_index=True,
        width="stretch",
    )
    if ctx.can_act:
        _bulk(ctx, shown)
    _detail(ctx, shown)


def _filters(ctx: PageContext) -> dict[str, Any]:
    with st.expander("Bộ lọc", expanded=False):
        c1, c2, c3 = st.columns(3)
        f: dict[str, Any] = {
            "severity": c1.multiselect(
                "Mức độ", list(SEVERITY_LABELS), format_func=SEVERITY_LABELS.get, key="al_sev"
            ),
            "category": c2.multiselect(
                "Phân loại", list(CATEGORY_LABELS), format_func=CATEGORY_LABELS.get, key="al_cat"
            ),
            "kind": c3.multiselect(
                "Loại cảnh báo", list(ALERT_KIND_LABELS), format_func=ALERT_KIND_LABELS.get, key="al_kind"
            ),
        }
        c4, c5, c6, c7 = st.columns(4)
        f["topics"] = c4.multiselect(
            "Chủ đề",
            [t.code for t in ctx.profile.topics],
            key="al_topic",
            format_func=lambda c: ctx.profile.topic(c).name if ctx.profile.topic(c) else c,
        )
        f["localities"] = _split(c5.text_input("Địa bàn (cách nhau bằng dấu phẩy)", key="al_loc"))
        f["sources"] = c6.multiselect(
            "Nguồn",
            [s.id for s in ctx.profile.sources],
            key="al_src",
            format_func=lambda sid: (ctx.profile.source(sid).name or sid) if ctx.profile.source(sid) else sid,
        )
        f["days"] = c7.selectbox("Thời gian", list(TIME_WINDOWS), format_func=TIME_WINDOWS.get, key="al_days")
    return f


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def _bulk(ctx: PageContext, shown: list[Alert]) -> None:
    with st.expander("Thao tác hàng loạt"):
        by_id = {a.id: a for a in shown}
        chosen = st.multiselect(
            "Chọn cảnh báo", list(by_id), format_func=lambda i: alert_option(by_id[i]), key="al_bulk_ids"
        )
        action = st.selectbox(
            "Thao tác",
            ["claim", "dismiss", "snooze"],
            key="al_bulk_action",
            format_func={"claim": "Nhận xử lý", "dismiss": "Bỏ qua", "snooze": "Tạm hoãn 24 giờ"}.get,
        )
        reason = st.text_input("Lý do (bắt buộc khi bỏ qua)", key="al_bulk_reason")
        if st.button("Thực hiện", key="al_bulk_go", disabled=not chosen):
            if action == "dismiss" and not reason.strip():
                st.error("Cần nhập lý do bỏ qua.")
                return
            kw: dict[str, Any] = {}
            if action == "dismiss":
                kw["reason"] = reason.strip()
            elif action == "snooze":
                kw["until"] = ctx.now + timedelta(hours=24)
            results: Any = guarded(lambda: ctx.triage.bulk(ctx.user, action, list(chosen), **kw)) or []
            flash(f"Đã xử lý {sum(1 for r in results if r.get('ok'))}/{len(chosen)} cảnh báo.")
            for r in results:
                if not r.get("ok"):
                    flash(f"{r['id']}: {r.get('error')}", "error")
            st.session_state.pop("al_bulk_ids", None)
            st.rerun()


def _detail(ctx: PageContext, shown: list[Alert]) -> None:
    st.subheader("Chi tiết cảnh báo")
    ids = [a.id for a in shown]
    wanted = st.query_params.get("alert")
    current = st.session_state.get("al_detail")
    if current and current not in ids and current != wanted:
        ids.insert(0, current)  # just acted on: it left the filtered list, keep showing it
    if wanted and wanted not in ids:
        ids.insert(0, wanted)  # a link to an alert outside the current filter still opens it
    if wanted and st.session_state.get("_al_from_url") != wanted:
        st.session_state["al_detail"] = wanted
        st.session_state["_al_from_url"] = wanted
    by_id = {a.id: a for a in shown}
    alert_id = st.selectbox(
        "Cảnh báo",
        ids,
        key="al_detail",
        format_func=lambda i: alert_option(by_id[i]) if i in by_id else str(i),
    )
    if not alert_id:
        return
    try:
        alert = ctx.triage.get_alert(ctx.user, alert_id)
    except GiamsatError as exc:
        st.error(error_message(exc))
        return
    _summary(ctx, alert)
    items = _items(ctx, alert.item_ids[:MAX_ITEMS_SHOWN])
    _evidence(ctx, alert, items)
    _similar(ctx, alert)
    _claims(ctx, items)
    if ctx.can_act:
        _actions(ctx, alert)


def _summary(ctx: PageContext, a: Alert) -> None:
    st.markdown(f"### {SEVERITY_ICONS.get(a.severity, '')} {a.title}")
    c = st.columns(4)
    c[0].metric("Mức độ", label(SEVERITY_LABELS, a.severity))
    c[1].metric("Điểm rủi ro", fmt_number(a.risk, 2))
    c[2].metric("Số tin", len(a.item_ids))
    c[3].metric("Số nguồn", len(a.sources))
    topics = ", ".join(ctx.profile.topic(t).name if ctx.profile.topic(t) else t for t in a.topics) or "—"
    st.markdown(
        f"**Trạng thái:** {label(ALERT_STATUS_LABELS, a.status)}"
        + (
            f" — đang do **{a.claimed_by}** xử lý (đến {fmt_datetime(a.claim_expires)})"
            if a.claimed_by
            else ""
        )
        + f"  \n**Loại:** {label(ALERT_KIND_LABELS, a.kind)} · **Phân loại:** {label(CATEGORY_LABELS, a.category)}"
        + f"  \n**Chủ đề:** {topics} · **Địa bàn:** {', '.join(a.localities) or '—'}"
        + f"  \n**Tạo lúc:** {fmt_datetime(a.created)} · **Cập nhật:** {fmt_datetime(a.updated)}"
        + (f"  \n**Phiếu:** [{a.ticket_id}](?page=phieu&ticket={a.ticket_id})" if a.ticket_id else "")
        + (f"  \n**Tạm hoãn đến:** {fmt_datetime(a.snoozed_until)}" if a.snoozed_until else "")
        + (f"  \n**Lý do bỏ qua:** {a.dismiss_reason}" if a.dismiss_reason else "")
    )
    if a.reasons:
        st.markdown("**Lý do cảnh báo:**\n" + "\n".join(f"- {r}" for r in a.reasons))


def _items(ctx: PageContext, ids: list[str]) -> list[Item]:
    return ctx.store.get_items(ids)


def _evidence(ctx: PageContext, alert: Alert, items: list[Item]) -> None:
    st.markdown("**Nội dung** (🟨 địa danh, 🟥 cụm từ nguy cơ)")
    lexicon = [
        p
        for group in ("phan_anh", "sai_su_that", "xau_doc")
        for p in getattr(ctx.profile.category_lexicon, group)
    ]
    for item in items:
        enr = item.enrichment
        phrases = risky_phrases((enr.reasons if enr else []) + alert.reasons, lexicon)
        with st.container(border=True):
            source = ctx.profile.source(item.source_id)
            st.markdown(
                f"**[{item.title or '(không tiêu đề)'}]({item.url})**  \n"
                f"{fmt_datetime(item.published or item.fetched)} · {source.name if source and source.name else item.source_id}"
                f" · {label(KIND_LABELS, item.kind)} · {fmt_number(item.engagement.total(), 0)} tương tác"
            )
            spans = mention_spans(item.text, enr.mentions if enr else []) + phrase_spans(item.text, phrases)
            st.html(f'<div style="line-height:1.6">{highlight_html(item.text[:5000], spans)}</div>')
            if enr and enr.reasons:
                st.caption("Lý do: " + "; ".join(enr.reasons))
    if len(alert.item_ids) > len(items):
        st.caption(f"Hiển thị {len(items)}/{len(alert.item_ids)} tin của cảnh báo.")


def _similar(ctx: PageContext, alert: Alert) -> None:
    if not alert.story_id:
        return
    page = ctx.store.search(Query(story_id=alert.story_id, order="newest"), limit=12)
    others = [i for i in page.items if i.id not in set(alert.item_ids)][:10]
    st.markdown(f"**Tin cùng sự kiện** ({page.total} tin)")
    if not others:
        st.caption("Không có tin khác cùng sự kiện.")
        return
    st.markdown(
        "\n".join(
            f"- [{i.title or '(không tiêu đề)'}]({i.url}) — {i.source_id}, {fmt_datetime(i.published or i.fetched)}"
            for i in others
        )
    )


def _claims(ctx: PageContext, items: list[Item]) -> None:
    matches: dict[str, float] = {}
    for item in items:
        for m in item.enrichment.claim_matches if item.enrichment else []:
            cid = str(m.get("claim_id") or m.get("id") or "")
            if cid:
                matches[cid] = max(matches.get(cid, 0.0), float(m.get("score") or 0.0))
    if not matches:
        return
    st.markdown("**Khớp với tin đã bác bỏ**")
    for cid, score in sorted(matches.items(), key=lambda kv: -kv[1]):
        doc = ctx.store.get_doc("claims", cid) or {}
        st.markdown(
            f"- #{cid} (độ giống {fmt_number(score, 2)}): {doc.get('text', '(không còn trong danh sách)')}"
            + (f"  \n  ✅ Đính chính: {doc['answer']}" if doc.get("answer") else "")
        )


def _actions(ctx: PageContext, a: Alert) -> None:
    st.markdown("**Xử lý**")
    key = f"al_{a.id}"
    c1, c2 = st.columns(2)
    if c1.button("Nhận xử lý", key=f"{key}_claim") and guarded(lambda: ctx.triage.claim(ctx.user, a.id)):
        flash(f"Đã nhận xử lý cảnh báo {a.id}.")
        st.rerun()
    hours = c2.number_input("Tạm hoãn (giờ)", min_value=1, max_value=24 * 14, value=24, key=f"{key}_hours")
    if c2.button("Tạm hoãn", key=f"{key}_snooze") and guarded(
        lambda: ctx.triage.snooze(ctx.user, a.id, ctx.now + timedelta(hours=int(hours)))
    ):
        flash(f"Đã tạm hoãn cảnh báo {a.id} {int(hours)} giờ.")
        st.rerun()

    confirm_tab, dismiss_tab, merge_tab = st.tabs(["Xác nhận, tạo phiếu", "Bỏ qua", "Gộp vào phiếu"])
    with confirm_tab:
        decision = route(ctx.profile, a.category, a.topics, [], a.severity)
        units = [u.code for u in ctx.profile.units]
        auto = "__auto__"
        lead = st.selectbox(
            "Đơn vị chủ trì",
            [auto, *units],
            key=f"{key}_lead",
            format_func=lambda c: (
                f"Theo quy tắc điều phối ({decision.explanation})" if c == auto else ctx.profile.unit_name(c)
            ),
        )
        co = st.multiselect("Đơn vị phối hợp", units, format_func=ctx.profile.unit_name, key=f"{key}_co")
        note = st.text_area("Ghi chú cho đơn vị", key=f"{key}_note")
        if st.button("Xác nhận và tạo phiếu", key=f"{key}_confirm", type="primary"):
            ticket = guarded(
                lambda: ctx.triage.confirm(
                    ctx.user,
                    a.id,
                    lead=None if lead == auto else lead,
                    co_units=co or None,
                    note=note.strip() or None,
                )
            )
            if ticket:
                flash(f"Đã tạo phiếu {ticket.id} giao {ctx.profile.unit_name(ticket.lead_unit)} chủ trì.")  # type: ignore[attr-defined]
                st.rerun()
    with dismiss_tab:
        reason = st.text_input("Lý do bỏ qua", key=f"{key}_reason")
        if st.button("Bỏ qua cảnh báo", key=f"{key}_dismiss"):
            if not reason.strip():
                st.error("Cần nhập lý do bỏ qua.")
            elif guarded(lambda: ctx.triage.dismiss(ctx.user, a.id, reason.strip())):
                flash(f"Đã bỏ qua cảnh báo {a.id}.")
                st.rerun()
    with merge_tab:
        try:
            tickets = ctx.triage.list_tickets(ctx.user, status=list(OPEN_STATUSES))
        except GiamsatError as exc:
            st.caption(error_message(exc))
            tickets = []
        if not tickets:
            st.caption("Không có phiếu đang mở để gộp.")
        else:
            by_id = {t.id: t for t in tickets}
            target = st.selectbox(
                "Phiếu",
                list(by_id),
                key=f"{key}_merge_to",
                format_func=lambda i: f"{i} — {snippet(by_id[i].title, 80)}",
            )
            if st.button("Gộp vào phiếu", key=f"{key}_merge") and guarded(
                lambda: ctx.triage.merge(ctx.user, a.id, str(target))
            ):
                flash(f"Đã gộp cảnh báo {a.id} vào phiếu {target}.")
                st.rerun()
