"""The storage interface. Every backend (``sqlite``, ``elasticsearch``) implements ``Store``.

Two kinds of data live in a store:

* **items** - large volume, full-text searched and aggregated; identity is the canonical URL,
  re-crawling never duplicates, a changed text becomes a new revision, the raw payload is kept.
* **documents** - small collections of JSON records (alerts, tickets, claims, sources, outbox,
  labels, crawl state...). Each has an ``id`` and a ``version``; ``put_doc`` with
  ``expected_version`` refuses a stale write (optimistic concurrency) with ``StaleEdit``.

Backends are picked by URI scheme in ``storage.open_store``; the contract tests in
``tests/storage/test_contract.py`` run against each.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

from giamsat.core.model import Enrichment, Event, Item, RawPage

# Fields that ``facet`` can count by. ``topic`` and ``locality`` are multi-valued.
FACETS = (
    "source_id",
    "kind",
    "language",
    "sentiment",
    "category",
    "severity",
    "topic",
    "locality",
    "province",
)

# Document collections known to the backends (they may create others on first use).
COLLECTIONS = (
    "alerts",
    "tickets",
    "claims",
    "sources",
    "outbox",
    "labels",
    "crawl_state",
    "users",
    "reports",
)


# A full-text query is what a person types: a few words, a phrase. Longer input (a pasted article,
# 50,000 words from a script: 150 s in SQLite FTS5) is cut to its first terms by every backend, so
# no caller - CLI, dashboard, API - can make a search take minutes.
MAX_QUERY_TERMS = 32
MAX_QUERY_CHARS = 1000


def capped_query_text(text: str) -> str:
    """The first ``MAX_QUERY_TERMS`` whitespace-separated terms, at most ``MAX_QUERY_CHARS``
    characters (a quoted phrase may be cut open; the backends close it)."""
    terms = text[: MAX_QUERY_CHARS * 2].split()[:MAX_QUERY_TERMS]
    return " ".join(terms)[:MAX_QUERY_CHARS]


@dataclass
class Query:
    """A filtered view of items: used by search, export, facets and histograms alike."""

    text: str | None = None  # full-text, matched with or without diacritics
    since: datetime | None = None  # on published (fetched when unknown), inclusive
    until: datetime | None = None  # exclusive
    source_ids: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    sentiments: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    severities: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    localities: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    province: str | None = None
    story_id: str | None = None
    min_risk: float | None = None
    # Visibility: ``None`` = every item; a list = only these item ids (an empty list: none). The
    # triage layer sets it from the reader's role (``triage.access.item_scope``) so search,
    # export, facets, histograms and top stories all stop at the same line, in the store itself.
    item_ids: list[str] | None = None
    order: str = "newest"  # newest | oldest | risk | relevance


@dataclass
class Page:
    items: list[Item]
    total: int


@dataclass
class UpsertStats:
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    ids: list[str] = field(default_factory=list)  # ids of new or revised items, in input order

    def __iadd__(self, other: UpsertStats) -> UpsertStats:
        self.new += other.new
        self.revised += other.revised
        self.unchanged += other.unchanged
        self.ids.extend(other.ids)
        return self


@dataclass
class StorySummary:
    story_id: str
    title: str
    url: str
    items: int
    sources: int
    engagement: int
    max_risk: float
    sentiment: str | None
    first_seen: datetime | None
    last_seen: datetime | None


@dataclass
class FailedWrites:
    """Writes that could not be stored and wait in the retry queue (Elasticsearch only: a SQLite
    write either commits or raises). Shown by ``giamsat es failures`` and the admin page."""

    path: str = ""
    count: int = 0
    oldest: str | None = None  # ISO time of the oldest queued write
    newest: str | None = None
    by_index: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    reasons: list[tuple[str, int]] = field(default_factory=list)  # most frequent first


@dataclass
class ReplayReport:
    sent: int = 0  # queued writes now stored
    superseded: int = 0  # dropped because the stored document is as new or newer
    failed: int = 0  # still failing: queued again
    busy: bool = False  # another process was replaying the queue; nothing done


@runtime_checkable
class Store(Protocol):
    uri: str

    # -- items -------------------------------------------------------------------------------
    def upsert_items(
        self, items: Iterable[Item], raw: dict[str, bytes | RawPage] | None = None
    ) -> UpsertStats:
        """Insert new items, add a revision when the content changed, ignore exact repeats.

        ``raw`` maps an item's ``key`` (canonical URL) to its raw payload, stored compressed
        (a ``RawPage`` arrives compressed already).
        Assigns ``item.id`` (and ``raw_ref``) on the passed objects.
        """

    def get_item(self, item_id: str) -> Item | None: ...

    def get_items(self, item_ids: list[str]) -> list[Item]:
        """Several items in one round trip, in the order asked; unknown ids are left out."""

    def get_item_by_url(self, url: str) -> Item | None: ...

    def item_revisions(self, item_id: str) -> list[dict[str, Any]]:
        """Earlier revisions, oldest first: ``revision``, ``title``, ``text``, ``content_hash``, ``fetched``."""

    def get_raw(self, raw_ref: str) -> bytes | None: ...

    def save_enrichment(self, item_id: str, enrichment: Enrichment) -> None: ...

    def save_enrichments(self, pairs: Iterable[tuple[str, Enrichment]]) -> None:
        """Save a batch of enrichments at once (one transaction in SQLite, one bulk request in ES)."""

    def pending_enrichment(self, limit: int = 500) -> list[Item]:
        """Items never enriched, or enriched before their latest revision, oldest first."""

    def search(self, query: Query, limit: int = 50, offset: int = 0) -> Page: ...

    def iter_items(self, query: Query, batch: int = 1000) -> Iterator[Item]:
        """Stream every matching item without holding them all in memory (exports, reports)."""

    def count(self, query: Query) -> int: ...

    def facet(self, name: str, query: Query, limit: int = 20) -> list[tuple[str, int]]:
        """Counts by one of ``FACETS`` over the matching items, largest first."""

    def histogram(self, query: Query, tz: str = "Asia/Ho_Chi_Minh") -> list[tuple[date, int]]:
        """Counts per local calendar day."""

    def hourly(self, query: Query, tz: str = "Asia/Ho_Chi_Minh") -> list[tuple[datetime, int]]:
        """Counts per local clock hour (aware datetimes at the hour's start in ``tz``); hours
        without items are left out, the caller fills the gaps."""

    def top_reach(self, name: str, query: Query, limit: int = 10) -> list[tuple[str, int, int]]:
        """``(key, items, engagement)`` by ``source_id`` or ``author``, largest engagement first."""

    def top_stories(self, query: Query, limit: int = 10) -> list[StorySummary]: ...

    def story_stats(self, story_id: str, since: datetime | None = None) -> dict[str, Any]:
        """Reach of one story: ``items``, distinct ``sources``, ``first_seen``, ``last_seen``."""

    # -- documents ---------------------------------------------------------------------------
    def get_doc(self, collection: str, doc_id: str) -> dict[str, Any] | None: ...

    def put_doc(
        self, collection: str, doc: dict[str, Any], expected_version: int | None = None
    ) -> dict[str, Any]:
        """Create or replace ``doc`` (an ``id`` is assigned when missing); returns it with
        ``version`` incremented. With ``expected_version`` the write happens only if the stored
        version equals it, else ``StaleEdit``; ``expected_version=0`` means "must not exist"."""

    def find_docs(
        self,
        collection: str,
        where: dict[str, Any] | None = None,
        order_by: str | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Equality filters on top-level fields (a list value means "any of"); ``order_by`` a
        field name, ``-`` prefix for descending."""

    def count_docs(self, collection: str, where: dict[str, Any] | None = None) -> int: ...

    def delete_doc(self, collection: str, doc_id: str) -> None: ...

    def next_sequence(self, name: str) -> int:
        """A gap-free-ish counter for human-readable numbers (ticket 12, claim 7), safe under
        concurrent callers."""

    def bump_counter(self, name: str, window_seconds: int, now: datetime, amount: int = 1) -> int:
        """Add ``amount`` to the counter ``name`` and return the new value, atomically (no caller
        can read a value another caller has already passed). A counter whose window - started at
        its first hit - has ended starts again from 0. ``amount=0`` only reads. Log-in throttling
        counts attempts here."""

    def reset_counter(self, name: str) -> None:
        """Forget the counter ``name`` (a successful log-in, an admin unlock)."""

    # -- audit trail -------------------------------------------------------------------------
    def append_event(self, event: Event) -> Event: ...

    def events(
        self, entity: str | None = None, entity_id: str | None = None, limit: int = 1000
    ) -> list[Event]: ...

    def iter_events(self, after: int = 0, batch: int = 1000) -> Iterator[list[Event]]:
        """The whole audit trail after event id ``after``, oldest first, a page at a time."""

    # -- migration: copy records as they are (versions, ids, counters kept) ------------------
    def collections(self) -> list[str]:
        """Names of the document collections that hold records."""

    def import_doc(self, collection: str, doc: dict[str, Any]) -> None:
        """Write ``doc`` keeping its ``version`` (replaying it changes nothing)."""

    def sequences(self) -> dict[str, int]:
        """Every counter of ``next_sequence`` with its current value."""

    def import_sequence(self, name: str, value: int) -> int:
        """Raise a counter to at least ``value``; never lowers it."""

    def import_event(self, event: Event) -> None:
        """Write an event keeping its id (replaying it changes nothing)."""

    def refresh(self) -> None:
        """Make every write visible to readers now (a no-op where writes are visible at once)."""

    # -- writes that failed ------------------------------------------------------------------
    def failed_writes(self) -> FailedWrites:
        """The retry queue: writes refused or unanswered by the server, kept to be re-sent."""

    def replay_failed_writes(self) -> ReplayReport:
        """Re-send the retry queue; a newer revision already stored always wins over a queued one."""

    # -- life cycle --------------------------------------------------------------------------
    def transaction(self) -> AbstractContextManager[Any]:
        """Group writes: atomic in SQLite; in Elasticsearch each write is atomic on its own, so
        what runs inside must also be safe to replay."""

    def close(self) -> None: ...
