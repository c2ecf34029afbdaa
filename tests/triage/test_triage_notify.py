"""Notifications through the outbox to a real local SMTP server (aiosmtpd) and a real local
webhook endpoint; a failing endpoint is retried with backoff and then marked failed."""

from __future__ import annotations

import email
import http.server
import json
import socket
from datetime import timedelta
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from giamsat.triage.notify import backoff
from giamsat.triage.service import Triage


class Collect:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture
def smtp():
    handler = Collect()
    with socket.socket() as probe:  # aiosmtpd needs a concrete port to check it started
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, handler
    controller.stop()


def _hook_handler(received: list[dict], status: int) -> type:
    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"json": json.loads(body), "auth": self.headers.get("Authorization")})
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    return Hook


def _configured(profile, smtp_port: int | None, webhook: str | None):
    p = profile.model_copy(deep=True)
    p.notifications.smtp_host = "127.0.0.1" if smtp_port else None
    p.notifications.smtp_port = smtp_port or 25
    p.notifications.webhook_url = webhook
    p.notifications.max_attempts = 3
    return p


def test_assignment_mail_and_webhook_delivered(
    profile, tmp_store, clock, users, items_factory, smtp, http_server, monkeypatch
):
    controller, handler = smtp
    received: list[dict] = []
    hook = http_server(handler=_hook_handler(received, 200))
    monkeypatch.setenv("GIAMSAT_TEST_TOKEN", "bi-mat")
    p = _configured(profile, controller.port, f"{hook.url}/hook")
    p.notifications.webhook_token_env = "GIAMSAT_TEST_TOKEN"
    t = Triage(p, tmp_store, clock=clock)
    (alert,) = t.ingest(items_factory(1))
    ticket = t.confirm(users["giamsat1"], alert.id)
    counts = t.tick()
    assert counts["notify_sent"] >= 3 and counts["notify_failed"] == 0
    to = sorted(m["To"] for m in handler.messages)
    assert "nnmt@khanhhoa.example" in to and "vhttdl@khanhhoa.example" in to
    mail = next(m for m in handler.messages if m["To"] == "nnmt@khanhhoa.example")
    assert ticket.id in mail["Subject"] and "Giao xử lý phiếu" in mail["Subject"]
    assert "Đơn vị chủ trì: Sở Nông nghiệp và Môi trường" in mail.get_content()
    assert any(r["json"]["ref"] == ticket.id and "Giao xử lý" in r["json"]["text"] for r in received)
    assert all(r["auth"] == "Bearer bi-mat" for r in received)
    log = t.notifications(users["giamsat1"], ticket.id)
    sent = [d for d in log if d["status"] == "sent"]
    assert {d["to"] for d in sent} >= {"nnmt@khanhhoa.example", f"{hook.url}/hook"}
    assert all(d["sent_at"] == clock.now.isoformat() for d in sent)


def test_failing_webhook_is_retried_with_backoff_then_failed(profile, tmp_store, clock, http_server):
    received: list[dict] = []
    hook = http_server(handler=_hook_handler(received, 503))
    p = _configured(profile, None, f"{hook.url}/hook")
    t = Triage(p, tmp_store, clock=clock)
    doc = t.outbox.enqueue("webhook", p.notifications.webhook_url, "Thử", "nội dung", "X-1", "thu")
    assert t.outbox.flush() == {"sent": 0, "retry": 1, "failed": 0}
    assert t.outbox.flush() == {"sent": 0, "retry": 0, "failed": 0}  # not due yet: backoff
    clock.advance(seconds=backoff(1).total_seconds())
    assert t.outbox.flush() == {"sent": 0, "retry": 1, "failed": 0}
    clock.advance(seconds=backoff(2).total_seconds() - 1)
    assert t.outbox.flush()["retry"] == 0
    clock.advance(seconds=1)
    assert t.outbox.flush() == {"sent": 0, "retry": 0, "failed": 1}
    final = tmp_store.get_doc("outbox", doc["id"])
    assert final["status"] == "failed" and final["attempts"] == 3
    assert "HTTP 503" in final["last_error"]
    assert len(received) == 3
    assert backoff(1) == timedelta(minutes=1) and backoff(3) == timedelta(minutes=4)


def test_unreachable_smtp_is_visible(profile, tmp_store, clock):
    p = _configured(profile, 9, None)  # nothing listens on port 9 (discard) here
    t = Triage(p, tmp_store, clock=clock)
    t.outbox.enqueue("email", "a@b.example", "Thử", "x", "X-2", "thu")
    t.outbox.flush()
    (doc,) = tmp_store.find_docs("outbox", {"ref": "X-2"})
    assert doc["status"] == "pending" and doc["attempts"] == 1 and doc["last_error"]


def test_unconfigured_channels_are_recorded_as_skipped(triage, tmp_store, users, items_factory):
    (alert,) = triage.ingest(items_factory(1))
    triage.confirm(users["giamsat1"], alert.id)
    docs = tmp_store.find_docs("outbox")
    assert docs and all(d["status"] == "skipped" and d["last_error"] for d in docs)
    assert triage.tick()["notify_sent"] == 0
