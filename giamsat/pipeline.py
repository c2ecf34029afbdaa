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

from giamsat.core.model import Enrichment, Item, utcnow
from giamsat.core.profile import Profile, Source
from giamsat.crawlers.runner import crawl
from giamsat.nlp.enrich import Enricher
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
) -> ProcessReport:
    report = ProcessReport()
    index = load_story_index(store)
    enricher = Enricher(profile, store, story_index=index, story_stats=_story_stats_from(store))
    triage = Triage(profile, store)
    while limit is None or report.enriched < limit:
        items = store.pending_enrichment(batch if limit is None else min(batch, limit - report.enriched))
        if not items:
            break
        enrichments = _enrich_safely(enricher, items)
        pairs = [(item.id, enr) for item, enr in zip(items, enrichments, strict=True) if item.id]
        store.save_enrichments(pairs)
        for item, enr in zip(items, enrichments, strict=True):
            item.enrichment = enr
            if enr.error:
                report.failed += 1
        report.enriched += len(items)
        if on_progress:
            on_progress(len(items))
        try:
            report.alerts += len(triage.ingest(items))
        except Exception as exc:
            log.exception("triage failed on a batch")
            report.errors.append(f"triage: {exc}")
    if report.enriched:
        save_story_index(store, index)
    return report


STORY_WINDOW_HOURS = 24.0
REPLAY_EVERY_SECONDS = 300.0  # how often a worker re-sends writes the cluster refused (giamsat es replay)


def load_story_index(store: Store) -> Any:
    """The incremental near-duplicate index survives restarts as a document in the store."""
    doc = store.get_doc("state", "story-index")
    if doc and doc.get("data"):
        try:
            return StoryIndex.from_bytes(base64.b64decode(doc["data"]))
        except ValueError:
            log.warning("stored story index is unreadable; starting a new one")
    return StoryIndex()


def save_story_index(store: Store, index: Any) -> None:
    store.put_doc("state", {"id": "story-index", "data": base64.b64encode(index.to_bytes()).decode("ascii")})


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


def _work_once(profile: Profile, store: Store, triage: Any) -> None:
    report = process_pending(profile, store)
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
        cycles = 0
        last_replay: float | None = None
        while not stop.set and (max_cycles is None or cycles < max_cycles):
            cycles += 1
            if last_replay is None or time.monotonic() - last_replay >= REPLAY_EVERY_SECONDS:
                replay_failed_writes(store)
                last_replay = time.monotonic()
            _work_once(profile, store, triage)
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
                _work_once(profile, store, triage)
            _sleep_until(stop, tick_seconds)
