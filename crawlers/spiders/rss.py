"""RSS 0.9x/1.0/2.0 and Atom feeds (feedparser), each entry followed to its article page.

Options: ``feeds`` (more feed URLs besides ``url``), ``max_entries`` (per feed, default 200),
``full_text: false`` (store the feed's own content without fetching the page), ``selectors``.
"""

from __future__ import annotations

import calendar
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import feedparser
from scrapy.http import Response

from giamsat.core.model import Item
from giamsat.core.text import clean
from giamsat.crawlers.items import Crawled
from giamsat.crawlers.spiders.base import SourceSpider, fingerprint
from giamsat.crawlers.urls import canonicalize, is_web_url


def entry_datetime(entry: Any, *keys: str) -> datetime | None:
    for key in keys:
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    return None


def _strip_html(value: str) -> str:
    import lxml.html

    if "<" not in value:
        return clean(value)
    try:
        return clean(lxml.html.fromstring(value).text_content())
    except Exception:  # lxml raises ParserError on fragments such as a bare "<"
        return clean(value)


class RssSpider(SourceSpider):
    name = "rss"

    async def start(self) -> AsyncIterator[Any]:
        feeds = [self.source.url, *self.options.get("feeds", [])]
        for url in feeds:
            yield self.make_request(url, self.parse_feed, role="feed", validator_url=url)

    def parse_feed(self, response: Response) -> Any:
        feed_url = response.meta["validator_url"]
        if response.status == 304:
            self.report.not_modified += 1
            return
        self.report.fetched += 1
        if self.too_big(response):
            self.report.fatal = "feed vượt giới hạn dung lượng"
            return
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        parsed = feedparser.parse(response.body, response_headers={"content-type": content_type})
        if parsed.bozo:
            problem = f"{type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}"[:200]
            if not parsed.entries:
                self.report.error(response.url, f"feed XML hỏng, không đọc được mục nào ({problem})")
                self.report.fatal = "feed XML hỏng"
                return
            self.report.warn(f"{response.url}: feed lỗi định dạng nhưng vẫn đọc được ({problem})")
        self.remember_validators(response)
        limit = int(self.options.get("max_entries", 200))
        for entry in parsed.entries[:limit]:
            yield from self.follow_entry(entry, feed_url, response.url)

    def follow_entry(self, entry: Any, feed_url: str, base: str) -> Any:
        link = entry.get("link") or entry.get("id")
        if not link:
            self.report.warn(f"{feed_url}: một mục trong feed không có liên kết")
            return
        link = canonicalize(link, base=base)
        if not is_web_url(link):
            self.report.error(link[:200], "liên kết không phải http(s): bỏ qua (chính sách truy cập)")
            return
        published = entry_datetime(entry, "published", "updated", "created")
        updated = entry_datetime(entry, "updated") or published
        title = clean(entry.get("title", ""))
        fp = fingerprint(updated.isoformat() if updated else "", title)
        if self.state.is_seen(link, fp):
            self.report.skipped_seen += 1
            return
        if self.options.get("full_text") is False:
            text = _strip_html((entry.get("content") or [{}])[0].get("value") or entry.get("summary", ""))
            item = Item(
                source_id=self.source.id,
                url=link,
                title=title,
                text=text,
                kind=self.source.kind,
                author=entry.get("author"),
                published=published,
                meta={"source_name": self.source.name, "tier": self.source.tier, "from_feed": True},
            )
            yield Crawled(item, raw=None, seen_url=link, fingerprint=fp)
            return
        yield self.make_request(
            link,
            self.parse_article,
            parent=feed_url,
            seen_url=link,
            fp=fp,
            feed_published=published,
            feed_title=title,
        )
