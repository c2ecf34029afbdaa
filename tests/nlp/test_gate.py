"""The quality gate: evaluation files unchanged (sha256) and scores at or above their floors."""

from __future__ import annotations

import pytest

from giamsat.nlp import datasets as D
from giamsat.nlp.evaluate import evaluate
from giamsat.nlp.gate import check_hashes, check_scores, load_gate

ROOT = D.data_dir()
needs_data = pytest.mark.skipif(not ROOT.exists(), reason=f"evaluation data not available at {ROOT}")


def test_gate_lists_every_set_and_corpus_floor() -> None:
    gate = load_gate()
    assert {
        "reintel",
        "vihsd",
        "uit-vsmec",
        "victsd-toxic",
        "vntc",
        "corpus-category",
        "corpus-topics",
    } <= set(gate["floors"])
    assert all(len(h) == 64 for h in gate["files"].values())


@needs_data
def test_evaluation_files_have_not_drifted() -> None:
    assert check_hashes(load_gate(), ROOT) == []


def test_drift_is_detected(tmp_path) -> None:
    (tmp_path / "a.csv").write_text("x,y\n1,2\n")
    gate = {"files": {"a.csv": "0" * 64, "missing.csv": "0" * 64}}
    problems = check_hashes(gate, tmp_path, corpus_dir=tmp_path)
    assert any("a.csv" in p and "sha256" in p for p in problems)
    assert any("missing.csv" in p for p in problems)


@needs_data
@pytest.mark.slow
def test_sample_scores_stay_above_floors() -> None:
    gate = load_gate()
    results = evaluate(ROOT, sample=gate["sample"])
    assert check_scores(gate, results) == []


def test_the_gold_test_split_is_frozen() -> None:
    """Any change to the frozen test split (an item, a label) must be a deliberate re-pin."""
    from giamsat.nlp.gate import load_gate
    from giamsat.nlp.goldset import split_fingerprint

    pinned = load_gate()["gold_test"]
    now = split_fingerprint("test")
    assert (now["items"], now["labelled"], now["sha256"]) == (
        pinned["items"],
        pinned["labelled"],
        pinned["sha256"],
    )
