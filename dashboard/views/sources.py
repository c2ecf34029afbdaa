"""Nguồn tin: health of each source as the crawlers record it (collection ``sources``)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from giamsat.core.model import parse_dt
from giamsat.core.timeutil import fmt_datetime, fmt_number
from giamsat.crawlers.health import health_rows
from giamsat.dashboard import queries, safe
from giamsat.dashboard.ui import KIND_LABELS, SOURCE_STATUS_LABELS, label
from giamsat.dashboard.views import PageContext


def render(ctx: PageContext) -> None:
    st.header(":material/rss_feed: Nguồn tin")
    last_day = dict(
        queries.facet(ctx.who, "source_id", queries.params(ctx.now - timedelta(days=1), None), 1000)
    )
    rows = []
    # The crawler's own health rules decide the status (silence grows with time, surges against
    # the source's history), so the page, `giamsat sources` and source alerts always agree.
    for doc in health_rows(ctx.store, ctx.profile, ctx.now):
        sid = doc["id"]
        source = ctx.profile.source(sid)
        status = "tat" if doc.get("enabled") is False else doc["status"]
        per_day = doc.get("items_per_day") or {}
        rows.append(
            {
                "Nguồn": safe.plain(doc.get("name") or sid, 120),
                "Loại": label(KIND_LABELS, source.kind if source else doc.get("kind")),
                "Trạng thái": label(SOURCE_STATUS_LABELS, status),
                "Lần thành công gần nhất": fmt_datetime(parse_dt(doc.get("last_success"))),
                "Lỗi gần nhất": safe.plain(doc.get("last_error") or "", 300),
                "Số lần lỗi liên tiếp": int(doc.get("consecutive_failures") or 0),
                "Tin/ngày (trung bình)": fmt_number(sum(per_day.values()) / len(per_day), 1)
                if isinstance(per_day, dict) and per_day
                else fmt_number(float(per_day or 0), 1),
                "Tin 24 giờ qua": last_day.get(sid, 0),
                "_bad": status in ("loi", "im-lang", "tang-dot-bien"),
            }
        )
    if not rows:
        st.info("Hồ sơ chưa khai báo nguồn tin nào.")
        return
    bad = [r for r in rows if r.pop("_bad")]
    c1, c2, c3 = st.columns(3)
    c1.metric("Số nguồn", len(rows))
    c2.metric("Nguồn gặp sự cố", len(bad))
    c3.metric("Tin 24 giờ qua", sum(last_day.values()))
    if bad:
        st.warning("Nguồn gặp sự cố: " + ", ".join(safe.md(r["Nguồn"]) for r in bad))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
