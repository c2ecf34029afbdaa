"""Extraction in worker processes (crawlers/pool.py): the same items as in-process extraction, on
real-size pages, and a crawl that survives a dead worker. A smoke version of benchmarks/crawl.py."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest
from support.extraction_gold import PAGES
from support.fixture_site import TEST_SETTINGS

from giamsat.core.profile import Source
from giamsat.crawlers.pool import ExtractionPool, extract_page
from giamsat.crawlers.runner import crawl
from giamsat.storage import open_store

needs_pages = pytest.mark.skipif(
    not (PAGES / "manifest.json").exists(), reason=f"real pages not available at {PAGES}"
)


def _stored(uri: str) -> dict[str, tuple]:
    store = open_store(uri)
    rows = store.db.execute("SELECT canonical_url, title, text, language, author, published FROM items")
    out = {r[0]: tuple(r[1:]) for r in rows}
    store.close()
    return out


@needs_pages
def test_workers_store_exactly_what_in_process_extraction_stores(tmp_path, crawl_profile):
    from support.real_site import RealSite

    site = RealSite(pages=14, real_share=0.5)
    profile = crawl_profile.model_copy(
        update={"crawl": crawl_profile.crawl.model_copy(update={"max_page_bytes": 1_000_000})}
    )
    try:
        results = {}
        for workers in (0, 2):
            uri = f"sqlite:///{tmp_path}/w{workers}.db"
            source = Source(id="real", type="rss", url=f"{site.url}/feed.xml", scope="province")
            report = crawl(
                profile,
                open_store(uri),
                [source],
                settings={**TEST_SETTINGS, "GIAMSAT_EXTRACT_WORKERS": workers},
            )
            assert report.sources["real"].error_count == 0, report.sources["real"].errors
            results[workers] = _stored(uri)
    finally:
        site.close()
    assert len(results[0]) == 14
    assert results[2] == results[0]
    assert all(lang == "vi" and len(text) > 1000 for _, text, lang, *_ in results[0].values())


def test_a_dead_worker_leaves_extraction_in_the_crawl_process():
    html = (
        "<html lang='vi'><head><title>Tin Khánh Hòa</title></head><body><article><h1>Tin Khánh Hòa</h1>"
        + "<p>Người dân phường Nha Trang phản ánh tình trạng ngập úng kéo dài sau mưa lớn ở nhiều tuyến đường.</p>"
        * 6
        + "</article></body></html>"
    ).encode()
    pool = ExtractionPool(1).start()
    try:
        (pid,) = pool._executor._processes  # type: ignore[union-attr]
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while not pool._executor._broken and time.monotonic() < deadline:  # type: ignore[union-attr]
            time.sleep(0.05)
        page = asyncio.run(pool.extract(html, "text/html; charset=utf-8", "https://bao.vn/a.html"))
    finally:
        pool.close()
    assert pool._executor is None
    expected = extract_page(html, "text/html; charset=utf-8", "https://bao.vn/a.html")
    assert page.article.text == expected.article.text and "ngập úng" in page.article.text
    assert page.language == "vi" and page.raw is not None and page.raw.ref == expected.raw.ref
