"""Triage service: the one API the CLI, the pipeline and the dashboard call for alerts and tickets.

CONTRACT (fixed by the lead; the triage engineer implements it, the dashboard calls it):
every method that acts takes ``actor`` (a ``giamsat.profile.User``) and checks the role *here*,
in the data layer: a ``unit`` user only ever sees or changes tickets where its unit is the lead
unit or a co-unit, whatever the caller asks. Errors are the named ones in
``giamsat.exceptions`` (PermissionDenied, NotFound, InvalidTransition, StaleEdit).

Design notes (why):
* one alert per story: the alert id is derived from the story id and created with
  ``expected_version=0``, so two workers racing on the same story cannot open two alerts - the
  loser re-reads and updates instead;
* every ticket write passes ``expected_version``: a concurrent edit raises ``StaleEdit`` instead of
  overwriting (additive writes - comments, escalations - re-read and retry a few times);
* every change is an ``Event`` (actor, time, before/after); ``Ticket.history`` is read from them;
* notifications go to the outbox (``triage.notify``), never straight to SMTP, so a mail outage
  cannot fail a ticket change.
"""

from __future__ import annotations

from giamsat.triage.alerts import AlertActions
from giamsat.triage.base import ACTIONABLE, BULK_ACTIONS, SYSTEM, AlreadyClaimed
from giamsat.triage.claims import ClaimActions
from giamsat.triage.duties import Duties
from giamsat.triage.ingest import Ingest
from giamsat.triage.notifications import NotificationActions
from giamsat.triage.reads import Reads
from giamsat.triage.upgrade import UnitCodeUpgrade

__all__ = ["ACTIONABLE", "BULK_ACTIONS", "SYSTEM", "AlreadyClaimed", "Triage"]


class Triage(Ingest, AlertActions, ClaimActions, Duties, UnitCodeUpgrade, Reads, NotificationActions):
    """The façade callers use. Each concern lives in its own module (``ingest``, ``alerts`` on
    ``tickets``, ``claims``, ``duties``, ``upgrade``, ``reads``, ``notifications``) on top of
    ``base.TriageBase``; this class only puts them together."""
