"""Triage service: the one API the CLI, the pipeline and the dashboard call for alerts and tickets.

CONTRACT (fixed by the lead; the triage engineer implements it, the dashboard calls it):
every method that acts takes ``actor`` (a ``giamsat.profile.User``) and checks the role *here*,
in the data layer: a ``unit`` user only ever sees or changes tickets where its unit is the lead
unit or a co-unit, whatever the caller asks. Errors are the named ones in
``giamsat.exceptions`` (PermissionDenied, NotFound, InvalidTransition, StaleEdit).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from giamsat.exceptions import NotBuiltYet
from giamsat.profile import Profile, User
from storage.base import Store
from storage.model import Alert, Item, Ticket, utcnow

SYSTEM = User(username="he-thong", name="Hệ thống giamsat", role="admin")


class Triage:
    def __init__(self, profile: Profile, store: Store, clock: Callable[[], datetime] = utcnow) -> None:
        self.profile, self.store, self.clock = profile, store, clock

    # -- alerts ------------------------------------------------------------------------
    def ingest(self, items: list[Item]) -> list[Alert]:
        """Open or update one alert per story for enriched items over the risk threshold or
        matching a watch rule; reposts update reach and may raise severity. Returns the alerts
        opened or changed."""
        raise NotBuiltYet("triage: ingest")

    def list_alerts(self, actor: User, status: list[str] | None = None, **filters: Any) -> list[Alert]:
        raise NotBuiltYet("triage: list_alerts")

    def get_alert(self, actor: User, alert_id: str) -> Alert:
        raise NotBuiltYet("triage: get_alert")

    def claim(self, actor: User, alert_id: str) -> Alert:
        raise NotBuiltYet("triage: claim")

    def confirm(
        self,
        actor: User,
        alert_id: str,
        lead: str | None = None,
        co_units: list[str] | None = None,
        note: str | None = None,
    ) -> Ticket:
        raise NotBuiltYet("triage: confirm")

    def dismiss(self, actor: User, alert_id: str, reason: str) -> Alert:
        raise NotBuiltYet("triage: dismiss")

    def merge(self, actor: User, alert_id: str, ticket_id: str) -> Ticket:
        raise NotBuiltYet("triage: merge")

    def snooze(self, actor: User, alert_id: str, until: datetime) -> Alert:
        raise NotBuiltYet("triage: snooze")

    # -- tickets -----------------------------------------------------------------------
    def list_tickets(
        self, actor: User, status: list[str] | None = None, unit: str | None = None
    ) -> list[Ticket]:
        raise NotBuiltYet("triage: list_tickets")

    def get_ticket(self, actor: User, ticket_id: str) -> Ticket:
        raise NotBuiltYet("triage: get_ticket")

    def transition(
        self,
        actor: User,
        ticket_id: str,
        to_status: str,
        expected_version: int | None = None,
        note: str | None = None,
        answer_text: str | None = None,
        answer_url: str | None = None,
    ) -> Ticket:
        raise NotBuiltYet("triage: transition")

    def assign(
        self, actor: User, ticket_id: str, lead: str, co_units: list[str] | None = None, reason: str = ""
    ) -> Ticket:
        raise NotBuiltYet("triage: assign")

    def comment(self, actor: User, ticket_id: str, text: str, link: str | None = None) -> Ticket:
        raise NotBuiltYet("triage: comment")

    # -- periodic work (called by `giamsat run` each cycle) ----------------------------
    def tick(self) -> dict[str, int]:
        """Expire claim locks, wake snoozed alerts, escalate overdue tickets (once per deadline),
        detect spikes and source-health problems, flush the notification outbox."""
        raise NotBuiltYet("triage: tick")
