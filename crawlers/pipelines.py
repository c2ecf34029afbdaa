"""The one item pipeline: province filter -> language tag -> batched upsert -> mark seen.

Ordering matters for "a killed crawl loses nothing and duplicates nothing": a link is marked seen
only after its item is in the store (see ``crawlers.state``).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter
from scrapy.crawler import Crawler

from giamsat.core import faults
from giamsat.crawlers.filters import detect_language, is_about_province
from giamsat.crawlers.items import Crawled

log = logging.getLogger(__name__)
BATCH = 50


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.buffer: list[Crawled] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider

    def process_item(self, crawled: Crawled) -> Crawled:
        spider = self.spider
        item = crawled.item
        if item is None:  # a marker: flushed in order with the items before it
            self.buffer.append(crawled)
            return crawled
        if spider.source.scope == "national" and not (
            crawled.about_province
            if crawled.about_province is not None
            else is_about_province(item, spider.profile)
        ):
            spider.report.dropped += 1
            self.crawler.stats.inc_value("giamsat/dropped_province")
            if crawled.seen_url:  # judged once: not fetched again unless it changes
                spider.state.mark_seen(crawled.seen_url, crawled.fingerprint)
            return crawled
        if item.language is None:
            item.language = detect_language(item)
        if item.language and item.language != "vi":
            self.crawler.stats.inc_value(f"giamsat/language/{item.language}")
        self.buffer.append(crawled)
        if len(self.buffer) >= BATCH:
            self.flush()
        return crawled

    def flush(self) -> None:
        if not self.buffer:
            return
        spider = self.spider
        batch, self.buffer = self.buffer, []
        items = [c.item for c in batch if c.item is not None]
        raw = {c.item.key: c.raw for c in batch if c.item is not None and c.raw is not None}
        stats = spider.store.upsert_items(items, raw=raw)
        faults.point("crawl:after-store")  # stored, not yet marked seen: the crash tests' point
        spider.report.new += stats.new
        spider.report.revised += stats.revised
        spider.report.unchanged += stats.unchanged
        self.crawler.stats.inc_value("giamsat/new", stats.new)
        self.crawler.stats.inc_value("giamsat/revised", stats.revised)
        self.crawler.stats.inc_value("giamsat/unchanged", stats.unchanged)
        for c in batch:
            if c.seen_url:
                spider.state.mark_seen(c.seen_url, c.fingerprint)
        spider.state.maybe_save()

    def close_spider(self) -> None:
        self.flush()
        self.spider.state.save()


class QuietLogFormatter(logformatter.LogFormatter):
    """Do not log every scraped item (article text) at DEBUG: logs stay readable."""

    def scraped(self, item: Any, response: Any, spider: Any) -> logformatter.LogFormatterResult:
        result = super().scraped(item, response, spider)
        result["msg"] = "Scraped from %(src)s"
        args = result["args"]
        result["args"] = {"src": args.get("src") if isinstance(args, dict) else None}
        return result
