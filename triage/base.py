"""The shared part of the triage service: state, record loading/saving with optimistic
concurrency, events and unit notifications. See ``triage.service`` for the contract."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from giamsat.core.errors import InvalidTransition, NotFound
from giamsat.core.model import Alert, Event, Item, Ticket, utcnow
from giamsat.core.profile import WARD_UNIT_PREFIX, Profile, User
from giamsat.storage.base import Store
from giamsat.triage.notify import Outbox

log = logging.getLogger(__name__)

SYSTEM = User(username="he-thong", name="Hệ thống giamsat", role="admin")

ACTIONABLE = ("mo", "tam-hoan")
BULK_ACTIONS = ("claim", "release", "confirm", "dismiss", "merge", "snooze")
MAX_ITEM_IDS = 200  # an alert keeps the first reposts; reach counts all of them
MAX_LABEL_ITEMS = 20  # reposts are near-duplicates: a few labels per decision are enough
TICKET_FIELDS = set(Ticket.__dataclass_fields__)


class AlreadyClaimed(InvalidTransition):
    """Another reviewer holds the claim lock on this alert."""


class TriageBase:
    """State and helpers every part of the service shares (profile, store, clock, outbox)."""

    def __init__(
        self,
        profile: Profile,
        store: Store,
        clock: Callable[[], datetime] = utcnow,
        *,
        spike_window_hours: float = 6,
        spike_baseline_days: float = 7,
        spike_every_minutes: float = 15,
    ) -> None:
        self.profile, self.store, self.clock = profile, store, clock
        self.spike_window_hours = spike_window_hours
        self.spike_baseline_days = spike_baseline_days
        self.spike_every_minutes = spike_every_minutes
        self.outbox = Outbox(profile, store, clock)

    # == helpers ===========================================================================
    def _event(
        self,
        entity: str,
        entity_id: str,
        action: str,
        actor: User,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        note: str | None = None,
    ) -> None:
        self.store.append_event(
            Event(entity, entity_id, action, actor.username, self.clock(), before or {}, after or {}, note)
        )

    def _load_alert(self, alert_id: str) -> Alert:
        doc = self.store.get_doc("alerts", alert_id)
        if doc is None:
            raise NotFound(f"Không có cảnh báo '{alert_id}'.")
        return Alert.from_dict(doc)

    def _save_alert(self, alert: Alert, expected: int) -> Alert:
        saved = self.store.put_doc("alerts", alert.to_dict(), expected_version=expected)
        return Alert.from_dict(saved)

    def _load_ticket_doc(self, ticket_id: str) -> tuple[Ticket, dict[str, Any]]:
        doc = self.store.get_doc("tickets", ticket_id)
        if doc is None:
            raise NotFound(f"Không có phiếu '{ticket_id}'.")
        return Ticket.from_dict(doc), doc

    def _save_ticket(self, ticket: Ticket, base: dict[str, Any] | None, expected: int) -> Ticket:
        extras = {k: v for k, v in (base or {}).items() if k not in TICKET_FIELDS}
        doc = {**extras, **ticket.to_dict()}
        doc.pop("history", None)  # the event log is the history; never duplicated in the doc
        saved = self.store.put_doc("tickets", doc, expected_version=expected)
        return Ticket.from_dict(saved)

    def _check_unit(self, code: str) -> None:
        if self.profile.unit(code) is None and not code.startswith(WARD_UNIT_PREFIX):
            known = ", ".join(u.code for u in self.profile.units)
            raise NotFound(
                f"Không có đơn vị '{code}' trong hồ sơ (có: {known}; hoặc {WARD_UNIT_PREFIX}<mã xã>)."
            )

    def _alert_items(self, alert: Alert, limit: int = 50) -> list[Item]:
        ids = alert.item_ids[:limit]
        return self.store.get_items(ids)

    def _monitor_emails(self) -> list[str]:
        return [u.email for u in self.profile.users if u.role == "monitor" and u.email]

    def _notify_units(
        self, codes: list[str], subject: str, body: str, ref: str, event: str, leaders: bool = False
    ) -> None:
        seen: set[str] = set()
        for code in codes:
            unit = self.profile.unit(code)
            addrs = [unit.email if unit else None]
            if leaders and unit:
                addrs.insert(0, unit.leader_email)
            for addr in addrs:
                if addr and addr not in seen:
                    seen.add(addr)
                    self.outbox.enqueue("email", addr, subject, body, ref, event, {"unit": code})
            if not any(addrs):
                self.outbox.enqueue("email", None, subject, body, ref, event, {"unit": code})
            if unit and unit.webhook:
                self.outbox.enqueue("webhook", unit.webhook, subject, body, ref, event, {"unit": code})
        self.outbox.enqueue("webhook", self.profile.notifications.webhook_url, subject, body, ref, event)

    def _iter_docs(
        self, collection: str, where: dict[str, Any], order_by: str | None = None, page: int = 500
    ) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            docs = self.store.find_docs(collection, where, order_by=order_by, limit=page, offset=offset)
            yield from docs
            if len(docs) < page:
                return
            offset += page
