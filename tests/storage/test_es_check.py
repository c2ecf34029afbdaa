"""``giamsat es check`` — the commands a province runs (migrate both ways, claims add, process with
a claim present, every report, the dashboard queries, the retry queue) — against the CI
**emulator** (noida-db), as real subprocesses, with a result window of 25 so every read pages.
``make es-check`` runs the same command (plus the contract suite) against a real cluster."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.emulator


def test_es_check_passes_on_the_emulator(es_emulator: object, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "GIAMSAT_STORE": es_emulator.url,  # type: ignore[attr-defined]
        "GIAMSAT_ES_SKIP_VERSION_CHECK": "1",  # the emulator reports 8.15 but speaks to the 9.x client
        "COLUMNS": "200",
    }
    run = subprocess.run(
        [sys.executable, "-m", "giamsat", "es", "check", "--items", "40"],
        env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "11 passed, 0 failed" in run.stdout  # the contract suite row is skipped here (pytest runs it)
    for step in ("giamsat migrate (SQLite", "giamsat process (có tin đã bác bỏ)", "giamsat report yearly",
                 "Truy vấn bảng điều khiển", "giamsat es replay", "Elasticsearch → SQLite"):  # fmt: skip
        assert step in run.stdout
