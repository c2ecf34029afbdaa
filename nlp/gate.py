"""The quality gate: pinned minimum scores and the sha256 of every evaluation file.

``nlp/gate.json`` holds, for the CI sample run (``giamsat eval --sample N``):
* ``files``: sha256 of each evaluation file under the data directory - a changed hash means the
  data drifted and every published comparison must be re-checked;
* ``corpus_files``: the same for our corpus files (re-pin after the corpus is extended);
* ``floors``: minimum score per set (the pinned run's score minus ``margin``), including our
  corpus test split (``corpus-category`` macro-F1, ``corpus-topics`` micro-F1).

``python -m giamsat.nlp.gate --pin`` re-runs the sample evaluation and rewrites the file; do it only
after a deliberate change and review the diff.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from pathlib import Path
from typing import Any

from giamsat.core.resources import package_path
from giamsat.nlp import datasets as D
from giamsat.nlp.evaluate import SETS, Result, evaluate

log = logging.getLogger(__name__)

GATE_FILE = package_path("nlp", "gate.json")
DEFAULT_SAMPLE = 300
MARGIN = 0.02


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def eval_files() -> list[str]:
    return sorted({f for spec in SETS for f in spec.files})


def file_hashes(root: Path, names: list[str]) -> dict[str, str | None]:
    return {name: sha256(root / name) if (root / name).exists() else None for name in names}


def corpus_hashes(corpus_dir: Path | None = None) -> dict[str, str]:
    base = corpus_dir or D.CORPUS_DIR
    return {p.name: sha256(p) for p in sorted(base.glob("*.jsonl"))}


def load_gate(path: Path = GATE_FILE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def check_hashes(gate: dict[str, Any], root: Path, corpus_dir: Path | None = None) -> list[str]:
    """Problems (empty when every pinned file is present and unchanged)."""
    problems = []
    for name, want in gate.get("files", {}).items():
        path = root / name
        if not path.exists():
            problems.append(f"{name}: thiếu tệp dữ liệu đánh giá")
        elif sha256(path) != want:
            problems.append(f"{name}: sha256 đã thay đổi (dữ liệu bị sửa?)")
    now = corpus_hashes(corpus_dir)
    for name, want in gate.get("corpus_files", {}).items():
        if now.get(name) != want:
            problems.append(
                f"nlp/corpus/{name}: sha256 đã thay đổi (chạy lại `python -m giamsat.nlp.gate --pin`)"
            )
    return problems


def check_scores(gate: dict[str, Any], results: list[Result]) -> list[str]:
    problems = []
    got = {r.name: r.score for r in results}
    for name, floor in gate.get("floors", {}).items():
        if name not in got:
            problems.append(f"{name}: không có kết quả")
        elif got[name] + 1e-9 < floor:
            problems.append(f"{name}: {got[name]:.4f} < ngưỡng {floor:.4f}")
    return problems


def pin(root: Path | None = None, sample: int = DEFAULT_SAMPLE, path: Path = GATE_FILE) -> dict[str, Any]:
    """Run the sample evaluation and write floors (score - margin, rounded down) and hashes."""
    root = D.data_dir(root)
    results = evaluate(root, sample=sample)
    gate = {
        "sample": sample,
        "margin": MARGIN,
        "files": {k: v for k, v in file_hashes(root, eval_files()).items() if v},
        "corpus_files": corpus_hashes(),
        "floors": {r.name: math.floor((r.score - MARGIN) * 1000) / 1000 for r in results},
        "pinned_scores": {r.name: round(r.score, 4) for r in results},
    }
    # Sections owned by other steps (the frozen gold test's fingerprint) survive a re-pin:
    # re-pinning the sample floors must never unfreeze the test split.
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        gate.update({k: v for k, v in old.items() if k not in gate})
    path.write_text(json.dumps(gate, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return gate


if __name__ == "__main__":
    import sys

    logging.basicConfig(level=logging.INFO)
    if "--pin" in sys.argv:
        g = pin()
        print(json.dumps(g["pinned_scores"], indent=1))
    else:
        g = load_gate()
        root = D.data_dir()
        issues = check_hashes(g, root) + check_scores(g, evaluate(root, sample=g["sample"]))
        print("\n".join(issues) or "gate OK")
        sys.exit(1 if issues else 0)
