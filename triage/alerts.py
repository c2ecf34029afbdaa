"""Alert actions of monitoring staff: list, read, claim, confirm into a ticket, dismiss, merge,
snooze, and the same in bulk."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from giamsat.core.codes import ALERT_STATUS_LABELS
from giamsat.core.errors import GiamsatError, InvalidTransition, PermissionDenied
from giamsat.core.model import Alert, Event, Ticket, parse_dt
from giamsat.core.profile import User
from giamsat.core.text import fold
from giamsat.core.timeutil import fmt_datetime, to_local
from giamsat.triage import access, rules
from giamsat.triage.base import (
    ACTIONABLE,
    BULK_ACTIONS,
    MAX_LABEL_ITEMS,
    AlreadyClaimed,
)
from giamsat.triage.routing import route
from giamsat.triage.tickets import TicketActions
from giamsat.triage.workflow import (
    deadlines_for,
    severity_rank,
)


class AlertActions(TicketActions):
    """Built on the ticket actions: confirming or merging an alert creates or changes a ticket."""

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
        # A code typed from an old document (so-tnmt) is stored as the unit that replaced it.
        lead = self.profile.current_unit(lead) if lead else None
        if co_units is not None:
            co_units = [self.profile.current_unit(c) for c in co_units]
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
