"""Periodic duties the worker runs every tick: expire claim locks, wake snoozed alerts, escalate
overdue tickets, detect volume spikes, watch source health, remind of report due dates."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from giamsat.core import periods
from giamsat.core.errors import StaleEdit
from giamsat.core.model import Alert, Ticket, parse_dt
from giamsat.core.timeutil import to_local
from giamsat.triage import templates
from giamsat.triage.base import (
    ACTIONABLE,
    SYSTEM,
    TriageBase,
)
from giamsat.triage.spikes import describe, detect_spikes
from giamsat.triage.workflow import (
    OPEN_STATUSES,
    due_key,
    more_urgent,
    overdue_kinds,
)


class Duties(TriageBase):
    # == periodic work =====================================================================
    def tick(self) -> dict[str, int]:
        """Expire claim locks, wake snoozed alerts, escalate overdue tickets (once per deadline),
        detect spikes and source-health problems, remind of report due dates, flush the
        notification outbox."""
        counts = {
            "claims_expired": self.expire_claims(),
            "snoozes_woken": self.wake_snoozed(),
            "escalated": self.escalate_overdue(),
            "spike_alerts": self.check_spikes(),
            "source_alerts": self.check_sources(),
            "report_reminders": self.remind_reports(),
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
                    "to": [self.profile.current_unit(ticket.lead_unit), coord.code],
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
                list(dict.fromkeys([self.profile.current_unit(ticket.lead_unit), coord.code])),
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

    def remind_reports(self) -> int:
        """Reminders of the reporting calendar (``report_calendar[].remind_days``): for the
        report of each entry due next, one reminder per configured day once that many days or
        fewer are left. A worker that was stopped sends only the latest reminder it missed, not
        all of them. Reminders go to ``remind_units`` (default: the coordinating unit) through
        the outbox, whose ``ref`` (``lich:<id>:<due date>``) and ``event`` (``nhac-bao-cao-<N>``)
        make each one happen exactly once."""
        today = to_local(self.clock()).date()
        n = 0
        for sched in self.profile.report_calendar:
            if not sched.remind_days:
                continue
            period = periods.next_due(sched.cycle, today)
            if period is None or period.due is None:
                continue
            left = (period.due - today).days
            reached = [d for d in sched.remind_days if d >= left]
            if not reached:
                continue
            which = min(reached)
            ref, event = f"lich:{sched.id}:{period.due.isoformat()}", f"nhac-bao-cao-{which}"
            if self.store.count_docs("outbox", {"ref": ref, "event": event}):
                continue
            subject, body = templates.report_reminder(self.profile, sched, period, left)
            units = sched.remind_units or [self.profile.coordinating_unit.code]
            self._notify_units([self.profile.current_unit(u) for u in units], subject, body, ref, event)
            n += 1
        return n
