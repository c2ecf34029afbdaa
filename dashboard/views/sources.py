"""Nguồn tin: health of each source as the crawlers record it (collection ``sources``)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard import queries
from dashboard.ui import KIND_LABELS, SOURCE_STATUS_LABELS, label
from dashboard.views import PageContext
from giamsat.timeutil import fmt_datetime
from storage.model import parse_dt


def source_status(doc: dict, enabled: bool) -> str:
    """ok | degraded | down | disabled; the crawler's own ``status`` wins when it set one."""
    if not enabled:
        return "disabled"
    if doc.get("status") in SOURCE_STATUS_LABELS:
        return str(doc["status"])
    failures = int(doc.get("consecutive_failures") or 0)
    if failures >= 3:
        return "down"
    if failures:
        return "degraded"
    return "ok"


def render(ctx: PageContext) -> None:
    st.header(":material/rss_feed: Nguồn tin")
    docs = {d["id"]: d for d in ctx.store.find_docs("sources", limit=5000)}
    last_day = dict(
        queries.facet(ctx.uri, "source_id", queries.params(ctx.now - timedelta(days=1), None), 1000)
    )
    rows = []
    ids = [s.id for s in ctx.profile.sources] + sorted(set(docs) - {s.id for s in ctx.profile.sources})
    for sid in ids:
        source = ctx.profile.source(sid)
        doc = docs.get(sid, {})
        enabled = source.enabled if source else True
        rows.append(
            {
                "Nguồn": (source.name if source and source.name else sid),
                "Mã": sid,
                "Loại": label(KIND_LABELS, source.kind if source else doc.get("kind")),
                "Trạng thái": SOURCE_STATUS_LABELS[source_status(doc, enabled)],
                "Lần thành công gần nhất": fmt_datetime(parse_dt(doc.get("last_success"))),
                "Lỗi gần nhất": doc.get("last_error") or "",
                "Số lần lỗi liên tiếp": int(doc.get("consecutive_failures") or 0),
                "Tin/ngày (trung bình)": doc.get("items_per_day"),
                "Tin 24 giờ qua": last_day.get(sid, 0),
            }
        )
    if not rows:
        st.info("Hồ sơ chưa khai báo nguồn tin nào.")
        return
    bad = [
        r for r in rows if r["Trạng thái"] in (SOURCE_STATUS_LABELS["down"], SOURCE_STATUS_LABELS["degraded"])
    ]
    c1, c2, c3 = st.columns(3)
    c1.metric("Số nguồn", len(rows))
    c2.metric("Nguồn gặp sự cố", len(bad))
    c3.metric("Tin 24 giờ qua", sum(last_day.values()))
    if bad:
        st.warning("Nguồn gặp sự cố: " + ", ".join(r["Nguồn"] for r in bad))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
