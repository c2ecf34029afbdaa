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

import hashlib
import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from giamsat.core.codes import ALERT_STATUS_LABELS
from giamsat.core.errors import GiamsatError, InvalidTransition, NotFound, PermissionDenied, StaleEdit
from giamsat.core.model import Alert, Event, Item, Ticket, parse_dt, utcnow
from giamsat.core.profile import WARD_UNIT_PREFIX, Profile, User
from giamsat.core.timeutil import fmt_datetime, to_local
from giamsat.storage.base import Store
from giamsat.triage import access, rules, templates
from giamsat.triage.notify import Outbox
from giamsat.triage.routing import route
from giamsat.triage.spikes import describe, detect_spikes
from giamsat.triage.workflow import (
    NEEDS_REASON,
    OPEN_STATUSES,
    check_transition,
    deadlines_for,
    due_key,
    label,
    more_urgent,
    overdue_kinds,
    severity_rank,
)

log = logging.getLogger(__name__)

SYSTEM = User(username="he-thong", name="Hệ thống giamsat", role="admin")

ACTIONABLE = ("mo", "tam-hoan")
BULK_ACTIONS = ("claim", "release", "confirm", "dismiss", "merge", "snooze")
MAX_ITEM_IDS = 200  # an alert keeps the first reposts; reach counts all of them
MAX_LABEL_ITEMS = 20  # reposts are near-duplicates: a few labels per decision are enough
_TICKET_FIELDS = set(Ticket.__dataclass_fields__)


class AlreadyClaimed(InvalidTransition):
    """Another reviewer holds the claim lock on this alert."""


class Triage:
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
        extras = {k: v for k, v in (base or {}).items() if k not in _TICKET_FIELDS}
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

    # == alerts ============================================================================
    def ingest(self, items: list[Item]) -> list[Alert]:
        """Open or update one alert per story for enriched items over the risk threshold or
        matching a watch rule; reposts update reach and may raise severity. Returns the alerts
        opened or changed."""
        now = self.clock()
        groups: dict[str, list[Item]] = {}
        for item in items:
            if item.enrichment is None or not item.id:
                continue
            sid = item.enrichment.story_id or f"item:{item.id}"
            groups.setdefault(sid, []).append(item)
        changed = []
        # One transaction per batch (SQLite): one commit instead of one per alert, event and
        # notification - commits were most of the ingest time.
        with self.store.transaction():
            for sid, group in groups.items():
                triggered = []
                for it in group:
                    kind, reasons = rules.trigger_reasons(self.profile, it)
                    if kind:
                        triggered.append((it, kind, reasons))
                alert = self._upsert_story_alert(sid, group, triggered, now)
                if alert is not None:
                    changed.append(alert)
        return changed

    def _upsert_story_alert(
        self, sid: str, group: list[Item], triggered: list[tuple[Item, str, list[str]]], now: datetime
    ) -> Alert | None:
        aid = rules.alert_id_for_story(sid)
        for _attempt in range(5):
            doc = self.store.get_doc("alerts", aid)
            if doc is None and not triggered:
                return None  # nothing alarming and no alert to update
            try:
                return self._apply_story(aid, sid, doc, group, triggered, now)
            except StaleEdit:
                continue  # another worker wrote it first: re-read and merge again
        log.warning("alert %s: gave up after repeated concurrent edits", aid)
        return None

    def _apply_story(
        self,
        aid: str,
        sid: str,
        doc: dict[str, Any] | None,
        group: list[Item],
        triggered: list[tuple[Item, str, list[str]]],
        now: datetime,
    ) -> Alert | None:
        is_new = doc is None
        if doc is None:
            head, kind, _ = triggered[0]
            enr = head.enrichment
            assert enr is not None
            alert = Alert(
                id=aid,
                kind=kind,
                story_id=None if sid.startswith("item:") else sid,
                title=(head.title or head.text[:160]).strip(),
                category=enr.category.label if enr.category else None,
                created=now,
                updated=now,
            )
            version = 0
        else:
            alert = Alert.from_dict(doc)
            version = int(doc["version"])
        old = (alert.severity, len(alert.item_ids), alert.reach.get("items"), alert.status)
        for it in group:
            if it.id not in alert.item_ids and len(alert.item_ids) < MAX_ITEM_IDS:
                alert.item_ids.append(it.id)  # type: ignore[arg-type]
            if it.source_id not in alert.sources and len(alert.sources) < 50:
                alert.sources.append(it.source_id)
            enr = it.enrichment
            assert enr is not None
            alert.risk = max(alert.risk, enr.risk or 0.0)
            for t in enr.topics:
                if t.label not in alert.topics and len(alert.topics) < 10:
                    alert.topics.append(t.label)
            for loc in enr.localities:
                if loc not in alert.localities and len(alert.localities) < 20:
                    alert.localities.append(loc)
            if (not alert.category or alert.category == "none") and enr.category:
                alert.category = enr.category.label
        for _it, _kind, reasons in triggered:
            for r in reasons:
                if r not in alert.reasons and len(alert.reasons) < 20:
                    alert.reasons.append(r)
        # Severity: the most urgent any item of the story had, raised by the story's reach.
        base = alert.reach.get("base_severity", "thap")
        for it in group:
            base = more_urgent(base, rules.item_severity(it))
        reach = self._reach(sid, alert)
        reach["base_severity"] = base
        wanted = rules.raise_level(base, rules.reach_steps(reach["items"], reach["sources"]))
        raised = severity_rank(wanted) < severity_rank(alert.severity)
        if is_new and wanted != base:
            alert.reasons.append(f"lan truyền rộng: {reach['items']} bài, {reach['sources']} nguồn")
        if raised and not is_new:
            alert.reasons.append(
                f"mức độ tăng lên '{templates.sev(wanted)}' lúc {fmt_datetime(now)}: "
                f"{reach['items']} bài, {reach['sources']} nguồn"
            )
        if raised or is_new:
            alert.severity = more_urgent(alert.severity, wanted) if not is_new else wanted
        alert.reach = reach
        reopened = False
        if raised and not is_new and alert.status == "bo-qua":
            alert.status, reopened = "mo", True  # a dismissed story that grows is looked at again
        if not is_new and old == (
            alert.severity,
            len(alert.item_ids),
            alert.reach.get("items"),
            alert.status,
        ):
            return None
        alert.updated = now
        saved = self._save_alert(alert, version)
        if is_new:
            self._event(
                "alert",
                aid,
                "tao",
                SYSTEM,
                after={"severity": saved.severity, "story_id": sid},
                note="; ".join(saved.reasons[:3]),
            )
        elif raised:
            self._event(
                "alert",
                aid,
                "tang-muc-do",
                SYSTEM,
                before={"severity": old[0], "status": old[3]},
                after={"severity": saved.severity, "status": saved.status},
                note="mở lại" if reopened else None,
            )
        if (is_new or raised) and saved.severity in ("khan", "cao"):
            subject, body = templates.alert_opened(self.profile, saved)
            for addr in self._monitor_emails():
                self.outbox.enqueue("email", addr, subject, body, aid, "canh-bao")
            self.outbox.enqueue(
                "webhook", self.profile.notifications.webhook_url, subject, body, aid, "canh-bao"
            )
        return saved

    def _reach(self, sid: str, alert: Alert) -> dict[str, Any]:
        if not sid.startswith("item:"):
            s = self.store.story_stats(sid)
            return {
                "items": int(s["items"]),
                "sources": int(s["sources"]),
                "engagement": int(s["engagement"] or 0),
                "first_seen": s["first_seen"].isoformat() if s["first_seen"] else None,
                "last_seen": s["last_seen"].isoformat() if s["last_seen"] else None,
            }
        return {"items": len(alert.item_ids), "sources": len(alert.sources), "engagement": 0}

    def list_alerts(self, actor: User, status: list[str] | None = None, **filters: Any) -> list[Alert]:
        """Filters: kind, severity, category, story_id, claimed_by (equality or list), topic,
        locality, source, q (words in the title, without diacritics is fine), limit (200), offset."""
        access.require_read_alerts(actor)
        limit = int(filters.pop("limit", 200))
        offset = int(filters.pop("offset", 0))
        where: dict[str, Any] = {}
        if status:
            where["status"] = list(status)
        for key in ("kind", "severity", "category", "story_id", "claimed_by"):
            if filters.get(key):
                where[key] = filters.pop(key)
        topic, locality, source, q = (filters.pop(k, None) for k in ("topic", "locality", "source", "q"))
        if filters:
            raise ValueError(f"bộ lọc không hỗ trợ: {', '.join(filters)}")
        from giamsat.core.text import fold

        needle = fold(q) if q else None
        out: list[Alert] = []
        skipped = 0
        for doc in self._iter_docs("alerts", where, order_by="-updated"):
            a = Alert.from_dict(doc)
            if topic and topic not in a.topics:
                continue
            if locality and locality not in a.localities:
                continue
            if source and source not in a.sources:
                continue
            if needle and needle not in fold(a.title):
                continue
            if skipped < offset:
                skipped += 1
                continue
            out.append(a)
            if len(out) >= limit:
                break
        return out

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

    def get_alert(self, actor: User, alert_id: str) -> Alert:
        access.require_read_alerts(actor)
        return self._load_alert(alert_id)

    def alert_history(self, actor: User, alert_id: str) -> list[Event]:
        access.require_read_alerts(actor)
        return self.store.events("alert", alert_id)

    def _check_actionable(self, actor: User, alert: Alert, now: datetime) -> None:
        if alert.status not in ACTIONABLE:
            raise InvalidTransition(
                f"Cảnh báo {alert.id} đang ở trạng thái '{alert.status}' ({ALERT_STATUS_LABELS.get(alert.status, '')}); "
                "chỉ xử lý được cảnh báo 'mo' (Mở) hoặc 'tam-hoan' (Tạm hoãn)."
            )
        if (
            alert.claimed_by
            and alert.claimed_by != actor.username
            and alert.claim_expires
            and alert.claim_expires > now
        ):
            raise AlreadyClaimed(
                f"Cảnh báo {alert.id} đang do '{alert.claimed_by}' xử lý đến {fmt_datetime(alert.claim_expires)}."
            )

    def claim(self, actor: User, alert_id: str, force: bool = False) -> Alert:
        """Take an expiring lock (``alerts.claim_lock_minutes``) so two reviewers do not work the
        same alert; claiming again extends one's own lock. ``force`` (admin) breaks another's lock."""
        access.require_act_alerts(actor)
        now = self.clock()
        alert = self._load_alert(alert_id)
        if force and actor.role != "admin":
            raise PermissionDenied("Chỉ quản trị (admin) được giành quyền xử lý của người khác.")
        if not force or alert.status not in ACTIONABLE:
            self._check_actionable(actor, alert, now)
        before = {"claimed_by": alert.claimed_by, "claim_expires": alert.claim_expires}
        alert.claimed_by = actor.username
        alert.claim_expires = now + timedelta(minutes=self.profile.alerts.claim_lock_minutes)
        alert.updated = now
        saved = self._save_alert(alert, alert.version)
        self._event(
            "alert",
            alert_id,
            "nhan-xu-ly",
            actor,
            before,
            {"claimed_by": actor.username, "claim_expires": saved.claim_expires},
        )
        return saved

    def release(self, actor: User, alert_id: str) -> Alert:
        access.require_act_alerts(actor)
        alert = self._load_alert(alert_id)
        if alert.claimed_by not in (None, actor.username) and actor.role != "admin":
            raise PermissionDenied(f"Cảnh báo {alert_id} do '{alert.claimed_by}' nhận xử lý, không phải bạn.")
        before = {"claimed_by": alert.claimed_by}
        alert.claimed_by = alert.claim_expires = None
        alert.updated = self.clock()
        saved = self._save_alert(alert, alert.version)
        self._event("alert", alert_id, "tra-xu-ly", actor, before, {"claimed_by": None})
        return saved

    def _label(self, alert: Alert, decision: str, actor: User) -> None:
        """Each decision becomes a label for retraining (one per item: the latest decision wins)."""
        now = self.clock().isoformat()
        for item in self._alert_items(alert, MAX_LABEL_ITEMS):
            enr = item.enrichment
            self.store.put_doc(
                "labels",
                {
                    "id": item.id,
                    "item_id": item.id,
                    "alert_id": alert.id,
                    "source_id": item.source_id,
                    "title": item.title,
                    "text": item.text[:5000],
                    "category": alert.category or (enr.category.label if enr and enr.category else None),
                    "topics": alert.topics,
                    "decision": decision,
                    "decided_by": actor.username,
                    "at": now,
                },
            )

    def confirm(
        self,
        actor: User,
        alert_id: str,
        lead: str | None = None,
        co_units: list[str] | None = None,
        note: str | None = None,
        assign: bool = True,
        category: str | None = None,
    ) -> Ticket:
        """Confirm an alert: open a ticket routed by ``triage.routing`` (or by the ``lead``/
        ``co_units`` given, an audited override) and, with ``assign``, hand it to the units."""
        access.require_act_alerts(actor)
        now = self.clock()
        alert = self._load_alert(alert_id)
        self._check_actionable(actor, alert, now)
        for code in [*(x for x in [lead] if x), *(co_units or [])]:
            self._check_unit(code)
        if category:
            alert.category = category
        items = self._alert_items(alert)
        wards = list(dict.fromkeys(c for it in items for c in rules.ward_codes(it)))
        decision = route(self.profile, alert.category, alert.topics, wards, alert.severity)
        final_lead = lead or decision.lead
        final_co = [
            c
            for c in dict.fromkeys(co_units if co_units is not None else decision.co_units)
            if c != final_lead
        ]
        overridden = final_lead != decision.lead or final_co != decision.co_units
        year = to_local(now).year
        ticket_id = f"PX-{year}-{self.store.next_sequence(f'ticket-{year}'):04d}"
        # Reserve the alert first (version-checked): two reviewers confirming at once -> one StaleEdit.
        alert_before = {"status": alert.status}
        alert.status, alert.ticket_id = "da-xac-nhan", ticket_id
        alert.claimed_by = alert.claim_expires = None
        alert.updated = now
        saved_alert = self._save_alert(alert, alert.version)
        dl = deadlines_for(self.profile, alert.severity, now)
        summary = [alert.title]
        summary.append(
            f"Lan truyền: {alert.reach.get('items', len(alert.item_ids))} bài, {alert.reach.get('sources', len(alert.sources))} nguồn."
        )
        if alert.reasons:
            summary.append("Lý do cảnh báo: " + "; ".join(alert.reasons[:5]) + ".")
        summary.append(
            f"Điều phối: {decision.explanation}" + (" (đã điều chỉnh thủ công)" if overridden else "")
        )
        ticket = Ticket(
            id=ticket_id,
            alert_id=alert_id,
            title=alert.title,
            summary="\n".join(summary),
            category=alert.category,
            severity=alert.severity,
            topics=list(alert.topics),
            localities=list(alert.localities),
            item_ids=list(alert.item_ids),
            lead_unit=final_lead,
            co_units=final_co,
            rule="thu-cong" if overridden else decision.rule,
            status="moi",
            created=now,
            updated=now,
            due_ack=dl.due_ack,
            due=dl.due,
        )
        if note:
            ticket.comments.append(
                {"by": actor.username, "name": actor.name, "at": now.isoformat(), "text": note, "link": None}
            )
        routing_doc = {
            "lead": decision.lead,
            "co_units": decision.co_units,
            "rule": decision.rule,
            "fired": decision.fired,
            "explanation": decision.explanation,
            "ward_codes": wards,
        }
        saved = self._save_ticket(ticket, {"routing": routing_doc}, expected=0)
        self._event(
            "alert",
            alert_id,
            "xac-nhan",
            actor,
            alert_before,
            {"status": "da-xac-nhan", "ticket_id": ticket_id},
            note,
        )
        self._event(
            "ticket",
            ticket_id,
            "tao",
            actor,
            {},
            {
                "status": "moi",
                "lead_unit": final_lead,
                "co_units": final_co,
                "rule": saved.rule,
                "routing": routing_doc,
            },
            decision.explanation,
        )
        if overridden:
            self._event(
                "ticket",
                ticket_id,
                "dieu-chinh-phan-cong",
                actor,
                {"lead_unit": decision.lead, "co_units": decision.co_units, "rule": decision.rule},
                {"lead_unit": final_lead, "co_units": final_co, "rule": "thu-cong"},
                note or "điều chỉnh đơn vị so với quy tắc điều phối",
            )
        self._label(saved_alert, "xac-nhan", actor)
        if assign:
            return self.transition(
                actor,
                ticket_id,
                "da-giao",
                note="giao theo " + ("điều chỉnh thủ công" if overridden else decision.explanation),
            )
        return self.get_ticket(actor, ticket_id)

    def dismiss(self, actor: User, alert_id: str, reason: str) -> Alert:
        access.require_act_alerts(actor)
        if not (reason or "").strip():
            raise InvalidTransition("Cần ghi lý do khi bỏ qua cảnh báo.")
        now = self.clock()
        alert = self._load_alert(alert_id)
        self._check_actionable(actor, alert, now)
        before = {"status": alert.status}
        alert.status, alert.dismiss_reason = "bo-qua", reason.strip()
        alert.claimed_by = alert.claim_expires = None
        alert.updated = now
        saved = self._save_alert(alert, alert.version)
        self._event("alert", alert_id, "bo-qua", actor, before, {"status": "bo-qua"}, reason)
        self._label(saved, "bo-qua", actor)
        return saved

    def merge(self, actor: User, alert_id: str, ticket_id: str) -> Ticket:
        """Attach an alert (another story about the same matter) to an existing ticket."""
        access.require_act_alerts(actor)
        now = self.clock()
        alert = self._load_alert(alert_id)
        self._check_actionable(actor, alert, now)
        ticket, base = self._load_ticket_doc(ticket_id)
        if ticket.status == "da-dong":
            raise InvalidTransition(f"Phiếu {ticket_id} đã đóng; hãy mở lại ('mo-lai') trước khi gộp.")
        alert_before = {"status": alert.status}
        alert.status, alert.ticket_id = "da-gop", ticket_id
        alert.claimed_by = alert.claim_expires = None
        alert.updated = now
        saved_alert = self._save_alert(alert, alert.version)
        before = {"item_ids": len(ticket.item_ids), "severity": ticket.severity, "due": ticket.due}
        for iid in alert.item_ids:
            if iid not in ticket.item_ids:
                ticket.item_ids.append(iid)
        if severity_rank(alert.severity) < severity_rank(ticket.severity):
            # a more urgent story joins: the ticket becomes more urgent, deadlines only get closer
            ticket.severity = alert.severity
            dl = deadlines_for(self.profile, ticket.severity, ticket.created)
            ticket.due = min(x for x in (ticket.due, dl.due) if x)
            if dl.due_ack and not ticket.acknowledged_at:
                ticket.due_ack = min(x for x in (ticket.due_ack, dl.due_ack) if x)
        ticket.comments.append(
            {
                "by": actor.username,
                "name": actor.name,
                "at": now.isoformat(),
                "text": f"Gộp cảnh báo {alert_id}: {alert.title}",
                "link": None,
            }
        )
        ticket.updated = now
        saved = self._save_ticket(ticket, base, ticket.version)
        self._event(
            "alert", alert_id, "gop", actor, alert_before, {"status": "da-gop", "ticket_id": ticket_id}
        )
        self._event(
            "ticket",
            ticket_id,
            "gop-canh-bao",
            actor,
            before,
            {
                "item_ids": len(saved.item_ids),
                "severity": saved.severity,
                "due": saved.due,
                "alert_id": alert_id,
            },
        )
        self._label(saved_alert, "gop", actor)
        return self.get_ticket(actor, ticket_id)

    def snooze(self, actor: User, alert_id: str, until: datetime) -> Alert:
        access.require_act_alerts(actor)
        now = self.clock()
        until = parse_dt(until)  # type: ignore[assignment]
        if until is None or until <= now:
            raise InvalidTransition("Thời điểm tạm hoãn phải ở tương lai.")
        alert = self._load_alert(alert_id)
        self._check_actionable(actor, alert, now)
        before = {"status": alert.status, "snoozed_until": alert.snoozed_until}
        alert.status, alert.snoozed_until = "tam-hoan", until
        alert.claimed_by = alert.claim_expires = None
        alert.updated = now
        saved = self._save_alert(alert, alert.version)
        self._event(
            "alert", alert_id, "tam-hoan", actor, before, {"status": "tam-hoan", "snoozed_until": until}
        )
        return saved

    def bulk(self, actor: User, action: str, alert_ids: list[str], **kw: Any) -> list[dict[str, Any]]:
        """Apply one action to many alerts; each id succeeds or fails on its own and the result
        says which (``{"id", "ok", "result"|"error"}``) - never all-or-nothing, never silent."""
        if action not in BULK_ACTIONS:
            raise ValueError(f"thao tác không hỗ trợ: {action} (có: {', '.join(BULK_ACTIONS)})")
        fn = getattr(self, action)
        results = []
        for aid in alert_ids:
            try:
                res = fn(actor, aid, **kw)
            except GiamsatError as exc:
                results.append({"id": aid, "ok": False, "error": str(exc), "error_type": type(exc).__name__})
            else:
                results.append(
                    {
                        "id": aid,
                        "ok": True,
                        "result": getattr(res, "id", None),
                        "status": getattr(res, "status", None),
                    }
                )
        return results

    # == tickets ===========================================================================
    def list_tickets(
        self, actor: User, status: list[str] | None = None, unit: str | None = None, **filters: Any
    ) -> list[Ticket]:
        """Tickets the actor may see; ``unit`` keeps those where that unit leads or co-operates.
        A unit user always gets only its own unit's tickets, whatever ``unit`` is asked."""
        if actor.role == "unit":
            if unit and unit != actor.unit:
                return []
            unit = actor.unit
        elif actor.role not in ("monitor", "leader", "admin"):
            raise PermissionDenied(f"Vai trò '{actor.role}' không được xem phiếu.")
        overdue_only = bool(filters.pop("overdue", False))
        limit = int(filters.pop("limit", 1000))
        where: dict[str, Any] = {}
        if status:
            where["status"] = list(status)
        for key in ("severity", "category", "alert_id"):
            if filters.get(key):
                where[key] = filters.pop(key)
        if filters:
            raise ValueError(f"bộ lọc không hỗ trợ: {', '.join(filters)}")
        now = self.clock()
        out = []
        for doc in self._iter_docs("tickets", where, order_by="-created"):
            t = Ticket.from_dict(doc)
            if unit and t.lead_unit != unit and unit not in t.co_units:
                continue
            if not access.can_see_ticket(actor, t):
                continue
            if overdue_only and not overdue_kinds(t, now):
                continue
            out.append(t)
            if len(out) >= limit:
                break
        return out

    def get_ticket(self, actor: User, ticket_id: str) -> Ticket:
        ticket, _ = self._load_ticket_doc(ticket_id)
        access.require_see_ticket(actor, ticket)
        ticket.history = self.store.events("ticket", ticket_id)
        return ticket

    def routing_of(self, actor: User, ticket_id: str) -> dict[str, Any]:
        """The routing decision recorded when the ticket was opened (rule, fired, explanation)."""
        ticket, doc = self._load_ticket_doc(ticket_id)
        access.require_see_ticket(actor, ticket)
        return dict(doc.get("routing") or {})

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
        ticket, base = self._load_ticket_doc(ticket_id)
        access.require_see_ticket(actor, ticket)
        if expected_version is not None and expected_version != ticket.version:
            raise StaleEdit("tickets", ticket_id, expected_version, ticket.version)
        check_transition(ticket, to_status)
        access.require_transition_role(actor, ticket, to_status)
        if to_status in NEEDS_REASON and not (note or "").strip():
            raise InvalidTransition(
                f"Cần ghi lý do khi chuyển phiếu sang '{to_status}' ({label(to_status)})."
            )
        if to_status == "da-phan-hoi" and not (
            answer_text or answer_url or ticket.answer_text or ticket.answer_url
        ):
            raise InvalidTransition(
                "Cần nội dung phản hồi/đính chính (answer_text) hoặc đường dẫn bài đã đăng (answer_url)."
            )
        now = self.clock()
        old_status = ticket.status
        before = {"status": old_status}
        after: dict[str, Any] = {"status": to_status}
        if to_status == "da-giao" and old_status in ("tu-choi", "chuyen-don-vi", "mo-lai"):
            # handed (again) to a unit: it gets a fresh acknowledgement deadline; the answer
            # deadline keeps running, the citizen's clock does not restart.
            dl = deadlines_for(self.profile, ticket.severity, now)
            before.update(acknowledged_at=ticket.acknowledged_at, due_ack=ticket.due_ack)
            ticket.acknowledged_at, ticket.due_ack = None, dl.due_ack
            after.update(acknowledged_at=None, due_ack=dl.due_ack)
        elif to_status == "dang-xac-minh" and not ticket.acknowledged_at:
            ticket.acknowledged_at = now
            after["acknowledged_at"] = now
        elif to_status == "da-phan-hoi":
            before.update(answer_text=ticket.answer_text, answer_url=ticket.answer_url)
            ticket.answered_at = now
            ticket.acknowledged_at = ticket.acknowledged_at or now
            ticket.answer_text = answer_text or ticket.answer_text
            ticket.answer_url = answer_url or ticket.answer_url
            after.update(answered_at=now, answer_text=ticket.answer_text, answer_url=ticket.answer_url)
            if answer_url:
                check = self._check_correction(answer_url, now)
                ticket.attachments.append(check)
                after["correction"] = check
        elif to_status == "da-dong":
            ticket.closed_at = now
            after["closed_at"] = now
        elif to_status == "mo-lai":
            dl = deadlines_for(self.profile, ticket.severity, now)
            before.update(answered_at=ticket.answered_at, closed_at=ticket.closed_at, due=ticket.due)
            ticket.answered_at = ticket.closed_at = None
            ticket.due = dl.due  # a new deadline: it may escalate again, once
            if not ticket.acknowledged_at:
                ticket.due_ack = dl.due_ack
            after.update(due=ticket.due)
        ticket.status = to_status
        ticket.updated = now
        saved = self._save_ticket(ticket, base, ticket.version)
        self._event("ticket", ticket_id, "chuyen-trang-thai", actor, before, after, note)
        self._notify_transition(saved, to_status, note or "")
        return self.get_ticket(actor, ticket_id)

    def _notify_transition(self, ticket: Ticket, to_status: str, note: str) -> None:
        coord = self.profile.coordinating_unit.code
        if to_status == "da-giao":
            subject, body = templates.ticket_assigned(self.profile, ticket)
            self._notify_units(
                [ticket.lead_unit, *ticket.co_units], subject, body, ticket.id or "", "giao-phieu"
            )
        elif to_status == "da-phan-hoi":
            subject, body = templates.ticket_answered(self.profile, ticket)
            self._notify_units([coord], subject, body, ticket.id or "", "phan-hoi")
        elif to_status in ("tu-choi", "chuyen-don-vi"):
            subject, body = templates.ticket_returned(self.profile, ticket, note)
            self._notify_units([coord], subject, body, ticket.id or "", "tra-lai")

    def _check_correction(self, url: str, now: datetime) -> dict[str, Any]:
        """Where the answer is a press correction (a stored article's URL), check that the article
        really changed (an earlier revision exists) and record the evidence on the ticket."""
        rec: dict[str, Any] = {"type": "dinh-chinh", "url": url, "checked_at": now.isoformat()}
        item = self.store.get_item_by_url(url)
        if item is None or not item.id:
            rec.update(
                verified=None,
                note="Đường dẫn chưa có trong kho dữ liệu; chưa kiểm tra được bài đã sửa hay chưa.",
            )
            return rec
        revisions = self.store.item_revisions(item.id)
        rec["item_id"] = item.id
        rec["revision"] = item.revision
        if revisions:
            last = revisions[-1]
            rec.update(
                verified=True,
                previous_revisions=len(revisions),
                previous_hash=last.get("content_hash"),
                current_hash=item.content_hash,
                note=(
                    f"Bài viết đã thay đổi: hiện là phiên bản {item.revision} (thu thập {fmt_datetime(item.fetched)}), "
                    f"có {len(revisions)} phiên bản trước."
                ),
            )
        else:
            rec.update(
                verified=False,
                note="Bài viết chưa thay đổi so với lần thu thập đầu tiên (chưa thấy đính chính).",
            )
        return rec

    def verify_correction(self, actor: User, ticket_id: str) -> Ticket:
        """Re-check the answer URL (e.g. after a re-crawl picked up the corrected article)."""
        for _attempt in range(3):
            ticket, base = self._load_ticket_doc(ticket_id)
            access.require_see_ticket(actor, ticket)
            if not ticket.answer_url:
                raise InvalidTransition(f"Phiếu {ticket_id} chưa có đường dẫn phản hồi/đính chính.")
            check = self._check_correction(ticket.answer_url, self.clock())
            ticket.attachments.append(check)
            ticket.updated = self.clock()
            try:
                self._save_ticket(ticket, base, ticket.version)
            except StaleEdit:
                continue
            self._event("ticket", ticket_id, "kiem-tra-dinh-chinh", actor, {}, {"correction": check})
            return self.get_ticket(actor, ticket_id)
        raise StaleEdit("tickets", ticket_id, ticket.version, None)

    def assign(
        self, actor: User, ticket_id: str, lead: str, co_units: list[str] | None = None, reason: str = ""
    ) -> Ticket:
        """Change the lead unit/co-units (an audited override of routing). A ticket a unit handed
        back (tu-choi/chuyen-don-vi) is handed to the new lead at once (da-giao)."""
        access.require_coordinator(actor, "phân công lại đơn vị")
        for code in [lead, *(co_units or [])]:
            self._check_unit(code)
        ticket, base = self._load_ticket_doc(ticket_id)
        if ticket.status == "da-dong":
            raise InvalidTransition(
                f"Phiếu {ticket_id} đã đóng; hãy mở lại ('mo-lai') trước khi phân công lại."
            )
        now = self.clock()
        new_co = [
            c for c in dict.fromkeys(co_units if co_units is not None else ticket.co_units) if c != lead
        ]
        before = {"lead_unit": ticket.lead_unit, "co_units": ticket.co_units, "rule": ticket.rule}
        lead_changed = lead != ticket.lead_unit
        ticket.lead_unit, ticket.co_units, ticket.rule = lead, new_co, "thu-cong"
        ticket.updated = now
        saved = self._save_ticket(ticket, base, ticket.version)
        self._event(
            "ticket",
            ticket_id,
            "phan-cong-lai",
            actor,
            before,
            {"lead_unit": lead, "co_units": new_co, "rule": "thu-cong"},
            reason or None,
        )
        if saved.status in ("tu-choi", "chuyen-don-vi"):
            return self.transition(actor, ticket_id, "da-giao", note=reason or "phân công lại")
        if lead_changed and saved.status in ("da-giao", "dang-xac-minh", "mo-lai"):
            subject, body = templates.ticket_assigned(self.profile, saved)
            self._notify_units([lead], subject, body, ticket_id, "giao-phieu")
        return self.get_ticket(actor, ticket_id)

    def comment(self, actor: User, ticket_id: str, text: str, link: str | None = None) -> Ticket:
        if not (text or "").strip() and not link:
            raise InvalidTransition("Bình luận trống.")
        for _attempt in range(3):
            ticket, base = self._load_ticket_doc(ticket_id)
            access.require_comment(actor, ticket)
            now = self.clock()
            entry = {
                "by": actor.username,
                "name": actor.name,
                "at": now.isoformat(),
                "text": text.strip(),
                "link": link,
            }
            ticket.comments.append(entry)
            if link:
                ticket.attachments.append(
                    {
                        "type": "lien-ket",
                        "url": link,
                        "by": actor.username,
                        "at": now.isoformat(),
                        "name": text.strip()[:120],
                    }
                )
            ticket.updated = now
            try:
                self._save_ticket(ticket, base, ticket.version)
            except StaleEdit:
                continue  # additive: re-read and append again
            self._event("ticket", ticket_id, "binh-luan", actor, {}, {"text": entry["text"], "link": link})
            return self.get_ticket(actor, ticket_id)
        raise StaleEdit("tickets", ticket_id, ticket.version, None)

    def notifications(self, actor: User, ref: str) -> list[dict[str, Any]]:
        """Who was notified of what and when, for one ticket or alert (the outbox records)."""
        if ref.startswith("PX-"):
            self.get_ticket(actor, ref)  # permission check
        else:
            access.require_read_alerts(actor)
        return self.outbox.log_for(ref)

    # == periodic work =====================================================================
    def tick(self) -> dict[str, int]:
        """Expire claim locks, wake snoozed alerts, escalate overdue tickets (once per deadline),
        detect spikes and source-health problems, flush the notification outbox."""
        counts = {
            "claims_expired": self.expire_claims(),
            "snoozes_woken": self.wake_snoozed(),
            "escalated": self.escalate_overdue(),
            "spike_alerts": self.check_spikes(),
            "source_alerts": self.check_sources(),
        }
        flushed = self.outbox.flush()
        counts.update({f"notify_{k}": v for k, v in flushed.items()})
        return counts

    def expire_claims(self) -> int:
        now = self.clock()
        names = [u.username for u in self.profile.users] + [SYSTEM.username]
        n = 0
        for doc in list(self._iter_docs("alerts", {"claimed_by": names})):
            alert = Alert.from_dict(doc)
            if alert.claim_expires and alert.claim_expires <= now:
                who = alert.claimed_by
                alert.claimed_by = alert.claim_expires = None
                try:
                    self._save_alert(alert, alert.version)
                except StaleEdit:
                    continue  # someone acted on it meanwhile; next tick will look again
                self._event(
                    "alert", alert.id or "", "het-han-nhan", SYSTEM, {"claimed_by": who}, {"claimed_by": None}
                )
                n += 1
        return n

    def wake_snoozed(self) -> int:
        now = self.clock()
        n = 0
        for doc in list(self._iter_docs("alerts", {"status": "tam-hoan"})):
            alert = Alert.from_dict(doc)
            if alert.snoozed_until and alert.snoozed_until <= now:
                alert.status, alert.snoozed_until, alert.updated = "mo", None, now
                try:
                    self._save_alert(alert, alert.version)
                except StaleEdit:
                    continue
                self._event(
                    "alert", alert.id or "", "het-tam-hoan", SYSTEM, {"status": "tam-hoan"}, {"status": "mo"}
                )
                n += 1
        return n

    def escalate_overdue(self) -> int:
        """Each missed deadline escalates exactly once: to the lead unit's leader e-mail and the
        coordinating unit. A re-opened ticket has a new deadline, which may escalate once more."""
        now = self.clock()
        n = 0
        for doc in list(self._iter_docs("tickets", {"status": list(OPEN_STATUSES)})):
            ticket = Ticket.from_dict(doc)
            for kind, due in overdue_kinds(ticket, now):
                if self._escalate(ticket.id or "", kind, due, now):
                    n += 1
        return n

    def _escalate(self, ticket_id: str, kind: str, due: datetime, now: datetime) -> bool:
        for _attempt in range(3):
            ticket, base = self._load_ticket_doc(ticket_id)
            if any(e.get("kind") == kind and e.get("due") == due_key(due) for e in ticket.escalations):
                return False
            coord = self.profile.coordinating_unit
            ticket.escalations.append(
                {
                    "kind": kind,
                    "due": due_key(due),
                    "at": now.isoformat(),
                    "to": [ticket.lead_unit, coord.code],
                }
            )
            ticket.updated = now
            try:
                saved = self._save_ticket(ticket, base, ticket.version)
            except StaleEdit:
                continue
            self._event(
                "ticket",
                ticket_id,
                "leo-thang",
                SYSTEM,
                {},
                {"kind": kind, "due": due},
                f"quá hạn {'tiếp nhận' if kind == 'ack' else 'phản hồi'}",
            )
            subject, body = templates.ticket_escalated(self.profile, saved, kind)
            self._notify_units(
                list(dict.fromkeys([ticket.lead_unit, coord.code])),
                subject,
                body,
                ticket_id,
                f"leo-thang-{kind}",
                leaders=True,
            )
            return True
        return False

    def check_spikes(self, force: bool = False) -> int:
        """Run spike detection at most every ``spike_every_minutes``; one alert per key per day."""
        now = self.clock()
        state = self.store.get_doc("triage_state", "spikes") or {"id": "spikes"}
        last = parse_dt(state.get("last_run"))
        if not force and last and now - last < timedelta(minutes=self.spike_every_minutes):
            return 0
        spikes = detect_spikes(
            self.profile, self.store, now, self.spike_window_hours, self.spike_baseline_days
        )
        n = 0
        day = to_local(now).date().isoformat()
        for spike in spikes:
            aid = "db-" + hashlib.sha1(f"{spike.dimension}:{spike.value}:{day}".encode()).hexdigest()[:12]
            title, reasons = describe(self.profile, spike)
            severity = "cao" if spike.ratio >= 2 * self.profile.alerts.spike_factor else "trung-binh"
            doc = self.store.get_doc("alerts", aid)
            if doc is not None:
                alert = Alert.from_dict(doc)
                if alert.status not in ACTIONABLE or alert.reach.get("items", 0) >= spike.current:
                    continue
                alert.title, alert.reasons, alert.updated = title, reasons, now
                alert.severity = more_urgent(alert.severity, severity)
            else:
                alert = Alert(
                    id=aid,
                    kind="spike",
                    title=title,
                    severity=severity,
                    reasons=reasons,
                    created=now,
                    updated=now,
                )
                if spike.dimension == "topic":
                    alert.topics = [spike.value]
                elif spike.dimension == "locality":
                    alert.localities = [spike.value]
            alert.reach = {
                "items": spike.current,
                "baseline": round(spike.baseline, 2),
                "dimension": spike.dimension,
                "value": spike.value,
                "stories": [s.story_id for s in spike.stories],
                "terms": spike.terms,
            }
            try:
                saved = self._save_alert(alert, alert.version if doc else 0)
            except StaleEdit:
                continue
            if doc is None:
                self._event(
                    "alert", aid, "tao", SYSTEM, after={"kind": "spike", "value": spike.value}, note=title
                )
                subject, body = templates.alert_opened(self.profile, saved)
                self.outbox.enqueue(
                    "webhook", self.profile.notifications.webhook_url, subject, body, aid, "dot-bien"
                )
            n += 1
        state["last_run"] = now.isoformat()
        self.store.put_doc("triage_state", state)
        return n

    def check_sources(self) -> int:
        """Source-health alerts from the crawlers' health docs (collection ``sources``, ``status``
        ok|loi|im-lang|tang-dot-bien); an alert closes itself when its source is healthy again."""
        now = self.clock()
        severity = {"loi": "trung-binh", "im-lang": "trung-binh", "tang-dot-bien": "cao"}
        names = {"loi": "lỗi thu thập", "im-lang": "im lặng bất thường", "tang-dot-bien": "tăng đột biến"}
        n = 0
        for doc in self._iter_docs("sources", {}):
            sid, status = str(doc.get("id")), doc.get("status")
            if not status:
                continue
            aid = f"nguon-{sid}"
            existing = self.store.get_doc("alerts", aid)
            alert = Alert.from_dict(existing) if existing else None
            if status == "ok":
                if alert and alert.status in ACTIONABLE:
                    alert.status, alert.dismiss_reason, alert.updated = (
                        "bo-qua",
                        "Nguồn đã hoạt động bình thường trở lại",
                        now,
                    )
                    try:
                        self._save_alert(alert, alert.version)
                    except StaleEdit:
                        continue
                    self._event(
                        "alert",
                        aid,
                        "tu-dong-dong",
                        SYSTEM,
                        {"status": "mo"},
                        {"status": "bo-qua"},
                        "nguồn hoạt động lại",
                    )
                    n += 1
                continue
            if status not in severity:
                continue
            detail = str(doc.get("message") or doc.get("last_error") or doc.get("reason") or "")
            source = self.profile.source(sid)
            title = f"Nguồn {source.name if source and source.name else sid}: {names[status]}"
            if alert and alert.status in ACTIONABLE and alert.title == title:
                continue  # already open for the same problem
            reopen = alert is not None
            version = alert.version if alert else 0
            alert = alert or Alert(id=aid, kind="source", created=now)
            alert.status, alert.title, alert.severity = "mo", title, severity[status]
            alert.sources, alert.reasons, alert.updated = (
                [sid],
                [f"trạng thái '{status}'" + (f": {detail}" if detail else "")],
                now,
            )
            alert.dismiss_reason = None
            try:
                saved = self._save_alert(alert, version)
            except StaleEdit:
                continue
            self._event(
                "alert",
                aid,
                "mo-lai" if reopen else "tao",
                SYSTEM,
                {},
                {"status": "mo", "source_status": status},
                detail or None,
            )
            subject, body = templates.source_problem(sid, names[status], detail)
            self.outbox.enqueue(
                "webhook", self.profile.notifications.webhook_url, subject, body, saved.id or aid, "nguon"
            )
            n += 1
        return n
