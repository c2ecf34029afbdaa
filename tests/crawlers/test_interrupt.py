"""A crawl killed mid-run (SIGTERM) and restarted loses nothing and duplicates nothing."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

from support.fixture_site import TEST_SETTINGS, source

from giamsat.crawlers.report import CrawlReport
from giamsat.crawlers.runner import crawl, job_for
from giamsat.storage.base import Query


def test_sigterm_then_restart(site, tmp_store, crawl_profile, tmp_path):
    site.state.generated, site.state.gen_delay = 40, 0.15
    src = [source("fx-gen", "rss", f"{site.url}/gen-feed.xml", scope="province")]
    settings = {**TEST_SETTINGS, "CONCURRENT_REQUESTS_PER_DOMAIN": 2}
    job_path, report_path = tmp_path / "job.json", tmp_path / "report.json"
    job_path.write_text(json.dumps(job_for(crawl_profile, tmp_store, src, settings, report_path)))

    proc = subprocess.Popen([sys.executable, "-m", "giamsat.crawlers.run_once", str(job_path)])
    deadline = time.monotonic() + 60
    while len(site.state.requests_to("/gen/")) < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0

    first = CrawlReport.from_dict(json.loads(report_path.read_text()))
    assert first.interrupted and not first.sources["fx-gen"].finished
    stored_first = {i.url for i in tmp_store.iter_items(Query(source_ids=["fx-gen"]))}
    assert 0 < len(stored_first) < 40
    assert first.sources["fx-gen"].new == len(stored_first)  # what was fetched got flushed on shutdown

    site.state.gen_delay = 0
    second = crawl(crawl_profile, tmp_store, src, settings=settings)
    assert second.sources["fx-gen"].finished
    items = list(tmp_store.iter_items(Query(source_ids=["fx-gen"])))
    assert len(items) == 40 == len({i.canonical_url for i in items})
    assert second.sources["fx-gen"].new == 40 - len(stored_first)
    # nothing stored before the kill was downloaded again
    for url in stored_first:
        path = url.removeprefix(site.url)
        assert site.state.hits[path] == 1, path
