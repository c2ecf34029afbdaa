"""Fixtures of the crawler tests: the fixture site server and a profile with a small page cap."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.fixture_site import FixtureSite

from giamsat.core.profile import Profile


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
