"""Dashboard fixtures: a real SQLite store filled with enriched items and alerts, real passwords,
and ``open_app`` that drives the real app with Streamlit's AppTest."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from support.dashtest import APP, fill, login

from giamsat.storage.sqlite import SQLiteStore


@pytest.fixture(scope="session")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per session, then copied: hashing passwords and filling takes a second."""
    path = tmp_path_factory.mktemp("dash") / "base.db"
    store = SQLiteStore(f"sqlite:///{path}")
    fill(store)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture
def dash_store(base_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
    path = tmp_path / "giamsat.db"
    shutil.copy(base_db, path)
    store = SQLiteStore(f"sqlite:///{path}")
    monkeypatch.setenv("GIAMSAT_STORE", store.uri)
    monkeypatch.setenv("GIAMSAT_PROFILE", "khanh-hoa")
    yield store
    store.close()


@pytest.fixture
def open_app(dash_store: SQLiteStore) -> Callable[..., AppTest]:
    """``open_app("giamsat1", page="tim-kiem", ticket="12")`` -> a logged-in AppTest on that page."""

    def _open(username: str | None = None, page: str | None = None, **params: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        if page:
            at.query_params["page"] = page
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        if username:
            login(at, username)
        assert not at.exception, at.exception
        return at

    return _open
