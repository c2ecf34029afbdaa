"""Agreement between two annotators' label files on their common ids.

    .venv/bin/python nlp/gold/agreement.py A.jsonl B.jsonl

Cohen's kappa (scikit-learn) for the single-valued fields -- province, category, sentiment,
stance, lead_unit and the main (first) topic -- and, for the multi-valued fields (topics,
localities, provinces), the mean Jaccard index per item and the micro F1 of B against A (the
same as A against B). ``None``/empty values are a class of their own ("-").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from sklearn.metrics import cohen_kappa_score

SINGLE = ("province", "category", "sentiment", "stance", "lead_unit", "main_topic")
MULTI = ("topics", "localities", "provinces")


def read(path: Path) -> dict[str, dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return {r["id"]: r for r in rows}


def value(row: dict[str, Any], field: str) -> str:
    if field == "main_topic":
        topics = row.get("topics") or []
        return topics[0] if topics else "-"
    v = row.get(field)
    return "-" if v in (None, "") else str(v)


def norm_set(row: dict[str, Any], field: str) -> set[str]:
    return {" ".join(str(x).split()).lower() for x in (row.get(field) or [])}


def agreement(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> dict[str, Any]:
    ids = sorted(set(a) & set(b))
    out: dict[str, Any] = {"items": len(ids)}
    if not ids:
        return out
    for f in SINGLE:
        xa, xb = [value(a[i], f) for i in ids], [value(b[i], f) for i in ids]
        same = sum(x == y for x, y in zip(xa, xb, strict=True)) / len(ids)
        kappa = cohen_kappa_score(xa, xb) if len(set(xa) | set(xb)) > 1 else float("nan")
        out[f] = {"kappa": round(float(kappa), 3), "observed": round(same, 3)}
    for f in MULTI:
        jac, tp, n_a, n_b = 0.0, 0, 0, 0
        for i in ids:
            sa, sb = norm_set(a[i], f), norm_set(b[i], f)
            jac += 1.0 if not sa and not sb else len(sa & sb) / len(sa | sb)
            tp, n_a, n_b = tp + len(sa & sb), n_a + len(sa), n_b + len(sb)
        f1 = 2 * tp / (n_a + n_b) if n_a + n_b else 1.0
        out[f] = {"jaccard": round(jac / len(ids), 3), "f1": round(f1, 3)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args(argv)
    res = agreement(read(args.a), read(args.b))
    if args.json:
        print(json.dumps(res, indent=1))
        return 0
    print(f"common items: {res['items']}")
    for f in SINGLE:
        if f in res:
            print(f"{f:12} kappa {res[f]['kappa']:6.3f}   observed agreement {res[f]['observed']:.3f}")
    for f in MULTI:
        if f in res:
            print(f"{f:12} jaccard {res[f]['jaccard']:.3f}   micro-F1 {res[f]['f1']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
