"""Ticket actions: list, read, route, move through the workflow, assign, comment, and check that a
published correction really appeared."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from giamsat.core.errors import InvalidTransition, PermissionDenied, StaleEdit
from giamsat.core.model import Ticket
from giamsat.core.profile import User
from giamsat.core.timeutil import fmt_datetime
from giamsat.triage import access, templates
from giamsat.triage.base import (
    TriageBase,
)
from giamsat.triage.workflow import (
    NEEDS_REASON,
    check_transition,
    deadlines_for,
    label,
    overdue_kinds,
)


class TicketActions(TriageBase):
    # == tickets ===========================================================================
    def list_tickets(
        self, actor: User, status: list[str] | None = None, unit: str | None = None, **filters: Any
    ) -> list[Ticket]:
        """Tickets the actor may see; ``unit`` keeps those where that unit leads or co-operates.
        A unit user always gets only its own unit's tickets, whatever ``unit`` is asked."""
        if actor.role == "unit":
            if unit and not self.profile.same_unit(unit, actor.unit):
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
            if unit and not any(self.profile.same_unit(unit, c) for c in [t.lead_unit, *t.co_units]):
                continue
            if not access.can_see_ticket(actor, t, self.profile):
                continue
            if overdue_only and not overdue_kinds(t, now):
                continue
            out.append(t)
            if len(out) >= limit:
                break
        return out

    def get_ticket(self, actor: User, ticket_id: str) -> Ticket:
        ticket, _ = self._load_ticket_doc(ticket_id)
        access.require_see_ticket(actor, ticket, self.profile)
        ticket.history = self.store.events("ticket", ticket_id)
        return ticket

    def routing_of(self, actor: User, ticket_id: str) -> dict[str, Any]:
        """The routing decision recorded when the ticket was opened (rule, fired, explanation)."""
        ticket, doc = self._load_ticket_doc(ticket_id)
        access.require_see_ticket(actor, ticket, self.profile)
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
        access.require_see_ticket(actor, ticket, self.profile)
        if expected_version is not None and expected_version != ticket.version:
            raise StaleEdit("tickets", ticket_id, expected_version, ticket.version)
        check_transition(ticket, to_status)
        access.require_transition_role(actor, ticket, to_status, self.profile)
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
        before: dict[str, Any] = {"status": old_status}
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
            access.require_ticket_write(actor, ticket, "kiểm tra đính chính", self.profile)
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
        # A code typed from an old document (so-tnmt) is stored as the unit that replaced it.
        lead = self.profile.current_unit(lead)
        if co_units is not None:
            co_units = [self.profile.current_unit(c) for c in co_units]
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
            access.require_comment(actor, ticket, self.profile)
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
