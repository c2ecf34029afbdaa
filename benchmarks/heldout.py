"""Score the shipped classifiers on the independent held-out set and on the corpus test split.

``nlp/corpus/heldout.jsonl`` is written apart from the training corpus (other places, noise,
hard negatives; see ``nlp/corpus/README.heldout.md``) and never trained on. The corpus test split
shares writers and phrasing with training, so it flatters the models; the held-out figure is the
honest one. Prints per task: macro-F1 (category, sentiment) or micro-F1 (topics), per-class F1
and the confusion matrix (rows = gold, columns = predicted), by style too.

Run: ``.venv/bin/python benchmarks/heldout.py [--models DIR] [--no-corpus]``
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from sklearn.metrics import confusion_matrix, f1_score

from giamsat.core.codes import CATEGORIES, SENTIMENTS
from giamsat.core.profile import load_profile
from giamsat.nlp import datasets as D
from giamsat.nlp.features import topic_lexicon_hits
from giamsat.nlp.models import ModelBundle
from giamsat.nlp.train import is_heldout

HELDOUT = D.CORPUS_DIR / "heldout.jsonl"


def load_heldout(path: Path = HELDOUT) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _text(rec: dict) -> str:
    return "\n".join(x for x in (rec.get("title"), rec.get("text")) if x)


def topics_micro(gold: list[set[str]], pred: list[set[str]]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold, pred, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold, pred, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def score(records: list[dict], bundle: ModelBundle, profile) -> dict:  # type: ignore[no-untyped-def]
    """Predictions of every head (with the lexicon prior, as the Enricher runs them) vs gold."""
    codes = {t.code for t in profile.topics}
    texts = [_text(r) for r in records]
    preds = bundle.predict(texts, [topic_lexicon_hits(profile, t) for t in texts], codes)
    out: dict = {"n": len(records)}
    for task, labels in (("category", list(CATEGORIES)), ("sentiment", list(SENTIMENTS))):
        gold = [r[task] for r in records]
        got = [getattr(p, task)[0] for p in preds]
        out[task] = {
            "macro_f1": float(f1_score(gold, got, labels=labels, average="macro", zero_division=0)),
            "per_class": dict(
                zip(
                    labels,
                    f1_score(gold, got, labels=labels, average=None, zero_division=0).round(3).tolist(),
                    strict=True,
                )
            ),
            "labels": labels,
            "confusion": confusion_matrix(gold, got, labels=labels).tolist(),
            "by_style": {
                style: float(
                    f1_score(
                        [g for g, r in zip(gold, records, strict=True) if r["style"] == style],
                        [p for p, r in zip(got, records, strict=True) if r["style"] == style],
                        labels=labels,
                        average="macro",
                        zero_division=0,
                    )
                )
                for style in sorted({r["style"] for r in records})
            },
        }
    gold_t = [{c for c in r.get("topics") or [] if c in codes} for r in records]
    pred_t = [{c for c, _ in p.topics} for p in preds]
    out["topics"] = {"micro_f1": topics_micro(gold_t, pred_t)}
    return out


def report(name: str, res: dict) -> str:
    lines = [f"## {name} (n={res['n']})"]
    for task in ("category", "sentiment"):
        r = res[task]
        lines.append(f"{task}: macro-F1 {r['macro_f1']:.4f}   per class {r['per_class']}")
        lines.append("   by style: " + ", ".join(f"{k} {v:.3f}" for k, v in r["by_style"].items()))
        width = max(len(x) for x in r["labels"]) + 1
        lines.append("   gold\\pred".ljust(width + 3) + "".join(x[:11].rjust(12) for x in r["labels"]))
        for lab, row in zip(r["labels"], r["confusion"], strict=True):
            lines.append("   " + lab.ljust(width) + "".join(str(v).rjust(12) for v in row))
    lines.append(f"topics: micro-F1 {res['topics']['micro_f1']:.4f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=None, help="model directory (default nlp/artifacts)")
    ap.add_argument("--no-corpus", action="store_true", help="skip the corpus test split")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    profile = load_profile(None)
    bundle = ModelBundle.load(args.models)
    held = load_heldout()
    results = {"heldout": score(held, bundle, profile)}
    if not args.no_corpus:
        test = [ex.label for ex in D.corpus("test") if not is_heldout(ex)]
        results["corpus-test"] = score(test, bundle, profile)
    if args.json:
        print(json.dumps(results, indent=1))
        return
    print(f"models {bundle.version}; heldout categories {Counter(r['category'] for r in held)}")
    for name, res in results.items():
        print(report(name, res) + "\n")


if __name__ == "__main__":
    main()
