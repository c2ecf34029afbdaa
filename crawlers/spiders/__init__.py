"""One spider per source type; ``spider_for(type)`` imports lazily (Scrapy imports are slow)."""

from __future__ import annotations

import importlib

# source type -> "module:Class"; social-import and tip are not crawled (see crawlers.social, crawlers.tips)
SPIDERS = {
    "rss": "crawlers.spiders.rss:RssSpider",
    "site": "crawlers.spiders.site:SiteSpider",
    "forum": "crawlers.spiders.forum:ForumSpider",
    "telegram": "crawlers.spiders.telegram:TelegramSpider",
    "youtube": "crawlers.spiders.youtube:YoutubeSpider",
    "facebook": "crawlers.spiders.facebook:FacebookSpider",
}


def spider_for(source_type: str) -> type:
    module, _, cls = SPIDERS[source_type].partition(":")
    return getattr(importlib.import_module(module), cls)
