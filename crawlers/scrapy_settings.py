"""Scrapy settings built from the profile's ``crawl:`` block (politeness lives here)."""

from __future__ import annotations

from typing import Any

from giamsat.core.profile import Profile


def build_settings(profile: Profile, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    c = profile.crawl
    settings: dict[str, Any] = {
        "BOT_NAME": "giamsat",
        "USER_AGENT": c.user_agent,
        "ROBOTSTXT_OBEY": True,  # per source: Request.meta["dont_obey_robotstxt"] (recorded in health)
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": c.concurrency_per_domain,
        "DOWNLOAD_DELAY": c.delay_seconds,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": max(c.delay_seconds, 1.0),
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_TIMEOUT": c.timeout_seconds,
        "DOWNLOAD_MAXSIZE": c.max_page_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "REDIRECT_MAX_TIMES": 10,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 3,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "RETRY_BACKOFF_BASE": 2.0,
        "RETRY_BACKOFF_MAX": 60.0,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "giamsat.crawlers.middlewares.BackoffRetryMiddleware": 550,
        },
        "ITEM_PIPELINES": {"giamsat.crawlers.pipelines.StorePipeline": 300},
        # a spider callback yields at most one item (a feed: its requests); Scrapy starts this many
        # asyncio tasks for *every* response whatever it yields, 100 by default
        "CONCURRENT_ITEMS": 8,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "LOG_FORMATTER": "giamsat.crawlers.pipelines.QuietLogFormatter",
        "STATS_DUMP": False,
    }
    settings.update(overrides or {})
    return settings


# Overrides for tests and the benchmark: no politeness delays on the loopback fixture site.
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "RETRY_BACKOFF_BASE": 0.05,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "WARNING",
}
