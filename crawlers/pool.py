"""Article extraction off the crawl's event loop: decoding and ``extract_article`` in worker processes.

Scrapy runs every callback on one thread, so a crawl of real-size pages (~175 KB, ~15 ms of
extraction each) is bound by one core while the others idle. ``ExtractionPool(n)`` hands each
page's bytes to one of ``n`` processes and awaits the result, so downloading, storing and
extracting overlap and extraction uses every core (benchmarks/crawl.py measures 0, 1 and 2
workers; docs/benchmarks.md). ``ExtractionPool(0)`` extracts in the crawl process itself.

Why these choices:

* the workers are **forked once, before the Twisted reactor starts** (``start()``): they inherit
  the already-imported extractor instead of importing trafilatura again, and no fork ever happens
  while reactor threads hold locks;
* the page travels as **bytes**, and everything CPU-bound about it happens in the worker: charset
  detection (as costly as parsing on pages without a declared charset), extraction, the language
  and, for national-scope sources, the province test on the extracted text, and compressing the
  page for the store (``RawPage``); the crawl process is left with HTTP and the SQLite writes;
* memory stays bounded without a queue of our own: Scrapy stops taking responses once those in its
  callbacks exceed ``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` (5 MB by default, ~30 real-size pages), so at
  most that many pages wait for a worker;
* workers ignore SIGINT: Ctrl+C reaches the whole process group, and the crawl process must be the
  one that stops cleanly (Scrapy closes the spiders and the pipeline flushes) and then shuts the
  pool down.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from giamsat.core.model import Item, RawPage
from giamsat.core.profile import Profile
from giamsat.crawlers import encoding
from giamsat.crawlers.extract import Article, extract_article
from giamsat.crawlers.filters import detect_language, is_about_province


@dataclass
class Page:
    """What the spider needs back from a worker (not the decoded HTML: it stays in the worker)."""

    article: Article
    encoding: str
    legacy_font: str | None = None
    warnings: list[str] = field(default_factory=list)
    raw: RawPage | None = None  # the fetched bytes, compressed for the store
    # read on the article's own title and text (``item_text``), as the pipeline would read them
    language: str | None = None
    about_province: bool | None = None  # only asked for national-scope sources


log = logging.getLogger(__name__)
_PROFILE: Profile | None = None  # the crawl's profile, inherited by the forked workers


def extract_page(
    body: bytes,
    content_type: str,
    url: str,
    selectors: dict[str, str] | None = None,
    *,
    province: bool = False,
) -> Page:
    """Everything CPU-bound about one fetched page, in whichever process runs it."""
    decoded = encoding.decode(body, content_type, legacy=False)
    art = extract_article(decoded.text, url, selectors)
    page = Page(art, decoded.encoding, None, list(decoded.warnings), RawPage.of(body))
    # legacy fonts are looked for in the article itself: scanning the whole page took longer than
    # extracting it (a TCVN3 or VNI article is such in its own text)
    page.legacy_font = encoding.detect_legacy_font(f"{art.title}\n{art.text}")
    if page.legacy_font:
        page.warnings.append(encoding.legacy_warning(page.legacy_font))
    if art.has_text and art.title:  # the Item gets this title, so item_text() is the same string
        probe = Item(source_id="", url=url, title=art.title, text=art.text)
        page.language = detect_language(probe)
        if province and _PROFILE is not None:
            page.about_province = is_about_province(probe, _PROFILE)
    return page


def default_workers() -> int:
    """``GIAMSAT_EXTRACT_WORKERS``, else one per CPU on a multi-core machine, else 0 (in-process)."""
    from giamsat.core.settings import Settings

    configured = Settings.from_env().extract_workers
    if configured is not None:
        return max(0, configured)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cpus if cpus > 1 else 0


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _ready() -> int:
    return os.getpid()


class ExtractionPool:
    def __init__(self, workers: int, profile: Profile | None = None) -> None:
        self.workers = max(0, workers)
        self.profile = profile
        self._executor: ProcessPoolExecutor | None = None

    def start(self) -> ExtractionPool:
        """Fork the workers now (call before the reactor starts, after the NLP lookups are built so
        that the workers share them)."""
        global _PROFILE
        _PROFILE = self.profile  # the workers inherit it; in-process extraction reads it too
        if self.workers and self._executor is None:
            context = multiprocessing.get_context("fork")
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_ignore_sigint)
            # with "fork" every worker is started on the first submit: do it here, not on the reactor
            self._executor.submit(_ready).result()
        return self

    async def extract(
        self,
        body: bytes,
        content_type: str,
        url: str,
        selectors: dict[str, str] | None = None,
        *,
        province: bool = False,
    ) -> Page:
        if self._executor is not None:
            try:
                future = self._executor.submit(
                    extract_page, body, content_type, url, selectors, province=province
                )
                return await _on_reactor(future)
            except BrokenProcessPool:
                # a worker died (killed, out of memory): the crawl goes on in this process
                log.warning("tiến trình trích xuất bị dừng; trích xuất tiếp trong tiến trình thu thập")
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None
        return extract_page(body, content_type, url, selectors, province=province)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


async def _on_reactor(future: Future[Page]) -> Page:
    """Await a worker's result from a Scrapy callback under any Twisted reactor: the result is
    handed to the reactor thread with ``callFromThread``."""
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    deferred: Deferred[Page] = Deferred()

    def done(f: Future[Page]) -> None:
        call: Any = reactor.callFromThread  # type: ignore[attr-defined,unused-ignore]
        try:
            call(deferred.callback, f.result())
        except BaseException as exc:  # the worker's exception, a dead worker, a cancelled future
            call(deferred.errback, exc)

    future.add_done_callback(done)
    return await maybe_deferred_to_future(deferred)
