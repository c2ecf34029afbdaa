"""Defect 1 (and the fetch parts of 11): a feed can neither read local files nor reach internal
services, through the crawler, a tip, a redirect or a profile entry.

Every server here is a real one on 127.0.0.1. Tests of the address policy turn
``GIAMSAT_ALLOW_PRIVATE_NETWORK`` off (the test suite sets it on for its fixture sites) and let
only the source under test reach its own server with ``allow_private_network: true``.
"""

from __future__ import annotations

import http.server
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import ClassVar

import pytest
import yaml
from support.fixture_site import TEST_SETTINGS, source

from giamsat.core.errors import ConfigError
from giamsat.core.profile import load_profile
from giamsat.crawlers.runner import crawl
from giamsat.crawlers.scrapy_settings import build_settings
from giamsat.crawlers.tips import add_tip
from giamsat.storage.base import Query

SECRET = "noi-dung-tep-noi-bo-khong-duoc-lo-ra"

BAD_LINKS = [
    "file://localhost{secret}",
    "file://{secret}",
    "ftp://127.0.0.1:1/pub/x.txt",
    "gopher://127.0.0.1:70/_x",
    "javascript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "dict://127.0.0.1:11211/stats",
    "s3://bucket/key",
]


@pytest.fixture
def no_private(monkeypatch):
    monkeypatch.setenv("GIAMSAT_ALLOW_PRIVATE_NETWORK", "0")


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def _rss(links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Khánh Hòa bài {i}</title><link>{link.replace('&', '&amp;')}</link>"
        f"<pubDate>Thu, 05 Mar 2026 0{i % 9}:00:00 +0700</pubDate></item>"
        for i, link in enumerate(links)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"{items}</channel></rss>"
    ).encode()


ARTICLE = """<html lang="vi"><head><meta charset="utf-8"><title>Sạt lở trên đèo Khánh Lê</title></head>
<body><article><h1>Sạt lở trên đèo Khánh Lê sau mưa lớn</h1>
<p>Mưa lớn kéo dài từ đêm qua gây sạt lở nhiều điểm trên đèo Khánh Lê, tỉnh Khánh Hòa, khiến giao
thông qua tuyến quốc lộ 27C bị chia cắt hoàn toàn trong nhiều giờ.</p>
<p>Lực lượng chức năng đã điều máy móc đến hiện trường để thông tuyến, đồng thời cắm biển cảnh báo
và bố trí người hướng dẫn phương tiện đi đường khác.</p>
<p>Theo Sở Giao thông vận tải, khối lượng đất đá sạt xuống khoảng 2.000 mét khối; dự kiến đến chiều
nay mới thông xe được một làn.</p>
<p>Người dân được khuyến cáo không di chuyển qua khu vực này khi trời còn mưa to.</p>
</article></body></html>"""


class Routes(http.server.BaseHTTPRequestHandler):
    """A hostile site: a feed of bad links, redirects to other schemes, a trickling page."""

    feed: ClassVar[bytes] = b""
    hits: ClassVar[list[str]] = []

    def log_message(self, *a: object) -> None:
        pass

    def do_GET(self) -> None:
        Routes.hits.append(self.path)
        if self.path == "/feed.xml":
            self._send(200, self.feed, "application/rss+xml")
        elif self.path.startswith("/to-"):
            target = {
                "/to-ftp": "ftp://127.0.0.1:1/x",
                "/to-file": "file:///etc/hostname",
                "/to-gopher": "gopher://127.0.0.1:70/_x",
                "/to-internal": f"http://127.0.0.1:{self.server.server_address[1]}/internal",
                "/to-metadata": "http://169.254.169.254/latest/meta-data/",
            }[self.path]
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()
        elif self.path == "/internal":
            self._send(200, b"<html><body><p>" + SECRET.encode() * 40 + b"</p></body></html>", "text/html")
        elif self.path in ("/slow", "/endless"):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(40 if self.path == "/slow" else 10_000):
                    # /slow: one byte every 0.25 s - each read is quick, the whole is not
                    self.wfile.write(
                        b"x" if self.path == "/slow" else b"<p>Kh\xc3\xa1nh H\xc3\xb2a</p>" * 1000
                    )
                    self.wfile.flush()
                    if self.path == "/slow":
                        time.sleep(0.25)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as it should
        elif self.path == "/robots.txt":
            self._send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        elif self.path.startswith("/private/") or self.path.startswith("/article"):
            self._send(200, ARTICLE.encode(), "text/html; charset=utf-8")
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def hostile_site(http_server):
    Routes.hits = []
    return http_server(handler=Routes)


def _crawl_feed(crawl_profile, store, site, links, **kw):
    Routes.feed = _rss(links)
    src = source("hostile", "rss", f"{site.url}/feed.xml", scope="province", allow_private_network=True, **kw)
    return crawl(crawl_profile, store, [src], settings=TEST_SETTINGS).sources["hostile"]


# -- the crawler ---------------------------------------------------------------------------------
@pytest.mark.parametrize("link", BAD_LINKS)
def test_a_feed_entry_with_another_scheme_is_never_fetched_or_stored(
    link, hostile_site, tmp_store, crawl_profile, secret_file, no_private
):
    bad = link.format(secret=secret_file)
    rep = _crawl_feed(crawl_profile, tmp_store, hostile_site, [bad, f"{hostile_site.url}/article-1"])
    urls = [i.url for i in tmp_store.iter_items(Query())]
    assert urls == [f"{hostile_site.url}/article-1"]
    assert all(SECRET not in (i.text + i.title) for i in tmp_store.iter_items(Query()))
    assert rep.error_count >= 1  # the bad link is reported, not silently dropped


def test_full_text_false_never_stores_a_non_http_link(hostile_site, tmp_store, crawl_profile, no_private):
    rep = _crawl_feed(
        crawl_profile,
        tmp_store,
        hostile_site,
        ["javascript:alert(1)", "file:///etc/passwd", f"{hostile_site.url}/article-2"],
        options={"full_text": False},
    )
    assert [i.url for i in tmp_store.iter_items(Query())] == [f"{hostile_site.url}/article-2"]
    assert rep.error_count == 2


@pytest.mark.parametrize("hop", ["/to-ftp", "/to-file", "/to-gopher"])
def test_a_redirect_to_another_scheme_is_refused_by_the_policy(
    hop, hostile_site, tmp_store, crawl_profile, no_private
):
    rep = _crawl_feed(crawl_profile, tmp_store, hostile_site, [f"{hostile_site.url}{hop}"])
    assert tmp_store.count(Query()) == 0
    assert any("chính sách truy cập" in e["reason"] for e in rep.errors), rep.errors


def test_an_internal_address_is_refused_without_permission(
    hostile_site, tmp_store, crawl_profile, no_private
):
    """The same feed, as a source without allow_private_network: nothing on 127.0.0.1 is fetched."""
    Routes.feed = _rss([f"{hostile_site.url}/internal"])
    src = source("outside", "rss", f"{hostile_site.url}/feed.xml", scope="province")
    rep = crawl(crawl_profile, tmp_store, [src], settings=TEST_SETTINGS).sources["outside"]
    assert Routes.hits == []  # not even robots.txt was asked for
    assert rep.fatal and "chính sách" in rep.fatal
    assert tmp_store.count(Query()) == 0


def test_redirect_hops_are_checked_again(hostile_site, tmp_store, crawl_profile, no_private):
    """A redirect to the cloud metadata address is refused even for a source that may reach its
    own (private) server: link-local stays blocked because the hop is checked on its own."""
    rep = _crawl_feed(crawl_profile, tmp_store, hostile_site, [f"{hostile_site.url}/to-metadata"])
    assert tmp_store.count(Query()) == 0
    assert rep.error_count >= 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f.0.0.1/",
        "http://localhost/",
        "http://0.0.0.0/",
        "http://10.0.0.8/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
        "ftp://93.184.215.14/",
        "file:///etc/passwd",
        "gopher://93.184.215.14/",
        "http:///no-host",
        "http://[not-an-ip/",
    ],
)
def test_check_url_refuses(url, no_private):
    from giamsat.crawlers.fetchpolicy import Blocked, check_url

    with pytest.raises(Blocked):
        check_url(url)


def test_check_url_accepts_a_public_address_and_the_explicit_permission(no_private):
    from giamsat.crawlers.fetchpolicy import Blocked, check_url

    check_url("https://93.184.215.14/tin")  # a public literal: no DNS needed
    check_url("http://127.0.0.1:8000/", allow_private=True)
    with pytest.raises(Blocked):
        check_url("file:///etc/passwd", allow_private=True)  # never lifted for other schemes


def test_the_connection_address_is_checked_by_the_resolver(no_private):
    """DNS rebinding: the name is checked again where Twisted resolves it for the connection."""
    script = textwrap.dedent(
        """
        from twisted.internet import reactor
        from giamsat.crawlers.resolver import BlockedAddress, PolicyResolver
        out = {}
        r = PolicyResolver(reactor, 0, 5.0, False, set())
        d = r.getHostByName("localhost")
        d.addCallbacks(lambda a: out.update(ok=a), lambda f: out.update(err=f.type.__name__))
        d.addBoth(lambda _: reactor.stop())
        reactor.run()
        print(out)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert "'err': 'BlockedAddress'" in proc.stdout, proc.stdout + proc.stderr


def test_scrapy_has_no_telnet_console_and_no_other_download_handlers():
    settings = build_settings(load_profile("khanh-hoa"), {"TELNETCONSOLE_ENABLED": True})
    assert settings["TELNETCONSOLE_ENABLED"] is False
    assert all(settings["DOWNLOAD_HANDLERS"][s] is None for s in ("file", "ftp", "s3", "data"))


# -- tips ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/", "javascript:x"]
)
def test_a_tip_url_with_another_scheme_is_refused(url, tmp_store, profile):
    with pytest.raises(ValueError):
        add_tip(tmp_store, profile, url=url, actor="giamsat1")
    assert tmp_store.count(Query()) == 0


@pytest.mark.parametrize("hop", ["/to-ftp", "/to-file", "/to-internal"])
def test_a_tip_does_not_follow_a_redirect_outside_the_policy(
    hop, hostile_site, tmp_store, profile, no_private
):
    tip_src = source("tip", "tip", hostile_site.url, allow_private_network=False)
    prof = profile.model_copy(update={"sources": [tip_src]})
    item = add_tip(tmp_store, prof, url=f"{hostile_site.url}{hop}", actor="giamsat1")
    assert item.meta["fetch_error"]
    assert SECRET not in item.text
    assert "/internal" not in Routes.hits


def test_a_tip_obeys_robots_txt(hostile_site, tmp_store, profile):
    item = add_tip(tmp_store, profile, url=f"{hostile_site.url}/private/bai-viet", actor="giamsat1")
    assert "robots.txt" in item.meta["fetch_error"]
    assert "/private/bai-viet" not in Routes.hits
    ok = add_tip(tmp_store, profile, url=f"{hostile_site.url}/article-9", actor="giamsat1")
    assert "fetch_error" not in ok.meta and "Khánh Lê" in ok.text


def test_a_slow_server_cannot_hold_a_tip_past_its_time_out(hostile_site, tmp_store, profile):
    prof = profile.model_copy(update={"crawl": profile.crawl.model_copy(update={"timeout_seconds": 2})})
    t0 = time.monotonic()
    item = add_tip(tmp_store, prof, url=f"{hostile_site.url}/slow", actor="giamsat1")
    assert time.monotonic() - t0 < 4.0
    assert "thời gian" in item.meta["fetch_error"]


def test_an_endless_page_stops_at_the_size_cap(hostile_site, tmp_store, profile):
    prof = profile.model_copy(update={"crawl": profile.crawl.model_copy(update={"max_page_bytes": 200_000})})
    item = add_tip(tmp_store, prof, url=f"{hostile_site.url}/endless", actor="giamsat1")
    assert "giới hạn" in item.meta["fetch_error"]


# -- profiles ------------------------------------------------------------------------------------
def _profile_with(tmp_path: Path, extra: dict) -> Path:
    """Khánh Hòa's own file (only a base profile may be extended) with ``extra`` merged in."""
    from importlib import resources

    data = yaml.safe_load(
        resources.files("giamsat").joinpath("config/profiles/khanh-hoa.yaml").read_text("utf-8")
    )
    for key, value in extra.items():
        data[key] = (
            {**data[key], **value} if isinstance(value, dict) and isinstance(data.get(key), dict) else value
        )
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_unchanged_profile_loads(tmp_path):
    """The refusals below are about the one key each changes, not about the file."""
    assert load_profile(str(_profile_with(tmp_path, {}))).province.code == "khanh-hoa"


@pytest.mark.parametrize(
    "extra",
    [
        {"sources": [{"id": "a", "type": "rss", "url": "file:///etc/passwd"}]},
        {"sources": [{"id": "a", "type": "site", "url": "gopher://127.0.0.1:70/"}]},
        {"sources": [{"id": "a", "type": "rss", "url": "ftp://example.com/feed"}]},
        {"sources": [{"id": "a", "type": "rss", "url": "javascript:alert(1)"}]},
        {
            "sources": [
                {"id": "a", "type": "rss", "url": "https://x.vn/rss", "options": {"feeds": ["file:///x"]}}
            ]
        },
        {"sources": [{"id": "a", "type": "site", "url": "https://x.vn/", "options": {"max_pages": -1}}]},
        {"sources": [{"id": "a", "type": "rss", "url": "https://x.vn/rss", "options": {"max_entries": -5}}]},
        {"sources": [{"id": "a", "type": "site", "url": "https://x.vn/", "options": {"link_pattern": "(["}}]},
        {"sources": [{"id": "a", "type": "social-import", "url": "http://x.vn/exports/"}]},
        {"crawl": {"concurrency_per_domain": -1}},
        {"crawl": {"delay_seconds": -2}},
        {"crawl": {"max_page_bytes": -1}},
        {"crawl": {"timeout_seconds": 0}},
        {"notifications": {"max_attempts": -1}},
        {"notifications": {"webhook_url": "file:///tmp/x"}},
        {"alerts": {"spike_min_count": -3}},
        {
            "users": [
                {"username": "a", "name": "A", "role": "admin"},
                {"username": "a", "name": "B", "role": "monitor"},
            ]
        },
    ],
    ids=lambda e: str(e)[:60],
)
def test_a_profile_with_a_bad_source_or_limit_is_refused(extra, tmp_path):
    with pytest.raises(ConfigError, match=rf": {next(iter(extra))}\b"):  # refused for that key
        load_profile(str(_profile_with(tmp_path, extra)))


def test_a_social_import_folder_is_the_one_local_path(tmp_path):
    p = load_profile(
        str(
            _profile_with(
                tmp_path,
                {"sources": [{"id": "mxh", "type": "social-import", "url": f"file://{tmp_path}/exports/"}]},
            )
        )
    )
    assert p.sources[0].url.startswith("file://")
