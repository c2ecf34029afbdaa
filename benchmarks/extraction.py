"""Extraction on the real saved pages (../shared/data/pages): quality against the hand-written gold
and speed against bare trafilatura, in the same run.

Quality: paragraph recall, precision and boilerplate share (tests/crawlers/extraction_gold/README.md)
for trafilatura's three modes (default, favor_precision, favor_recall) as ``trafilatura.extract``
gives them, and for ``extract_article`` (our post-processing) on top of each mode. List pages have
no body: the characters each extractor takes from them are reported.

Speed: ``trafilatura.extract(html, url=url)`` (the bare baseline) and ``extract_article(html, url)``
on the six article pages, interleaved round by round so that load from other jobs hits both alike;
the median round of each gives pages/s and the ratio. The 1-minute load average is printed
beside the figures.

    PYTHONPATH=tests .venv/bin/python benchmarks/extraction.py [--details]
    PYTHONPATH=tests .venv/bin/python benchmarks/extraction.py --rounds 60 --skip-quality
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings

from support.extraction_gold import article_pages, evaluate, list_pages, page_html

from giamsat.crawlers.extract import FOCUS, extract_article

MODES = {"default": {}, "precision": {"favor_precision": True}, "recall": {"favor_recall": True}}
FOCUS_OF = {"default": "balanced", "precision": "precision", "recall": "recall"}


def quality(details: bool) -> None:
    import trafilatura

    lists = [(e, page_html(e)) for e in list_pages()]
    print(
        "| extractor | paragraph recall (worst page) | paragraph precision | boilerplate | list pages: chars taken (pages with ≥ 80) |"
    )
    print("|---|---|---|---|---|")
    rows = []
    for mode, kw in MODES.items():

        def bare(html: str, url: str, kw: dict = kw) -> str:
            return trafilatura.extract(html, url=url, **kw) or ""

        def ours(html: str, url: str, mode: str = mode) -> str:
            return extract_article(html, url, focus=FOCUS_OF[mode]).text

        rows.append((f"trafilatura {mode}", bare))
        chosen = " (shipped)" if FOCUS_OF[mode] == FOCUS else ""
        rows.append((f"extract_article on {mode}{chosen}", ours))
    for name, fn in rows:
        s = evaluate(fn)
        taken = [len(fn(h, e["og_url"])) for e, h in lists]
        print(
            f"| {name} | {s.recall:.3f} ({s.worst_recall:.2f}) | {s.precision:.3f} | {s.boilerplate:.1%} "
            f"| {sum(taken):,} ({sum(t >= 80 for t in taken)}/{len(taken)}) |"
        )
        for page in s.pages if details else ():
            for para in page.missed:
                print(f"    missed  {page.page}: {para[:90]}")
            for para in page.junk:
                print(f"    junk    {page.page}: {para[:90]}")


def speed(rounds: int) -> None:
    import trafilatura

    pages = [(e["og_url"], page_html(e)) for e in article_pages()]
    for url, html in pages:  # warm-up: imports, lazily built tables
        trafilatura.extract(html, url=url)
        extract_article(html, url)
    load_before = os.getloadavg()[0]
    bare_t, ours_t = [], []
    for r in range(rounds):
        order = [("bare", bare_t), ("ours", ours_t)]
        for name, sink in order if r % 2 == 0 else reversed(order):
            t0 = time.perf_counter()
            for url, html in pages:
                if name == "bare":
                    trafilatura.extract(html, url=url)
                else:
                    extract_article(html, url)
            sink.append(time.perf_counter() - t0)
    load_after = os.getloadavg()[0]
    n = len(pages)
    bare_rate = n / statistics.median(bare_t)
    ours_rate = n / statistics.median(ours_t)
    print(f"pages={n} rounds={rounds} load_1min={load_before:.2f}->{load_after:.2f} cpus={os.cpu_count()}")
    print(f"bare trafilatura.extract: {bare_rate:.1f} pages/s (median round; best {n / min(bare_t):.1f})")
    print(f"extract_article:          {ours_rate:.1f} pages/s (median round; best {n / min(ours_t):.1f})")
    print(
        f"ratio extract_article / bare: {ours_rate / bare_rate:.0%} (best rounds {min(bare_t) / min(ours_t):.0%})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--details", action="store_true", help="list every missed and junk paragraph")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    if not args.skip_quality:
        quality(args.details)
    if not args.skip_speed:
        speed(args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
