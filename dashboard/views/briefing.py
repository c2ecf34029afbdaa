"""Điểm tin: what a leader reads in two minutes - five lines, then the numbers with the charts
that carry them: volume by day (every day, zeros included) and by hour with spikes marked,
sentiment share, channels, topics, wards ranked, top stories of the chosen period, top sources
and authors by reach, trending terms, each unit's response figures, spike alerts, and the
report to sign (DOCX, PDF when LibreOffice is installed). Numbers come from
``triage.briefing`` - the same ones the daily report prints."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from giamsat.core.codes import SENTIMENT_LABELS
from giamsat.core.timeutil import fmt_date, fmt_datetime, fmt_number, local_day_bounds, to_local
from giamsat.dashboard import charts, queries, safe
from giamsat.dashboard.ui import ALERT_STATUS_LABELS, label, snippet
from giamsat.dashboard.views import PageContext
from giamsat.storage.base import Query
from giamsat.triage import pdf
from giamsat.triage.briefing import Briefing, summary_lines

RANGES = {1: "Trong ngày", 7: "7 ngày", 30: "30 ngày"}


def default_day(ctx: PageContext) -> date:
    """Today, or - when nothing has arrived yet today (early morning, a stopped crawler, the demo's
    fixed dates) - the latest day that has items, so the briefing never opens on an empty page."""
    today = to_local(ctx.now).date()
    since, until = local_day_bounds(today)
    if queries.count(ctx.who, queries.params(since, until)):
        return today
    latest = ctx.triage.search_items(ctx.user, Query(until=until), limit=1).items
    return to_local(latest[0].published or latest[0].fetched).date() if latest else today


def render(ctx: PageContext) -> None:
    st.header(":material/newspaper: Điểm tin")
    today = to_local(ctx.now).date()
    start = default_day(ctx)
    c1, c2, _ = st.columns([1, 1, 2])
    day = c1.date_input("Ngày", value=start, max_value=today, format="DD/MM/YYYY", key="brief_day")
    days = int(
        c2.selectbox("Khoảng thời gian", list(RANGES), format_func=lambda d: RANGES[d], key="brief_range")
    )
    if not isinstance(day, date):
        day = start
    if start != today and day == start:
        st.info(f"Hôm nay chưa có tin mới; đang hiển thị ngày gần nhất có dữ liệu ({fmt_date(start)}).")
    b = queries.briefing(ctx.who, day, days, ctx.now.replace(second=0, microsecond=0).isoformat())
    st.caption(
        f"Từ {fmt_datetime(b.since)} đến {fmt_datetime(b.until)} (giờ Việt Nam), theo ngày đăng của tin."
    )
    st.markdown("\n".join(f"- {safe.md(line, 400)}" for line in summary_lines(b, ctx.profile)))
    _kpis(b)
    _volume(b, day)
    left, right = st.columns(2)
    with left:
        st.subheader("Tỷ lệ sắc thái", anchor=False)
        st.altair_chart(charts.sentiment_share(b.sentiment, b.total), width="stretch")
        if b.unrated:
            st.caption(f"{fmt_number(b.unrated, 0)} tin chưa được phân tích sắc thái.")
    with right:
        st.subheader("Theo kênh", anchor=False)
        _bars(b.channels, "Kênh")
    left, right = st.columns(2)
    with left:
        st.subheader("Chủ đề", anchor=False)
        _bars([(ctx.topic_name(c), n) for c, n in b.topics], "Chủ đề", "Chưa có tin được gắn chủ đề.")
    with right:
        st.subheader("Xã, phường được nhắc đến nhiều", anchor=False)
        _bars([(safe.plain(name, 60), n) for name, n in b.localities], "Địa bàn", "Chưa có tin nêu địa bàn.")
    _top_stories(ctx, b)
    left, right = st.columns(2)
    with left:
        _reach(
            "Nguồn có sức lan tỏa lớn nhất", [(ctx.source_name(k), n, e) for k, n, e in b.sources], "Nguồn"
        )
    with right:
        _reach(
            "Tác giả, tài khoản có sức lan tỏa lớn nhất",
            [(safe.plain(k, 80), n, e) for k, n, e in b.authors],
            "Tác giả",
        )
    left, right = st.columns(2)
    with left:
        _terms(b)
    with right:
        _spikes(ctx, b)
    _units(b)
    _report_buttons(ctx, day)


def _kpis(b: Briefing) -> None:
    cols = st.columns(5)
    # A change is a signed number against the previous period (Streamlit draws the arrow); the
    # volume itself is neither good nor bad news, so it stays grey.
    cols[0].metric(
        "Tổng số tin",
        fmt_number(b.total, 0),
        delta=charts.signed(b.total - b.prev_total),
        delta_color="off",
        delta_description="so với kỳ trước",
    )
    cols[0].caption(f"Kỳ trước: {fmt_number(b.prev_total, 0)} tin")
    neg, prev_neg = b.negative, b.prev_sentiment.get("tieu-cuc", 0)
    # more negative items is bad news: an increase is red, a fall green
    cols[1].metric(
        "Tin tiêu cực",
        fmt_number(neg, 0),
        delta=charts.signed(neg - prev_neg),
        delta_color="inverse",
        delta_description="so với kỳ trước",
    )
    share = fmt_number(100 * neg / b.total, 1) if b.total else "0"
    cols[1].caption(f"chiếm {share}% tổng số tin")
    cols[2].metric("Phản ánh", fmt_number(b.category.get("phan-anh", 0), 0))
    cols[3].metric(
        "Sai sự thật, xấu độc", fmt_number(b.category.get("sai-su-that", 0) + b.category.get("xau-doc", 0), 0)
    )
    cols[4].metric("Mức khẩn, cao", fmt_number(b.severity.get("khan", 0) + b.severity.get("cao", 0), 0))


def _volume(b: Briefing, day: date) -> None:
    st.subheader("Số tin theo ngày và sắc thái", anchor=False)
    if not any(n for series in b.daily.values() for _, n in series):
        st.info("Chưa có tin được phân tích trong khoảng thời gian này.")
    else:
        st.altair_chart(charts.daily_sentiment(b.daily), width="stretch")
    st.subheader(f"Số tin theo giờ ngày {fmt_date(day)}", anchor=False)
    st.altair_chart(charts.hourly_volume(b.hourly, b.spike_hours), width="stretch")
    if b.spike_hours:
        st.warning(
            "Tăng đột biến lúc "
            + ", ".join(f"{h:%H}:00–{(h + timedelta(hours=1)):%H}:00" for h in b.spike_hours)
            + " — xem mục Cảnh báo đột biến."
        )


def _bars(rows: list[tuple[str, int]], label_: str, empty: str = "Chưa có số liệu.") -> None:
    if not rows:
        st.info(empty)
        return
    st.altair_chart(charts.ranked_bars(rows, label_), width="stretch")


def _top_stories(ctx: PageContext, b: Briefing) -> None:
    st.subheader("Sự kiện nổi bật trong kỳ", anchor=False)
    if not b.stories:
        st.info("Chưa có sự kiện nào.")
        return
    lines = []
    for i, s in enumerate(b.stories, 1):
        lines.append(
            f"{i}\\. {safe.link(snippet(safe.plain(s.title), 140) or '(không tiêu đề)', s.url)} — "
            f"{fmt_number(s.items, 0)} tin, {fmt_number(s.sources, 0)} nguồn, "
            f"{fmt_number(s.engagement, 0)} tương tác; {label(SENTIMENT_LABELS, s.sentiment).lower()}; "
            f"từ {fmt_datetime(s.first_seen)}"
        )
    st.markdown("  \n".join(lines))


def _reach(title: str, rows: list[tuple[str, int, int]], head: str) -> None:
    st.subheader(title, anchor=False)
    if not rows:
        st.caption("Chưa có số liệu.")
        return
    frame = pd.DataFrame(
        [{head: k, "Số tin": fmt_number(n, 0), "Tương tác": fmt_number(e, 0)} for k, n, e in rows]
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def _terms(b: Briefing) -> None:
    st.subheader("Cụm từ nổi lên", anchor=False)
    if not b.terms:
        st.caption("Không có cụm từ nào tăng rõ so với kỳ trước.")
        return
    frame = pd.DataFrame(
        [
            {
                "Cụm từ": safe.plain(t, 60),
                "Kỳ này (tin)": n,
                "Kỳ trước (tin)": p,
                "Thay đổi": charts.change_text(n, p),
            }
            for t, n, p in b.terms
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def _spikes(ctx: PageContext, b: Briefing) -> None:
    st.subheader("Cảnh báo đột biến", anchor=False)
    if not b.spikes:
        st.caption("Không có đột biến trong khoảng thời gian này.")
        return
    for a in sorted(b.spikes, key=lambda a: a.created, reverse=True):
        cause = "; ".join(safe.md(r) for r in a.reasons) or "—"
        st.markdown(
            f"**{safe.md(a.title)}** ({fmt_datetime(a.created)}, {label(ALERT_STATUS_LABELS, a.status).lower()})  \n"
            f"Nguyên nhân: {cause}"
        )


def _units(b: Briefing) -> None:
    st.subheader("Kết quả xử lý phiếu theo đơn vị", anchor=False)
    if not b.units:
        st.caption("Chưa có phiếu xử lý.")
        return
    rows: list[dict[str, Any]] = [
        {
            "Đơn vị chủ trì": k.name,
            "Đang mở": k.open,
            "Quá hạn": k.overdue,
            "Đã trả lời trong kỳ": k.answered,
            "Thời gian trả lời (trung vị)": f"{fmt_number(k.median_hours, 1)} giờ"
            if k.median_hours is not None
            else "—",
        }
        for k in b.units
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _report_buttons(ctx: PageContext, day: date) -> None:
    st.subheader("Báo cáo để trình ký", anchor=False)
    profile, triage, user = ctx.profile, ctx.triage, ctx.user

    def build(variant: str, fmt: str) -> bytes:
        # built only on click, off the page run
        import tempfile
        from pathlib import Path

        from giamsat.triage.export import write_report
        from giamsat.triage.reports import build_report

        report = build_report(profile, triage.store, "daily", day, variant=variant, reader=(triage, user))
        with tempfile.TemporaryDirectory(prefix="giamsat-report-") as tmp:
            out = write_report(profile, report, fmt, Path(tmp) / f"bao-cao.{fmt}")
            return Path(out).read_bytes()

    c1, c2, c3, c4 = st.columns(4)
    mime_docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    c1.download_button(
        "Điểm tin (DOCX)", data=lambda: build("full", "docx"), file_name=f"diem-tin-{day:%Y%m%d}.docx",
        mime=mime_docx, key="brief_docx", icon=":material/description:",
    )  # fmt: skip
    c2.download_button(
        "Bản một trang cho lãnh đạo (DOCX)", data=lambda: build("leader", "docx"),
        file_name=f"diem-tin-lanh-dao-{day:%Y%m%d}.docx", mime=mime_docx, key="brief_docx_leader",
        icon=":material/description:",
    )  # fmt: skip
    if pdf.available():
        c3.download_button(
            "Điểm tin (PDF)", data=lambda: build("full", "pdf"), file_name=f"diem-tin-{day:%Y%m%d}.pdf",
            mime="application/pdf", key="brief_pdf", icon=":material/picture_as_pdf:",
        )  # fmt: skip
        c4.download_button(
            "Bản một trang (PDF)", data=lambda: build("leader", "pdf"),
            file_name=f"diem-tin-lanh-dao-{day:%Y%m%d}.pdf", mime="application/pdf", key="brief_pdf_leader",
            icon=":material/picture_as_pdf:",
        )  # fmt: skip
    else:
        c3.caption("Xuất PDF cần LibreOffice trên máy chủ (docs/dashboard.md).")
    st.caption(f"Báo cáo ngày {fmt_date(day)}")
