"""Shared fixtures: real SQLite stores in temp dirs, the default profile, a real HTTP server."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from giamsat.core.profile import Profile, load_profile
from giamsat.storage.sqlite import SQLiteStore

# The fixture sites and webhooks of the tests listen on 127.0.0.1, which the fetch policy refuses
# by default (crawlers/fetchpolicy.py); set here so crawler child processes inherit it. The
# security suite turns it off where it tests the policy itself.
os.environ["GIAMSAT_ALLOW_PRIVATE_NETWORK"] = "1"

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture
def tmp_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = SQLiteStore(f"sqlite:///{tmp_path / 'giamsat.db'}")
    yield store
    store.close()


@pytest.fixture(scope="session")
def es_emulator() -> Iterator[object]:
    """The Elasticsearch-compatible emulator (noida-db), started once per session on a free port
    and stopped by its pid at the end. Missing from the venv: skipped, except in CI."""
    import os

    from support import es_emulator as emu

    if not emu.available():
        if os.environ.get("CI"):
            pytest.fail("noida-db is missing: `make setup` installs the dev extras")
        pytest.skip("noida-db (ES emulator) not installed: pip install -e '.[dev]'")
    server = emu.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def profile() -> Profile:
    return load_profile("khanh-hoa")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class LocalServer:
    """A real ``ThreadingHTTPServer`` on 127.0.0.1 with a random free port."""

    def __init__(self, handler: Callable[..., http.server.BaseHTTPRequestHandler]) -> None:
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server() -> Iterator[Callable[..., LocalServer]]:
    """Factory: ``http_server(directory)`` serves a folder; ``http_server(handler=Cls)`` a custom handler."""
    servers: list[LocalServer] = []

    def start(directory: str | Path | None = None, handler: type | None = None) -> LocalServer:
        if handler is None:
            handler = functools.partial(_QuietHandler, directory=str(directory))
        server = LocalServer(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
