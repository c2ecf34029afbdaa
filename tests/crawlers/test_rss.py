"""Real Scrapy crawls of the fixture site's feeds: what is stored, what is reported, what is re-fetched."""

from __future__ import annotations

from support.fixture_site import SITE_DIR, TEST_SETTINGS, source

from giamsat.crawlers.runner import crawl
from giamsat.storage.base import Query


def _sources(url: str) -> list:
    return [
        source("fx-rss", "rss", f"{url}/feed.xml", scope="national", name="Báo Thử Nghiệm"),
        source("fx-atom", "rss", f"{url}/atom.xml", scope="province", name="Báo tỉnh"),
        source("fx-bozo", "rss", f"{url}/bozo.xml", scope="national"),
        source("fx-broken", "rss", f"{url}/broken.xml", scope="national"),
    ]


def _reasons(rep) -> dict[str, str]:
    return {
        e["url"].rsplit("/", 2)[-1] if "/loop/" not in e["url"] else "loop": e["reason"] for e in rep.errors
    }


def test_first_crawl_stores_filters_and_reports(site, tmp_store, crawl_profile):
    report = crawl(crawl_profile, tmp_store, _sources(site.url), settings=TEST_SETTINGS)

    rss = report.sources["fx-rss"]
    # 6 Khánh Hòa articles stored; the Hà Nội one dropped by the province filter
    assert (rss.new, rss.dropped) == (6, 1), rss
    stored = {
        i.canonical_url.removeprefix(site.url) for i in tmp_store.iter_items(Query(source_ids=["fx-rss"]))
    }
    assert stored == {
        "/articles/kh-sat-lo.html",  # tracking parameters stripped
        "/articles/kh-cat-lau.html",
        "/articles/kh-english.html",
        "/articles/kh-du-lich.html",  # reached through a 301
        "/articles/flaky.html",  # 500 then 200: retried
        "/articles/cp1258.html",
    }
    reasons = _reasons(rss)
    assert "chuyển hướng" in reasons["loop"]
    assert "410" in reasons["gone.html"]
    assert "không có nội dung" in reasons["empty.html"]
    assert "giới hạn" in reasons["big.html"]
    assert rss.gone == 1
    assert any("robots.txt" in w for w in rss.warnings)
    assert not site.state.requests_to("/private/"), "robots.txt must be obeyed"

    stats = report.stats["fx-rss"]
    assert stats["retry/count"] >= 1
    assert stats["robotstxt/forbidden"] == 1
    assert stats["finish_reason"] == "finished"

    # the province-scope feed keeps everything, including the item that never names the province
    atom = report.sources["fx-atom"]
    assert atom.new == 3 and atom.dropped == 0
    assert any("TCVN3" in w for w in atom.warnings)

    # a bozo feed is read and reported; a broken one fails with a reason, the run goes on
    assert report.sources["fx-bozo"].new == 2
    assert any("lỗi định dạng" in w for w in report.sources["fx-bozo"].warnings)
    assert report.sources["fx-broken"].fatal == "feed XML hỏng"

    # article fields
    item = tmp_store.get_item_by_url(f"{site.url}/articles/kh-cat-lau.html")
    assert item.title == "Người dân phản ánh tình trạng khai thác cát lậu trên sông Cái Nha Trang"
    assert item.text.startswith("Nhiều hộ dân ven sông Cái")  # the sapo first
    assert "Tin liên quan" not in item.text and "Liên hệ quảng cáo" not in item.text
    assert item.published.isoformat() == "2026-03-05T02:15:00+00:00"
    assert item.author == "Minh Anh"
    assert item.language == "vi" and item.kind == "press"
    assert tmp_store.get_raw(item.raw_ref).startswith(b"<!DOCTYPE html>")
    cp = tmp_store.get_item_by_url(f"{site.url}/articles/cp1258.html")
    assert "Khánh Hòa" in cp.title and "sốt xuất huyết" in cp.text  # NFC after cp1258
    assert cp.meta["encoding"] == "cp1258"
    en = tmp_store.get_item_by_url(f"{site.url}/articles/kh-english.html")
    assert en.language == "en"
    tcvn = tmp_store.get_item_by_url(f"{site.url}/articles/tcvn3.html")
    assert tcvn.meta["legacy_font"] == "TCVN3"

    # health records
    health = tmp_store.get_doc("sources", "fx-rss")
    assert health["last_success"] and health["consecutive_failures"] == 0 and health["status"] == "ok"
    assert sum(health["items_per_day"].values()) == 6
    broken = tmp_store.get_doc("sources", "fx-broken")
    assert broken["consecutive_failures"] == 1 and broken["last_error"] == "feed XML hỏng"
    assert broken["status"] == "loi"


def test_second_crawl_is_conditional_and_edits_become_revisions(site, tmp_store, crawl_profile):
    sources = _sources(site.url)[:3]
    crawl(crawl_profile, tmp_store, sources, settings=TEST_SETTINGS)
    site.state.log.clear()

    again = crawl(crawl_profile, tmp_store, sources, settings=TEST_SETTINGS)
    assert again.new == 0 and again.revised == 0
    requests = [r for r in site.state.log if r["path"] != "/robots.txt"]
    assert sorted(r["path"] for r in requests) == ["/atom.xml", "/bozo.xml", "/feed.xml"]
    assert all("If-None-Match" in r["headers"] for r in requests)
    assert all(again.sources[s].not_modified == 1 for s in ("fx-rss", "fx-atom", "fx-bozo"))

    # the publisher corrects an article and updates its feed date: a new revision, same item
    path = "/articles/kh-cat-lau.html"
    html = (SITE_DIR / path.lstrip("/")).read_text(encoding="utf-8")
    edited = html.replace("ba đến bốn tàu hút cát", "năm đến sáu tàu hút cát")
    site.state.overrides[path] = (200, {"Content-Type": "text/html; charset=utf-8"}, edited.encode())
    site.state.feed_entries[1] = (path, site.state.feed_entries[1][1], "2026-03-06T10:00:00+07:00")
    third = crawl(crawl_profile, tmp_store, sources[:1], settings=TEST_SETTINGS)
    assert (third.sources["fx-rss"].revised, third.sources["fx-rss"].new) == (1, 0)
    item = tmp_store.get_item_by_url(f"{site.url}{path}")
    assert item.revision == 2 and "năm đến sáu tàu" in item.text
    assert "ba đến bốn tàu" in tmp_store.item_revisions(item.id)[0]["text"]
    assert tmp_store.count(Query(source_ids=["fx-rss"])) == 6


def test_transient_failure_is_retried_next_run(site, tmp_store, crawl_profile):
    src = [source("fx-slow", "rss", f"{site.url}/slow-feed.xml", scope="province")]
    site.state.slow_seconds = 4.0  # > DOWNLOAD_TIMEOUT
    first = crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS)
    assert first.sources["fx-slow"].new == 0
    assert "thời gian chờ" in first.sources["fx-slow"].errors[0]["reason"]
    # the feed's ETag was not saved: the next run reads the feed again and gets the page
    site.state.slow_seconds = 0
    second = crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS)
    assert second.sources["fx-slow"].new == 1
