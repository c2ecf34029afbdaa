"""Defect 10: ``giamsat demo`` never touches a store it did not create.

The audit pointed the demo at a copy of a real store: 6,195 items became 55 and every account got
the published demo password. Now the demo marks the stores it makes and refuses any other.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from giamsat.core.model import Item
from giamsat.dashboard.auth import set_password
from giamsat.storage.base import Query
from giamsat.storage.sqlite import SQLiteStore


def _real_store(path: Path) -> str:
    store = SQLiteStore(f"sqlite:///{path}")
    store.upsert_items(
        [Item(source_id="bao", url=f"https://bao.example/{i}", text=f"Tin thật số {i}") for i in range(50)]
    )
    set_password(store, "admin", "mat-khau-that-rat-dai")
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("keep", [False, True])
def test_the_demo_refuses_a_real_store(keep, tmp_path):
    db = tmp_path / "that.db"
    digest = _real_store(db)
    env = {**os.environ, "GIAMSAT_DEMO_STORE": f"sqlite:///{db}"}
    proc = subprocess.run(
        [sys.executable, "-m", "giamsat", "demo", "--no-dashboard", *(["--keep"] if keep else [])],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "không phải kho do 'giamsat demo' tạo ra" in proc.stderr.replace("\n", " ")
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest  # not a byte changed
    from giamsat.demo import MARKER_ID

    store = SQLiteStore(f"sqlite:///{db}")
    try:
        assert store.count(Query()) == 50
        assert store.get_doc("users", "admin")["password_hash"].startswith("$argon2")
        assert store.get_doc("state", MARKER_ID) is None
    finally:
        store.close()


@pytest.mark.parametrize("content", [b"", b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 100])
def test_the_demo_refuses_any_other_existing_file(content, tmp_path):
    from giamsat.demo import DemoRefused, prepare_demo_store

    path = tmp_path / "x.db"
    path.write_bytes(content)
    with pytest.raises(DemoRefused):
        prepare_demo_store(f"sqlite:///{path}", keep=False)
    assert path.read_bytes() == content


@pytest.mark.parametrize("uri", ["http://127.0.0.1:9200", "https://es.example:9200", "sqlite:///:memory:"])
def test_the_demo_runs_only_on_its_own_sqlite_file(uri):
    from giamsat.demo import DemoRefused, prepare_demo_store

    with pytest.raises(DemoRefused):
        prepare_demo_store(uri, keep=False)


def test_a_store_the_demo_made_is_rebuilt(tmp_path):
    from giamsat.demo import MARKER_ID, prepare_demo_store

    db = tmp_path / "demo.db"
    store = SQLiteStore(f"sqlite:///{db}")
    store.put_doc("state", {"id": MARKER_ID, "by": "giamsat demo"})
    store.close()
    prepare_demo_store(f"sqlite:///{db}", keep=True)
    assert db.exists()  # kept when asked
    prepare_demo_store(f"sqlite:///{db}", keep=False)
    assert not db.exists()  # emptied for a fresh demo
