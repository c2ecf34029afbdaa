"""Freshness: from an item appearing in a feed to its alert being visible in the store.

``giamsat run`` polls a loopback RSS feed every 30 s (``interval_minutes: 0.5``). At a random
moment of the polling cycle the feed gains an article that matches a watch rule of the Khánh Hòa
profile ("khai thác cát trái phép"); we poll the store until an alert holds that item and report
the delay. Target (issue 5): under one poll interval plus 5 s.

    .venv/bin/python benchmarks/freshness.py --rounds 3
"""

from __future__ import annotations

import argparse
import http.server
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from giamsat.storage.sqlite import SQLiteStore  # noqa: E402

ARTICLES: list[tuple[str, str, str]] = []  # (slug, title, body) published so far
LOCK = threading.Lock()


def _article_html(title: str, body: str) -> str:
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n"))
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<nav>Trang chủ | Thời sự</nav><article><h1>{title}</h1>{paras}</article></body></html>"
    )


def _feed(base: str) -> str:
    with LOCK:
        entries = list(ARTICLES)
    items = "".join(
        f"<item><title>{t}</title><link>{base}/bai/{s}.html</link><guid>{base}/bai/{s}.html</guid>"
        f"<pubDate>{format_datetime(datetime.now(UTC))}</pubDate><description>{b[:120]}</description></item>"
        for s, t, b in reversed(entries)
    )
    return f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Báo mẫu</title>{items}</channel></rss>"


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.path.startswith("/feed.xml"):
            body, ctype = _feed(base), "application/rss+xml; charset=utf-8"
        elif self.path.startswith("/bai/"):
            slug = self.path.split("/")[-1].removesuffix(".html")
            with LOCK:
                found = next(((t, b) for s, t, b in ARTICLES if s == slug), None)
            if not found:
                self.send_error(404)
                return
            body, ctype = _article_html(*found), "text/html; charset=utf-8"
        elif self.path == "/robots.txt":
            body, ctype = "User-agent: *\nAllow: /\n", "text/plain"
        else:
            self.send_error(404)
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def publish(n: int) -> str:
    slug = f"cat-lau-{n}-{random.randint(1000, 9999)}"
    title = f"Khánh Hòa: người dân phản ánh khai thác cát trái phép trên sông Cái (lần {n})"
    body = (
        "Nhiều hộ dân ở xã Diên Khánh, tỉnh Khánh Hòa phản ánh tình trạng tàu hút cát hoạt động "
        "ban đêm, gây sạt lở bờ sông.\nChính quyền địa phương cho biết sẽ kiểm tra, xử lý nghiêm "
        f"các trường hợp khai thác cát trái phép. Mã bài {slug}."
    )
    with LOCK:
        ARTICLES.append((slug, title, body))
    return slug


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--interval", type=float, default=0.5, help="poll interval in minutes")
    args = ap.parse_args()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    publish(0)
    tmp = Path(tempfile.mkdtemp(prefix="giamsat-fresh-"))
    sources = tmp / "sources.yaml"
    sources.write_text(
        "sources:\n"
        f"  - {{id: bao-mau, type: rss, url: '{base}/feed.xml', scope: province, tier: chinh-thong,"
        f" interval_minutes: {args.interval}}}\n",
        encoding="utf-8",
    )
    uri = f"sqlite:///{tmp / 'fresh.db'}"
    env = dict(os.environ, GIAMSAT_STORE=uri, GIAMSAT_PROFILE="khanh-hoa")
    proc = subprocess.Popen(
        [sys.executable, "-m", "giamsat", "run", "--sources", str(sources), "--tick", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "run.log", "w"),  # noqa: SIM115
    )
    store = SQLiteStore(uri)
    delays: list[float] = []
    try:
        time.sleep(20)  # first cycle: models load, the first item is crawled
        for n in range(1, args.rounds + 1):
            time.sleep(random.uniform(0, args.interval * 60))  # land anywhere in the poll cycle
            slug = publish(n)
            url = f"{base}/bai/{slug}.html"
            t0 = time.monotonic()
            while time.monotonic() - t0 < args.interval * 60 * 3 + 60:
                item = store.get_item_by_url(url)
                alerts = store.find_docs("alerts", limit=10_000) if item else []
                if item and any(item.id in (a.get("item_ids") or []) for a in alerts):
                    delays.append(time.monotonic() - t0)
                    print(f"round {n}: alert visible after {delays[-1]:.1f} s", flush=True)
                    break
                time.sleep(0.5)
            else:
                print(f"round {n}: no alert within the time limit (see {tmp / 'run.log'})", flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        httpd.shutdown()
    if delays:
        target = args.interval * 60 + 5
        print(
            f"freshness: median {statistics.median(delays):.1f} s, max {max(delays):.1f} s over {len(delays)} rounds "
            f"(poll interval {args.interval * 60:.0f} s; target < {target:.0f} s)"
        )


if __name__ == "__main__":
    main()
