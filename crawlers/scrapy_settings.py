"""Scrapy settings built from the profile's ``crawl:`` block (politeness lives here)."""

from __future__ import annotations

from typing import Any

from giamsat.core.profile import Profile, Source
from giamsat.core.settings import Settings

# Only http(s) can be downloaded: Scrapy also ships file://, ftp://, s3:// and data: handlers,
# and a feed entry or a redirect could name any of them (crawlers.fetchpolicy).
NO_OTHER_SCHEMES = {"file": None, "ftp": None, "s3": None, "data": None}
# Never re-enabled by overrides: a telnet console on a crawler is a shell for whoever reaches it.
FORCED = {"TELNETCONSOLE_ENABLED": False, "DOWNLOAD_HANDLERS": NO_OTHER_SCHEMES}


def _verbose() -> bool:
    from giamsat.core.errors import ConfigError

    try:
        return Settings.from_env().log_level.upper() == "DEBUG"
    except ConfigError:
        return False


def build_settings(
    profile: Profile, overrides: dict[str, Any] | None = None, sources: list[Source] | None = None
) -> dict[str, Any]:
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
            "giamsat.crawlers.middlewares.FetchPolicyMiddleware": 50,  # before robots.txt (100)
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "giamsat.crawlers.middlewares.BackoffRetryMiddleware": 550,
        },
        "TWISTED_DNS_RESOLVER": "giamsat.crawlers.resolver.PolicyResolver",
        "GIAMSAT_ALLOW_PRIVATE_NETWORK": Settings.from_env().allow_private_network,
        "GIAMSAT_PRIVATE_HOSTS": sorted(private_hosts(sources or [])),
        "ITEM_PIPELINES": {"giamsat.crawlers.pipelines.StorePipeline": 300},
        # a spider callback yields at most one item (a feed: its requests); Scrapy starts this many
        # asyncio tasks for *every* response whatever it yields, 100 by default
        "CONCURRENT_ITEMS": 8,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy's own (English) log lines only with `giamsat -v` (GIAMSAT_LOG_LEVEL=DEBUG reaches
        # the crawl's child process); otherwise only its warnings, and the CLI prints the summary.
        "LOG_LEVEL": "INFO" if _verbose() else "WARNING",
        "LOG_FORMATTER": "giamsat.crawlers.pipelines.QuietLogFormatter",
        "STATS_DUMP": False,
    }
    settings.update(overrides or {})
    settings.update(FORCED)
    return settings


def private_hosts(sources: list[Source]) -> set[str]:
    """Host names of the sources allowed to reach private addresses (for the DNS resolver)."""
    from urllib.parse import urlsplit

    hosts = set()
    for s in sources:
        if s.allow_private_network:
            for url in [s.url, *s.option_urls()]:
                host = urlsplit(url).hostname
                if host:
                    hosts.add(host.lower())
    return hosts


# Overrides for tests and the benchmark: no politeness delays on the loopback fixture site.
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "RETRY_BACKOFF_BASE": 0.05,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "LOG_LEVEL": "WARNING",
}
