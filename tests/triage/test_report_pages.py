"""The reports as an official prints them: DOCX -> PDF with LibreOffice, PDF -> PNG pages with
poppler, saved in ``tests/artifacts/`` for people to look at (docs/dashboard.md shows some).
Checked on the PDF's own text: the letterhead's lines are not broken, pages are numbered from the
second, the leader's version fits on one page. Without LibreOffice and poppler the test is skipped,
except under CI (env ``CI``), where ``make report-deps`` installs them."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from support.dashtest import fill

from giamsat.core.model import utcnow
from giamsat.core.profile import load_profile
from giamsat.core.timeutil import to_local
from giamsat.storage.sqlite import SQLiteStore
from giamsat.triage.export import write_report
from giamsat.triage.pdf import available
from giamsat.triage.reports import build_report

pytestmark = pytest.mark.slow  # ~20 s: LibreOffice starts twice

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _need_tools() -> None:
    if available() and shutil.which("pdftoppm") and shutil.which("pdftotext"):
        return
    message = "thiếu LibreOffice hoặc poppler-utils (make report-deps)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _text(pdf: Path, page: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_daily_reports_print_as_signed_documents(tmp_path: Path) -> None:
    _need_tools()
    store = SQLiteStore(f"sqlite:///{tmp_path / 'r.db'}")
    fill(store)
    profile = load_profile("khanh-hoa")
    day = to_local(utcnow()).date() - timedelta(days=1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for variant in ("full", "leader"):
        report = build_report(profile, store, "daily", day, variant=variant, number=12)
        pdf = write_report(profile, report, "pdf", tmp_path / f"diem-tin-{variant}.pdf")
        first = _text(pdf, 1)
        # neither letterhead line wraps: each is whole on one printed line
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first
        assert profile.report.issuing_body.upper() in first
        assert "TÓM TẮT" in first and "Ghi nhận" in first
        pages = _pages(pdf)
        if variant == "leader":
            assert pages == 1, "the leader's version fits on one page"
        else:
            assert pages >= 2 and _text(pdf, 2).strip().startswith("2")  # page number at the top
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / f"bao-cao-{variant}")], check=True
        )
    store.close()
    assert sorted(p.name for p in ARTIFACTS.glob("bao-cao-leader*.png")) == ["bao-cao-leader-1.png"]
