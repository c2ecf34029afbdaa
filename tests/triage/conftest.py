"""Triage fixtures: a controllable clock, a Triage on a real SQLite store, enriched items."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from giamsat.core.model import Enrichment, Item, Mention, Scored
from giamsat.core.profile import Profile, User
from giamsat.storage.sqlite import SQLiteStore
from giamsat.triage.service import Triage

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08:00 in Khánh Hòa


class Clock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def triage(profile: Profile, tmp_store: SQLiteStore, clock: Clock) -> Triage:
    return Triage(profile, tmp_store, clock=clock)


@pytest.fixture
def users(profile: Profile) -> dict[str, User]:
    return {u.username: u for u in profile.users}


def make_items(
    store: SQLiteStore,
    n: int,
    story_id: str = "s1",
    risk: float = 0.8,
    category: str = "sai-su-that",
    topics: tuple[str, ...] = ("dat-dai",),
    title: str = "Tin đồn thu hồi đất ven biển Cam Ranh",
    when: datetime = T0,
    prefix: str = "p",
    sources: int = 3,
    sentiment: str = "tieu-cuc",
    wards: tuple[str, ...] = (),
    localities: tuple[str, ...] = ("Cam Ranh",),
    kind: str = "social",
    source_id: str | None = None,
) -> list[Item]:
    """Upsert ``n`` enriched items of one story (reposts) and return them as stored."""
    items = [
        Item(
            source_id=source_id or f"nguon-{i % sources}",
            url=f"https://mxh.example/{prefix}/{story_id}/{i}",
            title=title,
            text=f"{title}. Bài đăng lại số {i}, chia sẻ rầm rộ.",
            kind=kind,
            published=when,
            fetched=when,
        )
        for i in range(n)
    ]
    store.upsert_items(items)
    enr = Enrichment(
        story_id=story_id,
        risk=risk,
        category=Scored(category, 0.9),
        sentiment=Scored(sentiment, 0.9),
        topics=[Scored(t, 0.8) for t in topics],
        localities=list(localities),
        mentions=[Mention(text=w, start=0, end=1, level="ward", code=w) for w in wards],
        province="khanh-hoa",
    )
    store.save_enrichments([(it.id, enr) for it in items])
    return store.get_items([it.id for it in items])


@pytest.fixture
def items_factory(tmp_store: SQLiteStore) -> Callable[..., list[Item]]:
    return lambda n, **kw: make_items(tmp_store, n, **kw)
