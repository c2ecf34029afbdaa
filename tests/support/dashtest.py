"""Helpers shared by the dashboard tests and benchmarks: log in, fill a store, read what a page shows
(``conftest`` itself is not importable under --import-mode=importlib; pytest's ``pythonpath``
makes ``tests/support`` importable as ``support``)."""

from __future__ import annotations

import re
from datetime import timedelta

from streamlit.testing.v1 import AppTest

from giamsat.core.model import utcnow
from giamsat.core.resources import package_path
from giamsat.dashboard import auth
from giamsat.dashboard.sample import generate
from giamsat.storage.sqlite import SQLiteStore

APP = str(package_path("dashboard", "app.py"))
PASSWORD = "mat-khau-thu-nghiem"
USERS = {"monitor": "giamsat1", "leader": "lanhdao", "unit": "nnmt", "admin": "admin", "unit2": "congan"}
N_ITEMS = 240


def fill(store: SQLiteStore, count: int = N_ITEMS) -> None:
    items = list(generate(count, end=utcnow() - timedelta(minutes=5), days=10, story_count=40))
    store.upsert_items(items)
    store.save_enrichments([(i.id, i.enrichment) for i in items if i.id and i.enrichment])
    from giamsat.core.profile import load_profile
    from giamsat.storage.base import Query
    from giamsat.triage.service import Triage

    risky = store.search(Query(min_risk=0.5, order="oldest"), limit=count).items
    Triage(load_profile("khanh-hoa"), store).ingest(risky)
    for username in USERS.values():
        auth.set_password(store, username, PASSWORD)
    store.put_doc(
        "sources",
        {
            "id": "vnexpress",
            "last_run": utcnow().isoformat(),
            "last_success": utcnow().isoformat(),
            "consecutive_failures": 0,
            "items_per_day": {"2026-11-20": 40, "2026-11-21": 44},
        },
    )
    store.put_doc(
        "sources",
        {
            "id": "tuoitre",
            "last_run": utcnow().isoformat(),
            "last_success": (utcnow() - timedelta(days=2)).isoformat(),
            "last_error": "HTTP 503 Service Unavailable",
            "consecutive_failures": 4,
            "items_per_day": {"2026-11-20": 30},
        },
    )


def login(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click()
    return at.run()


def shown(markdown: str) -> str:
    """What a Markdown string shows once its escapes are read (``safe.md`` backslash-escapes
    punctuation and puts an invisible word joiner after colons)."""
    plain = re.sub(r"(?<!\\)\*\*", "", markdown)  # our own bold markers
    return re.sub(r"\\(.)", r"\1", plain).replace("\u2060", "")


# the AppTest element kinds that render markdown (and so carry visible text)
MARKDOWN_KINDS = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "error",
    "warning",
    "info",
    "success",
)


def texts(at: AppTest) -> str:
    """All visible text of the last run: markdown, headers, captions, messages, metrics."""
    parts: list[str] = []
    for kind in MARKDOWN_KINDS:
        parts.extend(str(e.value) for e in getattr(at, kind))
    parts.extend(f"{m.label} {m.value}" for m in at.metric)
    return shown("\n".join(parts))
