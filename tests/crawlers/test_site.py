"""The ``site`` source type: list pages with pagination and news sitemaps."""

from __future__ import annotations

from support.fixture_site import TEST_SETTINGS, source

from giamsat.crawlers.runner import crawl
from giamsat.storage.base import Query


def test_list_pages_with_pagination_and_link_pattern(site, tmp_store, crawl_profile):
    src = [
        source(
            "fx-list",
            "site",
            f"{site.url}/list.html",
            scope="national",
            options={"link_pattern": r"/articles/"},
        )
    ]
    report = crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS)
    rep = report.sources["fx-list"]
    assert (rep.new, rep.dropped) == (4, 1), rep  # page 2 reached through the "next" link
    urls = {i.url.removeprefix(site.url) for i in tmp_store.iter_items(Query(source_ids=["fx-list"]))}
    assert "/articles/khac-1.html" in urls and "/articles/hn-ket-xe.html" not in urls
    assert not site.state.requests_to("/gioi-thieu")  # menu links are not articles

    site.state.log.clear()
    again = crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS)
    assert again.new == 0
    assert [r["path"] for r in site.state.log if r["path"] != "/robots.txt"] == ["/list.html"]
    assert again.sources["fx-list"].not_modified == 1


def test_news_sitemap(site, tmp_store, crawl_profile):
    src = [
        source(
            "fx-map",
            "site",
            site.url,
            scope="province",
            options={"sitemaps": [f"{site.url}/sitemap.xml"], "max_pages": 2},
        )
    ]
    report = crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS)
    assert report.sources["fx-map"].new == 2  # the page limit keeps the two newest
    newest = tmp_store.get_item_by_url(f"{site.url}/articles/kh-sat-lo.html")
    assert newest.published.isoformat() == "2026-03-05T00:30:00+00:00"
    again = crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS)
    assert again.sources["fx-map"].new == 1 and again.sources["fx-map"].skipped_seen == 2
