"""The worker step as a child process for the kill -9 tests (tests/security/test_kill.py).

    python -m support.kill_worker DB [--batch N] [--snapshot-every N] [--autocommit] [--profile P]

``--autocommit`` runs on a SQLite store whose ``transaction()`` groups nothing - every write is
atomic on its own, as on Elasticsearch - so the tests can kill the Elasticsearch code path (the
started/done journal markers and the repair on restart) without an Elasticsearch server.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from giamsat.core.profile import load_profile
from giamsat.pipeline import process_pending
from giamsat.storage.sqlite import SQLiteStore


class AutoCommitStore(SQLiteStore):
    """Each statement commits by itself (the connection is in autocommit mode)."""

    @contextmanager
    def transaction(self, immediate: bool = True) -> Iterator[Any]:
        yield self.db


def open_store(db: str, autocommit: bool) -> SQLiteStore:
    return (AutoCommitStore if autocommit else SQLiteStore)(f"sqlite:///{db}")


def run(
    db: str, batch: int = 8, snapshot_every: int = 2, autocommit: bool = False, profile: str = "khanh-hoa"
) -> Any:
    store = open_store(db, autocommit)
    try:
        try:
            from giamsat.pipeline import StoryState
        except ImportError:  # a tree before the crash-consistent pipeline (the before/after run)
            return process_pending(load_profile(profile), store, batch=batch)
        state = StoryState(snapshot_every=snapshot_every)
        return process_pending(load_profile(profile), store, batch=batch, stories=state)
    finally:
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--snapshot-every", type=int, default=2)
    ap.add_argument("--autocommit", action="store_true")
    ap.add_argument("--profile", default="khanh-hoa")
    a = ap.parse_args()
    report = run(a.db, a.batch, a.snapshot_every, a.autocommit, a.profile)
    print(f"enriched={report.enriched} alerts={report.alerts} errors={len(report.errors)}", flush=True)


if __name__ == "__main__":
    main()
