"""Notifications through an outbox (collection ``outbox``): e-mail over SMTP and a JSON webhook.

Why an outbox: a ticket change must never fail because the mail server is down. Messages are
written first (status ``pending``) and delivered by ``flush`` (each ``tick``), retried with
exponential backoff up to ``profile.notifications.max_attempts``, then left as ``failed`` with the
last error for staff to see. The outbox is also the record of who was told what, and when.

Statuses: ``pending`` -> ``sent`` | ``failed``; ``skipped`` when the channel is not configured
(kept so "nobody was told" is visible, never silently dropped). Failed messages are listed by
``giamsat notifications list`` and sent again by ``giamsat notifications retry``
(``triage.notifications``).

Webhooks: each endpoint has its own token (``units[].webhook_token_env`` for a unit's webhook,
``notifications.webhook_token_env`` for the global one; a unit's webhook never receives the
global token), sent as ``Authorization: Bearer``. A redirect is never followed (it would carry
the message, and once the token, to another origin) and only a 2xx answer counts as sent. The
address is checked by the fetch policy like any crawl (``notifications.allow_private_network``
for a gateway on the office network).
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from giamsat.core.model import parse_dt
from giamsat.core.profile import Profile
from giamsat.crawlers.fetchpolicy import fetch, run_allows_private
from giamsat.storage.base import Store

log = logging.getLogger(__name__)

BACKOFF_SECONDS = 60  # first retry after 1 min, then 2, 4, 8... minutes
TIMEOUT_SECONDS = 15


def backoff(attempts: int, base: float = BACKOFF_SECONDS) -> timedelta:
    return timedelta(seconds=base * 2 ** max(0, attempts - 1))


class Outbox:
    def __init__(self, profile: Profile, store: Store, clock: Callable[[], datetime]) -> None:
        self.profile, self.store, self.clock = profile, store, clock

    # -- writing ---------------------------------------------------------------------------
    def enqueue(
        self,
        channel: str,
        to: str | None,
        subject: str,
        body: str,
        ref: str,
        event: str,
        payload: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        now = self.clock()
        problem = self._not_configured(channel, to)
        doc = {
            "channel": channel,
            "to": to,
            "subject": subject,
            "body": body,
            "payload": payload or {},
            "ref": ref,
            "event": event,
            "status": "skipped" if problem else "pending",
            "attempts": 0,
            "created": now.isoformat(),
            "next_attempt": now.isoformat(),
            "last_error": problem,
            "sent_at": None,
        }
        return self.store.put_doc("outbox", doc, expected_version=0)

    def _not_configured(self, channel: str, to: str | None) -> str | None:
        n = self.profile.notifications
        if channel == "email":
            if not n.smtp_host:
                return "chưa cấu hình máy chủ thư (notifications.smtp_host)"
            if not to:
                return "đơn vị/người nhận chưa có địa chỉ e-mail trong hồ sơ"
        elif channel == "webhook":
            if not to:
                return "chưa cấu hình webhook (notifications.webhook_url)"
        else:
            return f"kênh không hỗ trợ: {channel}"
        return None

    # -- delivering ------------------------------------------------------------------------
    def flush(self, limit: int = 200) -> dict[str, int]:
        """Try every due pending message once. Returns counts: sent, retry, failed."""
        now = self.clock()
        counts = {"sent": 0, "retry": 0, "failed": 0}
        for doc in self.store.find_docs(
            "outbox", {"status": "pending"}, order_by="next_attempt", limit=limit
        ):
            due = parse_dt(doc.get("next_attempt"))
            if due and due > now:
                break  # ordered by next_attempt: nothing later is due either
            version = doc["version"]
            try:
                self._deliver(doc)
            except Exception as exc:
                doc["attempts"] = int(doc.get("attempts", 0)) + 1
                doc["last_error"] = f"{type(exc).__name__}: {exc}"[:500]
                if doc["attempts"] >= self.profile.notifications.max_attempts:
                    doc["status"] = "failed"
                    counts["failed"] += 1
                    log.warning(
                        "notification %s to %s failed for good: %s", doc["id"], doc["to"], doc["last_error"]
                    )
                else:
                    doc["next_attempt"] = (now + backoff(doc["attempts"])).isoformat()
                    counts["retry"] += 1
                    log.info(
                        "notification %s to %s failed (attempt %d): %s",
                        doc["id"],
                        doc["to"],
                        doc["attempts"],
                        doc["last_error"],
                    )
            else:
                doc["attempts"] = int(doc.get("attempts", 0)) + 1
                doc["status"] = "sent"
                doc["sent_at"] = now.isoformat()
                doc["last_error"] = None
                counts["sent"] += 1
            self.store.put_doc("outbox", doc, expected_version=version)
        return counts

    def _deliver(self, doc: dict[str, Any]) -> None:
        if doc["channel"] == "email":
            send_email(self.profile, doc["to"], doc["subject"], doc["body"])
        elif doc["channel"] == "webhook":
            payload = {
                "event": doc.get("event"),
                "ref": doc.get("ref"),
                "subject": doc.get("subject"),
                "text": f"{doc.get('subject')}\n{doc.get('body')}",
                **(doc.get("payload") or {}),
            }
            post_webhook(self.profile, doc["to"], payload, webhook_token_env(self.profile, doc))
        else:
            raise ValueError(f"kênh không hỗ trợ: {doc['channel']}")

    def retry_failed(self, ref: str | None = None, ids: list[str] | None = None) -> list[str]:
        """Put failed messages back in the queue (after fixing the configuration): all of them,
        those of one ``ref``, or the given ``ids``. Returns the ids requeued."""
        where: dict[str, Any] = {"status": "failed"}
        if ref:
            where["ref"] = ref
        if ids is not None:
            where["id"] = list(ids)
            if not ids:
                return []
        done = []
        for doc in self.store.find_docs("outbox", where, limit=10_000):
            doc.update(status="pending", attempts=0, next_attempt=self.clock().isoformat())
            self.store.put_doc("outbox", doc, expected_version=doc["version"])
            done.append(doc["id"])
        return done

    def log_for(self, ref: str) -> list[dict[str, Any]]:
        return self.store.find_docs("outbox", {"ref": ref}, order_by="created", limit=1000)


def send_email(profile: Profile, to: str, subject: str, body: str) -> None:
    n = profile.notifications
    if not n.smtp_host:
        raise RuntimeError("chưa cấu hình máy chủ thư (notifications.smtp_host)")
    msg = EmailMessage()
    msg["From"] = n.smtp_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=n.smtp_from.split("@")[-1] or "giamsat")
    msg.set_content(body, charset="utf-8")
    with smtplib.SMTP(n.smtp_host, n.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
        if n.smtp_starttls:
            smtp.starttls()
        user = os.environ.get(n.smtp_user_env) if n.smtp_user_env else None
        password = os.environ.get(n.smtp_password_env) if n.smtp_password_env else None
        if user and password:
            smtp.login(user, password)
        smtp.send_message(msg)


def webhook_token_env(profile: Profile, doc: dict[str, Any]) -> str | None:
    """The env var holding the token of this message's endpoint: the unit's own for a unit's
    webhook, the global one for ``notifications.webhook_url``, none for anything else."""
    code = (doc.get("payload") or {}).get("unit")
    unit = profile.unit(code) if code else None
    if unit is not None and unit.webhook == doc.get("to"):
        return unit.webhook_token_env
    if doc.get("to") == profile.notifications.webhook_url:
        return profile.notifications.webhook_token_env
    return None


def post_webhook(profile: Profile, url: str, payload: dict[str, Any], token_env: str | None = None) -> None:
    """POST JSON to ``url`` with the token of ``token_env`` (if any). Sent means a 2xx answer;
    anything else - a redirect included, never followed - raises (so the message is retried)."""
    data = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": profile.crawl.user_agent}
    token = os.environ.get(token_env, "").strip() if token_env else ""
    if token:
        headers["Authorization"] = f"Bearer {token}"
    got = fetch(
        url,
        method="POST",
        data=data,
        headers=headers,
        allow_private=run_allows_private() or profile.notifications.allow_private_network,
        timeout=TIMEOUT_SECONDS,
        max_bytes=65_536,
        max_redirects=0,
    )
    if not got.ok:
        raise RuntimeError(f"webhook trả về HTTP {got.status}")
