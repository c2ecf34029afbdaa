"""Telegram public channel previews (``https://t.me/s/<channel>``): one item per message, with its
view count; older messages through the preview's ``?before=`` pages.

Options: ``max_pages`` (default 3). Paging stops at a page whose messages were all seen.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

from scrapy.http import Response

from giamsat.core.model import Engagement, Item
from giamsat.core.text import clean
from giamsat.crawlers.extract import parse_datetime
from giamsat.crawlers.items import Crawled
from giamsat.crawlers.social.importer import parse_count
from giamsat.crawlers.spiders.base import SourceSpider, fingerprint
from giamsat.crawlers.urls import canonicalize


def message_text(html: str) -> str:
    # <br> separates lines in the preview; keep them as line breaks
    from lxml import html as lhtml

    if not html:
        return ""
    text = lhtml.fromstring(re.sub(r"<br\s*/?>", "\n", html)).text_content()
    return "\n".join(line for line in (clean(part) for part in text.split("\n")) if line)


class TelegramSpider(SourceSpider):
    name = "telegram"

    async def start(self) -> AsyncIterator[Any]:
        yield self.make_request(
            self.source.url,
            self.parse_channel,
            role="list",
            validator_url=self.source.url,
            fatal_on_error=True,
        )

    def parse_channel(self, response: Response) -> Any:
        if response.status == 304:
            self.report.not_modified += 1
            return
        self.report.fetched += 1
        channel = clean(response.css(".tgme_channel_info_header_title ::text").get(default="")) or None
        all_seen = True
        for msg in response.css(".tgme_widget_message[data-post]"):
            post = msg.attrib["data-post"]  # "channel/123"
            url = f"https://t.me/{post}"
            text = message_text(msg.css(".tgme_widget_message_text").get(default=""))
            if not text:
                continue  # photo/sticker-only messages
            views = parse_count(msg.css(".tgme_widget_message_views::text").get())
            item = Item(
                source_id=self.source.id,
                url=url,
                title=text.split("\n", 1)[0][:120],
                text=text,
                kind="social",
                author=clean(msg.css(".tgme_widget_message_owner_name ::text").get(default="")) or channel,
                published=parse_datetime(msg.css(".tgme_widget_message_date time::attr(datetime)").get()),
                engagement=Engagement(views=views),
                meta={"platform": "telegram", "tier": self.source.tier},
            )
            fp = fingerprint(text)
            all_seen = all_seen and self.state.is_seen(url, fp)
            yield Crawled(item, seen_url=url, fingerprint=fp)
        page = response.meta.get("page", 1)
        older = response.css("link[rel=prev]::attr(href), a.tme_messages_more[data-before]::attr(href)").get()
        if older and not all_seen and page < int(self.options.get("max_pages", 3)):
            yield self.make_request(
                canonicalize(older, base=response.url),
                self.parse_channel,
                role="page",
                parent=self.source.url,
                page=page + 1,
            )
