"""The shipped classifiers: one shared ``Featurizer`` and small linear heads.

Artefact: ``nlp/artifacts/models.joblib`` (see ``MODEL_CARD.md``), written by ``nlp.train``.
Heads are stored as plain numpy arrays (float32 weights), not pickled scikit-learn estimators, so
an artefact does not depend on the scikit-learn version that trained it and stays small.

Heads:
* ``sentiment`` - softmax over tich-cuc / trung-tinh / tieu-cuc;
* ``category`` - softmax over none / phan-anh / sai-su-that / xau-doc;
* ``topics`` - one sigmoid per profile topic code, with a decision threshold tuned on dev;
* ``toxic`` - sigmoid: offensive/hateful wording (trained on ViHOS), a risk signal and reason.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import joblib
import numpy as np
import scipy.sparse as sp

from giamsat.core.resources import package_path
from giamsat.core.settings import Settings
from giamsat.nlp.features import Featurizer, LexiconMatcher

log = logging.getLogger(__name__)

ARTIFACTS_DIR = package_path("nlp", "artifacts")
MODEL_FILE = "models.joblib"


@dataclass
class LinearHead:
    """``kind``: ``softmax`` (one label) or ``sigmoid`` (independent labels / binary)."""

    kind: str
    classes: list[str]
    coef: np.ndarray  # (n_classes, n_features) float32
    intercept: np.ndarray  # (n_classes,)
    thresholds: dict[str, float] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_sklearn(cls, est: Any, kind: str, classes: list[str] | None = None) -> LinearHead:
        coef = np.asarray(est.coef_, dtype=np.float32)
        intercept = np.asarray(est.intercept_, dtype=np.float32)
        names = [str(c) for c in (classes if classes is not None else est.classes_)]
        if kind == "softmax" and coef.shape[0] == 1:  # binary LR keeps one row: expand to two
            coef = (np.vstack([-coef, coef]) / 2).astype(np.float32)
            intercept = (np.array([-intercept[0], intercept[0]], dtype=np.float32) / 2).astype(np.float32)
        return cls(kind=kind, classes=names, coef=coef, intercept=intercept)

    def scores(self, X: sp.csr_matrix) -> np.ndarray:
        z = np.asarray(X @ self.coef.T) + self.intercept
        if self.kind == "softmax":
            z = z - z.max(axis=1, keepdims=True)
            e = np.exp(z)
            return e / e.sum(axis=1, keepdims=True)
        return 1.0 / (1.0 + np.exp(-z))


@dataclass
class Prediction:
    sentiment: tuple[str, float]
    category: tuple[str, float]
    category_probs: dict[str, float]
    topics: list[tuple[str, float]]  # above threshold, highest first
    topic_probs: dict[str, float]
    toxic: float


class ModelBundle:
    """Featurizer + heads, loaded once per process (``ModelBundle.load``)."""

    _cache: ClassVar[dict[str, ModelBundle]] = {}
    _lock = threading.Lock()

    def __init__(self, featurizer: Featurizer, heads: dict[str, LinearHead], meta: dict[str, Any]) -> None:
        self.featurizer = featurizer
        self.heads = heads
        self.meta = meta
        self._cat_lex: LexiconMatcher | None = None

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "unknown"))

    def versions(self) -> dict[str, str]:
        return {name: f"{name}-{self.version}" for name in self.heads}

    # -- persistence -------------------------------------------------------------------------
    def save(self, out_dir: Path) -> Path:
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / MODEL_FILE
        payload = {
            "featurizer": self.featurizer,
            "heads": {k: vars(h) for k, h in self.heads.items()},
            "meta": self.meta,
        }
        joblib.dump(payload, path, compress=("xz", 3))
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> ModelBundle:
        """Load (cached per path). ``GIAMSAT_MODEL_DIR`` overrides the default directory."""
        if path is None:
            path = (Settings.from_env().model_dir or ARTIFACTS_DIR) / MODEL_FILE
        path = Path(path)
        if path.is_dir():
            path = path / MODEL_FILE
        key = str(path.resolve())
        with cls._lock:
            if key not in cls._cache:
                if not path.exists():
                    raise FileNotFoundError(
                        f"{path}: chưa có mô hình đã huấn luyện; chạy `giamsat train` để tạo"
                    )
                payload = joblib.load(path)
                heads = {k: LinearHead(**v) for k, v in payload["heads"].items()}
                cls._cache[key] = cls(payload["featurizer"], heads, payload["meta"])
                log.info("loaded models %s from %s", cls._cache[key].version, path)
            return cls._cache[key]

    def category_lexicon(self) -> LexiconMatcher:
        """Matcher for the category lexicon stored in ``meta`` at training time (cached)."""
        cached: LexiconMatcher | None = getattr(self, "_cat_lex", None)
        if cached is None:
            cached = self._cat_lex = LexiconMatcher(dict(self.meta.get("category_lexicon") or {}))
        return cached

    # -- prediction --------------------------------------------------------------------------
    def vectorize(self, texts: list[str]) -> sp.csr_matrix:
        return self.featurizer.transform(texts)

    def predict(
        self,
        texts: list[str],
        topic_prior: list[set[str]] | None = None,
        topic_codes: set[str] | None = None,
        category_prior: list[set[str]] | None = None,
    ) -> list[Prediction]:
        """Predict every head for a batch. ``topic_prior[i]`` are topic codes whose lexicon
        matched text ``i``: they get the small additive prior tuned on dev (``meta``).
        ``topic_codes`` limits topics to the active profile's taxonomy. ``category_prior[i]``
        are categories whose profile lexicon matched text ``i`` (default: matched here with the
        lexicon stored at training time); they get the small log-odds bonus tuned on dev."""
        if not texts:
            return []
        X = self.vectorize(texts)
        sent = self.heads["sentiment"]
        cat = self.heads["category"]
        top = self.heads.get("topics")
        tox = self.heads.get("toxic")
        ps = sent.scores(X)
        pc = cat.scores(X)
        cprior = float(self.meta.get("category_prior", 0.0))
        if cprior:
            if category_prior is None:
                category_prior = [set(self.category_lexicon().find(t)) for t in texts]
            pc = apply_category_prior(cat.classes, pc, category_prior, cprior)
        # offsets chosen by CV move the *decision* only: the probabilities risk is built on stay
        # the model's (shifting them raised a lone rumour telling to an alert of its own)
        dc = apply_class_bias(cat.classes, pc, self.meta.get("category_bias"))
        ds = apply_class_bias(sent.classes, ps, self.meta.get("sentiment_bias"))
        pt = top.scores(X) if top else np.zeros((len(texts), 0))
        px = tox.scores(X)[:, -1] if tox else np.zeros(len(texts))
        prior = float(self.meta.get("topic_prior", 0.0))
        out = []
        for i in range(len(texts)):
            s_idx = int(ds[i].argmax())
            c_idx = int(dc[i].argmax())
            tprobs: dict[str, float] = {}
            chosen: list[tuple[str, float]] = []
            if top:
                for j, code in enumerate(top.classes):
                    if topic_codes is not None and code not in topic_codes:
                        continue
                    p = float(pt[i, j])
                    if topic_prior and code in topic_prior[i]:
                        p = min(1.0, p + prior)
                    tprobs[code] = p
                    if p >= top.thresholds.get(code, top.thresholds.get("*", 0.5)):
                        chosen.append((code, p))
            chosen.sort(key=lambda kv: -kv[1])
            out.append(
                Prediction(
                    sentiment=(sent.classes[s_idx], float(ps[i, s_idx])),
                    category=(cat.classes[c_idx], float(pc[i, c_idx])),
                    category_probs={c: float(pc[i, j]) for j, c in enumerate(cat.classes)},
                    topics=chosen,
                    topic_probs=tprobs,
                    toxic=float(px[i]),
                )
            )
        return out


def apply_category_prior(
    classes: list[str], P: np.ndarray, hits: list[set[str]] | None, prior: float
) -> np.ndarray:
    """Add ``prior`` to the log-probability of each category whose lexicon matched, renormalise."""
    if not prior or not hits:
        return P
    bonus = np.array([[prior if c in h else 0.0 for c in classes] for h in hits], dtype=np.float64)
    if not bonus.any():
        return P
    z = np.log(np.clip(P, 1e-12, 1.0)) + bonus
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def apply_class_bias(classes: list[str], P: np.ndarray, bias: dict[str, float] | None) -> np.ndarray:
    """Add a per-class log-odds offset (chosen by cross-validation on the gold train split, see
    ``nlp.train.cv_biases``) to every row and renormalise: a shift of the decision, so a class the
    model under-predicts on real text wins at a lower probability. ``None``/all-zero: ``P`` as is."""
    if not bias or not any(bias.values()):
        return P
    b = np.array([float(bias.get(c, 0.0)) for c in classes])
    z = np.log(np.clip(P, 1e-12, 1.0)) + b
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def available(path: str | os.PathLike[str] | None = None) -> bool:
    try:
        ModelBundle.load(path)
    except FileNotFoundError:
        return False
    return True
