"""Retries with exponential backoff (Scrapy's own retry re-queues at once).

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
