"""Cross-validation of the category and sentiment heads on the gold *train* split.

The same data and fitting code as ``giamsat train`` (``nlp.train.gather``, ``_fit_softmax``), with
the C the shipped models chose; the gold train items are cut into 5 folds by item (an item's
no-diacritics copy stays in its fold), every weak/corpus row is always in training, and each
fold's items are predicted by a model that never saw them. Prints per-class figures for the
plain argmax and for per-class log-odds biases chosen on the other folds (nested: the bias a fold
is scored with was chosen without it). The dev and test splits are not read here.

    .venv/bin/python -m benchmarks.goldcv            # the shipped feature views
    .venv/bin/python -m benchmarks.goldcv --cue-scale 1 --salts ,s2,s3,s4   # + cue columns (nlp/cues.json), 4 fold assignments
"""

from __future__ import annotations

import argparse
import pickle
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_fscore_support

from giamsat.core.codes import CATEGORIES, SENTIMENTS
from giamsat.core.profile import load_profile
from giamsat.nlp import datasets as D
from giamsat.nlp.features import Featurizer
from giamsat.nlp.train import (
    _fit_softmax,
    cv_biases,
    cv_folds,
    gather,
    gold_row_groups,
    gold_split,
    oof_scores,
)


def report(
    name: str, classes: list[str], y: list[str], P: np.ndarray, bias: np.ndarray | None = None
) -> float:
    Q = np.log(np.clip(P, 1e-12, 1)) + (0 if bias is None else bias)
    pred = [classes[i] for i in Q.argmax(1)]
    p, r, f, n = precision_recall_fscore_support(y, pred, labels=classes, zero_division=0)
    macro = float(np.mean(f))
    print(f"{name}: macro-F1 {macro:.3f}")
    for c, pp, rr, ff, nn in zip(classes, p, r, f, n, strict=True):
        print(f"  {c:12s} P {pp:.3f} R {rr:.3f} F1 {ff:.3f} n {nn}")
    return macro


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cue-scale", type=float, default=0.0, help="dense cue columns at this scale")
    ap.add_argument("--salts", default="", help="comma-separated fold assignments (repeated CV)")
    ap.add_argument("--C", type=float, default=0.0, help="override C for every head")
    ap.add_argument("--cache", default="/tmp/goldcv-data.pkl")
    ap.add_argument("--heads", default="category,sentiment")
    args = ap.parse_args()
    t0 = time.perf_counter()
    profile = load_profile("khanh-hoa")
    cache = Path(args.cache)
    if cache.exists():
        data = pickle.loads(cache.read_bytes())
    else:
        data = gather(None, None, profile)
        cache.write_bytes(pickle.dumps(data))
    root = D.data_dir(None)
    gold = gold_split("train", root)
    groups = gold_row_groups(gold)  # row -> item index, for the first len(groups) rows of each task
    uniq = list(dict.fromkeys(r[0] for t in ("sentiment", "category", "topics", "toxic") for r in data[t]))
    feat = Featurizer(max_features=120_000, min_df=2, cue_scale=args.cue_scale)
    feat.fit(uniq)
    print(f"features fitted in {time.perf_counter() - t0:.0f} s")
    Cs = {"category": 2.0, "sentiment": 8.0}
    for task in args.heads.split(","):
        rows = data[task]
        classes = list(CATEGORIES if task == "category" else SENTIMENTS)
        boost = {"sai-su-that": 2.0, "xau-doc": 2.0} if task == "category" else None
        X = feat.transform([r[0] for r in rows])
        y = [r[1] for r in rows]
        w = np.array([r[2] for r in rows])
        C = args.C or Cs[task]

        def fit(
            rows: list[int],
            X: Any = X,
            y: Any = y,
            w: Any = w,
            C: float = C,
            classes: Any = classes,
            boost: Any = boost,
        ) -> Any:
            return _fit_softmax(X[rows], [y[i] for i in rows], w[rows], C, classes, boost)

        gy = [ex.label[task] for ex in gold]
        tag = (
            "base"
            + (f"-cues{args.cue_scale:g}" if args.cue_scale else "")
            + (f"-C{args.C:g}" if args.C else "")
        )
        plain, biased = [], []
        for salt in args.salts.split(","):
            folds = cv_folds([salt + ex.id for ex in gold])
            P, _ = oof_scores(X, y, groups, folds, fit)
            print(f"  {task} folds done ({time.perf_counter() - t0:.0f} s)")
            name = f"{task} [{tag}] folds {salt or 'shipped'}"
            np.savez(f"/tmp/goldcv-{task}-{tag}-{salt}.npz", P=P, y=np.array(gy), folds=np.array(folds))
            plain.append(report(f"{name} argmax", classes, gy, P))
            nested = np.zeros_like(P)
            for k in range(5):
                tr = np.array([f != k for f in folds])
                b = cv_biases(classes, P[tr], [g for g, t in zip(gy, tr, strict=True) if t])
                nested[~tr] = np.log(np.clip(P[~tr], 1e-12, 1)) + b
            biased.append(report(f"{name} nested-CV biases", classes, gy, np.exp(nested)))
            full = cv_biases(classes, P, gy)
            print(
                f"  biases chosen on all folds: {dict(zip(classes, np.round(full, 2).tolist(), strict=True))}"
            )
        print(
            f"{task} [{tag}] mean over {len(plain)} fold assignments: argmax {np.mean(plain):.3f}, "
            f"nested-CV biases {np.mean(biased):.3f}"
        )
    print(f"done in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
