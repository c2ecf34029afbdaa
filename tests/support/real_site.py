"""A loopback news site of real-size pages for the crawl benchmark (and a small CI smoke test).

* ``/r/<n>.html`` serves real article page ``n % 6`` from ``../shared/data/pages`` with its
  canonical URL and ``og:url`` rewritten to the served URL (otherwise every copy would be one item);
* ``/g/<n>.html`` serves a *generated* page: one of the real article pages as a template with every
  body paragraph replaced by generated text about Khánh Hòa, padded with a "related news" block or
  lightened of inline CSS/JS to a size drawn between 150 and 250 KB (240 such bodies, each page
  with its own URL and number in the first paragraph);
* ``/feed.xml`` is one RSS feed listing ``pages`` links, real copies and generated pages
  interleaved (``real_share`` of them real).

Pages are rendered once and filled per request with ``str.join``, so the server (a thread of the
benchmark process, on the same cores as the crawl) spends little CPU per page.
"""

from __future__ import annotations

import http.server
import random
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any

import lxml.html

from support.extraction_gold import article_pages, page_html

URL_MARK = "@@URL@@"
NUMBER_MARK = "@@N@@"
VARIANTS = 240  # distinct generated bodies; page n is variant n % VARIANTS with its own URL and number
# where each real page keeps its body paragraphs (read off the HTML for the extraction gold)
BODY_XPATH = {
    "baochinhphu_article.html": '//div[contains(@class,"detail-content")]',
    "baodautu_article.html": '//div[@id="content_detail_news"]',
    "cafef_article.html": '//div[contains(@class,"detail-content")]',
    "cafef_article_batdongsan.html": '//div[contains(@class,"detail-content")]',
    "nld_article.html": '//div[contains(@class,"detail-content")]',
    "vietnamnet_article.html": '//div[@id="maincontent"]',
}
PLACES = ["Nha Trang", "Cam Ranh", "Ninh Hòa", "Vạn Ninh", "Diên Khánh", "Khánh Vĩnh", "Cam Lâm", "Phan Rang"]
SUBJECTS = [
    "UBND tỉnh Khánh Hòa chỉ đạo các sở, ngành kiểm tra phản ánh của người dân về dự án số {n}",
    "Sở Tài nguyên và Môi trường tỉnh Khánh Hòa cho biết đã lập đoàn kiểm tra khu vực {place}",
    "Người dân phường {place} phản ánh tình trạng ngập úng kéo dài sau trận mưa lớn ngày {d}/3",
    "Công an tỉnh Khánh Hòa khuyến cáo người dân cảnh giác với thủ đoạn lừa đảo qua mạng",
    "Ban quản lý dự án cho biết công trình đường ven biển đoạn qua {place} đạt {p}% khối lượng",
    "Theo báo cáo của Sở Y tế, số ca sốt xuất huyết tại {place} tăng {p} ca so với tuần trước",
]
TAILS = [
    "và yêu cầu báo cáo kết quả trước ngày {d}/4/2026.",
    ", đồng thời đề nghị chính quyền địa phương phối hợp xử lý dứt điểm.",
    "; nhiều hộ dân mong cơ quan chức năng sớm có giải pháp lâu dài.",
    ", trong đó {p} trường hợp đã được xử lý theo quy định.",
]


def _paragraph(rng: random.Random, n: int) -> str:
    fill = {"n": n, "place": rng.choice(PLACES), "d": rng.randint(1, 28), "p": rng.randint(2, 95)}
    sentences = [
        (rng.choice(SUBJECTS) + " " + rng.choice(TAILS)).format(**fill) for _ in range(rng.randint(1, 3))
    ]
    return " ".join(s[0].upper() + s[1:] for s in sentences)


@dataclass
class _Template:
    parts: list[str]  # literal HTML at even positions, marks (URL, P<i>, X<j>) at odd ones
    paragraphs: int
    inline: list[str]  # the script/style texts, put back while the page stays under its size


def _templates() -> tuple[list[list[str]], list[_Template]]:
    real, generated = [], []
    for entry in article_pages():
        html = page_html(entry).replace(entry["og_url"], URL_MARK)
        real.append(html.split(URL_MARK))
        doc = lxml.html.fromstring(html)
        body = doc.xpath(BODY_XPATH[entry["file"]])[0]
        paragraphs = [p for p in body.iter("p") if p.text_content().strip()]
        for i, p in enumerate(paragraphs):
            for child in list(p):
                p.remove(child)
            p.text = f"@@P{i}@@"
        inline = []
        for el in doc.iter("script", "style"):
            if el.text:
                el.text, _ = f"@@X{len(inline)}@@", inline.append(el.text)
        html = lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")
        parts = re.split(r"@@(URL|P\d+|X\d+)@@", html)
        generated.append(_Template(parts, len(paragraphs), inline))
    return real, generated


def _related(rng: random.Random, n: int, size: int) -> str:
    out, total = ['<aside class="tin-lien-quan"><h3>Tin liên quan</h3><ul>'], 0
    k = 0
    while total < size:
        k += 1
        item = (
            f'<li class="item"><a href="/g/{(n * 7 + k) % 100000}.html" title="Tin {k}">'
            f"<img src='/img/{n}-{k}.jpg' alt='' loading='lazy'>{_paragraph(rng, k)[:90]}</a>"
            f"<p class='sapo'>{_paragraph(rng, k + n)}</p><span class='time'>0{k % 9 + 1}/03/2026</span></li>"
        )
        out.append(item)
        total += len(item.encode())
    out.append("</ul></aside>")
    return "".join(out)


class RealSite:
    def __init__(self, pages: int = 1000, real_share: float = 0.5, seed: int = 17) -> None:
        self.pages, self.real_share, self.seed = pages, real_share, seed
        self.real, self.generated = _templates()
        self._variants: dict[int, list[str]] = {}
        self.bytes_served = 0
        self.lock = threading.Lock()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    # -- pages ---------------------------------------------------------------------------------
    def paths(self) -> list[str]:
        every = round(1 / self.real_share) if self.real_share else 0
        return [f"/r/{n}.html" if every and n % every == 0 else f"/g/{n}.html" for n in range(self.pages)]

    def real_page(self, n: int, url: str) -> str:
        return url.join(self.real[n % len(self.real)])

    def generated_page(self, n: int, url: str) -> str:
        """Variant ``n % VARIANTS`` (rendered once) with the URL and the article's number filled in: every
        page has its own canonical URL and text, and the server spends well under a millisecond on it."""
        variant = self._variants.get(n % VARIANTS)
        if variant is None:
            variant = self._variants[n % VARIANTS] = self._render(n % VARIANTS).split(URL_MARK)
        return url.join(variant).replace(NUMBER_MARK, str(n), 1)

    def _render(self, v: int) -> str:
        rng = random.Random(self.seed * 1_000_003 + v)
        tpl = self.generated[v % len(self.generated)]
        fill = {"URL": URL_MARK} | {f"P{i}": _paragraph(rng, v) for i in range(tpl.paragraphs)}
        fill["P0"] = f"Bản tin số {NUMBER_MARK}. " + fill["P0"]
        target = rng.randint(150_000, 250_000)
        size = sum(len(p.encode()) for p in tpl.parts[::2]) + sum(len(v.encode()) for v in fill.values())
        for j, text in enumerate(tpl.inline):  # inline CSS/JS: never article text, only weight
            fits = size + len(text.encode()) <= target
            fill[f"X{j}"] = text if fits else ""
            size += len(text.encode()) if fits else 0
        html = "".join(p if i % 2 == 0 else fill[p] for i, p in enumerate(tpl.parts))
        if size < target:
            html = html.replace("</body>", _related(rng, v, target - size) + "</body>", 1)
        return html

    def feed(self) -> str:
        start = datetime(2026, 3, 7, 8, 0)
        items = "".join(
            f"<item><title>Bài {i}</title><link>{self.url}{p}</link><guid>{self.url}{p}</guid>"
            f"<pubDate>{format_datetime(start - timedelta(minutes=i))} </pubDate></item>\n"
            for i, p in enumerate(self.paths())
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Báo thật</title>'
            f"<link>{self.url}/</link><description>Tin</description>\n{items}</channel></rss>"
        )

    # -- server --------------------------------------------------------------------------------
    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                status, ctype = 200, "text/html; charset=utf-8"
                try:
                    if path == "/feed.xml":
                        body, ctype = site.feed(), "application/rss+xml; charset=utf-8"
                    elif path.startswith(("/r/", "/g/")):
                        n = int(path[3:].split(".")[0])
                        page = site.real_page if path[1] == "r" else site.generated_page
                        body = page(n, site.url + path)
                    else:
                        status, body = 404, "<html><body>Không tìm thấy</body></html>"
                except ValueError:
                    status, body = 404, "<html><body>Không tìm thấy</body></html>"
                data = body.encode("utf-8")
                with site.lock:
                    site.bytes_served += len(data)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
