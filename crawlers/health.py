"""Source health: one document per source in the ``sources`` collection, updated after each run.

Fields: ``last_run``, ``last_success``, ``last_error`` (+ ``last_error_at``), ``consecutive_failures``,
``items_per_day`` ({local date: new items}, last 60 days), ``last_item_at``, ``obey_robots``,
``last_counts`` and ``status``:

* ``loi`` - the source failed ``FAIL_RUNS`` runs in a row (or never worked);
* ``tang-dot-bien`` - today's new items exceed ``spike_factor`` x its usual daily count (median of
  the previous 14 days) and at least ``spike_min_count`` (profile ``alerts:``);
* ``im-lang`` - a source that usually publishes daily has produced nothing for longer than
  ``SILENT_FACTOR`` x its usual gap between items (at least a day);
* ``ok`` otherwise. The triage stage turns the non-ok states into alerts.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from giamsat.core.model import parse_dt, utcnow
from giamsat.core.profile import Profile, Source
from giamsat.crawlers.report import CrawlReport, SourceReport
from giamsat.storage.base import Store

COLLECTION = "sources"
FAIL_RUNS = 3
HISTORY_DAYS = 14
KEEP_DAYS = 60
SILENT_FACTOR = 3.0
STATUSES = ("ok", "loi", "im-lang", "tang-dot-bien")
STATUS_LABELS = {"ok": "bình thường", "loi": "lỗi", "im-lang": "im lặng", "tang-dot-bien": "tăng đột biến"}


def _local_day(dt: datetime, tz: str) -> str:
    return dt.astimezone(ZoneInfo(tz)).date().isoformat()


def compute_status(
    doc: dict[str, Any],
    now: datetime,
    *,
    tz: str = "Asia/Ho_Chi_Minh",
    spike_factor: float = 3.0,
    spike_min_count: int = 5,
) -> str:
    """Pure function of a health document (see module docstring)."""
    failures = int(doc.get("consecutive_failures") or 0)
    if failures >= FAIL_RUNS or (failures and not doc.get("last_success")):
        return "loi"
    per_day: dict[str, int] = doc.get("items_per_day") or {}
    today = now.astimezone(ZoneInfo(tz)).date()
    history = [per_day.get((today - timedelta(days=d)).isoformat(), 0) for d in range(1, HISTORY_DAYS + 1)]
    first = parse_dt(doc.get("first_seen"))
    if first:  # days before the source existed are not "zero items"
        age_days = (today - first.astimezone(ZoneInfo(tz)).date()).days
        history = history[: max(age_days, 0)]
    usual = statistics.median(history) if history else 0
    today_count = per_day.get(today.isoformat(), 0)
    if history and today_count >= spike_min_count and today_count > spike_factor * max(usual, 1):
        return "tang-dot-bien"
    mean = sum(history) / len(history) if history else 0
    last_item = parse_dt(doc.get("last_item_at"))
    if len(history) >= 3 and mean >= 1 and last_item is not None:
        usual_gap_hours = 24.0 / mean
        if now - last_item > timedelta(hours=max(24.0, SILENT_FACTOR * usual_gap_hours)):
            return "im-lang"
    return "ok"


def update_health(
    doc: dict[str, Any], source: Source, rep: SourceReport, now: datetime, tz: str
) -> dict[str, Any]:
    """Fold one run's report into the source's health document (pure)."""
    doc = dict(doc)
    doc.setdefault("id", source.id)
    doc.setdefault("first_seen", now.isoformat())
    doc.update(name=source.name or source.id, type=source.type, url=source.url, tier=source.tier)
    doc["last_run"] = now.isoformat()
    doc["obey_robots"] = source.obey_robots
    doc["last_counts"] = {
        k: getattr(rep, k)
        for k in (
            "fetched",
            "not_modified",
            "skipped_seen",
            "new",
            "revised",
            "unchanged",
            "dropped",
            "gone",
            "error_count",
        )
    }
    doc["last_warnings"] = rep.warnings[:10]
    if rep.ok:
        doc["last_success"] = now.isoformat()
        doc["consecutive_failures"] = 0
    else:
        doc["consecutive_failures"] = int(doc.get("consecutive_failures") or 0) + 1
    if rep.fatal or rep.errors:
        reason = rep.fatal or rep.errors[0]["reason"]
        doc["last_error"] = reason
        doc["last_error_at"] = now.isoformat()
    per_day = dict(doc.get("items_per_day") or {})
    if rep.new:
        day = _local_day(now, tz)
        per_day[day] = per_day.get(day, 0) + rep.new
        doc["last_item_at"] = now.isoformat()
    cutoff = (now - timedelta(days=KEEP_DAYS)).date().isoformat()
    doc["items_per_day"] = {d: n for d, n in sorted(per_day.items()) if d >= cutoff}
    return doc


def record_run(store: Store, profile: Profile, sources: list[Source], report: CrawlReport) -> None:
    now = utcnow()
    tz = profile.province.timezone
    for source in sources:
        rep = report.sources.get(source.id)
        if rep is None:
            continue
        doc = update_health(store.get_doc(COLLECTION, source.id) or {}, source, rep, now, tz)
        doc["status"] = compute_status(
            doc,
            now,
            tz=tz,
            spike_factor=profile.alerts.spike_factor,
            spike_min_count=profile.alerts.spike_min_count,
        )
        doc.pop("version", None)
        store.put_doc(COLLECTION, doc)


def health_rows(store: Store, profile: Profile, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every configured source with its health (status recomputed: silence grows with time)."""
    now = now or utcnow()
    tz = profile.province.timezone
    rows = []
    for source in profile.sources:
        doc = store.get_doc(COLLECTION, source.id) or {"id": source.id}
        status = (
            compute_status(
                doc,
                now,
                tz=tz,
                spike_factor=profile.alerts.spike_factor,
                spike_min_count=profile.alerts.spike_min_count,
            )
            if doc.get("last_run")
            else "chua-chay"
        )
        rows.append(
            {
                **doc,
                "name": source.name or source.id,
                "type": source.type,
                "enabled": source.enabled,
                "status": status,
            }
        )
    known = {s.id for s in profile.sources}
    for doc in store.find_docs(COLLECTION):
        if doc.get("id") not in known:
            rows.append(
                {
                    **doc,
                    "enabled": None,
                    "status": compute_status(doc, now, tz=tz) if doc.get("last_run") else "chua-chay",
                }
            )
    return rows
