"""Public entry points of the crawl stage (wired into the CLI, the pipeline and the demo).

``crawl`` runs each Scrapy crawl in a child process (``python -m giamsat.crawlers.run_once``) so that it
can be called any number of times from one long-lived process; the child opens the store by URI.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from giamsat.core.errors import ConfigError
from giamsat.core.profile import Profile, Source
from giamsat.crawlers import health
from giamsat.crawlers.report import CrawlReport
from giamsat.crawlers.social.importer import import_directory, import_file
from giamsat.crawlers.spiders import SPIDERS
from giamsat.crawlers.tips import add_tip  # re-exported: the runner is the crawl API the CLI and tests use
from giamsat.storage.base import Store

log = logging.getLogger(__name__)

__all__ = ["add_tip", "crawl", "import_social_export", "load_sources_file"]


def load_sources_file(path: str | Path) -> list[Source]:
    """A YAML file whose top-level ``sources:`` list uses the profile's source schema."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), "(file)", "file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), "(file)", "not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise ConfigError(str(path), where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict) or "sources" not in data:
        raise ConfigError(str(path), "(top level)", "a mapping with a 'sources:' list")
    if not isinstance(data["sources"], list):
        raise ConfigError(str(path), "sources", "a list of sources")
    sources: list[Source] = []
    for i, entry in enumerate(data["sources"]):
        try:
            sources.append(Source.model_validate(entry))
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"])
            msg = "required key is missing" if err["type"] == "missing" else err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown key (check spelling)"
            raise ConfigError(str(path), f"sources[{i}]" + (f".{key}" if key else ""), msg) from None
    ids = [s.id for s in sources]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConfigError(str(path), "sources", f"duplicate source id(s): {', '.join(dupes)}")
    return sources


def crawlable(sources: list[Source]) -> list[Source]:
    return [s for s in sources if s.enabled and (s.type in SPIDERS or s.type == "social-import")]


def crawl(
    profile: Profile,
    store: Store,
    sources: list[Source] | None = None,
    *,
    once: bool = True,
    settings: dict[str, Any] | None = None,
    progress: bool = False,
) -> CrawlReport:
    """Crawl ``sources`` (default: the profile's enabled ones) and record health.

    ``once=False`` keeps going: each source is crawled again when its ``interval_minutes`` has
    passed (stop with Ctrl+C / SIGTERM); the returned report is the last round's.
    """
    chosen = crawlable(profile.sources if sources is None else sources)
    if once:
        return _crawl_round(profile, store, chosen, settings, progress)
    last_run: dict[str, float] = {}
    report = CrawlReport()
    while True:
        now = time.monotonic()
        due = [s for s in chosen if now - last_run.get(s.id, -1e12) >= s.interval_minutes * 60]
        if due:
            report = _crawl_round(profile, store, due, settings, progress)
            for s in due:
                last_run[s.id] = now
            if report.interrupted:
                return report
        next_due = (
            min(last_run.get(s.id, now) + s.interval_minutes * 60 for s in chosen) if chosen else now + 60
        )
        time.sleep(max(5.0, next_due - time.monotonic()))


def _crawl_round(
    profile: Profile, store: Store, sources: list[Source], settings: dict[str, Any] | None, progress: bool
) -> CrawlReport:
    report = CrawlReport()
    spiders = [s for s in sources if s.type in SPIDERS]
    imports = [s for s in sources if s.type == "social-import"]
    if spiders:
        report.merge(run_child(profile, store, spiders, settings=settings, progress=progress))
    for source in imports:
        report.merge(import_directory(store, profile, source))
    health.record_run(store, profile, sources, report)
    return report


def run_child(
    profile: Profile,
    store: Store,
    sources: list[Source],
    *,
    settings: dict[str, Any] | None = None,
    progress: bool = False,
    timeout: float | None = None,
) -> CrawlReport:
    """Run one Scrapy crawl of ``sources`` in a child process and return its report."""
    if ":memory:" in store.uri:
        raise ValueError("crawl needs a store on disk (the crawl runs in a child process)")
    with tempfile.TemporaryDirectory(prefix="giamsat-crawl-") as tmp:
        job_path = Path(tmp) / "job.json"
        report_path = Path(tmp) / "report.json"
        job_path.write_text(
            json.dumps(job_for(profile, store, sources, settings, report_path), ensure_ascii=False)
        )
        cmd = [sys.executable, "-m", "giamsat.crawlers.run_once", str(job_path)]
        proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        interrupted = False
        try:
            if progress:
                from rich.console import Console

                with Console(stderr=True).status(f"Đang thu thập {len(sources)} nguồn…"):
                    proc.wait(timeout=timeout)
            else:
                proc.wait(timeout=timeout)
        except (KeyboardInterrupt, subprocess.TimeoutExpired):
            # let Scrapy close the spiders cleanly (flush + save state) before giving up
            interrupted = True
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        report = read_report(report_path, sources, proc.returncode)
        report.interrupted = report.interrupted or interrupted
        return report


def job_for(
    profile: Profile, store: Store, sources: list[Source], settings: dict[str, Any] | None, report_path: Path
) -> dict[str, Any]:
    return {
        "store_uri": store.uri,
        "profile": profile.model_dump(mode="json", by_alias=True),
        "sources": [s.model_dump(mode="json") for s in sources],
        "settings": settings or {},
        "report_path": str(report_path),
    }


def read_report(path: Path, sources: list[Source], returncode: int | None) -> CrawlReport:
    if path.exists():
        report = CrawlReport.from_dict(json.loads(path.read_text(encoding="utf-8")))
    else:
        # the child died before writing its report: every source gets the reason
        report = CrawlReport(interrupted=True)
        for s in sources:
            report.source(s.id).fatal = f"tiến trình thu thập dừng bất thường (mã {returncode})"
    report.exit_code = returncode
    return report


def import_social_export(
    store: Store, profile: Profile, path: str | Path, fmt: str | None = None, source_id: str = "import"
) -> CrawlReport:
    return import_file(store, profile, Path(path), fmt=fmt, source_id=source_id)
