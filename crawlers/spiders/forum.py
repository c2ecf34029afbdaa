"""Forum threads on XenForo-style boards (e.g. voz.vn): a forum's thread list, then each thread's
posts. One item per post (``url#post-ID`` style permalinks as the board prints them).

Options: ``max_threads`` (default 30), ``max_thread_pages`` (default 2), ``max_list_pages``
(default 1), ``include_quotes`` (default false: quoted text belongs to the quoted post).
A thread is re-read only when its reply count or last-post time in the list changed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from parsel import Selector
from scrapy.http import Response

from giamsat.core.model import Engagement, Item
from giamsat.core.text import clean
from giamsat.crawlers.extract import parse_datetime
from giamsat.crawlers.items import Crawled
from giamsat.crawlers.spiders.base import SourceSpider, fingerprint
from giamsat.crawlers.urls import canonicalize


def post_text(body: Selector, include_quotes: bool) -> str:
    if not include_quotes:
        for quote in body.css("blockquote"):
            _drop_keep_tail(quote.root)
    parts = [clean(t) for t in body.css("::text").getall()]
    return clean(" ".join(p for p in parts if p))


def _drop_keep_tail(node: Any) -> None:
    """Remove an element but keep the text that follows it (lxml stores it on the element)."""
    parent, tail = node.getparent(), node.tail or ""
    prev = node.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(node)


def reaction_count(text: str) -> int | None:
    """XenForo reaction bar: "A, B và 12 người khác" / "A, B and 12 others" -> 14."""
    import re

    if not text.strip():
        return None
    names = [n for n in re.split(r",| và | and ", text) if n.strip()]
    more = re.search(r"(\d+)\s+(?:người khác|others?)", text)
    return len(names) - (1 if more else 0) + (int(more.group(1)) if more else 0)


class ForumSpider(SourceSpider):
    name = "forum"

    async def start(self) -> AsyncIterator[Any]:
        yield self.make_request(
            self.source.url, self.parse_forum, role="list", validator_url=self.source.url, fatal_on_error=True
        )

    def parse_forum(self, response: Response) -> Any:
        if response.status == 304:
            self.report.not_modified += 1
            return
        self.report.fetched += 1
        if response.meta.get("role") == "list":
            self.remember_validators(response)
        threads = response.css(".structItem--thread")[: int(self.options.get("max_threads", 30))]
        for thread in threads:
            href = thread.css(".structItem-title a[href*='/t/']::attr(href)").getall()
            if not href:
                continue
            url = canonicalize(href[-1], base=response.url)
            replies = thread.css(".structItem-cell--meta dd::text").get(default="")
            latest = thread.css(
                ".structItem-latestDate::attr(datetime), .structItem-cell--latest time::attr(datetime)"
            ).get(default="")
            fp = fingerprint(replies.strip(), latest)
            if self.state.is_seen(url, fp):
                self.report.skipped_seen += 1
                continue
            yield self.make_request(
                url, self.parse_thread, parent=self.source.url, thread_url=url, fp=fp, page=1
            )
        page = response.meta.get("list_page", 1)
        nxt = response.css("a.pageNav-jump--next::attr(href)").get()
        if nxt and page < int(self.options.get("max_list_pages", 1)):
            yield self.make_request(
                canonicalize(nxt, base=response.url),
                self.parse_forum,
                role="page",
                parent=self.source.url,
                list_page=page + 1,
            )

    def parse_thread(self, response: Response) -> Any:
        self.report.fetched += 1
        thread_url = response.meta["thread_url"]
        title = clean(" ".join(response.css("h1.p-title-value ::text").getall())) or clean(
            response.css("title::text").get("")
        )
        include_quotes = bool(self.options.get("include_quotes", False))
        posts = response.css("article.message")
        for i, post in enumerate(posts):
            post_id = (post.attrib.get("data-content") or post.attrib.get("id") or "").split("-")[-1]
            permalink = post.css(
                ".message-attribution-main a::attr(href), a[href*='/post-']::attr(href)"
            ).get()
            url = canonicalize(permalink, base=response.url) if permalink else f"{thread_url}#post-{post_id}"
            body = post.css(".message-body .bbWrapper")
            if not body:
                continue
            text = post_text(body[0], include_quotes)
            if not text or self.state.is_seen(url):
                continue
            first = response.meta.get("page", 1) == 1 and i == 0
            item = Item(
                source_id=self.source.id,
                url=url,
                title=title if first else f"Trả lời: {title}"[:200],
                text=text,
                kind="forum" if first else "comment",
                author=post.attrib.get("data-author"),
                published=parse_datetime(post.css("time.u-dt::attr(datetime)").get()),
                engagement=Engagement(
                    likes=reaction_count(" ".join(post.css(".reactionsBar-link ::text").getall()))
                ),
                meta={"platform": "forum", "thread_url": thread_url, "tier": self.source.tier},
            )
            yield Crawled(item, seen_url=url, fingerprint="post")
        page = response.meta.get("page", 1)
        nxt = response.css("a.pageNav-jump--next::attr(href)").get()
        if nxt and page < int(self.options.get("max_thread_pages", 2)):
            yield self.make_request(
                canonicalize(nxt, base=response.url),
                self.parse_thread,
                parent=self.source.url,
                thread_url=thread_url,
                page=page + 1,
                fp=response.meta.get("fp", ""),
            )
            return
        # the thread is marked seen (with the list's fingerprint) once its last page is read
        yield Crawled(None, seen_url=thread_url, fingerprint=response.meta.get("fp", ""))
