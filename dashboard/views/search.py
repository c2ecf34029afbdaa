"""Tìm kiếm: full-text search (with or without diacritics — the store folds both sides), filters,
paged results and a streaming CSV export."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import streamlit as st

from giamsat.core.model import Item
from giamsat.core.timeutil import fmt_date, fmt_datetime, fmt_number, local_day_bounds, to_local
from giamsat.dashboard import export, queries, safe
from giamsat.dashboard.ui import (
    CATEGORY_LABELS,
    KIND_LABELS,
    SENTIMENT_LABELS,
    SEVERITY_ICONS,
    SEVERITY_LABELS,
    label,
    snippet,
)
from giamsat.dashboard.views import PageContext, choose

PAGE_SIZE = 25
ORDERS = {
    "newest": "Mới nhất",
    "oldest": "Cũ nhất",
    "risk": "Rủi ro cao trước",
    "relevance": "Liên quan nhất",
}


def render(ctx: PageContext) -> None:
    st.header(":material/search: Tìm kiếm")
    if ctx.user.role == "unit":
        st.caption("Đơn vị chỉ tìm được các tin, bài thuộc phiếu mà đơn vị chủ trì hoặc phối hợp xử lý.")
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
    source_ids = [s.id for s in ctx.profile.sources]
    sources = c2.multiselect(
        "Nguồn", source_ids, key="q_sources", format_func=ctx.source_name, placeholder=choose(source_ids)
    )
    kinds = c3.multiselect(
        "Loại", list(KIND_LABELS), format_func=lambda k: KIND_LABELS[k], key="q_kinds",
        placeholder=choose(list(KIND_LABELS)),
    )  # fmt: skip
    c4, c5, c6, c7 = st.columns(4)
    topic_codes = [t.code for t in ctx.profile.topics]
    topics = c4.multiselect(
        "Chủ đề", topic_codes, key="q_topics", format_func=ctx.topic_name, placeholder=choose(topic_codes)
    )
    sentiments = c5.multiselect(
        "Sắc thái", list(SENTIMENT_LABELS), format_func=lambda k: SENTIMENT_LABELS[k], key="q_sent",
        placeholder=choose(list(SENTIMENT_LABELS)),
    )  # fmt: skip
    categories = c6.multiselect(
        "Phân loại", list(CATEGORY_LABELS), format_func=lambda k: CATEGORY_LABELS[k], key="q_cat",
        placeholder=choose(list(CATEGORY_LABELS)),
    )  # fmt: skip
    locality_options = [
        safe.plain(name, 80)
        for name, _ in queries.facet(ctx.who, "locality", queries.params(since, until), 200)
    ]
    localities = c7.multiselect(
        "Địa bàn", locality_options, key="q_loc", placeholder=choose(locality_options)
    )
    order = st.selectbox("Sắp xếp", list(ORDERS), format_func=lambda o: ORDERS[o], key="q_order")

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
    total = queries.count(ctx.who, p)
    pages = max(1, -(-total // PAGE_SIZE))
    st.markdown(f"**{fmt_number(total, 0)}** tin từ {fmt_date(start)} đến {fmt_date(end)}")
    page_no = (
        st.number_input("Trang", min_value=1, max_value=pages, value=1, step=1, key="q_page")
        if pages > 1
        else 1
    )
    page = queries.search(ctx.who, p, PAGE_SIZE, (int(page_no) - 1) * PAGE_SIZE)
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
            meta.append(
                f"{SEVERITY_ICONS.get(enr.severity, '')} mức {label(SEVERITY_LABELS, enr.severity).lower()}"
            )
        if enr.localities:
            meta.append("📍 " + ", ".join(enr.localities[:3]))
    head = f"**{safe.link(item.title or '(không tiêu đề)', item.url)}**"
    body = safe.md(snippet(safe.plain(item.text, 2000)), None)
    return f"{head}  \n{safe.md(' · '.join(meta), None)}  \n{body}"


def _export(ctx: PageContext, p: dict[str, Any], total: int) -> None:
    st.subheader("Xuất CSV")
    with_text = st.checkbox("Kèm toàn văn bài viết", key="q_export_text")
    query = queries.to_query(p)
    triage, user = ctx.triage, ctx.user

    def build() -> bytes:
        # Runs on click, in its own thread: the page never waits for a large export. Read through
        # the triage service as the user: a unit exports only its own items.
        path = export.write_items_csv(triage.iter_items(user, query), with_text)
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
