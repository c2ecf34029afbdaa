"""One spider per source type; ``spider_for(type)`` imports lazily (Scrapy imports are slow)."""

from __future__ import annotations

import importlib

# source type -> "module:Class"; social-import and tip are not crawled (see crawlers.social, crawlers.tips)
SPIDERS = {
    "rss": "giamsat.crawlers.spiders.rss:RssSpider",
    "site": "giamsat.crawlers.spiders.site:SiteSpider",
    "forum": "giamsat.crawlers.spiders.forum:ForumSpider",
    "telegram": "giamsat.crawlers.spiders.telegram:TelegramSpider",
    "youtube": "giamsat.crawlers.spiders.youtube:YoutubeSpider",
    "facebook": "giamsat.crawlers.spiders.facebook:FacebookSpider",
}


def spider_for(source_type: str) -> type:
    module, _, cls = SPIDERS[source_type].partition(":")
    return getattr(importlib.import_module(module), cls)
