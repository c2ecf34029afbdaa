"""The crawler fixture site (used by ``conftest.py`` and the benchmark): a real ThreadingHTTPServer on 127.0.0.1 with the behaviours real news
sites show (feeds with ETag/Last-Modified, redirects, a redirect loop, 404/410, 500-then-ok, slow
pages, a windows-1258 page, an oversized page, robots.txt), plus the social platforms' JSON APIs.

Static pages live in ``site/`` (written by ``site/make_site.py``); feeds and special routes are
built here so a test can change them (``site.overrides``) and read the request log.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from giamsat.core.profile import Source
from giamsat.crawlers.scrapy_settings import FAST

SITE_DIR = Path(__file__).resolve().parent / "site"
LAST_MODIFIED = "Thu, 05 Mar 2026 12:00:00 GMT"

# (link path, title, pubDate) of /feed.xml: a national-scope source
FEED_ENTRIES = [
    (
        "/articles/kh-sat-lo.html?utm_source=rss&utm_medium=feed",
        "Sạt lở nghiêm trọng trên đèo Khánh Lê sau mưa lớn",
        "2026-03-05T07:30:00+07:00",
    ),
    (
        "/articles/kh-cat-lau.html",
        "Người dân phản ánh tình trạng khai thác cát lậu trên sông Cái Nha Trang",
        "2026-03-05T09:15:00+07:00",
    ),
    (
        "/articles/hn-ket-xe.html",
        "Ùn tắc kéo dài trên đường vành đai 3 Hà Nội giờ cao điểm",
        "2026-03-05T18:40:00+07:00",
    ),
    (
        "/articles/kh-english.html",
        "Nha Trang beaches draw record numbers of foreign tourists",
        "2026-03-04T12:00:00+07:00",
    ),
    (
        "/redirect/kh-du-lich",
        "Nha Trang đón lượng khách quốc tế tăng mạnh dịp đầu năm",
        "2026-03-04T08:00:00+07:00",
    ),
    ("/loop/a", "Trang chuyển hướng vòng tròn", "2026-03-03T08:00:00+07:00"),
    ("/gone.html", "Bài đã bị gỡ", "2026-03-03T08:00:00+07:00"),
    (
        "/articles/flaky.html",
        "Khánh Hòa khởi công dự án nâng cấp đường ven biển Cam Ranh",
        "2026-03-03T10:00:00+07:00",
    ),
    ("/articles/empty.html", "Trang trống", "2026-03-02T08:00:00+07:00"),
    ("/articles/big.html", "Trang quá lớn", "2026-03-02T08:00:00+07:00"),
    (
        "/articles/cp1258.html",
        "Bệnh viện tỉnh Khánh Hòa tiếp nhận nhiều ca sốt xuất huyết",
        "2026-03-02T15:00:00+07:00",
    ),
    ("/private/secret.html", "Trang nội bộ tỉnh Khánh Hòa", "2026-03-01T08:00:00+07:00"),
]
# /atom.xml: a province-scope source (kept whole, even the item that never names the province)
ATOM_ENTRIES = [
    (
        "/articles/khac-1.html",
        "Hội nghị tổng kết công tác năm của ngành nông nghiệp tỉnh",
        "2026-03-01T08:00:00+07:00",
    ),
    (
        "/articles/the-thao.html",
        "Giải bóng đá thanh niên toàn quốc chính thức khởi tranh",
        "2026-03-05T20:00:00+07:00",
    ),
    ("/articles/tcvn3.html", "Khánh Hòa: cát lậu", "2026-03-01T09:00:00+07:00"),
]


def rfc822(iso: str) -> str:
    from datetime import datetime

    return format_datetime(datetime.fromisoformat(iso))


def rss(base: str, entries: list[tuple[str, str, str]], title: str = "Báo Thử Nghiệm - Thời sự") -> str:
    items = "".join(
        f"<item><title>{t}</title><link>{base}{link.replace('&', '&amp;')}</link>"
        f"<guid>{base}{link.replace('&', '&amp;')}</guid><pubDate>{rfc822(d)}</pubDate>"
        f"<description>Tóm tắt: {t}</description></item>\n"
        for link, t, d in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>{base}/</link><description>Tin mới</description>\n{items}</channel></rss>"
    )


def atom(base: str, entries: list[tuple[str, str, str]]) -> str:
    items = "".join(
        f'<entry><title>{t}</title><link href="{base}{link}"/><id>{base}{link}</id>'
        f"<updated>{d}</updated><published>{d}</published></entry>\n"
        for link, t, d in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Báo tỉnh</title><id>{base}/</id><updated>2026-03-05T20:00:00+07:00</updated>\n{items}</feed>"
    )


def generated_page(n: int) -> str:
    """Article number ``n`` of the generated section (SIGTERM test, benchmark)."""
    paras = "".join(
        f"<p>Đoạn {i} của bài số {n}: UBND tỉnh Khánh Hòa chỉ đạo các sở, ngành kiểm tra, xử lý phản ánh "
        f"của người dân về dự án số {n} tại Nha Trang, báo cáo kết quả trước ngày {i + 1}/4/2026.</p>"
        for i in range(4)
    )
    return (
        f"<html><head><meta charset='utf-8'><title>Bài {n}</title>"
        f"<meta property='og:description' content='Tin số {n} về tình hình kinh tế - xã hội tỉnh Khánh Hòa trong tuần qua, theo báo cáo của UBND tỉnh.'>"
        f"<meta property='article:published_time' content='2026-03-0{1 + n % 9}T08:00:00+07:00'></head><body>"
        f"<nav><a href='/'>Trang chủ</a> <a href='/thoi-su'>Thời sự</a></nav><article><h1>Bài số {n}: tin Khánh Hòa</h1>"
        f"<h2 class='sapo'>Tin số {n} về tình hình kinh tế - xã hội tỉnh Khánh Hòa trong tuần qua, theo báo cáo của UBND tỉnh.</h2>"
        f"{paras}</article><footer>Báo Thử Nghiệm</footer></body></html>"
    )


@dataclass
class SiteState:
    base: str = ""
    overrides: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)
    feed_entries: list[tuple[str, str, str]] = field(default_factory=lambda: list(FEED_ENTRIES))
    generated: int = 30  # pages in /gen-feed.xml
    gen_delay: float = 0.0
    slow_seconds: float = 4.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    api_routes: dict[str, Callable[[str, dict[str, list[str]]], tuple[int, dict[str, str], bytes]]] = field(
        default_factory=dict
    )

    def requests_to(self, prefix: str) -> list[dict[str, Any]]:
        return [r for r in self.log if r["path"].startswith(prefix)]


def make_handler(site: SiteState) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def conditional(self, body: bytes, content_type: str) -> None:
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send(304, b"", {"ETag": etag})
                return
            self.send(200, body, {"Content-Type": content_type, "ETag": etag, "Last-Modified": LAST_MODIFIED})

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path, query = parts.path, parse_qs(parts.query)
            with site.lock:
                site.log.append({"path": path, "query": parts.query, "headers": dict(self.headers)})
                site.hits[path] = site.hits.get(path, 0) + 1
                hits = site.hits[path]
            if path in site.overrides:
                status, headers, body = site.overrides[path]
                return self.send(status, body, headers)
            for prefix, route in site.api_routes.items():
                if path.startswith(prefix):
                    # the platforms accept the credential in a header too (Google's
                    # X-Goog-Api-Key, Graph's Authorization: Bearer): the routes read one place
                    if self.headers.get("X-Goog-Api-Key"):
                        query.setdefault("key", [self.headers["X-Goog-Api-Key"]])
                    auth = self.headers.get("Authorization", "")
                    if auth.lower().startswith(("bearer ", "oauth ")):
                        query.setdefault("access_token", [auth.split(" ", 1)[1]])
                    status, headers, body = route(path, query)
                    return self.send(status, body, headers)
            b = site.base
            if path == "/feed.xml":
                return self.conditional(
                    rss(b, site.feed_entries).encode(), "application/rss+xml; charset=utf-8"
                )
            if path == "/atom.xml":
                return self.conditional(atom(b, ATOM_ENTRIES).encode(), "application/atom+xml")
            if path == "/bozo.xml":  # unescaped "&" and an undeclared entity: feedparser copes (bozo)
                entries = [
                    (f"/gen/{n}.html", f"Bài số {n}", "2026-03-01T08:00:00+07:00") for n in (1000, 1001)
                ]
                body = rss(b, entries).replace("Tin mới", "Tin mới & nóng &nbsp;").encode()
                return self.conditional(body, "application/rss+xml")
            if path == "/broken.xml":
                return self.send(
                    200, b"<html><body>Not a feed <<< >>> at all", {"Content-Type": "application/rss+xml"}
                )
            if path == "/slow-feed.xml":
                return self.conditional(
                    rss(b, [("/slow.html", "Trang chậm Khánh Hòa", "2026-03-01T08:00:00+07:00")]).encode(),
                    "application/rss+xml",
                )
            if path == "/gen-feed.xml":
                entries = [
                    (f"/gen/{n}.html", f"Bài số {n}: tin Khánh Hòa", "2026-03-01T08:00:00+07:00")
                    for n in range(site.generated)
                ]
                return self.conditional(rss(b, entries).encode(), "application/rss+xml")
            if path.startswith("/gen/"):
                if site.gen_delay:
                    time.sleep(site.gen_delay)
                n = int(path.rsplit("/", 1)[1].split(".")[0])
                return self.send(200, generated_page(n).encode())
            if path.startswith("/redirect/"):
                return self.send(301, b"", {"Location": f"/articles/{path.rsplit('/', 1)[1]}.html"})
            if path == "/loop/a":
                return self.send(302, b"", {"Location": "/loop/b"})
            if path == "/loop/b":
                return self.send(302, b"", {"Location": "/loop/a"})
            if path == "/gone.html":
                return self.send(410, b"<html><body>Gone</body></html>")
            if path == "/missing.html":
                return self.send(404, b"<html><body>Not found</body></html>")
            if path == "/articles/flaky.html" and hits == 1:
                return self.send(500, b"<html><body>Internal error</body></html>")
            if path == "/slow.html":
                time.sleep(site.slow_seconds)
                return self.send(200, (SITE_DIR / "articles" / "kh-sat-lo.html").read_bytes())
            if path == "/articles/big.html":
                return self.send(200, b"<html><body><p>" + b"x" * 300_000 + b"</p></body></html>")
            if path == "/articles/cp1258.html":
                return self.send(
                    200,
                    (SITE_DIR / "articles" / "cp1258.html").read_bytes(),
                    {"Content-Type": "text/html; charset=windows-1258"},
                )
            if path == "/list.html":
                return self.conditional(
                    list_page(query.get("page", ["1"])[0]).encode(), "text/html; charset=utf-8"
                )
            if path == "/sitemap.xml":
                return self.send(200, news_sitemap(b).encode(), {"Content-Type": "application/xml"})
            file = (SITE_DIR / path.lstrip("/")).resolve()
            if SITE_DIR in file.parents and file.is_file():
                ctype = "text/plain; charset=utf-8" if file.suffix == ".txt" else "text/html; charset=utf-8"
                return self.send(200, file.read_bytes(), {"Content-Type": ctype})
            return self.send(404, b"<html><body>Not found</body></html>")

    return Handler


def list_page(page: str) -> str:
    """A section page without a feed: article links among menu links, and a next-page link."""
    links = {
        "1": ["/articles/kh-sat-lo.html", "/articles/kh-cat-lau.html", "/articles/hn-ket-xe.html"],
        "2": ["/articles/kh-du-lich.html", "/articles/khac-1.html"],
    }.get(page, [])
    nxt = '<a class="next" href="/list.html?page=2">Trang sau</a>' if page == "1" else ""
    items = "".join(f'<li><a href="{u}">Bài {i}</a></li>' for i, u in enumerate(links))
    return (
        "<html><head><meta charset='utf-8'><title>Thời sự</title></head><body>"
        "<nav><a href='/gioi-thieu'>Giới thiệu</a><a href='/lien-he'>Liên hệ</a></nav>"
        f"<ul class='list'>{items}</ul>{nxt}</body></html>"
    )


def news_sitemap(base: str) -> str:
    urls = [
        ("/articles/kh-sat-lo.html", "2026-03-05T07:30:00+07:00"),
        ("/articles/flaky.html", "2026-03-03T10:00:00+07:00"),
        ("/articles/cp1258.html", "2026-03-02T15:00:00+07:00"),
    ]
    body = "".join(
        f"<url><loc>{base}{u}</loc><lastmod>{d}</lastmod><news:news><news:publication_date>{d}"
        f"</news:publication_date><news:title>T</news:title></news:news></url>"
        for u, d in urls
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{body}</urlset>'
    )


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients (Scrapy cancelling a big download, a killed crawl) reset connections


class FixtureSite:
    def __init__(self) -> None:
        self.state = SiteState()
        self.httpd = _QuietServer(("127.0.0.1", 0), make_handler(self.state))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.state.base = self.url
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# Fast and deterministic on loopback: no delays, one quick retry.
TEST_SETTINGS = {**FAST, "DOWNLOAD_TIMEOUT": 2, "RETRY_TIMES": 1}


def source(id: str, type: str, url: str, **kw: Any) -> Source:
    return Source(id=id, type=type, url=url, **kw)


def json_body(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")
