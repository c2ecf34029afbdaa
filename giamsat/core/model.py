"""The one plain data model shared by every stage: crawl -> enrich -> store -> triage -> show.

Records are dataclasses with ``to_dict``/``from_dict`` so that both storage backends (SQLite and
Elasticsearch) and the JSONL interfaces serialise them the same way. Times are always
timezone-aware; they are stored in UTC and shown in Asia/Ho_Chi_Minh (see ``giamsat.timeutil``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Literal, TypeVar

Kind = Literal["press", "social", "forum", "comment", "tip"]  # = codes.KINDS, spelled out for typing

T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _dt_out(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def parse_dt(value: Any) -> datetime | None:
    """Parse an ISO string (or pass a datetime through); naive values are taken as UTC."""
    if value is None or value == "":
        return None
    dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def json_default(value: Any) -> Any:
    """``json.dumps(default=...)`` for stored documents: the one encoding both backends share."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set):
        return sorted(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def content_hash(title: str | None, text: str | None) -> str:
    """Identity of an item's content: whitespace-insensitive so re-serialised pages hash equal."""
    norm = " ".join(f"{title or ''}\n{text or ''}".split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:32]


def raw_ref_for(payload: bytes) -> str:
    """A raw page's id: its content hash, so a page fetched twice is stored once."""
    return hashlib.sha1(payload).hexdigest()[:20]


@dataclass(frozen=True)
class RawPage:
    """A fetched page ready for the store: its id and its zlib-compressed bytes.

    Built where CPU is spare (the crawl's extraction workers): compressing a 200 KB page takes as
    long as parsing it, and stores accept a ``RawPage`` wherever they accept the plain bytes."""

    ref: str
    zlib: bytes

    @classmethod
    def of(cls, payload: bytes) -> RawPage:
        return cls(raw_ref_for(payload), zlib.compress(payload, 6))


def item_id_for(key: str) -> str:
    """An item's id from its canonical URL (``Item.key``): the same in every backend, so a
    migration from SQLite to Elasticsearch is idempotent."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


class Record:
    """Mixin: dict round-trip with datetime fields as ISO strings and nested records rebuilt."""

    _nested: ClassVar[dict[str, Any]] = {}
    _nested_lists: ClassVar[dict[str, Any]] = {}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            out[f.name] = _to_plain(value)
        return out

    @classmethod
    def from_dict(cls: type[T], data: dict[str, Any]) -> T:
        names = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        kwargs: dict[str, Any] = {}
        for key, value in (data or {}).items():
            if key not in names:
                continue  # tolerate fields written by a newer version
            kwargs[key] = _from_plain(cls, key, value)
        return cls(**kwargs)


def _to_plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return _dt_out(value)
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, list):
        return [_to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_plain(v) for k, v in value.items()}
    return value


_DATETIME_FIELDS = {
    "published",
    "fetched",
    "at",
    "created",
    "updated",
    "claim_expires",
    "snoozed_until",
    "due_ack",
    "due",
    "acknowledged_at",
    "answered_at",
    "closed_at",
    "first_seen",
    "last_seen",
    "next_attempt",
    "sent_at",
    "enriched_at",
}


def _from_plain(cls: Any, key: str, value: Any) -> Any:
    nested = getattr(cls, "_nested", {})
    nested_lists = getattr(cls, "_nested_lists", {})
    if value is None:
        return None
    if key in nested and isinstance(value, dict):
        return nested[key].from_dict(value)
    if key in nested_lists and isinstance(value, list):
        return [nested_lists[key].from_dict(v) if isinstance(v, dict) else v for v in value]
    if key in _DATETIME_FIELDS:
        return parse_dt(value)
    return value


@dataclass
class Engagement(Record):
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    views: int | None = None

    def total(self) -> int:
        return sum(v or 0 for v in (self.likes, self.comments, self.shares))


@dataclass
class Mention(Record):
    text: str
    start: int
    end: int
    level: str  # province | ward | old-province | old-district | old-ward | landmark | village | commune
    code: str | None = None
    province: str | None = None  # slug of the *current* province, e.g. khanh-hoa
    name: str | None = None  # standard name with diacritics (current unit)


@dataclass
class Scored(Record):
    label: str
    score: float


@dataclass
class Entity(Record):
    text: str
    type: str  # PER | ORG | LOC | MISC


@dataclass
class Enrichment(Record):
    language: str | None = None
    province: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    localities: list[str] = field(default_factory=list)
    sentiment: Scored | None = None
    topics: list[Scored] = field(default_factory=list)  # highest first
    category: Scored | None = None
    risk: float = 0.0
    severity: str | None = None
    reasons: list[str] = field(default_factory=list)
    story_id: str | None = None
    entities: list[Entity] = field(default_factory=list)
    claim_matches: list[dict[str, Any]] = field(default_factory=list)
    stance: Scored | None = None  # bac-bo (denies/answers a claim) | tin-don (spreads one) | none
    features: dict[str, Any] = field(default_factory=dict)  # urls, hashtags, emojis...
    model_versions: dict[str, str] = field(default_factory=dict)
    enriched_at: datetime | None = None
    # Set when the item could not be read (the reason, for staff and logs); such an enrichment is
    # a marker so the item is not retried forever, and carries no judgement.
    error: str | None = None

    _nested: ClassVar[dict[str, Any]] = {"sentiment": Scored, "category": Scored, "stance": Scored}
    _nested_lists: ClassVar[dict[str, Any]] = {"mentions": Mention, "topics": Scored, "entities": Entity}


@dataclass
class Item(Record):
    """One collected piece of content. ``canonical_url`` is its identity across re-crawls."""

    source_id: str
    url: str
    title: str = ""
    text: str = ""
    kind: str = "press"
    canonical_url: str | None = None
    author: str | None = None
    published: datetime | None = None
    fetched: datetime = field(default_factory=utcnow)
    engagement: Engagement = field(default_factory=Engagement)
    language: str | None = None
    raw_ref: str | None = None  # id of the stored raw payload (see Store.get_raw)
    content_hash: str = ""
    revision: int = 1
    id: str | None = None  # assigned by the store
    enrichment: Enrichment | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    _nested: ClassVar[dict[str, Any]] = {"engagement": Engagement, "enrichment": Enrichment}

    def __post_init__(self) -> None:
        if not self.content_hash:
            self.content_hash = content_hash(self.title, self.text)
        if not self.canonical_url:
            self.canonical_url = self.url or f"hash:{self.content_hash}"

    @property
    def key(self) -> str:
        return self.canonical_url or f"hash:{self.content_hash}"


# What NLP reads of one item, at most: a news article is 3,000-10,000 characters, and what comes
# after 20,000 (comment dumps, pasted lists, a hostile post of 300 KB of place names) would only
# cost time - every NLP step is linear or worse in it. The store always keeps the whole text.
MAX_NLP_CHARS = 20_000


def item_text(item: Item) -> str:
    """The text every stage reads of an item (title, then body), capped at ``MAX_NLP_CHARS``:
    the crawler's keep/drop decision and the Enricher see exactly the same string, so they cannot
    disagree. The cut falls on a space when there is one near the cap (no half word)."""
    text = "\n".join(x for x in (item.title, item.text) if x)
    if len(text) <= MAX_NLP_CHARS:
        return text
    cut = text.rfind(" ", MAX_NLP_CHARS - 200, MAX_NLP_CHARS)
    return text[: cut if cut > 0 else MAX_NLP_CHARS]


@dataclass
class Event(Record):
    """One audited change: who did what to which record, when (UTC), with before/after."""

    entity: str  # ticket | alert | claim | item | user | source
    entity_id: str
    action: str
    actor: str
    at: datetime = field(default_factory=utcnow)
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    id: str | None = None


@dataclass
class Alert(Record):
    id: str | None = None
    kind: str = "risk"  # risk | watch | spike | source
    story_id: str | None = None
    status: str = "mo"  # mo | da-xac-nhan | bo-qua | da-gop | tam-hoan
    title: str = ""
    severity: str = "thap"
    risk: float = 0.0
    category: str | None = None
    topics: list[str] = field(default_factory=list)
    localities: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    item_ids: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    reach: dict[str, Any] = field(default_factory=dict)  # items, sources, engagement
    # items of the story that deny or officially answer its claim (nlp.stance "bac-bo"); they are
    # the answer, not posts of the matter, so they are kept apart from item_ids
    answers: list[str] = field(default_factory=list)
    claimed_by: str | None = None
    claim_expires: datetime | None = None
    snoozed_until: datetime | None = None
    ticket_id: str | None = None
    dismiss_reason: str | None = None
    created: datetime = field(default_factory=utcnow)
    updated: datetime = field(default_factory=utcnow)
    version: int = 0


@dataclass
class Ticket(Record):
    id: str | None = None
    alert_id: str | None = None
    title: str = ""
    summary: str = ""
    category: str | None = None
    severity: str = "thap"
    topics: list[str] = field(default_factory=list)
    localities: list[str] = field(default_factory=list)
    item_ids: list[str] = field(default_factory=list)
    lead_unit: str = ""
    co_units: list[str] = field(default_factory=list)
    rule: str | None = None  # routing rule that chose the lead unit, recorded for audit
    status: str = "moi"
    created: datetime = field(default_factory=utcnow)
    updated: datetime = field(default_factory=utcnow)
    due_ack: datetime | None = None
    due: datetime | None = None
    acknowledged_at: datetime | None = None
    answered_at: datetime | None = None
    closed_at: datetime | None = None
    answer_text: str | None = None
    answer_url: str | None = None
    # official answers found in the press/social stream after the ticket opened (denials joining
    # the story): {item_id, title, url, source_id, at}. They tell the unit the matter has been
    # answered publicly; the unit still confirms and closes the ticket.
    official_answers: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    history: list[Event] = field(default_factory=list)  # filled on read from the event log
    version: int = 0

    _nested_lists: ClassVar[dict[str, Any]] = {"history": Event}
