"""DOCX -> PDF with LibreOffice in headless mode, when it is installed (``make report-deps`` installs
Debian's ``libreoffice-writer-nogui``). Nothing else renders a Word document the way Word does
offline; without LibreOffice the PDF export says so and the DOCX remains the document of record.

Each conversion runs in its own temporary LibreOffice profile, so two exports at once (two
officers, or the CLI beside the dashboard) never fight over one profile lock.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from giamsat.core.errors import GiamsatError

TIMEOUT = 120  # seconds: a first start of LibreOffice on a busy 2-core machine takes ~10


class PdfUnavailable(GiamsatError):
    """LibreOffice is not installed, or could not convert."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice() is not None


def docx_to_pdf(docx: Path, out: Path) -> Path:
    exe = soffice()
    if exe is None:
        raise PdfUnavailable(
            "Chưa cài LibreOffice nên không xuất được PDF (cài: apt-get install libreoffice-writer-nogui); "
            "hãy dùng bản DOCX."
        )
    with tempfile.TemporaryDirectory(prefix="giamsat-pdf-") as tmp:
        profile = Path(tmp) / "profile"
        cmd = [
            exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            tmp,
            str(docx),
        ]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=TIMEOUT)
        except (subprocess.SubprocessError, OSError) as exc:
            raise PdfUnavailable(f"LibreOffice không chuyển được sang PDF: {exc}") from exc
        made = Path(tmp) / (docx.stem + ".pdf")
        if not made.exists():
            raise PdfUnavailable("LibreOffice không tạo ra tệp PDF.")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(made), out)
    return out
