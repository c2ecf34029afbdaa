"""Child-process entry point: ``python -m giamsat.crawlers.run_once JOB.json`` runs one Scrapy crawl.

A fresh process per crawl because Twisted's reactor cannot be restarted: the long-lived
``giamsat run`` scheduler calls ``crawlers.runner.crawl`` again and again. The job file names the
store URI, the profile, the sources and setting overrides; the report is written as JSON next to
it (atomically), also when the crawl is stopped by SIGTERM/SIGINT (Scrapy then closes every spider
cleanly, the pipeline flushes its batch and the crawl state is saved).
"""

from __future__ import annotations

import json
import logging
import os
import resource
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from giamsat.core.model import Item
from giamsat.core.profile import Profile, Source
from giamsat.crawlers.filters import detect_language, is_about_province
from giamsat.crawlers.pool import ExtractionPool, default_workers
from giamsat.crawlers.report import CrawlReport

log = logging.getLogger(__name__)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def run_job(job: dict[str, Any]) -> CrawlReport:
    from scrapy.crawler import CrawlerProcess

    from giamsat.crawlers.scrapy_settings import build_settings
    from giamsat.crawlers.spiders import spider_for
    from giamsat.storage import open_store

    profile = Profile.model_validate(job["profile"])
    sources = [Source.model_validate(s) for s in job["sources"]]
    settings = build_settings(profile, job.get("settings"), sources)
    workers = settings.get("GIAMSAT_EXTRACT_WORKERS")
    warm_up(profile, sources)  # before the fork: the extraction workers share the built lookups
    # forked before the store is opened and before the reactor exists (crawlers.pool)
    pool = ExtractionPool(default_workers() if workers is None else int(workers), profile).start()
    try:
        store = open_store(job["store_uri"])
        report = CrawlReport()
        process = CrawlerProcess(settings)
        crawlers = []
        for source in sources:
            spider_cls = spider_for(source.type)
            crawler = process.create_crawler(spider_cls)
            process.crawl(
                crawler,
                source=source,
                profile=profile,
                store=store,
                report=report.source(source.id),
                extraction=pool,
            )
            crawlers.append((source.id, crawler))
        process.start()
    finally:
        pool.close()
    # CPU seconds of this whole crawl (every source of the job): this process and, once the pool
    # is shut down, its extraction workers; operators compare them with the wall clock
    cpu_self = resource.getrusage(resource.RUSAGE_SELF)
    cpu_workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    for source_id, crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        report.stats[source_id] = {k: _plain(v) for k, v in stats.items()}
        report.stats[source_id]["giamsat/cpu_seconds_crawl_process"] = round(
            cpu_self.ru_utime + cpu_self.ru_stime, 2
        )
        report.stats[source_id]["giamsat/cpu_seconds_extraction_workers"] = round(
            cpu_workers.ru_utime + cpu_workers.ru_stime, 2
        )
        if stats.get("finish_reason") not in (None, "finished"):
            report.interrupted = True
    store.close()
    return report


def warm_up(profile: Profile, sources: list[Source]) -> None:
    """Build the NLP lookups before the reactor starts: built lazily inside a callback they
    would block it for a second or more and make in-flight downloads time out."""
    probe = Item(
        source_id="warm-up", url="warm-up:", text="Người dân phản ánh tình trạng ô nhiễm ở Khánh Hòa"
    )
    detect_language(probe)
    if any(s.scope == "national" for s in sources):
        is_about_province(probe, profile)


def write_report(report: CrawlReport, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m giamsat.crawlers.run_once JOB.json", file=sys.stderr)
        return 2
    job_path = Path(argv[0])
    job = json.loads(job_path.read_text(encoding="utf-8"))
    report = run_job(job)
    report.exit_code = 0
    write_report(report, Path(job["report_path"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
