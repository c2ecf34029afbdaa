"""Incremental crawling state, one document per source in the ``crawl_state`` collection.

* ``validators``: ETag / Last-Modified per feed or list URL, for conditional GET. They are saved
  only when every entry of that feed was dealt with: a 304 must never hide an article that a
  crash or a transient error left unfetched.
* ``seen``: URL -> fingerprint of what we last saw (feed entry date + title, sitemap lastmod...).
  A link with an unchanged fingerprint is not requested again; a changed one is re-fetched and
  the store turns a changed text into a new revision.
* ``gone``: URLs answered 404/410, never retried.

A URL is marked seen only after its item reached the store, so a killed crawl loses nothing; an
item stored but not yet marked is merely re-fetched and found unchanged, so nothing duplicates.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

from giamsat.core.model import utcnow
from giamsat.storage.base import Store

COLLECTION = "crawl_state"
MAX_SEEN = 50_000  # per source; the oldest entries go first (old links rarely reappear)


class CrawlState:
    def __init__(self, store: Store, source_id: str, save_every: float = 2.0) -> None:
        self.store = store
        self.source_id = source_id
        self.save_every = save_every
        doc = store.get_doc(COLLECTION, source_id) or {}
        self.seen: OrderedDict[str, str] = OrderedDict(doc.get("seen") or {})
        self.gone: dict[str, str] = dict(doc.get("gone") or {})
        self.validators: dict[str, dict[str, str]] = dict(doc.get("validators") or {})
        self.extra: dict[str, Any] = dict(doc.get("extra") or {})
        self._dirty = False
        self._last_save = time.monotonic()

    # -- queries ---------------------------------------------------------------------------
    def is_seen(self, url: str, fingerprint: str | None = None) -> bool:
        if url in self.gone:
            return True
        if url not in self.seen:
            return False
        return fingerprint is None or self.seen[url] == fingerprint

    def conditional_headers(self, url: str) -> dict[str, str]:
        v = self.validators.get(url) or {}
        headers = {}
        if v.get("etag"):
            headers["If-None-Match"] = v["etag"]
        if v.get("last_modified"):
            headers["If-Modified-Since"] = v["last_modified"]
        return headers

    # -- updates ---------------------------------------------------------------------------
    def mark_seen(self, url: str, fingerprint: str) -> None:
        self.seen[url] = fingerprint
        self.seen.move_to_end(url)
        while len(self.seen) > MAX_SEEN:
            self.seen.popitem(last=False)
        self._dirty = True

    def mark_gone(self, url: str, reason: str) -> None:
        self.gone[url] = reason
        self._dirty = True

    def set_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        if etag or last_modified:
            self.validators[url] = {k: v for k, v in (("etag", etag), ("last_modified", last_modified)) if v}
        else:
            self.validators.pop(url, None)
        self._dirty = True

    def maybe_save(self) -> None:
        """Save at most every ``save_every`` seconds: the record can be large."""
        if self._dirty and time.monotonic() - self._last_save >= self.save_every:
            self.save()

    def save(self) -> None:
        if not self._dirty:
            return
        self.store.put_doc(
            COLLECTION,
            {
                "id": self.source_id,
                "seen": dict(self.seen),
                "gone": self.gone,
                "validators": self.validators,
                "extra": self.extra,
                "saved_at": utcnow().isoformat(),
            },
        )
        self._dirty = False
        self._last_save = time.monotonic()
