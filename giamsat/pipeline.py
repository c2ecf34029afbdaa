"""Pipeline wiring: crawl -> enrich -> store -> triage, one way, each stage in its own package.

``process_pending`` is the worker step (enrich what is new, open/update alerts); ``run_forever``
is the scheduler behind ``giamsat run``: it polls each source at its own interval, processes, and
runs triage's periodic duties (escalations, lock expiry, outbox).
"""

from __future__ import annotations

import base64
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from giamsat.core import faults
from giamsat.core.model import Enrichment, Item, item_text, parse_dt, utcnow
from giamsat.core.profile import Profile, Source
from giamsat.crawlers.runner import crawl
from giamsat.nlp.enrich import Enricher, story_evidence
from giamsat.nlp.stories import StoryIndex
from giamsat.storage.base import Store
from giamsat.triage.service import Triage

log = logging.getLogger("giamsat.pipeline")


@dataclass
class ProcessReport:
    enriched: int = 0
    failed: int = 0
    alerts: int = 0
    errors: list[str] = field(default_factory=list)


def _enrich_safely(enricher: Any, items: list[Item]) -> list[Enrichment]:
    """Enrich a batch; if the batch fails, fall back to one by one so one bad item loses nothing
    else. An item that cannot be enriched gets a marker enrichment so it is not retried forever."""
    try:
        return list(enricher.enrich_batch(items))
    except Exception:
        log.exception("batch enrichment failed; retrying item by item")
    out = []
    for item in items:
        try:
            out.append(enricher.enrich(item))
        except Exception as exc:
            log.error("cannot enrich item %s (%s): %s", item.id, item.url, exc)
            reason = f"{type(exc).__name__}: {exc}"
            out.append(Enrichment(error=reason, reasons=[f"lỗi phân tích: {reason}"], enriched_at=utcnow()))
    return out


def process_pending(
    profile: Profile,
    store: Store,
    batch: int = 256,
    limit: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    stories: StoryState | None = None,
) -> ProcessReport:
    """Enrich and triage every pending item, a batch at a time, crash-consistently (see
    ``StoryState``): per batch, enrichments, alerts and the story journal entry are written in
    one transaction. ``stories`` carries the story index between calls of a long-lived worker."""
    report = ProcessReport()
    triage = Triage(profile, store)
    state = stories if stories is not None else StoryState()
    report.alerts += state.ensure_loaded(store, triage)
    enricher = Enricher(profile, store, story_index=state.index, story_stats=_story_stats_from(store))
    done: set[str] = set()
    while limit is None or report.enriched < limit:
        items = store.pending_enrichment(batch if limit is None else min(batch, limit - report.enriched))
        if not items:
            break
        if all(it.id in done for it in items):  # could not be saved: never loop on them
            report.errors.append(f"{len(items)} tin không lưu được kết quả phân tích; dừng vòng này")
            break
        done.update(it.id or "" for it in items)
        seq, started = state.begin(store, items)
        enrichments = _enrich_safely(enricher, items)  # updates the story index in memory
        faults.point("pipeline:after-enrich")
        for item, enr in zip(items, enrichments, strict=True):
            item.enrichment = enr
            if enr.error:
                report.failed += 1
        try:
            with store.transaction():
                report.alerts += _commit_batch(store, triage, items, enrichments)
                state.finish(store, seq, [it.id or "" for it in items], started)
                faults.point("pipeline:before-commit")
        except Exception as exc:  # a triage bug on one item must not lose the batch or block it
            log.exception("batch %d could not be committed at once; item by item", seq)
            report.errors.append(f"triage: {exc}")
            report.alerts += _commit_one_by_one(store, triage, items, enrichments, report)
            with store.transaction():
                state.finish(store, seq, [it.id or "" for it in items], started)
        faults.point("pipeline:after-commit")
        report.enriched += len(items)
        if on_progress:
            on_progress(len(items))
    return report


def _commit_batch(store: Store, triage: Any, items: list[Item], enrichments: list[Enrichment]) -> int:
    """Save the batch's enrichments and open/update its alerts (inside the caller's transaction)."""
    store.save_enrichments([(it.id, enr) for it, enr in zip(items, enrichments, strict=True) if it.id])
    faults.point("pipeline:after-save")
    alerts = triage.ingest(items)
    faults.point("pipeline:after-ingest")
    return len(alerts)


def _commit_one_by_one(
    store: Store, triage: Any, items: list[Item], enrichments: list[Enrichment], report: ProcessReport
) -> int:
    """Each item in its own transaction; an item whose alerts cannot be written keeps its
    enrichment with the reason (``Enrichment.error``), visible to staff, and the rest go on."""
    alerts = 0
    for item, enr in zip(items, enrichments, strict=True):
        if not item.id:
            continue
        try:
            with store.transaction():
                alerts += _commit_batch(store, triage, [item], [enr])
        except Exception as exc:
            log.exception("item %s: alerts could not be written", item.id)
            reason = f"{type(exc).__name__}: {exc}"[:300]
            enr.error = enr.error or f"lỗi xử lý cảnh báo: {reason}"
            enr.reasons.insert(0, f"lỗi xử lý cảnh báo: {reason}")
            report.failed += 1
            store.save_enrichments([(item.id, enr)])
    return alerts


STORY_WINDOW_HOURS = 24.0
REPLAY_EVERY_SECONDS = 300.0  # how often a worker re-sends writes the cluster refused (giamsat es replay)
JOURNAL = "story_journal"  # one document per batch: which items, in which order, finished or not
SNAPSHOT_EVERY = 20  # batches between two full snapshots of the index


def replay_stories(index: Any, items: list[Item]) -> None:
    """Put stored items back into the index with the story each was given (``StoryIndex.add``:
    no new decision), in batch order, with the evidence the decision used."""
    for it in items:
        enr = it.enrichment
        if enr is None or not enr.story_id or not it.id:
            continue
        places, entities = story_evidence(enr)
        index.add(it.id, enr.story_id, item_text(it), it.published or it.fetched, places, entities)


class StoryState:
    """The story index, crash-consistent: the last full snapshot plus a journal of batches since.

    Why not save the whole index each batch: it holds a 1 KB signature per item of the last 14
    days (tens of MB), and saving it only when a run ends lost everything a kill interrupted (the
    audit: 4,864 entries; a repost after the kill opened a second alert). Instead each batch writes
    a small journal entry (its item ids, in order) *in the same transaction* as its enrichments
    and alerts; every ``SNAPSHOT_EVERY`` batches the index is snapshotted (``to_bytes``) and the
    journal up to it dropped. Loading = the snapshot, then the journal's items put back with the
    story stored in their enrichment (``replay_stories``: ``StoryIndex.add``, no new decision), so
    the index is what it was when the batch committed, whatever its algorithm.

    Elasticsearch has no multi-document transaction: there a batch's entry is written as
    ``started`` before its first write and turned ``done`` after its last. An entry found
    ``started`` on load is repaired: its items whose enrichment was saved are replayed and
    ingested again (triage's ingest is idempotent: an alert that exists is updated, not doubled),
    the rest are still pending and will be enriched in a new batch. In SQLite the marker is written
    first too, but the batch commits atomically, so an unfinished entry never has saved items.
    """

    def __init__(self, snapshot_every: int = SNAPSHOT_EVERY) -> None:
        self.snapshot_every = snapshot_every
        self.index: Any = None
        self.last_seq = 0  # highest journal seq applied to ``index``
        self.since_snapshot = 0  # journal entries after the snapshot

    # -- loading ---------------------------------------------------------------------------------
    def ensure_loaded(self, store: Store, triage: Any) -> int:
        """Load (or keep, when nothing changed in the store) the index; repair unfinished batches.
        Returns the alerts opened or updated by the repair."""
        latest = store.find_docs(JOURNAL, order_by="-seq", limit=1)
        newest = int(latest[0]["seq"]) if latest else 0
        if self.index is not None and newest == self.last_seq:
            return 0
        self.index, snap_seq = _load_snapshot(store)
        self.last_seq, self.since_snapshot, repaired = snap_seq, 0, 0
        entries = [e for e in store.find_docs(JOURNAL, order_by="seq", limit=100_000) if e["seq"] > snap_seq]
        for entry in entries:
            items = store.get_items(list(entry.get("item_ids") or []))
            if entry.get("phase") != "done":
                started = parse_dt(entry.get("started"))
                saved = [it for it in items if _saved_since(it, started)]
                log.warning(
                    "batch %s did not finish: %d of %d item(s) saved, replayed and triaged again",
                    entry["seq"],
                    len(saved),
                    len(items),
                )
                items = saved
                if saved:
                    repaired += len(triage.ingest(saved))
                self._put(store, entry["seq"], [it.id or "" for it in saved], "done", started)
            replay_stories(self.index, items)
            self.last_seq, self.since_snapshot = int(entry["seq"]), self.since_snapshot + 1
        if self.since_snapshot >= self.snapshot_every:
            with store.transaction():
                self.snapshot(store)
        return repaired

    # -- one batch -------------------------------------------------------------------------------
    def begin(self, store: Store, items: list[Item]) -> tuple[int, datetime]:
        """Number the batch and mark it started (its own write: on Elasticsearch, the marker that
        lets a restart find a batch cut in the middle)."""
        seq = store.next_sequence(JOURNAL)
        started = utcnow()
        self._put(store, seq, [it.id or "" for it in items], "started", started)
        return seq, started

    def finish(self, store: Store, seq: int, item_ids: list[str], started: datetime) -> None:
        """Mark the batch done (inside the batch's transaction) and snapshot when due."""
        self._put(store, seq, item_ids, "done", started)
        self.last_seq, self.since_snapshot = seq, self.since_snapshot + 1
        faults.point("pipeline:journal")
        if self.since_snapshot >= self.snapshot_every:
            self.snapshot(store)

    def snapshot(self, store: Store) -> None:
        """Write the whole index as of ``last_seq``, then drop the journal it covers."""
        store.put_doc(
            "state",
            {
                "id": "story-index",
                "seq": self.last_seq,
                "data": base64.b64encode(self.index.to_bytes()).decode("ascii"),
            },
        )
        faults.point("pipeline:snapshot")
        for entry in store.find_docs(JOURNAL, order_by="seq", limit=100_000):
            # the newest entry stays: its seq tells a long-lived worker its index is current
            if int(entry["seq"]) < self.last_seq:
                store.delete_doc(JOURNAL, entry["id"])
        self.since_snapshot = 0

    @staticmethod
    def _put(store: Store, seq: int, item_ids: list[str], phase: str, started: datetime | None) -> None:
        store.put_doc(
            JOURNAL,
            {
                "id": f"{seq:012d}",
                "seq": seq,
                "item_ids": item_ids,
                "phase": phase,
                "started": started.isoformat() if started else None,
            },
        )


def _saved_since(item: Item, started: datetime | None) -> bool:
    """Was this item's enrichment written by the batch that started at ``started``?"""
    at = parse_dt(item.enrichment.enriched_at) if item.enrichment is not None else None
    return at is not None and started is not None and at >= started


def _load_snapshot(store: Store) -> tuple[Any, int]:
    doc = store.get_doc("state", "story-index")
    if doc and doc.get("data"):
        try:
            return StoryIndex.from_bytes(base64.b64decode(doc["data"])), int(doc.get("seq") or 0)
        except ValueError:
            log.warning("stored story index is unreadable; starting a new one")
    return StoryIndex(), 0


def load_story_index(store: Store) -> Any:
    """The story index as the store knows it (snapshot + journal), without repairing anything."""
    state = StoryState()
    state.index, snap_seq = _load_snapshot(store)
    for entry in store.find_docs(JOURNAL, order_by="seq", limit=100_000):
        if entry["seq"] > snap_seq and entry.get("phase") == "done":
            replay_stories(state.index, store.get_items(list(entry.get("item_ids") or [])))
    return state.index


def _story_stats_from(store: Store) -> Callable[[str, Item], dict[str, Any]]:
    """Reach and velocity of a story so far: distinct sources and items in the last 24 hours,
    counting the item being enriched (it is not saved with its story id yet)."""

    def stats(story_id: str, item: Item) -> dict[str, Any]:
        s = store.story_stats(story_id, since=utcnow() - timedelta(hours=STORY_WINDOW_HOURS))
        return {"sources": max(1, s["sources"]), "items": s["items"] + 1, "window_hours": STORY_WINDOW_HOURS}

    return stats


class _StopFlag:
    """Set by SIGTERM/SIGINT: loops finish the current cycle (nothing half-written), then exit."""

    def __init__(self) -> None:
        self.set = False

    def __enter__(self) -> _StopFlag:
        def _stop(signum: int, _frame: Any) -> None:
            log.info("signal %s: finishing the current cycle, then stopping", signum)
            self.set = True

        self._previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def _sleep_until(stop: _StopFlag, seconds: float) -> None:
    end = time.monotonic() + seconds
    while not stop.set and time.monotonic() < end:
        time.sleep(0.2)


def _work_once(profile: Profile, store: Store, triage: Any, stories: StoryState | None = None) -> None:
    report = process_pending(profile, store, stories=stories)
    if report.enriched:
        log.info("enriched %d item(s), %d alert(s) opened or updated", report.enriched, report.alerts)
    try:
        triage.tick()
    except Exception:
        log.exception("triage duties failed")


def work_forever(
    profile: Profile, store: Store, tick_seconds: float = 5.0, max_cycles: int | None = None
) -> None:
    """The worker: enrich and triage what the crawler stored, then escalations and the outbox."""
    with _StopFlag() as stop:
        triage = Triage(profile, store)
        stories = StoryState()  # kept between cycles; reloaded only if the store moved on
        cycles = 0
        last_replay: float | None = None
        while not stop.set and (max_cycles is None or cycles < max_cycles):
            cycles += 1
            if last_replay is None or time.monotonic() - last_replay >= REPLAY_EVERY_SECONDS:
                replay_failed_writes(store)
                last_replay = time.monotonic()
            _work_once(profile, store, triage, stories)
            _sleep_until(stop, tick_seconds)


def replay_failed_writes(store: Store) -> None:
    """Re-send writes the store queued after a refusal (Elasticsearch); a newer stored revision
    always wins over a queued one. Never stops the worker."""
    try:
        if not store.failed_writes().count:
            return
        report = store.replay_failed_writes()
        if report.sent or report.superseded or report.failed:
            log.info(
                "retry queue: %d written, %d superseded by newer data, %d still failing",
                report.sent, report.superseded, report.failed,
            )  # fmt: skip
    except Exception:
        log.exception("replaying the retry queue failed; it stays queued")


def due_sources(profile: Profile, store: Store, now: datetime) -> list[Source]:
    """Sources whose polling interval has elapsed since their last attempt."""
    due = []
    for source in profile.sources:
        if not source.enabled or source.type == "tip":
            continue
        health = store.get_doc("sources", source.id) or {}
        last = health.get("last_attempt")
        if not last or datetime.fromisoformat(last) + timedelta(minutes=source.interval_minutes) <= now:
            due.append(source)
    return due


def run_forever(
    profile: Profile,
    store: Store,
    sources: list[Source] | None = None,
    tick_seconds: float = 5.0,
    max_cycles: int | None = None,
    process: bool = True,
) -> None:
    """The scheduler: crawl due sources, process, run triage duties; stop cleanly on SIGTERM.

    With ``process=False`` it only crawls: a separate worker (``work_forever``) enriches and
    triages, so the two never race on the same items or the story index."""
    with _StopFlag() as stop:
        triage = Triage(profile, store)
        stories = StoryState()
        pool = sources if sources is not None else profile.sources
        watched = profile.model_copy(update={"sources": pool})
        cycles = 0
        while not stop.set and (max_cycles is None or cycles < max_cycles):
            cycles += 1
            now = utcnow()
            due = due_sources(watched, store, now)
            if due:
                log.info("crawling %d due source(s): %s", len(due), ", ".join(s.id for s in due))
                try:
                    crawl(profile, store, sources=due, once=True)
                except Exception:
                    log.exception("crawl failed")
                for s in due:  # the attempt counts even when the crawl failed, so we back off
                    doc = store.get_doc("sources", s.id) or {"id": s.id}
                    doc["last_attempt"] = now.isoformat()
                    store.put_doc("sources", doc)
            if process:
                _work_once(profile, store, triage, stories)
            _sleep_until(stop, tick_seconds)
