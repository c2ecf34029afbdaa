"""Tips: items entered by staff - a URL (fetched and extracted once) or pasted text, optionally
with a screenshot file. Stored with ``kind='tip'`` and an audit event naming who entered it."""

from __future__ import annotations

import hashlib
import logging
import time
import urllib.robotparser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from giamsat.core.model import Event, Item
from giamsat.core.profile import Profile
from giamsat.core.text import clean
from giamsat.crawlers import encoding
from giamsat.crawlers.extract import extract_article
from giamsat.crawlers.fetchpolicy import FetchError, fetch, run_allows_private
from giamsat.crawlers.filters import detect_language
from giamsat.crawlers.urls import canonicalize
from giamsat.storage.base import Store

log = logging.getLogger(__name__)
TIP_SOURCE = "tip"


ROBOTS_SECONDS = 10.0  # at most this much of the tip's time-out goes to robots.txt
ROBOTS_BYTES = 500_000


class RobotsDisallowed(FetchError):
    pass


def _tip_source(profile: Profile) -> Any:
    return next((s for s in profile.sources if s.type == "tip"), None)


def robots_allows(url: str, profile: Profile, allow_private: bool, timeout: float) -> bool:
    """robots.txt of the tip's site, as the crawler obeys it: unreadable or missing = allowed,
    401/403 = everything disallowed (Python's ``robotparser`` rules)."""
    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    parser = urllib.robotparser.RobotFileParser(robots_url)
    try:
        got = fetch(
            robots_url,
            headers={"User-Agent": profile.crawl.user_agent},
            allow_private=allow_private,
            timeout=timeout,
            max_bytes=ROBOTS_BYTES,
            max_redirects=3,
        )
    except FetchError as exc:
        log.info("robots.txt of %s unreadable (%s): allowed", parts.netloc, exc)
        return True
    if got.status in (401, 403):
        return False
    if not got.ok:
        return True
    parser.parse(got.body.decode("utf-8", errors="replace").splitlines())
    return parser.can_fetch(profile.crawl.user_agent, url)


def fetch_page(url: str, profile: Profile) -> tuple[bytes, str | None]:
    """One polite GET under the fetch policy: robots.txt first (unless the profile's ``tip``
    source says ``obey_robots: false``), profile User-Agent and size cap, and the profile's
    time-out for the whole exchange (robots.txt included), redirects checked hop by hop.
    Raises ``FetchError`` (an ``OSError``) with the reason."""
    timeout = float(profile.crawl.timeout_seconds)
    deadline = time.monotonic() + timeout
    source = _tip_source(profile)
    allow = run_allows_private() or bool(source and source.allow_private_network)
    if (source is None or source.obey_robots) and not robots_allows(
        url, profile, allow, min(ROBOTS_SECONDS, timeout / 2)
    ):
        raise RobotsDisallowed("bị chặn bởi robots.txt")
    got = fetch(
        url,
        headers={"User-Agent": profile.crawl.user_agent},
        allow_private=allow,
        timeout=max(0.1, deadline - time.monotonic()),
        max_bytes=profile.crawl.max_page_bytes,
    )
    if not got.ok:
        raise FetchError(f"HTTP {got.status}: {got.reason}"[:200])
    return got.body, got.header("Content-Type")


def add_tip(
    store: Store,
    profile: Profile,
    *,
    url: str | None = None,
    text: str | None = None,
    title: str | None = None,
    screenshot: str | Path | None = None,
    actor: str,
) -> Item:
    if not (url or (text and text.strip())):
        raise ValueError("cần một đường dẫn (--url) hoặc nội dung (--text)")
    meta: dict[str, Any] = {"entered_by": actor}
    raw: bytes | None = None
    fields: dict[str, Any] = {}
    if url:
        if not url.lower().startswith(("http://", "https://")):
            raise ValueError(f"đường dẫn không hợp lệ: {url} (cần http:// hoặc https://)")
        url = canonicalize(url)
        try:
            raw, content_type = fetch_page(url, profile)
            decoded = encoding.decode(raw, content_type)
            art = extract_article(decoded.text, url)
            fields = {
                "title": art.title,
                "text": art.text if art.has_text else "",
                "author": art.author,
                "published": art.published,
                "canonical_url": art.canonical_url,
            }
            if not art.has_text:
                meta["fetch_error"] = "trang không có nội dung văn bản"
        except (OSError, ValueError) as exc:
            # the tip is still recorded: staff saw it, the page may be gone or blocked
            meta["fetch_error"] = str(getattr(exc, "reason", exc))[:300]
            log.warning("tip %s: could not fetch (%s)", url, meta["fetch_error"])
    if screenshot:
        path = Path(screenshot)
        if not path.is_file():
            raise ValueError(f"không tìm thấy tệp ảnh chụp màn hình: {path}")
        data = path.read_bytes()
        meta["screenshot"] = str(path.resolve())
        meta["screenshot_sha256"] = hashlib.sha256(data).hexdigest()
        if raw is None:
            raw = data  # keep the evidence itself when there is no page
    body = clean(text or "") if text else ""
    page_text = fields.get("text") or ""
    full_text = "\n".join(t for t in (body, page_text) if t)
    first_line = (body or page_text).split("\n", 1)[0][:120]
    item = Item(
        source_id=TIP_SOURCE,
        url=url or "",
        canonical_url=fields.get("canonical_url") or url or None,
        title=clean(title or fields.get("title") or first_line),
        text=full_text,
        kind="tip",
        author=fields.get("author"),
        published=fields.get("published"),
        meta=meta,
    )
    item.language = detect_language(item)
    store.upsert_items([item], raw={item.key: raw} if raw is not None else None)
    store.append_event(
        Event(
            entity="item",
            entity_id=item.id or "",
            action="tip",
            actor=actor,
            after={"url": item.url, "title": item.title, "screenshot": meta.get("screenshot")},
        )
    )
    return item
