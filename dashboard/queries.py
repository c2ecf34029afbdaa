"""Cached aggregate queries: every number on a page comes from one of these.

They never load rows into pandas: counts, facets, histograms and top stories are GROUP BY
queries in the store. Results are cached a short time (``TTL``) keyed on the store URI and a
plain dict of filters, so many users opening the same briefing cost one query.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

import streamlit as st

from giamsat.core.codes import SENTIMENTS
from giamsat.core.model import parse_dt
from giamsat.dashboard.resources import _store
from giamsat.storage.base import Page, Query, StorySummary

TTL = 60  # seconds: fresh enough for a newsroom, cheap enough for 1M items
STORY_DAYS = 7  # top stories cover at most the last week of the chosen range

_LIST_FIELDS = (
    "source_ids",
    "kinds",
    "sentiments",
    "categories",
    "severities",
    "topics",
    "localities",
    "languages",
)


def params(
    since: datetime | None = None,
    until: datetime | None = None,
    **filters: Any,
) -> dict[str, Any]:
    """A hashable-by-Streamlit description of a ``Query`` (datetimes as ISO strings)."""
    out: dict[str, Any] = {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
    }
    for key, value in filters.items():
        if key in _LIST_FIELDS:
            out[key] = sorted(value or [])
        elif value not in (None, "", []):
            out[key] = value
    return out


def to_query(p: dict[str, Any]) -> Query:
    q = Query(since=parse_dt(p.get("since")), until=parse_dt(p.get("until")))
    for key, value in p.items():
        if key in ("since", "until"):
            continue
        setattr(q, key, list(value) if key in _LIST_FIELDS else value)
    return q


@st.cache_data(ttl=TTL, show_spinner=False)
def count(uri: str, p: dict[str, Any]) -> int:
    return _store(uri).count(to_query(p))


@st.cache_data(ttl=TTL, show_spinner=False)
def facet(uri: str, name: str, p: dict[str, Any], limit: int = 20) -> list[tuple[str, int]]:
    return _store(uri).facet(name, to_query(p), limit=limit)


@st.cache_data(ttl=TTL, show_spinner=False)
def histogram(uri: str, p: dict[str, Any]) -> list[tuple[date, int]]:
    return _store(uri).histogram(to_query(p))


@st.cache_data(ttl=TTL, show_spinner=False)
def top_stories(uri: str, p: dict[str, Any], limit: int = 10) -> list[StorySummary]:
    return _store(uri).top_stories(to_query(p), limit=limit)


@st.cache_data(ttl=30, show_spinner=False)
def search(uri: str, p: dict[str, Any], limit: int = 25, offset: int = 0) -> Page:
    return _store(uri).search(to_query(p), limit=limit, offset=offset)


# A few long-lived worker threads: each keeps its own SQLite connection (the store is per-thread),
# and SQLite releases the GIL while it scans, so a page's independent aggregates overlap.
_POOL = ThreadPoolExecutor(max_workers=3, thread_name_prefix="giamsat-query")


def run_parallel(calls: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    futures = {name: _POOL.submit(fn) for name, fn in calls.items()}
    return {name: f.result() for name, f in futures.items()}


@st.cache_data(ttl=TTL, show_spinner=False)
def briefing(uri: str, p: dict[str, Any], prev: dict[str, Any], chart: dict[str, Any]) -> dict[str, Any]:
    """Every number of the Điểm tin page in one go: KPIs for ``p`` (and ``prev`` for the trend),
    facets, top stories, and per-sentiment daily counts over ``chart`` (which must cover ``p``:
    the negative-item KPI is summed from those daily counts instead of costing another scan).
    Items not analysed yet count in the total only; the sentiment histograms use the
    (sentiment, ts) index, a plain per-day total would scan the rows and cost as much as all three."""
    store = _store(uri)
    q, q_prev, q_chart = to_query(p), to_query(prev), to_query(chart)
    calls: dict[str, Callable[[], Any]] = {
        "total": lambda: store.count(q),
        "prev_total": lambda: store.count(q_prev),
        "category": lambda: store.facet("category", q),
        "severity": lambda: store.facet("severity", q),
        "topic": lambda: store.facet("topic", q, limit=20),
        "locality": lambda: store.facet("locality", q, limit=15),
        "stories": lambda: store.top_stories(_last_days(q, STORY_DAYS), limit=10),
    }
    for code in SENTIMENTS:
        calls[f"hist_{code}"] = partial(store.histogram, replace(q_chart, sentiments=[code]))
    out = run_parallel(calls)
    first, last = q.since, q.until
    out["sentiment"] = [
        (code, sum(n for d, n in out[f"hist_{code}"] if _in_period(d, first, last))) for code in SENTIMENTS
    ]
    return out


def _last_days(q: Query, days: int) -> Query:
    """The last ``days`` days of ``q``: grouping a month of items by story costs seconds at 1M
    items, and a briefing's "top stories" are the recent ones anyway."""
    if q.until and q.since and q.until - q.since > timedelta(days=days):
        return replace(q, since=q.until - timedelta(days=days))
    return q


def _in_period(day: date, since: datetime | None, until: datetime | None) -> bool:
    from giamsat.core.timeutil import to_local

    return (since is None or day >= to_local(since).date()) and (
        until is None or day < to_local(until).date()
    )
