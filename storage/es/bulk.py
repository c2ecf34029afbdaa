"""Bulk writes that lose nothing: retries with exponential backoff on 429/5xx, a report per
document, and a local retry queue (JSONL spool) for documents that still fail.

Version conflicts (409) are *not* failures here: they are the optimistic-concurrency signal and
are handed back to the caller, which re-reads and re-plans.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from giamsat.core.settings import Settings
from giamsat.storage.base import FailedWrites

log = logging.getLogger(__name__)

RETRY_STATUSES = (429, 502, 503, 504)


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


# -- the retry queue (spool) ------------------------------------------------------------------------
# One JSON line per failed action: {"at", "status", "reason", "action"}; the action keeps its
# if_seq_no/if_primary_term so a replay can tell whether the document moved on since.
# Several processes (scheduler, worker, dashboard) share the file in docker compose, so every
# append and the hand-over to a replay hold an exclusive lock on a side file.


@contextmanager
def _locked(spool: Path, suffix: str = ".lock", blocking: bool = True) -> Iterator[bool]:
    # flock belongs to the open file description: threads of one process each open the file, so
    # the lock also orders them (no extra threading lock, which would deadlock a nested hold).
    spool.parent.mkdir(parents=True, exist_ok=True)
    with open(spool.with_name(spool.name + suffix), "a+b") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def spool_lines(failures: list[BulkFailure], at: str | None = None) -> bytes:
    now = at or datetime.now(UTC).isoformat(timespec="seconds")
    return "".join(
        json.dumps({"at": now, "status": f.status, "reason": f.reason, "action": f.action},
                   ensure_ascii=False, default=str) + "\n"
        for f in failures
    ).encode("utf-8")  # fmt: skip


def append_spool(spool: Path, data: bytes) -> None:
    """Append whole lines in one ``write`` under the lock (no interleaving between processes)."""
    if not data:
        return
    with _locked(spool):
        fd = os.open(spool, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def write_spool(spool: Path, failures: list[BulkFailure]) -> None:
    append_spool(spool, spool_lines(failures))
    log.warning("%d document(s) could not be written; kept in the retry queue %s", len(failures), spool)


def _parse_lines(path: Path) -> list[dict[str, Any]]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as exc:
            log.error("%s:%d: unreadable retry-queue line skipped: %s", path, n, exc)
    return out


def read_spool(spool: Path) -> list[dict[str, Any]]:
    """Every queued entry, including those a replay has taken but not finished (oldest first)."""
    paths = sorted(spool.parent.glob(spool.name + ".replaying-*")) if spool.parent.exists() else []
    if spool.exists():
        paths.append(spool)
    return [e for p in paths for e in _parse_lines(p)]


def summarize(entries: list[dict[str, Any]], path: Path | str = "") -> FailedWrites:
    out = FailedWrites(path=str(path), count=len(entries))
    reasons: Counter[str] = Counter()
    for e in entries:
        action = e.get("action") or {}
        index = str(action.get("_index", "?"))
        out.by_index[index] = out.by_index.get(index, 0) + 1
        status = str(e.get("status", "?"))
        out.by_status[status] = out.by_status.get(status, 0) + 1
        reasons[str(e.get("reason", ""))[:200]] += 1
        at = e.get("at")
        if at and (out.oldest is None or at < out.oldest):
            out.oldest = at
        if at and (out.newest is None or at > out.newest):
            out.newest = at
    out.reasons = reasons.most_common(10)
    return out


def queue_summary(spool: Path | None = None) -> FailedWrites:
    """The retry queue of this machine, read from the file (works while the cluster is down)."""
    path = spool or default_spool_path()
    return summarize(read_spool(path), path)


@contextmanager
def claim_spool(spool: Path) -> Iterator[list[dict[str, Any]] | None]:
    """Take the queued entries for a replay: ``None`` if another process is replaying now.

    The file is renamed aside under the append lock (writers then start a new one); entries
    left by a replay that crashed are taken too. The taken files are deleted when the block
    ends normally; the caller re-queues whatever it could not send."""
    with _locked(spool, ".replay-lock", blocking=False) as mine:
        if not mine:
            yield None
            return
        with _locked(spool):
            if spool.exists():
                spool.replace(spool.with_name(f"{spool.name}.replaying-{time.time_ns()}-{os.getpid()}"))
        taken = sorted(spool.parent.glob(spool.name + ".replaying-*"))
        entries = [e for p in taken for e in _parse_lines(p)]
        yield entries
        for p in taken:
            p.unlink(missing_ok=True)


def rebase(action: dict[str, Any], current: Any) -> dict[str, Any] | None:
    """The write to send now for a queued *item* action, or ``None`` when it is superseded.

    ``current`` is the item as stored now (``documents.Existing``) or ``None``. A newer revision
    always wins: the queued document is written only if the stored one has not changed since
    the failed write (same ``if_seq_no``/``if_primary_term``, sent with them), or if the queued
    text is a later revision than the stored one (sent with the stored document's tokens, so a
    concurrent writer is still detected). Otherwise the stored document is as new or newer and
    the queued write is dropped (an enrichment so dropped is redone by the worker, since the
    item stays pending)."""
    source = action.get("_source") or {}
    if current is None:
        return {"_op_type": "create", "_index": action["_index"], "_id": action["_id"], "_source": source}
    queued = (action.get("if_seq_no"), action.get("if_primary_term"))
    if queued[0] is not None and queued == (current.seq_no, current.primary_term):
        return action
    if int(source.get("revision") or 1) > int(current.source.get("revision") or 1):
        return {
            "_op_type": "index",
            "_index": current.index,
            "_id": action["_id"],
            "if_seq_no": current.seq_no,
            "if_primary_term": current.primary_term,
            "_source": {**source, "ingest_seq": current.source.get("ingest_seq", source.get("ingest_seq"))},
        }
    return None


def newest_per_document(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One queued action per (index, id): the highest revision, the later one on a tie."""
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for e in entries:
        a = e.get("action") or {}
        key = (str(a.get("_index")), str(a.get("_id")))
        rev = int((a.get("_source") or {}).get("revision") or 0)
        old = best.get(key)
        if old is None or rev >= int((old["action"].get("_source") or {}).get("revision") or 0):
            best[key] = e
    return list(best.values())
