"""Tips: items entered by staff - a URL (fetched and extracted once) or pasted text, optionally
with a screenshot file. Stored with ``kind='tip'`` and an audit event naming who entered it."""

from __future__ import annotations

import hashlib
import logging
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from giamsat.core.model import Event, Item
from giamsat.core.profile import Profile
from giamsat.core.text import clean
from giamsat.crawlers import encoding
from giamsat.crawlers.extract import extract_article
from giamsat.crawlers.filters import detect_language
from giamsat.crawlers.urls import canonicalize
from giamsat.storage.base import Store

log = logging.getLogger(__name__)
TIP_SOURCE = "tip"


def fetch_page(url: str, profile: Profile) -> tuple[bytes, str | None]:
    """One polite GET (profile User-Agent, time-out, size cap). Raises ``OSError`` subclasses."""
    req = urllib.request.Request(url, headers={"User-Agent": profile.crawl.user_agent})
    with urllib.request.urlopen(req, timeout=profile.crawl.timeout_seconds) as resp:
        body = resp.read(profile.crawl.max_page_bytes + 1)
        if len(body) > profile.crawl.max_page_bytes:
            raise OSError(f"trang vượt giới hạn {profile.crawl.max_page_bytes} byte")
        return body, resp.headers.get("Content-Type")


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
        except urllib.error.HTTPError as exc:
            meta["fetch_error"] = f"HTTP {exc.code}: {exc.reason}"
            log.warning("tip %s: could not fetch (%s)", url, meta["fetch_error"])
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
