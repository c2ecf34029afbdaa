"""Crawl throughput on real-size pages, against a bare Scrapy + trafilatura spider on the same site,
in the same run.

The loopback site (tests/support/real_site.py) serves the six real article pages of
``../shared/data/pages`` under many URLs and generated pages of 150-250 KB built on them, behind
one RSS feed. Measured, in order:

1. single-core extraction on a sample of the same pages, in this process: bare
   ``trafilatura.extract`` and our ``extract_page`` (decoding + ``extract_article``);
2. a bare Scrapy spider (no middlewares of ours, no store) calling ``trafilatura.extract`` in its
   callback, in a child process;
3. the real crawl (``crawlers.runner.crawl``: child process, Scrapy, our middlewares, extraction,
   language tag, province filter, batched SQLite upserts with the raw page) with 0 extraction
   workers (extraction in the crawl process), then 1, 2... (``--workers``).

Rates are pages over the crawl's own elapsed time (Scrapy's ``elapsed_time_seconds``: process
start-up and imports excluded, the same for every run); the whole wall clock is printed too.
Memory is the peak of the summed RSS of the crawl process and its extraction workers, sampled
every 0.2 s. The 1-minute load average is printed beside every run: other jobs on the machine
slow every figure down.

    PYTHONPATH=tests .venv/bin/python benchmarks/crawl.py                 # 2,000 pages, workers 0 1 2
    PYTHONPATH=tests .venv/bin/python benchmarks/crawl.py --pages 4000 --workers 0 2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import warnings
from pathlib import Path

SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "LOG_LEVEL": "ERROR",
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
}


# -- the bare baseline (runs in a child process: `crawl.py --bare-child FEED_URL OUT.json`) ---------
def bare_child(feed_url: str, out: str) -> int:
    import re

    import scrapy
    import trafilatura
    from scrapy.crawler import CrawlerProcess

    class Bare(scrapy.Spider):
        name = "bare"
        pages = chars = 0

        async def start(self):  # type: ignore[override]
            yield scrapy.Request(feed_url, callback=self.parse_feed)

        def parse_feed(self, response):  # type: ignore[no-untyped-def]
            for link in re.findall(r"<link>([^<]+)</link>", response.text)[1:]:
                yield scrapy.Request(link, callback=self.parse_page)

        def parse_page(self, response):  # type: ignore[no-untyped-def]
            text = trafilatura.extract(response.text, url=response.url) or ""
            self.pages += 1
            self.chars += len(text)

    process = CrawlerProcess({**SETTINGS, "ROBOTSTXT_OBEY": False, "STATS_DUMP": False})
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    spider = crawler.spider
    Path(out).write_text(
        json.dumps({"pages": spider.pages, "chars": spider.chars, "elapsed": stats["elapsed_time_seconds"]})
    )
    return 0


# -- memory and load ---------------------------------------------------------------------------------
class TreeRss:
    """Peak summed RSS (MB) of this process's descendants, and the peak of a single one."""

    def __init__(self) -> None:
        self.peak_total = self.peak_one = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.2):
            parents: dict[int, int] = {}
            rss: dict[int, float] = {}
            for entry in os.scandir("/proc"):
                if not entry.name.isdigit():
                    continue
                try:
                    stat = Path(f"/proc/{entry.name}/stat").read_text()
                    pages = int(Path(f"/proc/{entry.name}/statm").read_text().split()[1])
                except (OSError, ValueError, IndexError):
                    continue
                pid = int(entry.name)
                parents[pid] = int(stat.rsplit(")", 1)[1].split()[1])
                rss[pid] = pages * os.sysconf("SC_PAGE_SIZE") / 2**20
            tree = {p for p in parents if _descends(p, me, parents)}
            if tree:
                self.peak_total = max(self.peak_total, sum(rss[p] for p in tree))
                self.peak_one = max(self.peak_one, max(rss[p] for p in tree))


def _descends(pid: int, root: int, parents: dict[int, int]) -> bool:
    seen = 0
    while pid in parents and seen < 64:
        pid = parents[pid]
        if pid == root:
            return True
        seen += 1
    return False


def load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


# -- the runs ------------------------------------------------------------------------------------------
def single_core(site, sample: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    import trafilatura

    from giamsat.crawlers.pool import extract_page

    pages = []
    for path in site.paths()[:sample]:
        with urllib.request.urlopen(site.url + path) as resp:
            pages.append((site.url + path, resp.read(), resp.headers["Content-Type"]))
    for url, body, ctype in pages[:6]:  # warm-up
        extract_page(body, ctype, url, None)
        trafilatura.extract(body.decode("utf-8"), url=url)
    rates = {}
    for name in ("bare", "ours", "bare", "ours"):  # interleaved twice: load hits both alike
        t0 = time.perf_counter()
        for url, body, ctype in pages:
            if name == "bare":
                trafilatura.extract(body.decode("utf-8"), url=url)
            else:
                extract_page(body, ctype, url, None)
        rates.setdefault(name, []).append(len(pages) / (time.perf_counter() - t0))
    return max(rates["bare"]), max(rates["ours"])


def run_bare(site) -> dict:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bare.json"
        t0 = time.perf_counter()
        with TreeRss() as mem:
            subprocess.run(
                [sys.executable, __file__, "--bare-child", f"{site.url}/feed.xml", str(out)], check=True
            )
        result = json.loads(out.read_text())
        result.update(wall=time.perf_counter() - t0, peak_total=mem.peak_total, peak_one=mem.peak_one)
        return result


def run_ours(site, workers: int, scope: str) -> dict:  # type: ignore[no-untyped-def]
    from giamsat.core.profile import Source, load_profile
    from giamsat.crawlers.runner import crawl
    from giamsat.storage import open_store

    profile = load_profile("khanh-hoa")
    source = Source(
        id="bench", type="rss", url=f"{site.url}/feed.xml", scope=scope, options={"max_entries": site.pages}
    )
    settings = {**SETTINGS, "RETRY_BACKOFF_BASE": 0.05, "GIAMSAT_EXTRACT_WORKERS": workers}
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        t0 = time.perf_counter()
        with TreeRss() as mem:
            report = crawl(profile, store, [source], settings=settings)
        wall = time.perf_counter() - t0
        rep = report.sources["bench"]
        stats = report.stats.get("bench", {})
        stored = store.db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        store.close()
    return {
        "pages": rep.fetched,
        "stored": stored,
        "dropped": rep.dropped,
        "errors": rep.error_count,
        "elapsed": float(stats.get("elapsed_time_seconds") or wall),
        "wall": wall,
        "peak_total": mem.peak_total,
        "peak_one": mem.peak_one,
    }


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--bare-child":
        return bare_child(sys.argv[2], sys.argv[3])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--real-share", type=float, default=0.5, help="share of real-page copies")
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--scope", choices=("province", "national"), default="province")
    parser.add_argument("--sample", type=int, default=120, help="pages for the single-core rates")
    parser.add_argument("--no-bare", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    from support.real_site import RealSite

    site = RealSite(pages=args.pages, real_share=args.real_share)
    try:
        print(
            f"site: {args.pages} pages, {args.real_share:.0%} real copies, scope={args.scope}, cpus={os.cpu_count()}"
        )
        la = load()
        bare1, ours1 = single_core(site, args.sample)
        print(
            f"single core, {args.sample} pages (load {la}->{load()}): bare trafilatura.extract {bare1:.1f} pages/s, "
            f"extract_page {ours1:.1f} pages/s ({ours1 / bare1:.0%})"
        )
        print(
            "| run | pages | stored | pages/s | vs bare crawl | vs single-core extract_page | wall s | peak RSS total / largest process | load 1 min |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        bare_rate = None
        if not args.no_bare:
            la = load()
            b = run_bare(site)
            bare_rate = b["pages"] / b["elapsed"]
            print(
                f"| bare Scrapy + trafilatura.extract | {b['pages']} | – | {bare_rate:.1f} | 100% | "
                f"{bare_rate / ours1:.2f}× | {b['wall']:.1f} | {b['peak_total']:.0f} / {b['peak_one']:.0f} MB | {la}→{load()} |"
            )
        for w in args.workers:
            la = load()
            r = run_ours(site, w, args.scope)
            rate = r["pages"] / r["elapsed"]
            vs_bare = f"{rate / bare_rate:.0%}" if bare_rate else "–"
            label = "in the crawl process" if w == 0 else f"{w} extraction worker{'s' if w > 1 else ''}"
            print(
                f"| giamsat crawl, {label} | {r['pages']} | {r['stored']} | {rate:.1f} | {vs_bare} | "
                f"{rate / ours1:.2f}× | {r['wall']:.1f} | {r['peak_total']:.0f} / {r['peak_one']:.0f} MB | {la}→{load()} |"
            )
            if r["errors"]:
                print(f"    {r['errors']} errors")
    finally:
        site.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
