"""Điểm tin: the daily briefing — KPIs, volume and sentiment over time, topics, localities, top
stories, spike alerts and the DOCX report."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from giamsat.core.errors import GiamsatError
from giamsat.core.timeutil import fmt_date, fmt_datetime, fmt_number, local_day_bounds, to_local
from giamsat.dashboard import queries
from giamsat.dashboard.ui import ALERT_STATUS_LABELS, SENTIMENT_LABELS, error_message, label, snippet
from giamsat.dashboard.views import PageContext
from giamsat.storage.base import Query

log = logging.getLogger("giamsat.dashboard.briefing")

RANGES = {1: "Trong ngày", 7: "7 ngày", 30: "30 ngày"}
SENTIMENT_COLOURS = {
    "Tích cực": "#2e7d32",
    "Trung tính": "#9e9e9e",
    "Tiêu cực": "#c62828",
    "Chưa phân tích": "#cfd8dc",
}


def period(day: date, days: int) -> tuple[datetime, datetime]:
    """UTC bounds of the ``days`` local days ending with ``day`` (inclusive)."""
    since, _ = local_day_bounds(day - timedelta(days=days - 1))
    _, until = local_day_bounds(day)
    return since, until


def _pct(part: int, whole: int) -> str:
    return f"{fmt_number(100 * part / whole, 1)}%" if whole else "0%"


def default_day(ctx: PageContext) -> date:
    """Today, or - when nothing has arrived yet today (early morning, a stopped crawler, the demo's
    fixed dates) - the latest day that has items, so the briefing never opens on an empty page."""
    today = to_local(ctx.now).date()
    since, until = local_day_bounds(today)
    if queries.count(ctx.uri, queries.params(since, until)):
        return today
    latest = ctx.store.search(Query(until=until), limit=1).items
    return to_local(latest[0].published or latest[0].fetched).date() if latest else today


def render(ctx: PageContext) -> None:
    st.header(":material/newspaper: Điểm tin")
    today = to_local(ctx.now).date()
    start = default_day(ctx)
    c1, c2 = st.columns([1, 1])
    day = c1.date_input("Ngày", value=start, max_value=today, format="DD/MM/YYYY", key="brief_day")
    if start != today and day == start:
        st.info(f"Hôm nay chưa có tin mới; đang hiển thị ngày gần nhất có dữ liệu ({fmt_date(start)}).")
    days = c2.selectbox("Khoảng thời gian", list(RANGES), format_func=RANGES.get, key="brief_range")
    since, until = period(day, days)
    p = queries.params(since, until)
    prev = queries.params(since - timedelta(days=days), since)
    st.caption(f"Từ {fmt_datetime(since)} đến {fmt_datetime(until)} (giờ Việt Nam)")

    chart_since, chart_until = period(day, max(days, 14))
    data = queries.briefing(ctx.uri, p, prev, queries.params(chart_since, chart_until))
    _kpis(data)
    _volume_chart(data)
    left, right = st.columns(2)
    with left:
        _topics(ctx, data["topic"])
    with right:
        _localities(data["locality"])
    _top_stories(data["stories"], days > queries.STORY_DAYS)
    _spikes(ctx, since, until)
    _report_button(ctx, day)


def _kpis(data: dict[str, Any]) -> None:
    total, prev_total = data["total"], data["prev_total"]
    sentiments, categories, severities = (dict(data[k]) for k in ("sentiment", "category", "severity"))
    cols = st.columns(6)
    cols[0].metric(
        "Tổng số tin", fmt_number(total, 0), delta=fmt_number(total - prev_total, 0) + " so với kỳ trước"
    )
    neg = sentiments.get("tieu-cuc", 0)
    cols[1].metric("Tin tiêu cực", fmt_number(neg, 0), delta=_pct(neg, total), delta_color="off")
    cols[2].metric("Phản ánh", fmt_number(categories.get("phan-anh", 0), 0))
    cols[3].metric("Sai sự thật", fmt_number(categories.get("sai-su-that", 0), 0))
    cols[4].metric("Xấu, độc", fmt_number(categories.get("xau-doc", 0), 0))
    cols[5].metric("Rủi ro khẩn/cao", fmt_number(severities.get("khan", 0) + severities.get("cao", 0), 0))


def _volume_chart(data: dict[str, Any]) -> None:
    st.subheader("Số lượng tin và sắc thái theo ngày")
    rows: list[dict[str, Any]] = []
    days: set[date] = set()
    for code, name in SENTIMENT_LABELS.items():
        for d, n in data[f"hist_{code}"]:
            rows.append({"day": d, "Sắc thái": name, "Số tin": n})
            days.add(d)
    if not rows:
        st.info("Chưa có tin nào trong khoảng thời gian này.")
        return
    frame = pd.DataFrame(rows)
    frame["Ngày"] = frame["day"].map(lambda d: d.strftime("%d/%m"))
    order = [d.strftime("%d/%m") for d in sorted(days)]
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("Ngày:O", title="Ngày", sort=order, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("Số tin:Q", title="Số tin", stack=True),
            color=alt.Color(
                "Sắc thái:N",
                scale=alt.Scale(domain=list(SENTIMENT_COLOURS), range=list(SENTIMENT_COLOURS.values())),
            ),
            tooltip=["Ngày:O", "Sắc thái:N", "Số tin:Q"],
        )
        .properties(height=260)
    )
    st.altair_chart(chart, width="stretch")


def _topics(ctx: PageContext, counts: list[tuple[str, int]]) -> None:
    st.subheader("Chủ đề")
    if not counts:
        st.info("Chưa có tin được gắn chủ đề.")
        return
    frame = pd.DataFrame(
        [
            {"Chủ đề": (ctx.profile.topic(code).name if ctx.profile.topic(code) else code), "Số tin": n}
            for code, n in counts
        ]
    )
    chart = (
        alt.Chart(frame)
        .mark_bar(color="#1565c0")
        .encode(x=alt.X("Số tin:Q"), y=alt.Y("Chủ đề:N", sort="-x", title=None), tooltip=["Chủ đề", "Số tin"])
        .properties(height=max(120, 24 * len(frame)))
    )
    st.altair_chart(chart, width="stretch")


def _localities(counts: list[tuple[str, int]]) -> None:
    st.subheader("Địa bàn được nhắc đến nhiều")
    if not counts:
        st.info("Chưa có tin nêu địa bàn.")
        return
    frame = pd.DataFrame([{"Hạng": i, "Địa bàn": name, "Số tin": n} for i, (name, n) in enumerate(counts, 1)])
    st.dataframe(frame, hide_index=True, width="stretch")


def _top_stories(stories: list[Any], last_week_only: bool) -> None:
    st.subheader("Sự kiện nổi bật")
    if last_week_only:
        st.caption(f"Trong {queries.STORY_DAYS} ngày cuối của khoảng thời gian đã chọn.")
    if not stories:
        st.info("Chưa có sự kiện nào.")
        return
    lines = []
    for i, s in enumerate(stories, 1):
        title = snippet(s.title, 140) or "(không tiêu đề)"
        link = f"[{title}]({s.url})" if s.url.startswith("http") else title
        lines.append(
            f"{i}. {link} — {s.items} tin, {s.sources} nguồn, {fmt_number(s.engagement, 0)} tương tác, "
            f"rủi ro {fmt_number(s.max_risk, 2)}, {label(SENTIMENT_LABELS, s.sentiment).lower()}; "
            f"từ {fmt_datetime(s.first_seen)}"
        )
    st.markdown("\n".join(lines))


def _spikes(ctx: PageContext, since: datetime, until: datetime) -> None:
    st.subheader("Cảnh báo đột biến")
    try:
        alerts = ctx.triage.list_alerts(ctx.user, kind="spike", limit=100)
    except GiamsatError as exc:
        st.error(error_message(exc))
        return
    spikes = [a for a in alerts if a.kind == "spike" and since <= a.created < until]
    if not spikes:
        st.caption("Không có đột biến trong khoảng thời gian này.")
        return
    for a in sorted(spikes, key=lambda a: a.created, reverse=True):
        cause = "; ".join(a.reasons) or "—"
        st.markdown(
            f"**{a.title}** ({fmt_datetime(a.created)}, {label(ALERT_STATUS_LABELS, a.status).lower()})  \n"
            f"Nguyên nhân: {cause}"
        )


def _report_builder() -> Any | None:
    """The triage engineer's report builder and DOCX renderer, when they exist."""
    if (
        importlib.util.find_spec("giamsat.triage.reports") is None
        or importlib.util.find_spec("giamsat.triage.export") is None
    ):
        return None
    reports = importlib.import_module("giamsat.triage.reports")
    docx = importlib.import_module("giamsat.triage.export")
    if not (hasattr(reports, "build_report") and hasattr(docx, "to_docx")):
        return None

    def build(profile: Any, store: Any, day: date) -> bytes:
        with tempfile.TemporaryDirectory(prefix="giamsat-report-") as tmp:
            out = docx.to_docx(
                profile, reports.build_report(profile, store, "daily", day), Path(tmp) / "bao-cao.docx"
            )
            return Path(out).read_bytes()

    return build


def _report_button(ctx: PageContext, day: date) -> None:
    st.subheader("Báo cáo điểm tin (DOCX)")
    builder = _report_builder()
    if builder is None:
        st.caption("Chức năng xuất báo cáo DOCX chưa sẵn sàng.")
        return

    def build() -> bytes:
        return builder(ctx.profile, ctx.store, day)

    st.download_button(
        "Tải báo cáo DOCX",
        data=build,  # built only on click, off the page run
        file_name=f"diem-tin-{day:%Y%m%d}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="brief_docx",
    )
    st.caption(f"Báo cáo ngày {fmt_date(day)}")
