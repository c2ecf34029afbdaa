"""Fixtures of the crawler tests: the fixture site server and a profile with a small page cap."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from giamsat.profile import Profile

# The suite runs with --import-mode=importlib (no sys.path changes); the fixture-site helpers are
# shared by these tests and benchmarks/crawl.py, so make their folder importable explicitly.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_site import FixtureSite


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    server = FixtureSite()
    yield server
    server.close()


@pytest.fixture(scope="session")
def crawl_profile(profile: Profile) -> Profile:
    """The default profile with a small page cap (the fixture site's big page exceeds it)."""
    crawl = profile.crawl.model_copy(update={"max_page_bytes": 200_000, "timeout_seconds": 2})
    return profile.model_copy(update={"crawl": crawl, "sources": []})
