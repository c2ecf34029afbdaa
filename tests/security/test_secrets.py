"""Defect 9: secrets stay out of URLs, logs and other origins; failed notifications are visible.

Real local webhooks and API servers on 127.0.0.1; the crawler's own log lines are read from the
child process's stderr.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import textwrap
from typing import ClassVar

import pytest
from support.fixture_site import TEST_SETTINGS, FixtureSite, json_body, source
from typer.testing import CliRunner

from giamsat.cli import app
from giamsat.core.errors import PermissionDenied
from giamsat.crawlers.runner import crawl
from giamsat.triage.service import Triage

TOKEN = "EAAB-bi-mat-khong-duoc-lo-123"
UNIT_TOKEN = "token-rieng-cua-so-tnmt-456"


class Hook(http.server.BaseHTTPRequestHandler):
    """A webhook endpoint whose answer each test chooses; records who got what."""

    status: ClassVar[int] = 200
    location: ClassVar[str | None] = None
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Hook.received.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        self.send_response(Hook.status if self.path != "/elsewhere" else 200)
        if Hook.location and self.path != "/elsewhere":
            self.send_header("Location", Hook.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST

    def log_message(self, *a: object) -> None:
        pass


@pytest.fixture
def hook(http_server):
    Hook.status, Hook.location, Hook.received = 200, None, []
    return http_server(handler=Hook)


def _profile(profile, hook_url: str | None, unit_hook: str | None = None, unit_token_env: str | None = None):
    p = profile.model_copy(deep=True)
    p.notifications.webhook_url = hook_url
    p.notifications.webhook_token_env = "GIAMSAT_TEST_GLOBAL_TOKEN"
    p.notifications.max_attempts = 1
    unit = p.unit("so-nnmt")
    unit.webhook, unit.webhook_token_env = unit_hook, unit_token_env
    return p


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_webhook_redirect_is_not_followed_and_not_sent(status, hook, tmp_store, profile, monkeypatch):
    monkeypatch.setenv("GIAMSAT_TEST_GLOBAL_TOKEN", TOKEN)
    Hook.status, Hook.location = status, f"{hook.url}/elsewhere"
    p = _profile(profile, f"{hook.url}/hook")
    t = Triage(p, tmp_store)
    doc = t.outbox.enqueue("webhook", p.notifications.webhook_url, "Thử", "nội dung", "X-1", "thu")
    assert t.outbox.flush() == {"sent": 0, "retry": 0, "failed": 1}
    final = tmp_store.get_doc("outbox", doc["id"])
    assert final["status"] == "failed" and "chuyển hướng" in final["last_error"]
    assert [r["path"] for r in Hook.received] == ["/hook"]  # nothing reached the other address


@pytest.mark.parametrize(
    ("status", "sent"), [(200, True), (201, True), (204, True), (400, False), (500, False)]
)
def test_only_2xx_counts_as_sent(status, sent, hook, tmp_store, profile):
    Hook.status = status
    p = _profile(profile, f"{hook.url}/hook")
    t = Triage(p, tmp_store)
    t.outbox.enqueue("webhook", p.notifications.webhook_url, "Thử", "nội dung", "X-1", "thu")
    assert t.outbox.flush()["sent"] == (1 if sent else 0)


def test_each_webhook_gets_its_own_token_and_never_the_global_one(hook, tmp_store, profile, monkeypatch):
    monkeypatch.setenv("GIAMSAT_TEST_GLOBAL_TOKEN", TOKEN)
    monkeypatch.setenv("GIAMSAT_TEST_UNIT_TOKEN", UNIT_TOKEN)
    p = _profile(profile, f"{hook.url}/global", f"{hook.url}/tnmt", "GIAMSAT_TEST_UNIT_TOKEN")
    p.unit("cong-an").webhook = f"{hook.url}/congan"  # a unit webhook without a token of its own
    t = Triage(p, tmp_store)
    t._notify_units(["so-nnmt", "cong-an"], "Giao phiếu", "nội dung", "PX-1", "giao-phieu")
    t.outbox.flush()
    auth = {r["path"]: r["auth"] for r in Hook.received}
    assert auth == {"/global": f"Bearer {TOKEN}", "/tnmt": f"Bearer {UNIT_TOKEN}", "/congan": None}


def test_a_webhook_to_an_internal_address_needs_permission(hook, tmp_store, profile, monkeypatch):
    monkeypatch.setenv("GIAMSAT_ALLOW_PRIVATE_NETWORK", "0")
    p = _profile(profile, f"{hook.url}/hook")
    t = Triage(p, tmp_store)
    doc = t.outbox.enqueue("webhook", p.notifications.webhook_url, "Thử", "nội dung", "X-1", "thu")
    t.outbox.flush()
    assert "mạng nội bộ" in tmp_store.get_doc("outbox", doc["id"])["last_error"]
    assert Hook.received == []
    p.notifications.allow_private_network = True  # a gateway on the office network, allowed
    t = Triage(p, tmp_store)
    t.outbox.enqueue("webhook", p.notifications.webhook_url, "Thử", "nội dung", "X-2", "thu")
    assert t.outbox.flush()["sent"] == 1


def test_failed_notifications_are_listed_and_retried_from_the_cli(hook, tmp_path, profile):
    from giamsat.storage.sqlite import SQLiteStore

    db = tmp_path / "n.db"
    store = SQLiteStore(f"sqlite:///{db}")
    Hook.status = 500
    p = _profile(profile, f"{hook.url}/hook")
    t = Triage(p, store)
    doc = t.outbox.enqueue("webhook", f"{hook.url}/hook", "Giao phiếu PX-9", "nội dung", "PX-9", "giao-phieu")
    t.outbox.flush()
    assert store.get_doc("outbox", doc["id"])["status"] == "failed"
    with pytest.raises(PermissionDenied):
        t.list_notifications(profile.user("nnmt"))
    with pytest.raises(PermissionDenied):
        t.retry_notifications(profile.user("lanhdao"))
    store.close()

    runner = CliRunner()
    listed = runner.invoke(app, ["--store", f"sqlite:///{db}", "notifications", "list", "--as", "admin"])
    assert listed.exit_code == 0 and "HTTP 500" in listed.output.replace("\n", " ")
    as_json = runner.invoke(
        app, ["--store", f"sqlite:///{db}", "notifications", "list", "--json", "--as", "admin"]
    )
    assert [d["id"] for d in json.loads(as_json.output)] == [doc["id"]]
    sources = runner.invoke(app, ["--store", f"sqlite:///{db}", "sources"])
    assert "1 thông báo gửi không được" in sources.output
    Hook.status = 200
    retried = runner.invoke(
        app, ["--store", f"sqlite:///{db}", "notifications", "retry", doc["id"], "--now", "--as", "admin"]
    )
    assert retried.exit_code == 0, retried.output
    assert "1 đã gửi" in retried.output
    store = SQLiteStore(f"sqlite:///{db}")
    try:
        assert store.get_doc("outbox", doc["id"])["status"] == "sent"
        assert any(e.action == "gui-lai" and e.actor == "admin" for e in store.events("notification"))
    finally:
        store.close()


# -- API tokens ---------------------------------------------------------------------------------
def _graph(state: dict, base: str):
    def route(path: str, q: dict) -> tuple[int, dict, bytes]:
        state.setdefault("calls", []).append(q)
        if state.get("fail"):
            return 500, {"Content-Type": "application/json"}, b'{"error": {"code": 1}}'
        post = {
            "id": f"1_{len(state['calls'])}",
            "message": f"Thông báo cắt điện ở Nha Trang số {len(state['calls'])}",
            "created_time": "2026-11-22T01:00:00+0000",
            "permalink_url": f"https://www.facebook.com/1/posts/{len(state['calls'])}",
        }
        body = {"data": [post], "paging": {}}
        if len(state["calls"]) == 1:  # Graph puts the token back into its paging links
            body["paging"]["next"] = f"{base}/v19.0/1/feed?access_token={TOKEN}&limit=1&after=A"
        return 200, {"Content-Type": "application/json"}, json_body(body)

    return route


def test_the_facebook_token_travels_in_a_header_never_in_a_url(tmp_store, crawl_profile, monkeypatch, capfd):
    site = FixtureSite()
    try:
        state: dict = {}
        site.state.api_routes["/v19.0/"] = _graph(state, site.url)
        monkeypatch.setenv("FACEBOOK_ACCESS_TOKEN", TOKEN)
        src = [source("fb", "facebook", "https://www.facebook.com/1", scope="province", kind="social",
                      options={"api_base": f"{site.url}/v19.0", "limit": 1, "max_pages": 2})]  # fmt: skip
        rep = crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS).sources["fb"]
        assert rep.new == 2, rep
        api = site.state.requests_to("/v19.0/")
        assert len(api) == 2
        assert all(TOKEN not in r["query"] for r in api)  # not in the URL, the next page's included
        assert all(r["headers"].get("Authorization") == f"Bearer {TOKEN}" for r in api)
        # a failing API: Scrapy logs its retries with the URL; the token is in none of them
        state["fail"] = True
        tmp_store.put_doc("crawl_state", {"id": "fb"})
        crawl(crawl_profile, tmp_store, src, settings={**TEST_SETTINGS, "LOG_LEVEL": "DEBUG"})
        logs = capfd.readouterr()
        assert TOKEN not in logs.err + logs.out
        assert all(TOKEN not in json.dumps(d) for d in tmp_store.find_docs("sources"))
    finally:
        site.close()


def test_the_youtube_key_travels_in_a_header(tmp_store, crawl_profile, monkeypatch):
    site = FixtureSite()
    try:
        seen: list[tuple[str, dict]] = []

        def route(path: str, q: dict) -> tuple[int, dict, bytes]:
            seen.append((path, q))
            return 200, {"Content-Type": "application/json"}, b'{"items": []}'

        site.state.api_routes["/yt/"] = route
        monkeypatch.setenv("YOUTUBE_API_KEY", "AIza-bi-mat")
        src = [source("yt", "youtube", "https://www.youtube.com/", scope="province", kind="social",
                      options={"api_base": f"{site.url}/yt", "query": "Khánh Hòa"})]  # fmt: skip
        crawl(crawl_profile, tmp_store, src, settings=TEST_SETTINGS)
        api = site.state.requests_to("/yt/")
        assert api and all("AIza" not in r["query"] for r in api)
        assert all(r["headers"].get("X-Goog-Api-Key") == "AIza-bi-mat" for r in api)
    finally:
        site.close()


@pytest.mark.parametrize(
    "line",
    [
        "Gave up retrying <GET https://graph.facebook.com/v19.0/1/feed?fields=a&access_token={t}> (failed 4 times)",
        "GET https://www.googleapis.com/youtube/v3/search?part=snippet&key={t}",
        "connecting to https://admin:{t}@es.example:9200/",
        "headers {{'Authorization': 'Bearer {t}'}}",
        "proxy http://user:{t}@proxy.example:3128",
    ],
)
def test_log_lines_are_redacted_in_every_process(line):
    script = textwrap.dedent(
        f"""
        import logging, sys
        import giamsat  # installs the redaction, as every giamsat process does
        logging.basicConfig(stream=sys.stderr, format="%(message)s")
        log = logging.getLogger("scrapy.downloadermiddlewares.retry")
        log.error({line.format(t=TOKEN)!r})
        log.error("with args %s", {line.format(t=TOKEN)!r})
        try:
            raise ConnectionError({line.format(t=TOKEN)!r})
        except ConnectionError:
            log.exception("failed")
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert TOKEN not in proc.stderr and "***" in proc.stderr
