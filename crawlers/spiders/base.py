"""What every source spider shares: request building, article pages -> Items, error reasons.

Failures are sorted into two kinds because incremental crawling depends on it:

* **permanent** (404/410, redirect loop, page over the size cap, no text, robots.txt) - recorded
  with a reason and remembered, so the link is not requested again;
* **transient** (time-out, 5xx after the retries, refused connection) - recorded, *not*
  remembered, and the feed's ETag is not saved, so the next run tries the link again.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from giamsat.core.model import Item
from giamsat.core.profile import Profile, Source
from giamsat.crawlers.items import Crawled
from giamsat.crawlers.pool import ExtractionPool
from giamsat.crawlers.report import SourceReport
from giamsat.crawlers.resolver import BlockedAddress, PolicyRefused
from giamsat.crawlers.state import CrawlState
from giamsat.crawlers.urls import canonicalize
from giamsat.storage.base import Store

log = logging.getLogger(__name__)


def fingerprint(*parts: Any) -> str:
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]


class SourceSpider(scrapy.Spider):
    """One spider instance crawls one configured source."""

    name = "source"

    def __init__(
        self,
        source: Source,
        profile: Profile,
        store: Store,
        report: SourceReport,
        extraction: ExtractionPool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=f"{source.type}:{source.id}", **kwargs)
        self.extraction = extraction or ExtractionPool(0)
        self.source = source
        self.profile = profile
        self.store = store
        self.report = report
        self.report.obey_robots = source.obey_robots
        self.state = CrawlState(store, source.id)
        self.options: dict[str, Any] = dict(source.options or {})
        self.max_bytes = profile.crawl.max_page_bytes
        self.incomplete: set[str] = set()  # feeds/lists with a transient failure this run
        self.pending_validators: dict[str, tuple[str | None, str | None]] = {}
        if not source.obey_robots:
            self.report.warn("nguồn được cấu hình bỏ qua robots.txt (obey_robots: false)")

    # -- requests --------------------------------------------------------------------------
    def make_request(
        self, url: str, callback: Any, *, role: str = "article", parent: str | None = None, **meta: Any
    ) -> scrapy.Request:
        meta = {"role": role, "parent": parent, **meta}
        if not self.source.obey_robots:
            meta["dont_obey_robotstxt"] = True
        headers: dict[str, str] = {}
        if role in ("feed", "list"):
            headers = self.state.conditional_headers(url)
            meta["handle_httpstatus_list"] = [304]
        # dont_filter: we dedupe with the seen record; Scrapy's filter would also swallow the
        # second hop of a redirect loop silently instead of reporting it
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, meta=meta, headers=headers, dont_filter=True
        )

    def remember_validators(self, response: Response) -> None:
        etag = response.headers.get(b"ETag")
        last_modified = response.headers.get(b"Last-Modified")
        url = response.meta.get("validator_url") or response.url
        self.pending_validators[url] = (
            etag.decode("latin-1") if etag else None,
            last_modified.decode("latin-1") if last_modified else None,
        )

    def closed(self, reason: str) -> None:
        self.report.finished = reason == "finished"
        if self.report.finished:
            for url, (etag, last_modified) in self.pending_validators.items():
                if url not in self.incomplete:
                    self.state.set_validators(url, etag, last_modified)
        self.state.save()

    # -- pages -> items ----------------------------------------------------------------------
    def too_big(self, response: Response) -> bool:
        if len(response.body) > self.max_bytes:
            self.permanent_failure(response.meta, response.url, f"trang vượt giới hạn {self.max_bytes} byte")
            return True
        return False

    async def parse_article(self, response: Response) -> Any:
        """Article page -> one ``Crawled``. Feed/list metadata arrives in ``response.meta``.

        Decoding and extraction run in the extraction pool (``crawlers.pool``), so other pages are
        downloaded and stored meanwhile."""
        self.report.fetched += 1
        if self.too_big(response):
            return
        meta = response.meta
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        page = await self.extraction.extract(
            response.body,
            content_type,
            response.url,
            self.options.get("selectors"),
            province=self.source.scope == "national",
        )
        for w in page.warnings:
            self.report.warn(f"{response.url}: {w}")
        art = page.article
        if not art.has_text:
            self.permanent_failure(meta, response.url, "trang HTML không có nội dung văn bản")
            return
        item_meta: dict[str, Any] = {"source_name": self.source.name, "tier": self.source.tier}
        if page.encoding != "utf-8":
            item_meta["encoding"] = page.encoding
        if page.legacy_font:
            item_meta["legacy_font"] = page.legacy_font
        if art.modified:
            item_meta["modified"] = art.modified.isoformat()
        if meta.get("seen_url") and canonicalize(meta["seen_url"]) != art.canonical_url:
            item_meta["link"] = meta["seen_url"]
        item = Item(
            source_id=self.source.id,
            url=response.url,
            canonical_url=art.canonical_url or canonicalize(response.url),
            title=art.title or meta.get("feed_title") or "",
            text=art.text,
            kind=self.source.kind,
            author=art.author,
            # the date in the feed wins: publishers set it deliberately, pages show many dates
            published=meta.get("feed_published") or art.published,
            language=page.language,
            meta=item_meta,
        )
        yield Crawled(
            item,
            raw=page.raw or response.body,
            seen_url=meta.get("seen_url"),
            fingerprint=meta.get("fp", ""),
            about_province=page.about_province,
        )

    # -- failures ----------------------------------------------------------------------------
    def permanent_failure(self, meta: dict[str, Any], url: str, reason: str) -> None:
        self.report.error(url, reason)
        seen = meta.get("seen_url") or url
        self.state.mark_gone(seen, reason)

    def transient_failure(self, meta: dict[str, Any], url: str, reason: str) -> None:
        self.report.error(url, reason)
        if meta.get("role") in ("feed", "list", "api"):
            self.incomplete.add(url)
            if meta.get("fatal_on_error", meta.get("role") == "feed"):
                self.report.fatal = reason
        if meta.get("parent"):
            self.incomplete.add(meta["parent"])

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        meta, url = request.meta, request.url
        exc = failure.value
        if isinstance(exc, HttpError):
            status = exc.response.status
            if status in (404, 410):
                self.report.gone += 1
                self.permanent_failure(meta, url, f"HTTP {status}: trang không còn (đánh dấu đã mất)")
                if meta.get("role") == "feed":
                    self.report.fatal = f"HTTP {status}"
            elif status in (401, 403, 451):
                self.permanent_failure(meta, url, f"HTTP {status}: bị từ chối truy cập")
                if meta.get("role") == "feed":
                    self.report.fatal = f"HTTP {status}"
            else:
                self.transient_failure(meta, url, f"HTTP {status} (đã thử lại)")
            return
        message = str(exc)
        if isinstance(exc, PolicyRefused | BlockedAddress):
            # permanent: the link leads somewhere giamsat never goes (file://, an internal address)
            self.permanent_failure(meta, url, f"bị chặn bởi chính sách truy cập: {message}"[:300])
            if meta.get("role") == "feed":
                self.report.fatal = "bị chặn bởi chính sách truy cập"
            return
        if isinstance(exc, IgnoreRequest):
            if "robots.txt" in message:
                self.report.warn(f"{url}: bị chặn bởi robots.txt")
                if meta.get("role") == "feed":
                    self.report.fatal = "bị chặn bởi robots.txt"
                self.state.mark_gone(meta.get("seen_url") or url, "robots.txt")
            elif "redirection" in message:
                self.permanent_failure(meta, url, "vòng lặp chuyển hướng (quá nhiều lần chuyển hướng)")
            else:
                self.transient_failure(meta, url, f"bỏ qua: {message}")
            return
        name = type(exc).__name__
        if "max size" in message or "Cancelled" in name:
            self.permanent_failure(meta, url, f"trang vượt giới hạn {self.max_bytes} byte")
        elif "Timeout" in name or "timed out" in message or "took longer" in message:
            self.transient_failure(meta, url, "quá thời gian chờ (đã thử lại)")
        elif "DNS" in name:
            self.transient_failure(meta, url, "không phân giải được tên miền")
        elif "Refused" in name:
            self.transient_failure(meta, url, "máy chủ từ chối kết nối")
        else:
            self.transient_failure(meta, url, f"{name}: {message[:200]}")
