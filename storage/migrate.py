"""Copy one store into another: ``giamsat migrate --to https://es:9200`` moves a province's SQLite
file into Elasticsearch when it outgrows one machine.

Why it is safe to run twice or to interrupt:
* item ids are ``item_id_for(canonical_url)`` in every backend, and an item is only replayed from
  the first revision the destination does not have yet, so re-running adds nothing;
* records keep their ``version`` and events their ids (``import_doc`` / ``import_event``);
* progress is checkpointed *in the destination* (collection ``migrations``, one record per
  source) after every batch: the last copied SQLite rowid and event id.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from giamsat.core.model import Engagement, Item, RawPage, parse_dt, utcnow
from giamsat.storage.base import Query, Store
from giamsat.storage.sqlite import SQLiteStore

log = logging.getLogger(__name__)

STATE_COLLECTION = "migrations"
BATCH = 500


@dataclass
class MigrateStats:
    items: int = 0  # items examined in the source
    new: int = 0  # items created in the destination
    revisions: int = 0  # earlier revisions replayed
    unchanged: int = 0  # already there with the same content
    enrichments: int = 0
    docs: int = 0
    events: int = 0
    sequences: int = 0
    collections: list[str] = field(default_factory=list)
    resumed_from_rowid: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def state_id(src: Store) -> str:
    return "migrate-" + hashlib.sha1(src.uri.encode("utf-8")).hexdigest()[:12]


def _load_state(dst: Store, src: Store, resume: bool) -> dict[str, Any]:
    fresh: dict[str, Any] = {
        "id": state_id(src), "source": src.uri, "items_rowid": 0, "events_id": 0, "finished": False
    }  # fmt: skip
    if not resume:
        return fresh
    found = dst.get_doc(STATE_COLLECTION, str(fresh["id"]))
    return {**fresh, **found} if found else fresh


def _save_state(dst: Store, state: dict[str, Any]) -> None:
    state = {k: v for k, v in state.items() if k != "version"}
    dst.put_doc(STATE_COLLECTION, {**state, "updated": utcnow()})


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[..., Any]]:
    """A rich progress bar, or a no-op when ``progress=False`` (tests, cron logs)."""
    if not enabled:
        yield lambda *a, **k: None
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(name: str, advance: int = 0, total: int | None = None) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], advance=advance, total=total)

        yield update


# -- items ---------------------------------------------------------------------------------------
def _sqlite_item_batches(
    src: SQLiteStore, after: int
) -> Iterator[tuple[int, list[Item], dict[str, int | None]]]:
    """(last rowid, items, enriched_rev by id) in rowid order: the checkpoint is the rowid."""
    while True:
        rows = src.db.execute(
            "SELECT rowid, id, enriched_rev FROM items WHERE rowid > ? ORDER BY rowid LIMIT ?", (after, BATCH)
        ).fetchall()
        if not rows:
            return
        items = src.get_items([r["id"] for r in rows])
        after = rows[-1]["rowid"]
        yield after, items, {r["id"]: r["enriched_rev"] for r in rows}


def _generic_item_batches(src: Store) -> Iterator[tuple[int, list[Item], dict[str, int | None]]]:
    """Any other source: a full scan (idempotent, so a re-run simply re-checks every item)."""
    batch: list[Item] = []
    for it in src.iter_items(Query(), batch=BATCH):
        batch.append(it)
        if len(batch) >= BATCH:
            yield 0, batch, {i.id: i.revision if i.enrichment else None for i in batch if i.id}
            batch = []
    if batch:
        yield 0, batch, {i.id: i.revision if i.enrichment else None for i in batch if i.id}


def _get_many(store: Store, ids: list[str]) -> dict[str, Item]:
    return {i.id: i for i in store.get_items(ids) if i.id}


def _version_item(current: Item, rev: dict[str, Any]) -> Item:
    """An earlier revision as the item it was when crawled (reach is only known for the latest)."""
    return Item(
        source_id=current.source_id,
        url=current.url,
        title=rev.get("title") or "",
        text=rev.get("text") or "",
        kind=current.kind,
        canonical_url=current.canonical_url,
        author=current.author,
        published=current.published,
        fetched=parse_dt(rev.get("fetched")) or current.fetched,
        engagement=Engagement(),
        language=current.language,
        content_hash=rev.get("content_hash") or "",
        meta=current.meta,
    )


def _fresh_copy(item: Item) -> Item:
    copy = Item.from_dict(item.to_dict())
    copy.enrichment = None
    copy.id = None
    return copy


def _copy_items(
    src: Store, dst: Store, items: list[Item], enriched_rev: dict[str, int | None], stats: MigrateStats
) -> None:
    have = _get_many(dst, [i.id for i in items if i.id])
    # Each item's versions still missing in the destination, oldest first.
    chains: list[list[tuple[Item, str | None]]] = []
    for it in items:
        there = have.get(it.id or "")
        if there is not None and there.content_hash == it.content_hash:
            stats.unchanged += 1
            chains.append([(_fresh_copy(it), it.raw_ref)])  # refreshes reach only
            continue
        versions: list[tuple[Item, str | None]] = []
        if it.revision > 1:
            for rev in src.item_revisions(it.id or ""):
                if there is None or rev["revision"] > there.revision:
                    versions.append((_version_item(it, rev), rev.get("raw_ref")))
        versions.append((_fresh_copy(it), it.raw_ref))
        chains.append(versions)
    # Replay in rounds so every round is one batched upsert: round k holds each item's k-th version.
    for k in range(max((len(c) for c in chains), default=0)):
        batch = [c[k] for c in chains if len(c) > k]
        raw: dict[str, bytes | RawPage] = {}
        for version, ref in batch:
            payload = src.get_raw(ref) if ref else None
            if payload is not None:
                raw[version.key] = payload
        result = dst.upsert_items([v for v, _ in batch], raw=raw)
        stats.new += result.new
        stats.revisions += result.revised
    pairs = [
        (it.id, it.enrichment)
        for it in items
        if it.id and it.enrichment is not None and enriched_rev.get(it.id) == it.revision
    ]  # an enrichment older than the latest text is redone by the worker, as in the source
    dst.save_enrichments(pairs)
    stats.enrichments += len(pairs)


# -- documents, sequences, events ------------------------------------------------------------------
def _collections(src: Store) -> list[str]:
    return sorted(set(src.collections()) - {STATE_COLLECTION})


# -- the whole copy --------------------------------------------------------------------------------
def migrate_store(src: Store, dst: Store, progress: bool = True, resume: bool = True) -> MigrateStats:
    """Copy items (with their revisions, raw payloads and enrichment), document collections,
    sequences and the audit trail from ``src`` to ``dst``. Resumable and idempotent."""
    stats = MigrateStats()
    state = _load_state(dst, src, resume)
    stats.resumed_from_rowid = int(state.get("items_rowid") or 0)
    with _progress(progress) as bar:
        if isinstance(src, SQLiteStore):
            total = src.db.execute(
                "SELECT count(*) FROM items WHERE rowid > ?", (stats.resumed_from_rowid,)
            ).fetchone()[0]
            batches = _sqlite_item_batches(src, stats.resumed_from_rowid)
        else:
            total = src.count(Query())
            batches = _generic_item_batches(src)
        bar("Bài viết", total=total)
        for last_rowid, items, enriched in batches:
            _copy_items(src, dst, items, enriched, stats)
            stats.items += len(items)
            if last_rowid:
                state["items_rowid"] = last_rowid
                _save_state(dst, state)
            bar("Bài viết", advance=len(items))
            log.info("migrate: %d items copied (rowid %s)", stats.items, last_rowid or "-")

        for collection in _collections(src):
            n = src.count_docs(collection)
            bar(f"Hồ sơ: {collection}", total=n)
            for offset in range(0, n, BATCH):
                docs = src.find_docs(collection, order_by="id", limit=BATCH, offset=offset)
                for doc in docs:
                    dst.import_doc(collection, doc)
                stats.docs += len(docs)
                bar(f"Hồ sơ: {collection}", advance=len(docs))
            stats.collections.append(collection)

        for name, value in src.sequences().items():
            dst.import_sequence(name, value)
            stats.sequences += 1

        for events in src.iter_events(int(state.get("events_id") or 0), batch=BATCH):
            for ev in events:
                dst.import_event(ev)
            stats.events += len(events)
            if events and events[-1].id and events[-1].id.isdigit():
                state["events_id"] = int(events[-1].id)
                _save_state(dst, state)
            bar("Nhật ký", advance=len(events))

    dst.refresh()
    state["finished"] = True
    _save_state(dst, state)
    log.info("migrate finished: %s", stats.to_dict())
    return stats
