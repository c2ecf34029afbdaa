"""YouTube Data API v3: ``search.list`` for recent videos matching a query (or a channel), their
statistics (``videos.list``) and top-level comments (``commentThreads.list``).

Options: ``query``, ``channel_id``, ``key_env`` (default ``YOUTUBE_API_KEY``), ``api_base``
(default ``https://www.googleapis.com/youtube/v3``), ``max_pages`` (search pages, default 3),
``comments`` (default true), ``max_comment_pages`` (default 1), ``region`` (default ``VN``).

Quota: ``quotaExceeded``/``dailyLimitExceeded`` stops the source with that reason (retrying only
burns more quota); ``rateLimitExceeded`` is retried with backoff; ``commentsDisabled`` is noted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import Response

from giamsat.core.model import Engagement, Item
from giamsat.core.text import clean
from giamsat.crawlers.extract import parse_datetime
from giamsat.crawlers.items import Crawled
from giamsat.crawlers.social.api import count, json_body, token
from giamsat.crawlers.spiders.base import SourceSpider, fingerprint

RATE_MARKERS = (b"rateLimitExceeded", b"userRateLimitExceeded")
QUOTA_REASONS = ("quotaExceeded", "dailyLimitExceeded")


class YoutubeSpider(SourceSpider):
    name = "youtube"

    def api(self, method: str, callback: Any, **params: Any) -> scrapy.Request:
        base = self.options.get("api_base", "https://www.googleapis.com/youtube/v3").rstrip("/")
        url = f"{base}/{method}?{urlencode(params)}"
        req = self.make_request(url, callback, role="api", parent=self.source.url)
        req.meta.update(handle_httpstatus_all=True, retry_on_body=RATE_MARKERS, dont_obey_robotstxt=True)
        # the key in a header (Google's X-Goog-Api-Key), not in the URL that logs print
        req.headers["X-Goog-Api-Key"] = self.key
        return req

    async def start(self) -> AsyncIterator[Any]:
        self.key = token(self.options.get("key_env", "YOUTUBE_API_KEY"))
        if not self.key:
            self.report.fatal = (
                f"thiếu khóa API: đặt biến môi trường {self.options.get('key_env', 'YOUTUBE_API_KEY')}"
            )
            return
        yield self.search()

    def search(self, page_token: str | None = None) -> scrapy.Request:
        params: dict[str, Any] = {
            "part": "snippet",
            "type": "video",
            "order": "date",
            "maxResults": 50,
            "regionCode": self.options.get("region", "VN"),
        }
        if self.options.get("query"):
            params["q"] = self.options["query"]
        if self.options.get("channel_id"):
            params["channelId"] = self.options["channel_id"]
        if page_token:
            params["pageToken"] = page_token
        req = self.api("search", self.parse_search, **params)
        req.meta["page"] = req.meta.get("page", 1)
        return req

    def api_error(self, response: Response, data: dict[str, Any] | None) -> bool:
        """True when the response is an error (handled here)."""
        if response.status == 200 and data is not None and "error" not in data:
            return False
        err = (data or {}).get("error") or {}
        reasons = [e.get("reason", "") for e in err.get("errors", [])]
        message = err.get("message") or f"HTTP {response.status}"
        if any(r in QUOTA_REASONS for r in reasons):
            self.report.fatal = f"hết hạn mức API YouTube ({', '.join(reasons)})"
            raise CloseSpider("quota")
        if "commentsDisabled" in reasons:
            self.report.warn(f"{response.meta.get('video_id')}: video tắt bình luận")
            return True
        if response.status in (400, 401) or "keyInvalid" in reasons:
            self.report.fatal = f"khóa API YouTube không hợp lệ: {message}"[:200]
            raise CloseSpider("auth")
        if response.meta.get("role") == "api" and response.meta.get("video_id") is None:
            self.report.fatal = f"lỗi API YouTube: {message}"[:200]
        self.report.error(
            response.url,
            f"lỗi API YouTube ({response.status}): {', '.join(reasons) or message}"[:200],
        )
        return True

    def parse_search(self, response: Response) -> Any:
        data = json_body(response)
        if self.api_error(response, data) or data is None:
            return
        self.report.fetched += 1
        ids = [
            it["id"]["videoId"]
            for it in data.get("items", [])
            if isinstance(it.get("id"), dict) and it["id"].get("videoId")
        ]
        if ids:
            yield self.api(
                "videos", self.parse_videos, part="snippet,statistics", id=",".join(ids), maxResults=50
            )
        page = response.meta.get("page", 1)
        if data.get("nextPageToken") and page < int(self.options.get("max_pages", 3)):
            req = self.search(data["nextPageToken"])
            req.meta["page"] = page + 1
            yield req

    def parse_videos(self, response: Response) -> Any:
        data = json_body(response)
        if self.api_error(response, data) or data is None:
            return
        self.report.fetched += 1
        for video in data.get("items", []):
            vid, snip, stats = video["id"], video.get("snippet", {}), video.get("statistics", {})
            url = f"https://www.youtube.com/watch?v={vid}"
            item = Item(
                source_id=self.source.id,
                url=url,
                title=clean(snip.get("title", "")),
                text=clean(snip.get("description", "")),
                kind="social",
                author=snip.get("channelTitle"),
                published=parse_datetime(snip.get("publishedAt")),
                engagement=Engagement(
                    likes=count(stats.get("likeCount")),
                    comments=count(stats.get("commentCount")),
                    views=count(stats.get("viewCount")),
                ),
                meta={"platform": "youtube", "channel_id": snip.get("channelId"), "tier": self.source.tier},
            )
            first_time = not self.state.is_seen(url)
            # always yielded: the store refreshes engagement of unchanged videos
            yield Crawled(item, seen_url=url, fingerprint=fingerprint(item.title, item.text))
            if first_time and self.options.get("comments", True):
                yield self.comments_request(vid, page=1)

    def comments_request(self, vid: str, page: int, **params: Any) -> Any:
        req = self.api(
            "commentThreads",
            self.parse_comments,
            part="snippet",
            videoId=vid,
            maxResults=100,
            order="time",
            textFormat="plainText",
            **params,
        )
        req.meta.update(video_id=vid, page=page)
        return req

    def parse_comments(self, response: Response) -> Any:
        data = json_body(response)
        if self.api_error(response, data) or data is None:
            return
        self.report.fetched += 1
        vid = response.meta["video_id"]
        for thread in data.get("items", []):
            top = thread.get("snippet", {}).get("topLevelComment", {})
            s = top.get("snippet", {})
            text = clean(s.get("textOriginal") or s.get("textDisplay") or "")
            item = Item(
                source_id=self.source.id,
                url=f"https://www.youtube.com/watch?v={vid}&lc={top.get('id')}",
                title=text[:120],
                text=text,
                kind="comment",
                author=s.get("authorDisplayName"),
                published=parse_datetime(s.get("publishedAt")),
                engagement=Engagement(
                    likes=count(s.get("likeCount")),
                    comments=count(thread.get("snippet", {}).get("totalReplyCount")),
                ),
                meta={"platform": "youtube", "parent_url": f"https://www.youtube.com/watch?v={vid}"},
            )
            yield Crawled(item)
        page = response.meta.get("page", 1)
        if data.get("nextPageToken") and page < int(self.options.get("max_comment_pages", 1)):
            yield self.comments_request(vid, page=page + 1, pageToken=data["nextPageToken"])
