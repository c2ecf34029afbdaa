"""Pure conversions between giamsat records and Elasticsearch documents, and the upsert *plan*:
given a batch of items and what the index already holds, which bulk actions keep the same
new / unchanged / revised semantics as the SQLite backend. No I/O here, so it is unit-tested.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from giamsat.core.model import Enrichment, Event, Item, RawPage, item_id_for, json_default, parse_dt, utcnow
from giamsat.storage.base import UpsertStats
from giamsat.storage.es import items_index, revisions_index

ENRICHMENT_FIELDS = (
    "sentiment",
    "category",
    "severity",
    "risk",
    "story_id",
    "province",
    "topics",
    "localities",
)


def iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat(timespec="seconds") if dt else None


def plain(value: Any) -> Any:
    """JSON-compatible copy (datetimes as UTC ISO strings), exactly what SQLite would store."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=json_default))


# -- items ---------------------------------------------------------------------------------------
def item_source(item: Item, ingest_seq: int) -> dict[str, Any]:
    """A new item's document (revision 1, never enriched)."""
    src = item.to_dict()
    src["id"] = item.id or item_id_for(item.key)
    src["canonical_url"] = item.key
    src["revision"] = 1
    src["enrichment"] = None
    src["published"] = iso(item.published)
    src["fetched"] = iso(item.fetched)
    src["ts"] = iso(item.published or item.fetched)
    src["eng_total"] = item.engagement.total()
    src["ingest_seq"] = ingest_seq
    src["enriched_rev"] = None
    src["pending"] = True
    for name in ENRICHMENT_FIELDS:
        src[name] = [] if name in ("topics", "localities") else None
    return src


def revised_source(old: dict[str, Any], item: Item) -> dict[str, Any]:
    """The document after a content change, with SQLite's COALESCE rules: a missing author,
    published date or language keeps the old one; enrichment fields stay until re-enriched."""
    src = dict(old)
    published = iso(item.published) or old.get("published")
    src.update(
        url=item.url,
        title=item.title,
        text=item.text,
        author=item.author if item.author is not None else old.get("author"),
        published=published,
        fetched=iso(item.fetched),
        ts=published or iso(item.fetched),
        language=item.language if item.language is not None else old.get("language"),
        content_hash=item.content_hash,
        revision=int(old.get("revision") or 1) + 1,
        engagement=item.engagement.to_dict(),
        eng_total=item.engagement.total(),
        raw_ref=item.raw_ref or old.get("raw_ref"),
        meta=item.meta,
        pending=True,
    )
    return src


def revision_record(old: dict[str, Any]) -> dict[str, Any]:
    """What ``item_revisions`` returns for the text being replaced."""
    return {
        "item_id": old["id"],
        "revision": int(old.get("revision") or 1),
        "title": old.get("title"),
        "text": old.get("text"),
        "content_hash": old.get("content_hash"),
        "fetched": old.get("fetched"),
        "raw_ref": old.get("raw_ref"),
    }


def with_enrichment(src: dict[str, Any], enr: Enrichment) -> dict[str, Any]:
    """The document with ``enr`` saved for its current revision (so it is no longer pending)."""
    out = dict(src)
    out["enrichment"] = plain(enr.to_dict())
    out["enriched_rev"] = int(src.get("revision") or 1)
    out["pending"] = False
    out["sentiment"] = enr.sentiment.label if enr.sentiment else None
    out["category"] = enr.category.label if enr.category else None
    out["severity"] = enr.severity
    out["risk"] = enr.risk
    out["story_id"] = enr.story_id
    out["province"] = enr.province
    out["topics"] = [t.label for t in enr.topics]
    out["localities"] = sorted(set(enr.localities))
    if out.get("language") is None:
        out["language"] = enr.language
    return out


def source_to_item(src: dict[str, Any]) -> Item:
    item = Item.from_dict({k: v for k, v in src.items() if k not in ("enrichment",)})
    if src.get("enrichment"):
        item.enrichment = Enrichment.from_dict(src["enrichment"])
    return item


def raw_source(page: RawPage, fetched: datetime) -> dict[str, Any]:
    return {"fetched": iso(fetched), "codec": "zlib", "data": base64.b64encode(page.zlib).decode("ascii")}


def raw_payload(src: dict[str, Any]) -> bytes:
    data = base64.b64decode(src["data"])
    return zlib.decompress(data) if src.get("codec") == "zlib" else data


@dataclass
class Existing:
    """An item as found through the alias: where it lives and its CAS token."""

    index: str
    source: dict[str, Any]
    seq_no: int | None = None
    primary_term: int | None = None


@dataclass
class UpsertPlan:
    actions: list[dict[str, Any]] = field(default_factory=list)  # bulk actions, items last
    stats: UpsertStats = field(default_factory=UpsertStats)
    item_ids: list[str] = field(default_factory=list)  # ids written by item actions, in order
    outcomes: list[tuple[str, str]] = field(default_factory=list)  # (id, new|unchanged|revised) per input

    def stats_for(self, ids: set[str]) -> UpsertStats:
        """The counts restricted to the items whose write went through."""
        out = UpsertStats()
        for item_id, kind in self.outcomes:
            if item_id not in ids:
                continue
            if kind == "unchanged":
                out.unchanged += 1
            else:
                setattr(out, kind, getattr(out, kind) + 1)
                out.ids.append(item_id)
        return out


def plan_upserts(items: list[Item], existing: dict[str, Existing], prefix: str, seq_start: int) -> UpsertPlan:
    """Bulk actions for one batch. Repeats of one URL inside the batch behave as if upserted one
    after another. Existing documents are replaced with ``if_seq_no``/``if_primary_term`` so that
    a concurrent writer's change is detected (409) rather than overwritten; new ones use
    ``create`` so two writers cannot both create the same item in one month's index."""
    plan = UpsertPlan()
    state: dict[str, Existing] = dict(existing)
    touched: dict[str, bool] = {}  # id -> is new in this batch
    seq = seq_start
    for item in items:
        item.id = item_id_for(item.key)
        cur = state.get(item.id)
        if cur is None:
            src = item_source(item, seq)
            seq += 1
            state[item.id] = Existing(index=items_index(prefix, parse_dt(src["ts"]) or utcnow()), source=src)
            touched[item.id] = True
            item.revision = 1
            plan.stats += UpsertStats(new=1, ids=[item.id])
            plan.outcomes.append((item.id, "new"))
            continue
        if cur.source.get("content_hash") == item.content_hash:
            item.revision = int(cur.source.get("revision") or 1)
            if item.engagement.total():  # only reach legitimately changes between crawls
                cur.source = {
                    **cur.source,
                    "engagement": item.engagement.to_dict(),
                    "eng_total": item.engagement.total(),
                }
                touched.setdefault(item.id, False)
            plan.stats += UpsertStats(unchanged=1)
            plan.outcomes.append((item.id, "unchanged"))
            continue
        rev = revision_record(cur.source)
        plan.actions.append(
            {
                "_op_type": "create",
                "_index": revisions_index(prefix),
                "_id": f"{item.id}-{rev['revision']}",
                "_source": rev,
            }
        )
        cur.source = revised_source(cur.source, item)
        touched.setdefault(item.id, False)
        item.revision = cur.source["revision"]
        plan.stats += UpsertStats(revised=1, ids=[item.id])
        plan.outcomes.append((item.id, "revised"))
    for item_id, is_new in touched.items():
        cur = state[item_id]
        action: dict[str, Any] = {"_index": cur.index, "_id": item_id, "_source": cur.source}
        if is_new:
            action["_op_type"] = "create"
        else:
            action["_op_type"] = "index"
            if cur.seq_no is not None:
                action["if_seq_no"] = cur.seq_no
                action["if_primary_term"] = cur.primary_term
        plan.actions.append(action)
        plan.item_ids.append(item_id)
    return plan


# -- documents, events -----------------------------------------------------------------------------
def doc_source(doc: dict[str, Any], updated: datetime) -> dict[str, Any]:
    """A collection record as stored: the record unindexed in ``body``, its top-level scalars (or
    lists of scalars) copied to ``fk`` (strings, booleans) / ``fn`` (numbers) for find_docs."""
    fk: dict[str, Any] = {}
    fn: dict[str, Any] = {}
    for key, value in doc.items():
        if "." in key or not key:
            continue
        values = value if isinstance(value, list) else [value]
        keys = [v for v in values if isinstance(v, (str, bool))]
        nums = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if keys:
            ks = [("true" if v else "false") if isinstance(v, bool) else v for v in keys]
            fk[key] = ks if isinstance(value, list) else ks[0]
        if nums:
            fn[key] = nums if isinstance(value, list) else nums[0]
    return {
        "id": doc["id"],
        "version": doc["version"],
        "updated": iso(updated),
        "body": doc,
        "fk": fk,
        "fn": fn,
    }


def event_source(event: Event, seq: int) -> dict[str, Any]:
    body = plain(event.to_dict())
    body["id"] = str(seq)
    return {
        "seq": seq,
        "entity": event.entity,
        "entity_id": str(event.entity_id),
        "action": event.action,
        "actor": event.actor,
        "at": iso(event.at),
        "body": body,
    }
