"""Sites without a usable feed: section (list) pages and (news) sitemaps.

Options:

* ``list_pages``: section URLs to read (default: the source ``url``);
* ``sitemaps``: sitemap or news-sitemap URLs (a sitemap index is followed);
* ``link_pattern``: regular expression an article URL must match (default: same-site links whose
  last path segment looks like an article slug: several hyphens or a ``.htm(l)``/``.chn`` ending);
* ``next_selector``: CSS for the "next page" link (default ``a[rel=next], a.next, link[rel=next]``);
* ``max_list_pages``: list pages followed per entry point (default 3);
* ``max_pages``: article pages fetched per run (default 100);
* ``selectors``: per-field CSS override for extraction.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from scrapy.http import Response

from giamsat.crawlers.extract import parse_datetime
from giamsat.crawlers.spiders.base import SourceSpider, fingerprint
from giamsat.crawlers.urls import canonicalize, is_web_url, same_site

_SLUG = re.compile(r"(?:[^/]*-[^/]*-[^/]*-[^/]*|\.html?|\.chn|\.htm)$")


class SiteSpider(SourceSpider):
    name = "site"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pattern = self.options.get("link_pattern")
        self.link_re = re.compile(pattern) if pattern else None
        self.max_pages = int(self.options.get("max_pages", 100))
        self.max_list_pages = int(self.options.get("max_list_pages", 3))
        self.requested = 0
        self.queued: set[str] = set()

    async def start(self) -> AsyncIterator[Any]:
        sitemaps = list(
            self.options.get("sitemaps") or ([self.options["sitemap"]] if self.options.get("sitemap") else [])
        )
        lists = list(self.options.get("list_pages") or ([] if sitemaps else [self.source.url]))
        for url in sitemaps:
            yield self.make_request(
                url, self.parse_sitemap, role="list", validator_url=url, fatal_on_error=True
            )
        for url in lists:
            yield self.make_request(url, self.parse_list, role="list", validator_url=url, fatal_on_error=True)

    def is_article(self, url: str) -> bool:
        if not same_site(url, self.source.url):
            return False
        if self.link_re is not None:
            return bool(self.link_re.search(url))
        return bool(_SLUG.search(urlsplit(url).path))

    def article(self, url: str, parent: str, fp: str = "", published: Any = None) -> Any:
        if url in self.queued or not is_web_url(url):
            return None
        if self.state.is_seen(url, fp):
            self.report.skipped_seen += 1
            return None
        if self.requested >= self.max_pages:
            return None
        self.requested += 1
        self.queued.add(url)
        return self.make_request(
            url, self.parse_article, parent=parent, seen_url=url, fp=fp, feed_published=published
        )

    def parse_list(self, response: Response) -> Any:
        if response.status == 304:
            self.report.not_modified += 1
            return
        self.report.fetched += 1
        if self.too_big(response):
            return
        if response.meta["role"] == "list":  # later pages are fetched unconditionally
            self.remember_validators(response)
        entry = response.meta["validator_url"]
        for href in response.css("a::attr(href)").getall():
            url = canonicalize(href, base=response.url)
            if self.is_article(url):
                req = self.article(url, entry)
                if req is not None:
                    yield req
        depth = response.meta.get("depth_list", 1)
        if depth < self.max_list_pages:
            css = (
                self.options.get("next_selector")
                or "a[rel=next]::attr(href), a.next::attr(href), link[rel=next]::attr(href)"
            )
            nxt = response.css(css).get()
            if nxt:
                # pages after the first are not conditional: new links push old ones down
                yield self.make_request(
                    canonicalize(nxt, base=response.url),
                    self.parse_list,
                    role="page",
                    parent=entry,
                    validator_url=entry,
                    depth_list=depth + 1,
                )

    def parse_sitemap(self, response: Response) -> Any:
        if response.status == 304:
            self.report.not_modified += 1
            return
        self.report.fetched += 1
        try:
            root = etree.fromstring(
                response.body, parser=etree.XMLParser(recover=True, resolve_entities=False)
            )
        except etree.XMLSyntaxError as exc:
            self.report.error(response.url, f"sitemap XML hỏng: {exc}")
            return
        if root is None:
            self.report.error(response.url, "sitemap XML hỏng: rỗng")
            return
        self.remember_validators(response)
        entry = response.meta["validator_url"]
        ns = {
            "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
            "n": "http://www.google.com/schemas/sitemap-news/0.9",
        }
        for loc in root.xpath("//s:sitemap/s:loc/text()", namespaces=ns)[:20]:
            yield self.make_request(
                loc.strip(), self.parse_sitemap, role="list", validator_url=loc.strip(), parent=entry
            )
        rows = []
        for node in root.xpath("//s:url", namespaces=ns):
            loc = "".join(node.xpath("s:loc/text()", namespaces=ns)).strip()
            lastmod = "".join(node.xpath("s:lastmod/text()", namespaces=ns)).strip()
            pub = "".join(node.xpath(".//n:publication_date/text()", namespaces=ns)).strip()
            if loc:
                rows.append((lastmod or pub, loc, pub))
        rows.sort(reverse=True)  # newest first, so max_pages keeps the latest
        for lastmod, loc, pub in rows:
            url = canonicalize(loc, base=response.url)
            if self.link_re is not None and not self.link_re.search(url):
                continue
            req = self.article(
                url, entry, fp=fingerprint(lastmod), published=parse_datetime(pub) if pub else None
            )
            if req is not None:
                yield req
