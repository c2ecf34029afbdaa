"""Downloader middlewares: the fetch policy on every request, and retries with backoff.

Retries with exponential backoff (Scrapy's own retry re-queues at once).

Also retries API rate-limit answers recognised by their body (``meta["retry_on_body"]``).
``RETRY_BACKOFF_BASE`` seconds doubled per attempt, capped by ``RETRY_BACKOFF_MAX``; a server's
``Retry-After`` (429/503) is honoured up to that cap. Tests set the base near zero.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    def _delay(self, request: Request, response: Response | None = None) -> float:
        attempt = int(request.meta.get("retry_times", 1))
        delay = self.base * (2 ** max(attempt - 1, 0))
        if response is not None:
            after = response.headers.get(b"Retry-After")
            if after and after.strip().isdigit():
                delay = max(delay, float(after.strip()))
        return min(delay, self.cap)

    async def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if request.meta.get("dont_retry", False):
            return response
        # APIs signal rate limits in the body of a 403 (YouTube "rateLimitExceeded", Graph API
        # error codes 4/17/32/613): spiders list such markers in meta["retry_on_body"]
        markers = request.meta.get("retry_on_body") or ()
        by_body = response.status in (400, 403) and any(m in response.body for m in markers)
        if response.status not in self.retry_http_codes and not by_body:
            return response
        from scrapy.utils.response import response_status_message

        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._sleep(self._delay(retry, response))
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        retry = self._retry(request, exception)
        if retry is None:
            return None
        await self._sleep(self._delay(retry))
        return retry


class FetchPolicyMiddleware:
    """``crawlers.fetchpolicy`` for every Scrapy request: the first one and each redirect hop
    (Scrapy's redirect middleware schedules a new request, which comes through here again).

    Placed before robots.txt (priority 50 < 100) so a refused host is not even asked for its
    robots.txt. The host is resolved in a thread (``getaddrinfo`` blocks) and every address
    checked; ``crawlers.resolver.PolicyResolver`` checks again the address each connection uses.
    A source's ``allow_private_network: true`` or ``GIAMSAT_ALLOW_PRIVATE_NETWORK=1`` lifts the
    address check, never the scheme check.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.run_allows = crawler.settings.getbool("GIAMSAT_ALLOW_PRIVATE_NETWORK")

    @classmethod
    def from_crawler(cls, crawler: Any) -> FetchPolicyMiddleware:
        return cls(crawler)

    def _allows_private(self) -> bool:
        source = getattr(self.crawler.spider, "source", None)
        return self.run_allows or bool(source is not None and source.allow_private_network)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        from twisted.internet.threads import deferToThread

        from giamsat.crawlers.fetchpolicy import Blocked, check_scheme, check_url
        from giamsat.crawlers.resolver import PolicyRefused

        try:
            check_scheme(request.url)
            allow = self._allows_private()
            if not allow:
                await maybe_deferred_to_future(deferToThread(check_url, request.url, allow))
        except Blocked as exc:
            self.crawler.stats.inc_value("giamsat/blocked_by_policy")
            raise PolicyRefused(str(exc)) from None

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        """A redirect Scrapy did not follow because it leads to another scheme (ftp://, file://)
        is a refusal of the policy, not an HTTP error to retry next run."""
        from urllib.parse import urljoin

        from giamsat.crawlers.fetchpolicy import Blocked, check_scheme
        from giamsat.crawlers.resolver import PolicyRefused

        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location:
            target = urljoin(request.url, location.decode("latin-1"))
            try:
                check_scheme(target)
            except Blocked as exc:
                self.crawler.stats.inc_value("giamsat/blocked_by_policy")
                raise PolicyRefused(f"chuyển hướng tới {target[:200]}: {exc}") from None
        return response
