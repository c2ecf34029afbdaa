"""An Elasticsearch-compatible **emulator** for CI: ``noida-db`` (PyPI, MIT), a single binary that
speaks the Elasticsearch REST API and reports itself as Elasticsearch 8.15.3.

It is not Elasticsearch. It runs the real client, the real HTTP requests and enforces
``index.max_result_window``, point in time, scroll and ``if_seq_no``/``if_primary_term``, so the
result-window, compatibility and concurrency regressions are caught without a JVM. What it does
not emulate is listed in ``KNOWN_GAPS`` and marked as expected failures with the reason. Real
Elasticsearch (``ELASTICSEARCH_URL``, ``make es-check``) stays the reference (docs/scale.md §8).
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

LABEL = "es-emulator"  # pytest parameter id: never confused with a real cluster
NAME = "noida-db 0.2.3 (ES-compatible emulator, reports Elasticsearch 8.15.3)"

# test name -> why it fails on the emulator (checked by hand against the Elasticsearch reference)
KNOWN_GAPS: dict[str, str] = {
    "test_search_with_and_without_diacritics[Khánh Hòa]": (
        "emulator gap: tokens at the same position (asciifolding preserve_original) are ANDed "
        "instead of forming one synonym clause, so 'Hòa' no longer matches the old spelling 'HOÀ'"
    ),
    "test_search_with_and_without_diacritics[Khánh Hoà]": (
        "emulator gap: same-position tokens ANDed (asciifolding preserve_original), see above"
    ),
    "test_histogram_counts_local_days": (
        "emulator gap: date_histogram ignores time_zone, so buckets are UTC days, not local days"
    ),
    "test_top_stories": "emulator gap: min/max on a date field return null instead of the value",
}


def available() -> bool:
    try:
        return _binary().exists()
    except ModuleNotFoundError:
        return False


def _binary() -> Path:
    return Path(str(resources.files("noida_db").joinpath("noida-db")))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Emulator:
    url: str
    process: subprocess.Popen[bytes]
    data_dir: tempfile.TemporaryDirectory[str]

    def stop(self) -> None:
        # only the process this helper started, by its pid
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.data_dir.cleanup()


def start(timeout: float = 30.0) -> Emulator:
    """Start the emulator on a free 127.0.0.1 port with a fresh data folder; wait until it answers."""
    binary = _binary()
    os.chmod(binary, 0o755)
    port = _free_port()
    data = tempfile.TemporaryDirectory(prefix="es-emulator-")
    log = open(Path(data.name) / "emulator.log", "wb")  # noqa: SIM115 - lives as long as the process
    proc = subprocess.Popen(
        [str(binary), "start", "--only", "elasticsearch", "--host", "127.0.0.1",
         "--elasticsearch-port", str(port), "--data-dir", data.name],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as resp:
                if resp.status == 200:
                    return Emulator(url, proc, data)
        except OSError:
            time.sleep(0.1)
    emu = Emulator(url, proc, data)
    text = (Path(data.name) / "emulator.log").read_text(errors="replace")[-2000:]
    emu.stop()
    raise RuntimeError(f"{NAME} did not start on {url}: {text}")


def gap_reason(node: object) -> str | None:
    """The known emulator gap of a collected test, if any. Keys are ``test_name`` or
    ``test_name[value]`` where ``value`` is one of the test's parameter values."""
    name = getattr(node, "originalname", None) or getattr(node, "name", "")
    callspec = getattr(node, "callspec", None)
    values = {str(v) for v in (callspec.params.values() if callspec else ())}
    for key, reason in KNOWN_GAPS.items():
        base, _, arg = key.partition("[")
        if base == name and (not arg or arg.rstrip("]") in values):
            return reason
    return None


def main(argv: list[str]) -> int:
    """``python -m support.es_emulator CMD...``: run CMD with ELASTICSEARCH_URL pointing at a fresh
    emulator (``make es-check-emulator``), then stop it."""
    import subprocess as sp

    emu = start()
    try:
        print(f"{NAME} at {emu.url} (an emulator, not Elasticsearch)", flush=True)
        env = {**os.environ, "ELASTICSEARCH_URL": emu.url, "GIAMSAT_ES_SKIP_VERSION_CHECK": "1",
               "ES_IS_EMULATOR": "1"}  # fmt: skip
        return sp.call(argv, env=env)
    finally:
        emu.stop()


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
