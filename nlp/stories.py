"""Stories: near-duplicate clustering of items, incremental, with MinHash LSH (datasketch).

A *story* is one piece of content and its reposts: the same post shared with or without
diacritics, lightly edited, with "Chia sẻ:"/"Nóng:" prefixes or hashtags added. Each item is
reduced to word 3-shingles of its folded text (no diacritics, lower case, URLs/@users/hashtags and
share prefixes removed) and a 128-permutation MinHash. ``StoryIndex.assign`` queries the LSH
index (Jaccard threshold 0.5 by default) and joins the item to the story of its most similar
earlier item when the estimated Jaccard similarity reaches the threshold; otherwise the item
starts a new story whose id is the item's own id.

Different stories on the same topic (two separate land disputes) share words but few 3-shingles,
so they stay apart. Memory stays bounded: items older than ``max_age_days`` (default 14) before
the newest ``when`` seen are evicted. ``to_bytes``/``from_bytes`` persist the index (JSON with the
MinHash values, zlib-compressed; no pickle, so a stored blob cannot run code).
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from datasketch import MinHash, MinHashLSH

from giamsat.core.text import fold, nfc
from giamsat.nlp.text import EMAIL_RE, HASHTAG_RE, MENTION_RE, URL_RE

NUM_PERM = 128
SHINGLE = 3
FORMAT_VERSION = 1
SCHEME = "affine32"  # datasketch's hashing scheme; stored so a saved index reloads the same
# prefixes people add when re-sharing; removed before shingling (folded forms)
SHARE_PREFIXES = re.compile(
    r"^(?:(?:chia se|share|repost|nong|tin nong|khan|canh bao|fw|fwd|cap nhat|moi nhat|tin moi)\s*[:!\-–|>]+\s*)+"
)
_WORD = re.compile(r"[a-z0-9]+")


def story_tokens(text: str) -> list[str]:
    """Folded words of ``text`` without URLs, e-mails, @users, hashtags and share prefixes."""
    t = nfc(text or "")
    for rx in (URL_RE, EMAIL_RE, MENTION_RE, HASHTAG_RE):
        t = rx.sub(" ", t)
    t = fold(t).strip()
    t = SHARE_PREFIXES.sub("", t)
    return _WORD.findall(t)


def shingles(text: str, n: int = SHINGLE) -> set[str]:
    words = story_tokens(text)
    if len(words) < n:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def minhash(text: str, num_perm: int = NUM_PERM) -> MinHash:
    m = MinHash(num_perm=num_perm, seed=1, scheme=SCHEME)
    m.update_batch([s.encode("utf-8") for s in shingles(text)])
    return m


@dataclass
class _Member:
    story: str
    when: datetime
    mh: MinHash


class StoryIndex:
    """Incremental near-duplicate clustering. Not thread-safe: one writer (the enricher)."""

    def __init__(self, threshold: float = 0.5, max_age_days: int = 14, num_perm: int = NUM_PERM) -> None:
        self.threshold = threshold
        self.max_age = timedelta(days=max_age_days)
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._items: dict[str, _Member] = {}
        self._newest: datetime | None = None

    def __len__(self) -> int:
        return len(self._items)

    def assign(self, item_id: str, text: str, when: datetime | None = None) -> str:
        """The story id for ``item_id`` (its own id when it starts a story). Re-assigning a known
        id returns its story unchanged. Empty text gets a story of its own."""
        if item_id in self._items:
            return self._items[item_id].story
        when = _aware(when)
        if self._newest is None or when > self._newest:
            self._newest = when
            self._evict()
        mh = minhash(text, self.num_perm)
        story = item_id
        if shingles(text):
            best, best_sim = None, 0.0
            for other in self._lsh.query(mh):
                sim = mh.jaccard(self._items[other].mh)
                if sim > best_sim or (sim == best_sim and best is not None and other < best):
                    best, best_sim = other, sim
            if best is not None and best_sim >= self.threshold:
                story = self._items[best].story
            self._lsh.insert(item_id, mh)
        self._items[item_id] = _Member(story, when, mh)
        return story

    def story_of(self, item_id: str) -> str | None:
        member = self._items.get(item_id)
        return member.story if member else None

    def _evict(self) -> None:
        if self._newest is None:
            return
        cutoff = self._newest - self.max_age
        for item_id in [i for i, m in self._items.items() if m.when < cutoff]:
            if item_id in self._lsh:
                self._lsh.remove(item_id)
            del self._items[item_id]

    # -- persistence ----------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        data = {
            "version": FORMAT_VERSION,
            "threshold": self.threshold,
            "max_age_days": self.max_age.days,
            "num_perm": self.num_perm,
            "scheme": SCHEME,
            "items": [
                [
                    item_id,
                    m.story,
                    m.when.isoformat(),
                    base64.b64encode(m.mh.hashvalues.astype("<u8").tobytes()).decode(),
                    bool(shingled),
                ]
                for item_id, m in self._items.items()
                for shingled in [item_id in self._lsh]
            ],
        }
        return zlib.compress(json.dumps(data, separators=(",", ":")).encode("utf-8"))

    @classmethod
    def from_bytes(cls, blob: bytes) -> StoryIndex:
        try:
            data = json.loads(zlib.decompress(blob).decode("utf-8"))
        except (zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a StoryIndex blob: {exc}") from None
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"StoryIndex blob version {data.get('version')!r}, expected {FORMAT_VERSION}")
        index = cls(data["threshold"], data["max_age_days"], data["num_perm"])
        scheme = data.get("scheme", SCHEME)
        for item_id, story, when, values, indexed in data["items"]:
            hv = np.frombuffer(base64.b64decode(values), dtype="<u8").astype(np.uint64)
            mh = MinHash(num_perm=index.num_perm, seed=1, hashvalues=hv, scheme=scheme)
            member = _Member(story, datetime.fromisoformat(when), mh)
            index._items[item_id] = member
            if indexed:
                index._lsh.insert(item_id, mh)
            if index._newest is None or member.when > index._newest:
                index._newest = member.when
        return index


def _aware(when: datetime | None) -> datetime:
    if when is None:
        return datetime.now(UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)
