"""The Enricher: one ``Item`` in, one ``Enrichment`` out (language, places, sentiment, topics,
category, debunked-claim matches, risk, severity, reasons, entities, surface features).

Models are loaded once, lazily (``nlp.models.ModelBundle``); ``enrich_batch`` vectorises a whole
batch at once, which is what makes 10.000 posts a minute possible.

State that lives outside one item is injected:

* ``story_index`` - an ``nlp.stories.StoryIndex``; when given, each item is assigned a
  ``story_id`` (``assign(item_id, text, when)``);
* ``story_stats`` - a callable ``(story_id, item) -> {"sources": int, "items": int,
  "window_hours": float}`` answering "how many distinct sources/items carried this story in the
  window" (the pipeline computes it from the store); or pass the dict per call.

How the pipeline should call it::

    enricher = Enricher(profile, store, story_index=index, story_stats=stats_from_store)
    for batch in chunks(store.pending_enrichment(500)):
        for item, enr in zip(batch, enricher.enrich_batch(batch)):
            store.save_enrichment(item.id, enr)
    # persist index.to_bytes() between runs; call enricher.refresh_claims() after claims change
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from giamsat.core.deadline import TimeLimitExceeded, time_limit
from giamsat.core.model import Enrichment, Entity, Item, Scored, item_text, utcnow
from giamsat.core.profile import Profile
from giamsat.nlp.claim_matcher import ClaimMatcher
from giamsat.nlp.claims import claims_list, registry_version
from giamsat.nlp.features import category_matcher, topic_matcher
from giamsat.nlp.language import detect_language
from giamsat.nlp.mentions import MentionFinder
from giamsat.nlp.models import ModelBundle
from giamsat.nlp.risk import CATEGORY_WEIGHT, RiskSignals, assess
from giamsat.nlp.stance import detect_stance
from giamsat.nlp.text import extract_features

log = logging.getLogger(__name__)

MODEL_LANGUAGES = ("vi", "und")  # the classifiers are trained on Vietnamese only
# Wall-clock limit of one item's own steps (places, features, claims, stance, entities, story,
# risk). A normal post takes 10-50 ms, a 20,000-character article with entities 1-3 s; over the
# limit the item is marked (``Enrichment.error``) and the batch goes on.
ITEM_SECONDS = 20.0

StoryStats = Callable[[str, Item], dict[str, Any]]


@dataclass
class _Batch:
    """What ``enrich_batch`` computed for the whole batch at once, read by each item's steps."""

    langs: list[str]
    pred_of: dict[int, Any]
    topic_hits: list[Any]
    cat_hits: list[Any]
    claims: Any
    claim_hits: list[Any]
    story_stats: Sequence[dict[str, Any] | None] | None


class Enricher:
    def __init__(
        self,
        profile: Profile,
        store: Any = None,
        *,
        story_index: Any = None,
        story_stats: StoryStats | None = None,
        models_path: str | None = None,
        claim_matcher: ClaimMatcher | None = None,
        entities: bool | str = True,
        item_seconds: float | None = ITEM_SECONDS,
    ) -> None:
        self.item_seconds = item_seconds
        self.profile = profile
        self.store = store
        self.story_index = story_index
        self.story_stats_fn = story_stats
        self.models_path = models_path
        # True/"all": every item; "relevant": only items about the province or with risk >= 0.35
        # (underthesea NER costs ~12 ms per post, 6x everything else together); False/"none": never
        self.entity_policy: str = (
            "all" if entities is True else "none" if entities is False else str(entities)
        )
        self._models: ModelBundle | None = None
        self._claims = claim_matcher
        self._claims_fixed = claim_matcher is not None  # injected: never reloaded
        self._claims_version: tuple[int, int] | None = None
        self._finder: Any = None
        self._topic_codes = {t.code for t in profile.topics}

    # -- lazy resources ------------------------------------------------------------------------
    @property
    def models(self) -> ModelBundle:
        if self._models is None:
            self._models = ModelBundle.load(self.models_path)
        return self._models

    @property
    def claims(self) -> ClaimMatcher:
        if self._claims is None:
            self._claims = ClaimMatcher(claims_list(self.store) if self.store is not None else [])
        return self._claims

    def current_claims(self) -> ClaimMatcher:
        """The matcher, re-read from the store when the registry changed since it was built
        (``claims.registry_version``): a worker sees a claim added elsewhere on its next batch."""
        if self._claims_fixed or self.store is None:
            return self.claims
        version = registry_version(self.store)
        if self._claims is None or version != self._claims_version:
            self._claims = ClaimMatcher(claims_list(self.store))
            self._claims_version = version
        return self._claims

    def refresh_claims(self) -> None:
        """Re-read the claims registry (after ``claims add``/withdraw)."""
        self._claims = None

    @property
    def finder(self) -> Any:
        if self._finder is None:
            self._finder = MentionFinder.for_profile(self.profile)
        return self._finder

    # -- API -----------------------------------------------------------------------------------
    def enrich(self, item: Item, story_stats: dict[str, Any] | None = None) -> Enrichment:
        return self.enrich_batch([item], [story_stats])[0]

    def enrich_batch(
        self, items: Sequence[Item], story_stats: Sequence[dict[str, Any] | None] | None = None
    ) -> list[Enrichment]:
        items = list(items)
        if not items:
            return []
        texts = [item_text(it) for it in items]
        # the crawler already read the language (same function, same text): reuse it
        langs = [it.language or detect_language(t) for it, t in zip(items, texts, strict=True)]
        model_idx = [i for i, lang in enumerate(langs) if lang in MODEL_LANGUAGES]
        tmatch, cmatch = topic_matcher(self.profile), category_matcher(self.profile)
        topic_hits = [tmatch.find(t) for t in texts]
        cat_hits = [cmatch.find(t) for t in texts]
        preds = self.models.predict(
            [texts[i] for i in model_idx],
            topic_prior=[set(topic_hits[i]) for i in model_idx],
            topic_codes=self._topic_codes,
            category_prior=[set(cat_hits[i]) for i in model_idx],
        )
        pred_of = dict(zip(model_idx, preds, strict=True))
        claims = self.current_claims()
        claim_hits = claims.match_batch(texts)
        versions = self.models.versions()
        batch = _Batch(langs, pred_of, topic_hits, cat_hits, claims, claim_hits, story_stats)
        out = []
        for i, (item, text) in enumerate(zip(items, texts, strict=True)):
            try:
                with time_limit(self.item_seconds):
                    enr = self._enrich_one(i, item, text, batch)
            except TimeLimitExceeded as exc:
                log.warning("item %s (%s): %s; marked and skipped", item.id, item.url, exc)
                story = (
                    self.story_index.story_of(item.id or item.key) if self.story_index is not None else None
                )
                enr = Enrichment(
                    language=langs[i], story_id=story, error=str(exc), reasons=[f"lỗi phân tích: {exc}"]
                )
            enr.model_versions = dict(versions)
            enr.enriched_at = utcnow()
            out.append(enr)
        return out

    def _enrich_one(self, i: int, item: Item, text: str, batch: _Batch) -> Enrichment:
        """Everything about one item (its own steps, run under the per-item time limit)."""
        langs, pred_of, topic_hits, cat_hits = batch.langs, batch.pred_of, batch.topic_hits, batch.cat_hits
        claims, claim_hits, story_stats = batch.claims, batch.claim_hits, batch.story_stats
        extract_entities = self._entity_fn()
        home = self.profile.province.code
        mentions = self.finder.find(text)
        province = self.finder.main_province(mentions)
        enr = Enrichment(language=langs[i], province=province, mentions=mentions)
        enr.localities = self.finder.localities(mentions, home)
        enr.features = extract_features(text)
        enr.features["ward_codes"] = self.finder.ward_codes(mentions, home)
        pred = pred_of.get(i)
        reasons: list[str] = []
        cat_probs: dict[str, float] = {}
        toxic = 0.0
        if pred is not None:
            enr.sentiment = Scored(pred.sentiment[0], round(pred.sentiment[1], 4))
            enr.category = Scored(pred.category[0], round(pred.category[1], 4))
            enr.topics = [Scored(c, round(p, 4)) for c, p in pred.topics]
            cat_probs, toxic = pred.category_probs, pred.toxic
            enr.features["toxic"] = round(toxic, 4)
        else:
            reasons.append(f"ngôn ngữ khác ({langs[i]}): chưa phân loại tự động")
        for code, phrases in topic_hits[i].items():
            if any(s.label == code for s in enr.topics):
                enr.features.setdefault("topic_phrases", {})[code] = phrases
        enr.claim_matches = [
            {"claim_id": cid, "score": s, "level": claims.level(s)} for cid, s in claim_hits[i]
        ]
        stance = detect_stance(text)
        enr.stance = Scored(stance.label, stance.score)
        if stance.is_denial:
            # the guideline's rule: a denial is filed as "none" whatever words it repeats;
            # what the category model read is kept for audit
            if enr.category is not None:
                enr.features["category_model"] = enr.category.to_dict()
            enr.category = Scored("none", max(cat_probs.get("none", 0.0), 0.5))
            enr.features["stance_phrase"] = stance.phrase
        # who and what the item names: NER where it is worth its cost (see entity_policy)
        worth = enr.province == home or _content_risk(cat_probs) >= 0.35 or bool(claim_hits[i])
        if extract_entities is not None and (self.entity_policy == "all" or worth):
            try:
                enr.entities = [e if isinstance(e, Entity) else Entity(**e) for e in extract_entities(text)]
            except Exception:  # entity extraction is optional: never lose the item for it
                log.exception("entities failed for item %s", item.id)
        enr.story_id = self._story(item, text, enr)
        stats = (story_stats[i] if story_stats else None) or self._stats(enr.story_id, item)
        source = self.profile.source(item.source_id)
        result = assess(
            RiskSignals(
                category_probs=cat_probs,
                claim_matches=claim_hits[i],
                auto_link=claims.auto_link,
                tier=source.tier if source else None,
                engagement=item.engagement.total() if item.engagement else 0,
                story_sources=int(stats.get("sources", 0)),
                story_items=int(stats.get("items", 0)),
                window_hours=float(stats.get("window_hours", 24)),
                toxic=toxic,
                toxic_threshold=float(self.models.meta.get("toxic_threshold", 0.8)),
                lexicon_hits=cat_hits[i] if pred is not None else {},
                local=None if province is None else province == home,
                denial=(stance.phrase or stance.label) if stance.is_denial else None,
            )
        )
        enr.risk, enr.severity, enr.reasons = result.risk, result.severity, reasons + result.reasons
        return enr

    # -- helpers -------------------------------------------------------------------------------
    def _entity_fn(self) -> Callable[[str], list[Any]] | None:
        if self.entity_policy == "none":
            return None
        try:
            from giamsat.nlp.entities import extract_entities
        except ImportError:
            return None
        return extract_entities

    def _story(self, item: Item, text: str, enr: Enrichment) -> str | None:
        if self.story_index is None:
            return None
        places, entities = story_evidence(enr)
        return self.story_index.assign(
            item.id or item.key, text, item.published or item.fetched, places=places, entities=entities
        )

    def _stats(self, story_id: str | None, item: Item) -> dict[str, Any]:
        if story_id is None or self.story_stats_fn is None:
            return {}
        return self.story_stats_fn(story_id, item) or {}


def story_evidence(enr: Enrichment) -> tuple[list[str], list[str]]:
    """The places and named entities a story decision uses, read from an enrichment - the same
    for a new item and for one replayed from the store after a restart (giamsat.pipeline)."""
    places = [*enr.features.get("ward_codes", []), *enr.localities]
    return places, [e.text for e in enr.entities if e.type in ("PER", "ORG")]


def _content_risk(category_probs: dict[str, float]) -> float:
    """How alarming the content reads before reach and source are known (for the NER budget)."""
    return max((CATEGORY_WEIGHT[c] * category_probs.get(c, 0.0) for c in CATEGORY_WEIGHT), default=0.0)
