"""Tìm kiếm: full-text search (with or without diacritics — the store folds both sides), filters,
paged results and a streaming CSV export."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import streamlit as st

from giamsat.core.model import Item
from giamsat.core.timeutil import fmt_date, fmt_datetime, fmt_number, local_day_bounds, to_local
from giamsat.dashboard import export, queries
from giamsat.dashboard.ui import (
    CATEGORY_LABELS,
    KIND_LABELS,
    SENTIMENT_LABELS,
    SEVERITY_ICONS,
    label,
    snippet,
)
from giamsat.dashboard.views import PageContext

PAGE_SIZE = 25
ORDERS = {
    "newest": "Mới nhất",
    "oldest": "Cũ nhất",
    "risk": "Rủi ro cao trước",
    "relevance": "Liên quan nhất",
}


def render(ctx: PageContext) -> None:
    st.header(":material/search: Tìm kiếm")
    today = to_local(ctx.now).date()
    text = st.text_input(
        "Từ khóa",
        key="q_text",
        placeholder="ví dụ: khai thác cát Cam Ranh, hoặc khai thac cat (không dấu)",
        help='Các từ đều phải có; "cụm từ" trong ngoặc kép; -từ để loại trừ; từ* để tìm theo tiền tố.',
    )
    c1, c2, c3 = st.columns(3)
    dates = c1.date_input(
        "Khoảng ngày",
        value=(today - timedelta(days=6), today),
        max_value=today,
        format="DD/MM/YYYY",
        key="q_dates",
    )
    start, end = (dates[0], dates[-1]) if isinstance(dates, (list, tuple)) and dates else (today, today)
    since, until = local_day_bounds(start)[0], local_day_bounds(end)[1]
    sources = c2.multiselect(
        "Nguồn",
        [s.id for s in ctx.profile.sources] or [],
        key="q_sources",
        format_func=lambda sid: (ctx.profile.source(sid).name or sid) if ctx.profile.source(sid) else sid,
    )
    kinds = c3.multiselect("Loại", list(KIND_LABELS), format_func=KIND_LABELS.get, key="q_kinds")
    c4, c5, c6, c7 = st.columns(4)
    topics = c4.multiselect(
        "Chủ đề",
        [t.code for t in ctx.profile.topics],
        key="q_topics",
        format_func=lambda c: ctx.profile.topic(c).name if ctx.profile.topic(c) else c,
    )
    sentiments = c5.multiselect(
        "Sắc thái", list(SENTIMENT_LABELS), format_func=SENTIMENT_LABELS.get, key="q_sent"
    )
    categories = c6.multiselect(
        "Phân loại", list(CATEGORY_LABELS), format_func=CATEGORY_LABELS.get, key="q_cat"
    )
    locality_options = [
        name for name, _ in queries.facet(ctx.uri, "locality", queries.params(since, until), 200)
    ]
    localities = c7.multiselect("Địa bàn", locality_options, key="q_loc")
    order = st.selectbox("Sắp xếp", list(ORDERS), format_func=ORDERS.get, key="q_order")

    p = queries.params(
        since,
        until,
        text=text.strip() or None,
        source_ids=sources,
        kinds=kinds,
        topics=topics,
        sentiments=sentiments,
        categories=categories,
        localities=localities,
        order=order,
    )
    total = queries.count(ctx.uri, p)
    pages = max(1, -(-total // PAGE_SIZE))
    st.markdown(f"**{fmt_number(total, 0)}** tin từ {fmt_date(start)} đến {fmt_date(end)}")
    page_no = (
        st.number_input("Trang", min_value=1, max_value=pages, value=1, step=1, key="q_page")
        if pages > 1
        else 1
    )
    page = queries.search(ctx.uri, p, PAGE_SIZE, (int(page_no) - 1) * PAGE_SIZE)
    if not page.items:
        st.info("Không có tin nào khớp điều kiện tìm kiếm.")
    else:
        st.markdown("\n\n".join(_result(ctx, item) for item in page.items))
        if pages > 1:
            st.caption(f"Trang {page_no}/{pages}")
    _export(ctx, p, total)


def _result(ctx: PageContext, item: Item) -> str:
    enr = item.enrichment
    source = ctx.profile.source(item.source_id)
    meta = [
        fmt_datetime(item.published or item.fetched),
        (source.name if source and source.name else item.source_id),
        label(KIND_LABELS, item.kind),
    ]
    if enr:
        if enr.sentiment:
            meta.append(label(SENTIMENT_LABELS, enr.sentiment.label))
        if enr.category and enr.category.label != "none":
            meta.append(label(CATEGORY_LABELS, enr.category.label))
        if enr.severity:
            meta.append(f"{SEVERITY_ICONS.get(enr.severity, '')} rủi ro {fmt_number(enr.risk, 2)}")
        if enr.localities:
            meta.append("📍 " + ", ".join(enr.localities[:3]))
    title = (item.title or "(không tiêu đề)").replace("[", "(").replace("]", ")")
    head = f"**[{title}]({item.url})**" if item.url.startswith("http") else f"**{title}**"
    return f"{head}  \n{' · '.join(meta)}  \n{snippet(item.text)}"


def _export(ctx: PageContext, p: dict[str, Any], total: int) -> None:
    st.subheader("Xuất CSV")
    with_text = st.checkbox("Kèm toàn văn bài viết", key="q_export_text")
    query = queries.to_query(p)
    store = ctx.store

    def build() -> bytes:
        # Runs on click, in its own thread: the page never waits for a large export.
        path = export.write_csv(store, query, with_text)
        try:
            return path.read_bytes()
        finally:
            path.unlink(missing_ok=True)

    st.download_button(
        f"Tải CSV ({fmt_number(total, 0)} dòng)",
        data=build,
        file_name=f"giamsat-tim-kiem-{to_local(ctx.now):%Y%m%d-%H%M}.csv",
        mime="text/csv",
        key="q_export",
        disabled=total == 0,
    )
