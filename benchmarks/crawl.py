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
start-up and imports excluded, the same for every run), median of ``--rounds`` interleaved rounds.
CPU milliseconds per page (crawl process, extraction workers) come from ``getrusage`` and do not
grow with other jobs' load; from them, the rate an otherwise idle machine would allow: all cores
busy, or the crawl process saturated, whichever comes first (the loopback server's own CPU left
out: a real site is elsewhere). Memory is the peak of the summed RSS of the crawl process and its
workers, sampled every 0.2 s. The 1-minute load average is printed beside every round.

    PYTHONPATH=tests .venv/bin/python benchmarks/crawl.py                 # 2,000 pages, workers 0 1 2, 2 rounds
    PYTHONPATH=tests .venv/bin/python benchmarks/crawl.py --pages 1000 --workers 0 2 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
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
    import resource

    stats = crawler.stats.get_stats()
    spider = crawler.spider
    usage = resource.getrusage(resource.RUSAGE_SELF)
    Path(out).write_text(
        json.dumps(
            {
                "pages": spider.pages,
                "chars": spider.chars,
                "elapsed": stats["elapsed_time_seconds"],
                "cpu_crawl": usage.ru_utime + usage.ru_stime,
                "cpu_workers": 0.0,
            }
        )
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
def single_core(site, sample: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Pages/s of one core on the crawl's own pages: bare ``trafilatura.extract``, ``extract_article``
    (on decoded text) and ``extract_page`` (all a worker does: decode, extract, language, compress).
    Wall-clock rates (best of two interleaved passes) and CPU-time rates (what load cannot inflate)."""
    import trafilatura

    from giamsat.crawlers.extract import extract_article
    from giamsat.crawlers.pool import extract_page

    pages = []
    for path in site.paths()[:sample]:
        with urllib.request.urlopen(site.url + path) as resp:
            body = resp.read()
            pages.append((site.url + path, body, resp.headers["Content-Type"], body.decode("utf-8")))
    runs = {
        "bare": lambda u, b, c, h: trafilatura.extract(h, url=u),
        "extract_article": lambda u, b, c, h: extract_article(h, u),
        "extract_page": lambda u, b, c, h: extract_page(b, c, u, None),
    }
    for fn in runs.values():  # warm-up
        for page in pages[:6]:
            fn(*page)
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for _ in range(2):
        for name, fn in runs.items():
            t0, c0 = time.perf_counter(), time.process_time()
            for page in pages:
                fn(*page)
            wall[name] = max(wall.get(name, 0.0), len(pages) / (time.perf_counter() - t0))
            cpu[name] = max(cpu.get(name, 0.0), len(pages) / (time.process_time() - c0))
    return {**{f"{k}_wall": v for k, v in wall.items()}, **{f"{k}_cpu": v for k, v in cpu.items()}}


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
        id="bench",
        type="rss",
        url=f"{site.url}/feed.xml",
        scope=scope,
        allow_private_network=True,  # the site is on 127.0.0.1 (crawlers/fetchpolicy.py)
        options={"max_entries": site.pages},
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
        "cpu_crawl": float(stats.get("giamsat/cpu_seconds_crawl_process") or 0),
        "cpu_workers": float(stats.get("giamsat/cpu_seconds_extraction_workers") or 0),
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
    parser.add_argument("--rounds", type=int, default=2, help="every run is repeated, interleaved")
    parser.add_argument("--scope", choices=("province", "national"), default="province")
    parser.add_argument("--sample", type=int, default=120, help="pages for the single-core rates")
    parser.add_argument("--no-bare", action="store_true")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    from support.real_site import RealSite

    site = RealSite(pages=args.pages, real_share=args.real_share)
    cores = os.cpu_count() or 1
    try:
        print(
            f"site: {args.pages} pages, {args.real_share:.0%} real copies, scope={args.scope}, cpus={cores}"
        )
        la = load()
        one = single_core(site, args.sample)
        print(f"single core, {args.sample} of the same pages (load {la}->{load()}), pages/s wall / CPU-time:")
        for name in ("bare", "extract_article", "extract_page"):
            print(f"  {name}: {one[name + '_wall']:.1f} / {one[name + '_cpu']:.1f}")
        configs: list[tuple[str, int | None]] = [] if args.no_bare else [("bare", None)]
        configs += [("ours", w) for w in args.workers]
        runs: dict[tuple[str, int | None], list[dict]] = {c: [] for c in configs}
        for r in range(args.rounds):
            for config in configs if r % 2 == 0 else list(reversed(configs)):
                la = load()
                result = run_bare(site) if config[0] == "bare" else run_ours(site, config[1], args.scope)
                result["load"] = f"{la}→{load()}"
                runs[config].append(result)
        print(
            "| run | pages/s (median of rounds) | each round | CPU ms/page: crawl process + workers | "
            "bound on an idle machine | peak RSS total / largest | load 1 min per round |"
        )
        print("|---|---|---|---|---|---|---|")
        base = None
        for config in configs:
            rs = runs[config]
            rates = [r["pages"] / r["elapsed"] for r in rs]
            rate = statistics.median(rates)
            base = rate if config[0] == "bare" else base
            crawl_ms = statistics.median(1000 * r["cpu_crawl"] / r["pages"] for r in rs)
            workers_ms = statistics.median(1000 * r["cpu_workers"] / r["pages"] for r in rs)
            # every core busy, the crawl process saturated or the workers saturated: the first to come
            if config[0] == "bare" or config[1] == 0:
                bound = 1000 / (crawl_ms + workers_ms)
            else:
                per_worker = 1000 * config[1] / workers_ms
                bound = min(cores * 1000 / (crawl_ms + workers_ms), 1000 / crawl_ms, per_worker)
            label = (
                "bare Scrapy + trafilatura.extract"
                if config[0] == "bare"
                else f"giamsat crawl, {'extraction in the crawl process' if config[1] == 0 else f'{config[1]} extraction worker(s)'}"
            )
            print(
                f"| {label} | {rate:.1f} | {' / '.join(f'{x:.1f}' for x in rates)} | {crawl_ms:.1f} + {workers_ms:.1f} | "
                f"{bound:.0f} | {max(r['peak_total'] for r in rs):.0f} / {max(r['peak_one'] for r in rs):.0f} MB | "
                f"{', '.join(r['load'] for r in rs)} |"
            )
            if any(r.get("errors") for r in rs):
                print(f"    errors: {[r.get('errors') for r in rs]}")
        for config in configs:
            if config[0] == "ours":
                rate = statistics.median(r["pages"] / r["elapsed"] for r in runs[config])
                print(
                    f"workers={config[1]}: {rate / one['extract_article_wall']:.2f}× single-core extract_article, "
                    f"{rate / one['extract_page_wall']:.2f}× single-core extract_page"
                    + (f", {rate / base:.0%} of the bare crawl" if base else "")
                )
    finally:
        site.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
