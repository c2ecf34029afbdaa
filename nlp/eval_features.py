"""Feature views and model search used only by ``giamsat eval`` on the public sets with a dev split.

The shipped models (``nlp.features``) must stay small and fast, so they hash syllable 1-2-grams
and skip word segmentation. Reproducing a paper's setting has no such budget: each set is fitted
once, offline. Here every view keeps an exact vocabulary (``TfidfVectorizer``, sublinear tf):

* ``syl``: syllable 1-3-grams of the normalised text (``normalize_for_model``: NFC, new tone
  style, teencode expanded, lower-case), punctuation kept as tokens ("!", "?" carry tone);
* ``char``: ``char_wb`` 1-5-grams of the same text (typos, stretched words, emoticons);
* ``word``: word 1-2-grams after underthesea ``word_tokenize`` (``giảng_dạy``), which the
  literature on UIT-VSFC / UIT-VSMEC uses; cached per text because segmentation is the slow part;
* ``ctx``: the article title and section of a ViCTSD comment (``meta["context"]``), weighted
  down; only for the separately reported "+context" rows.

``search`` fits every candidate (views x LinearSVC/LogisticRegression x class weight x C) on the
train split and keeps the best *dev* score; the caller then scores the test split once.
Nothing here is used by ``nlp.train``; the shipped artefacts do not change.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import LinearSVC

from giamsat.nlp.normalize import normalize_for_model

log = logging.getLogger(__name__)

SEED = 20261123
TOKEN_PATTERN = r"(?u)\w+|[^\w\s]"
_REPEAT = re.compile(r"(\w)\1{2,}")  # "quáaaa" -> "quáa": stretched words meet their base
_SEGMENTED: dict[str, str] = {}  # word_tokenize cache (the same text recurs across candidates)
# title/section columns weigh as much as one comment view (best of 0.5/1/2 on ViCTSD valid)
CONTEXT_SCALE = 1.0


@lru_cache(maxsize=300_000)
def prep(text: str) -> str:
    """Normalised model input, memoised: every view and both ViCTSD targets reuse it."""
    return _REPEAT.sub(r"\1\1", normalize_for_model(text or ""))


def segment(texts: Sequence[str]) -> list[str]:
    """underthesea word segmentation (``gần_gũi``), memoised per text."""
    from underthesea import word_tokenize

    out = []
    for t in texts:
        seg = _SEGMENTED.get(t)
        if seg is None:
            seg = _SEGMENTED[t] = word_tokenize(t, format="text") if t.strip() else ""
        out.append(seg)
    return out


def _vectorizer(view: str) -> TfidfVectorizer:
    if view == "syl":
        return TfidfVectorizer(
            token_pattern=TOKEN_PATTERN, ngram_range=(1, 3), sublinear_tf=True, lowercase=False
        )
    if view == "char":
        return TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 5), sublinear_tf=True, min_df=2, lowercase=False
        )
    if view == "word":
        return TfidfVectorizer(
            token_pattern=TOKEN_PATTERN, ngram_range=(1, 2), sublinear_tf=True, lowercase=False
        )
    if view == "ctx":
        return TfidfVectorizer(token_pattern=r"(?u)\w+", ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    raise ValueError(f"unknown view {view!r}")


class ViewMatrices:
    """Fits each view once on the train texts; ``matrix(views, split)`` stacks any subset."""

    def __init__(self, views: Sequence[str], train: Sequence[Any]) -> None:
        self.views = tuple(views)
        self.vectorizers = {v: _vectorizer(v) for v in self.views}
        self.cache: dict[tuple[str, str], sp.csr_matrix] = {}
        self._fit(train)

    @staticmethod
    def _inputs(view: str, examples: Sequence[Any]) -> list[str]:
        if view == "ctx":
            return [prep(str((e.meta or {}).get("context", ""))) for e in examples]
        texts = [prep(e.text) for e in examples]
        return segment(texts) if view == "word" else texts

    def _fit(self, train: Sequence[Any]) -> None:
        for v, vec in self.vectorizers.items():
            X = vec.fit_transform(self._inputs(v, train)).astype(np.float32)
            self.cache[(v, "train")] = X.tocsr() * (CONTEXT_SCALE if v == "ctx" else 1.0)

    def add(self, split: str, examples: Sequence[Any]) -> None:
        for v, vec in self.vectorizers.items():
            X = vec.transform(self._inputs(v, examples)).astype(np.float32)
            self.cache[(v, split)] = X.tocsr() * (CONTEXT_SCALE if v == "ctx" else 1.0)

    def matrix(self, views: Sequence[str], split: str) -> sp.csr_matrix:
        return sp.hstack([self.cache[(v, split)] for v in views]).tocsr()


@dataclass(frozen=True)
class Candidate:
    views: tuple[str, ...]
    model: str  # svc | lr
    class_weight: str | None
    C: float

    def build(self) -> LinearSVC | OneVsRestClassifier:
        if self.model == "svc":
            return LinearSVC(C=self.C, class_weight=self.class_weight, random_state=SEED, max_iter=5000)
        # liblinear, one-vs-rest (a single model for binary tasks): deterministic and much faster
        # than lbfgs on a few hundred thousand sparse n-gram columns
        lr = LogisticRegression(
            C=self.C, class_weight=self.class_weight, solver="liblinear", random_state=SEED, max_iter=2000
        )
        return OneVsRestClassifier(lr)

    def describe(self) -> str:
        return f"{'+'.join(self.views)} {self.model} C={self.C} cw={self.class_weight or 'none'}"


@dataclass(frozen=True)
class Grid:
    view_sets: tuple[tuple[str, ...], ...]
    svc_C: tuple[float, ...] = (0.1, 0.3, 1.0, 3.0)
    lr_C: tuple[float, ...] = (1.0, 3.0, 10.0, 30.0)
    class_weights: tuple[str | None, ...] = (None, "balanced")

    def candidates(self) -> list[Candidate]:
        out = []
        for views, cw in itertools.product(self.view_sets, self.class_weights):
            out += [Candidate(views, "svc", cw, c) for c in self.svc_C]
            out += [Candidate(views, "lr", cw, c) for c in self.lr_C]
        return out

    @property
    def views(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for vs in self.view_sets for v in vs))


FULL_GRID = Grid((("syl", "char"), ("word", "char"), ("syl", "word", "char")))
# CI sample runs stay fast: no word segmentation, no char n-grams (the slow views), a few C values
SAMPLE_GRID = Grid((("syl",),), svc_C=(0.3, 1.0), lr_C=(3.0, 10.0))


def with_context(grid: Grid) -> Grid:
    return Grid(tuple((*vs, "ctx") for vs in grid.view_sets), grid.svc_C, grid.lr_C, grid.class_weights)


@dataclass
class Choice:
    candidate: Candidate
    dev_score: float
    threshold: float | None = None
    tried: int = 0
    table: list[tuple[str, float]] = field(default_factory=list)


def search(
    mats: ViewMatrices,
    y: np.ndarray,
    yd: np.ndarray,
    grid: Grid,
    score: Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[float, float | None]],
) -> Choice:
    """Best candidate on dev. ``score(y_dev, decision, predicted) -> (score, threshold|None)``.

    Ties keep the first candidate (grid order), so the choice is deterministic."""
    best: Choice | None = None
    table = []
    for cand in grid.candidates():
        X, Xd = mats.matrix(cand.views, "train"), mats.matrix(cand.views, "dev")
        model = cand.build().fit(X, y)
        s, thr = score(yd, model.decision_function(Xd), model.predict(Xd))
        table.append((cand.describe(), round(s, 4)))
        if best is None or s > best.dev_score + 1e-9:
            best = Choice(cand, s, thr)
    assert best is not None
    best.tried, best.table = len(table), table
    log.info("dev best %.4f: %s (%d candidates)", best.dev_score, best.candidate.describe(), len(table))
    return best
