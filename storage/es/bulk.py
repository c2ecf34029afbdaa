"""Bulk writes that lose nothing: retries with exponential backoff on 429/5xx, a report per
document, and a local retry queue (JSONL spool) for documents that still fail.

Version conflicts (409) are *not* failures here: they are the optimistic-concurrency signal and
are handed back to the caller, which re-reads and re-plans.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from giamsat.core.settings import Settings

log = logging.getLogger(__name__)

RETRY_STATUSES = (429, 502, 503, 504)
_spool_lock = threading.Lock()


def default_spool_path() -> Path:
    configured = Settings.from_env().es_spool
    if configured:
        return configured

    return Path(user_data_dir("giamsat", appauthor=False)) / "es-retry-queue.jsonl"


@dataclass
class BulkFailure:
    action: dict[str, Any]
    status: int | str
    reason: str


@dataclass
class BulkResult:
    ok: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)  # the actions refused with 409
    failed: list[BulkFailure] = field(default_factory=list)  # spooled for a later replay


def _reason(info: dict[str, Any]) -> str:
    err = info.get("error") or info.get("exception") or "unknown error"
    if isinstance(err, dict):
        return f"{err.get('type', 'error')}: {err.get('reason', '')}".strip()
    return str(err)


def _action_key(op: str, doc_id: str | None) -> tuple[str, str]:
    return op, str(doc_id)


def bulk_write(
    client: Any,
    actions: list[dict[str, Any]],
    *,
    spool: Path | None,
    ignore_conflicts_on: Iterable[str] = (),
    max_retries: int = 5,
    initial_backoff: float = 0.5,
    max_backoff: float = 30.0,
    chunk_size: int = 500,
) -> BulkResult:
    """Send ``actions`` (``helpers.bulk`` format). Returns counts, the 409s (except on indices in
    ``ignore_conflicts_on``, where "already exists" is success) and the failures, which are also
    appended to ``spool`` with their reason so nothing is dropped."""
    from elasticsearch import helpers

    result = BulkResult()
    if not actions:
        return result
    ignore = set(ignore_conflicts_on)
    pending: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for a in actions:
        pending.setdefault(_action_key(a.get("_op_type", "index"), a.get("_id")), []).append(a)
    stream = helpers.streaming_bulk(
        client,
        actions,
        chunk_size=chunk_size,
        raise_on_error=False,
        raise_on_exception=False,
        max_retries=max_retries,
        initial_backoff=initial_backoff,
        max_backoff=max_backoff,
        retry_on_status=RETRY_STATUSES,
    )
    try:
        for ok, item in stream:
            _record(result, pending, ok, item, ignore)
    except Exception as exc:  # transport down: queue everything not acknowledged, then report
        left = [a for queue in pending.values() for a in queue]
        result.failed.extend(
            BulkFailure(action=a, status="N/A", reason=f"{type(exc).__name__}: {exc}") for a in left
        )
        if spool is not None:
            write_spool(spool, result.failed)
        raise BulkUnavailable(len(left), spool, exc) from exc
    if result.failed and spool is not None:
        write_spool(spool, result.failed)
    return result


class BulkUnavailable(Exception):
    def __init__(self, count: int, spool: Path | None, cause: Exception) -> None:
        self.count, self.spool = count, spool
        super().__init__(f"{count} document(s) not written ({cause}); kept in the retry queue {spool}")


def _record(
    result: BulkResult,
    pending: dict[tuple[str, str], list[dict[str, Any]]],
    ok: bool,
    item: dict[str, Any],
    ignore: set[str],
) -> None:
    op, info = next(iter(item.items()))
    queue = pending.get(_action_key(op, info.get("_id")))
    action = queue.pop(0) if queue else {"_op_type": op, "_index": info.get("_index"), "_id": info.get("_id")}
    if ok:
        result.ok += 1
        return
    status = info.get("status", "N/A")
    if status == 409:
        if str(action.get("_index", "")) in ignore:
            result.ok += 1  # "already exists" where writes are idempotent (raw payloads, revisions)
        else:
            result.conflicts.append(action)
        return
    failure = BulkFailure(action=action, status=status, reason=_reason(info))
    log.error(
        "bulk %s %s/%s failed (%s): %s", op, action.get("_index"), action.get("_id"), status, failure.reason
    )
    result.failed.append(failure)


def write_spool(spool: Path, failures: list[BulkFailure]) -> None:
    spool.parent.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with _spool_lock, spool.open("a", encoding="utf-8") as fh:
        for f in failures:
            line = {"at": now, "status": f.status, "reason": f.reason, "action": f.action}
            fh.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
    log.warning("%d document(s) could not be written; kept in the retry queue %s", len(failures), spool)


def read_spool(spool: Path) -> list[dict[str, Any]]:
    if not spool.exists():
        return []
    out = []
    for n, line in enumerate(spool.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as exc:
            log.error("%s:%d: unreadable retry-queue line kept as is: %s", spool, n, exc)
    return out


def replay_spool(client: Any, spool: Path) -> BulkResult:
    """Re-send the queued actions; whatever still fails is queued again (the rest is removed).
    CAS tokens are dropped: a queued write is the newest known state of that document."""
    entries = read_spool(spool)
    if not entries:
        return BulkResult()
    actions = []
    for e in entries:
        a = dict(e["action"])
        a.pop("if_seq_no", None)
        a.pop("if_primary_term", None)
        actions.append(a)
    tmp = spool.with_suffix(spool.suffix + ".replaying")
    spool.replace(tmp)
    result = bulk_write(client, actions, spool=spool)
    tmp.unlink()
    return result
