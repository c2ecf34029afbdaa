"""Cached reads: every number and list of items on a page comes from one of these.

They go through the triage service *as the logged-in user* (``triage.reads``), so a unit's
scope is part of the store query itself - the page cannot show, count or export more. They
never load rows into pandas: counts, facets, histograms and top stories are GROUP BY queries in
the store. Results are cached a short time (``TTL``) keyed on ``who`` (store, profile, user) and
a plain dict of filters, so many users opening the same briefing cost one query each.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import streamlit as st

from giamsat.core.errors import PermissionDenied
from giamsat.core.model import parse_dt
from giamsat.core.profile import User
from giamsat.dashboard.resources import _triage
from giamsat.storage.base import Page, Query, StorySummary
from giamsat.triage.briefing import Briefing, build_briefing
from giamsat.triage.service import Triage

TTL = 60  # seconds: fresh enough for a newsroom, cheap enough for 1M items

Who = tuple[str, str, str]  # (store uri, profile name, username)

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


def reader(who: Who) -> tuple[Triage, User]:
    uri, profile_name, username = who
    triage = _triage(profile_name, uri)
    user = triage.profile.user(username)
    if user is None:
        raise PermissionDenied(f"Không có người dùng '{username}'.")
    return triage, user


@st.cache_data(ttl=TTL, show_spinner=False)
def count(who: Who, p: dict[str, Any]) -> int:
    t, u = reader(who)
    return t.count_items(u, to_query(p))


@st.cache_data(ttl=TTL, show_spinner=False)
def facet(who: Who, name: str, p: dict[str, Any], limit: int = 20) -> list[tuple[str, int]]:
    t, u = reader(who)
    return t.facet_items(u, name, to_query(p), limit=limit)


@st.cache_data(ttl=TTL, show_spinner=False)
def histogram(who: Who, p: dict[str, Any]) -> list[tuple[date, int]]:
    t, u = reader(who)
    return t.histogram_items(u, to_query(p))


@st.cache_data(ttl=TTL, show_spinner=False)
def top_stories(who: Who, p: dict[str, Any], limit: int = 10) -> list[StorySummary]:
    t, u = reader(who)
    return t.top_stories(u, to_query(p), limit=limit)


@st.cache_data(ttl=30, show_spinner=False)
def search(who: Who, p: dict[str, Any], limit: int = 25, offset: int = 0) -> Page:
    t, u = reader(who)
    return t.search_items(u, to_query(p), limit=limit, offset=offset)


@st.cache_data(ttl=TTL, show_spinner=False)
def briefing(who: Who, day: date, days: int, now_minute: str) -> Briefing:
    """The Điểm tin page's numbers (``triage.briefing``); ``now_minute`` keys the cache on the
    minute so overdue counts move on."""
    t, u = reader(who)
    return build_briefing(t, u, day, days, now=parse_dt(now_minute))
