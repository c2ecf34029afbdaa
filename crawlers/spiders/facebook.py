"""Facebook Graph API: a page's feed (``/{page-id}/feed``) with reactions, comments and shares.

Options: ``page_id`` (default: the last path segment of ``url``), ``token_env`` (default
``FACEBOOK_ACCESS_TOKEN``), ``api_base`` (default ``https://graph.facebook.com/v19.0``),
``max_pages`` (default 3), ``limit`` (posts per page, default 50).

The access token travels in the ``Authorization`` header, never in the URL: URLs end up in logs
(Scrapy prints them on every retry), in source health and in reports. The Graph API puts the
token back into its ``paging.next`` links; it is taken out before the next page is requested.

Errors follow the Graph API's ``{"error": {"code": ...}}`` body: codes 4, 17, 32 and 613 are rate
limits (retried with backoff, then the source stops with the reason); 190 is an invalid or
expired token; 10/200 missing permission; 100 an unknown page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response

from giamsat.core.model import Engagement, Item
from giamsat.core.text import clean
from giamsat.crawlers.extract import parse_datetime
from giamsat.crawlers.items import Crawled
from giamsat.crawlers.social.api import SECRET_PARAMS, count, json_body, token, without_params
from giamsat.crawlers.spiders.base import SourceSpider, fingerprint

RATE_CODES = (4, 17, 32, 613)
RATE_MARKERS = tuple(f'"code":{c},'.encode() for c in RATE_CODES) + tuple(
    f'"code": {c},'.encode() for c in RATE_CODES
)
FIELDS = "id,message,story,created_time,updated_time,permalink_url,from,shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"


class FacebookSpider(SourceSpider):
    name = "facebook"

    def request_api(self, url: str, page: int) -> scrapy.Request:
        req = self.make_request(without_params(url, SECRET_PARAMS), self.parse_feed, role="api", page=page)
        req.meta.update(handle_httpstatus_all=True, retry_on_body=RATE_MARKERS, dont_obey_robotstxt=True)
        req.headers["Authorization"] = f"Bearer {self.access}"
        return req

    async def start(self) -> AsyncIterator[Any]:
        env = self.options.get("token_env", "FACEBOOK_ACCESS_TOKEN")
        access = token(env)
        if not access:
            self.report.fatal = f"thiếu mã truy cập: đặt biến môi trường {env}"
            return
        self.access = access
        page_id = self.options.get("page_id") or urlsplit(self.source.url).path.strip("/").split("/")[-1]
        base = self.options.get("api_base", "https://graph.facebook.com/v19.0").rstrip("/")
        params = {"fields": FIELDS, "limit": self.options.get("limit", 50)}
        yield self.request_api(f"{base}/{page_id}/feed?{urlencode(params)}", 1)

    def parse_feed(self, response: Response) -> Any:
        data = json_body(response)
        if response.status != 200 or data is None or "error" in data:
            err = (data or {}).get("error") or {}
            code, message = err.get("code"), err.get("message") or f"HTTP {response.status}"
            if code in RATE_CODES:
                reason = f"vượt giới hạn tần suất Graph API (mã {code})"
            elif code == 190:
                reason = "mã truy cập Facebook không hợp lệ hoặc đã hết hạn (mã 190)"
            elif code in (10, 200):
                reason = f"thiếu quyền truy cập trang (mã {code})"
            else:
                reason = f"lỗi Graph API ({response.status}, mã {code}): {message}"[:200]
            self.report.fatal = reason
            raise CloseSpider("api-error")
        self.report.fetched += 1
        all_seen = True
        for post in data.get("data", []):
            text = clean(post.get("message") or post.get("story") or "")
            url = post.get("permalink_url") or f"https://www.facebook.com/{post.get('id')}"
            item = Item(
                source_id=self.source.id,
                url=url,
                title=text[:120],
                text=text,
                kind=self.source.kind if self.source.kind != "press" else "social",
                author=(post.get("from") or {}).get("name") or self.source.name,
                published=parse_datetime(post.get("created_time")),
                engagement=Engagement(
                    likes=count(((post.get("reactions") or {}).get("summary") or {}).get("total_count")),
                    comments=count(((post.get("comments") or {}).get("summary") or {}).get("total_count")),
                    shares=count((post.get("shares") or {}).get("count")),
                ),
                meta={"platform": "facebook", "post_id": post.get("id"), "tier": self.source.tier},
            )
            fp = fingerprint(post.get("updated_time") or post.get("created_time"), text)
            all_seen = all_seen and self.state.is_seen(url, fp)
            yield Crawled(item, seen_url=url, fingerprint=fp)
        page = response.meta.get("page", 1)
        nxt = (data.get("paging") or {}).get("next")
        # the feed is newest first: a page we have entirely seen means older pages are known too
        if nxt and not all_seen and page < int(self.options.get("max_pages", 3)):
            yield self.request_api(nxt, page + 1)
