"""Crawl throughput with extraction: a loopback fixture site of N generated article pages behind
one RSS feed, crawled by the real runner (child process, Scrapy, trafilatura, province filter,
SQLite store). Prints pages/s, items/s and the crawl process's peak memory.

    .venv/bin/python benchmarks/crawl.py            # 10,000 pages
    .venv/bin/python benchmarks/crawl.py --pages 2000
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

from support.fixture_site import FixtureSite  # noqa: E402  (PYTHONPATH=tests, as `make bench` sets)

from giamsat.core.profile import Source, load_profile  # noqa: E402
from giamsat.crawlers.runner import crawl  # noqa: E402
from giamsat.crawlers.scrapy_settings import FAST  # noqa: E402
from giamsat.storage import open_store  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument(
        "--scope",
        choices=("province", "national"),
        default="national",
        help="national also runs the province filter on every page",
    )
    args = parser.parse_args()

    site = FixtureSite()
    site.state.generated = args.pages
    profile = load_profile("khanh-hoa")
    source = Source(
        id="bench",
        type="rss",
        url=f"{site.url}/gen-feed.xml",
        scope=args.scope,
        options={"max_entries": args.pages},
    )
    settings = {**FAST, "CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "LOG_LEVEL": "ERROR"}
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        t0 = time.perf_counter()
        report = crawl(profile, store, [source], settings=settings)
        elapsed = time.perf_counter() - t0
        rep = report.sources["bench"]
        stored = rep.new
        store.close()
    site.close()
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"pages={rep.fetched} items_stored={stored} dropped={rep.dropped} errors={rep.error_count} seconds={elapsed:.1f}"
    )
    print(
        f"pages/s={rep.fetched / elapsed:.1f} items/s={stored / elapsed:.1f} peak_rss_crawler_MB={peak_mb:.0f}"
    )
    return 0 if rep.error_count == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
