"""The ticket workflow as data: statuses, allowed transitions, who may make them, deadlines.

Kept pure (no store) so the rules can be read, tested and shown in the UI as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from giamsat.core.codes import SEVERITIES
from giamsat.core.errors import InvalidTransition
from giamsat.core.model import Ticket
from giamsat.core.profile import Profile

STATUS_LABELS: dict[str, str] = {
    "moi": "Mới",
    "da-giao": "Đã giao",
    "dang-xac-minh": "Đang xác minh",
    "da-phan-hoi": "Đã phản hồi",
    "da-dong": "Đã đóng",
    "tu-choi": "Từ chối",
    "chuyen-don-vi": "Chuyển đơn vị",
    "mo-lai": "Mở lại",
}
STATUSES = tuple(STATUS_LABELS)

# from -> allowed targets. "tu-choi"/"chuyen-don-vi" hand the ticket back to the coordinating
# unit, which re-assigns it (da-giao) or closes it.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "moi": ("da-giao", "da-dong"),
    "da-giao": ("dang-xac-minh", "da-phan-hoi", "tu-choi", "chuyen-don-vi"),
    "dang-xac-minh": ("da-phan-hoi", "tu-choi", "chuyen-don-vi"),
    "da-phan-hoi": ("da-dong", "mo-lai"),
    "da-dong": ("mo-lai",),
    "tu-choi": ("da-giao", "da-dong"),
    "chuyen-don-vi": ("da-giao", "da-dong"),
    "mo-lai": ("da-giao", "dang-xac-minh", "da-phan-hoi"),
}

# Which roles may move a ticket *into* a status. "lead-unit" means a unit user of the lead unit
# (co-units contribute by comments, they do not answer for the ticket).
COORDINATOR_ROLES = ("monitor", "admin")
TARGET_ROLES: dict[str, tuple[str, ...]] = {
    "da-giao": COORDINATOR_ROLES,
    "dang-xac-minh": (*COORDINATOR_ROLES, "lead-unit"),
    "da-phan-hoi": (*COORDINATOR_ROLES, "lead-unit"),
    "tu-choi": ("admin", "lead-unit"),
    "chuyen-don-vi": ("admin", "lead-unit"),
    "da-dong": COORDINATOR_ROLES,
    "mo-lai": COORDINATOR_ROLES,
}
NEEDS_REASON = ("tu-choi", "chuyen-don-vi", "mo-lai")
OPEN_STATUSES = ("moi", "da-giao", "dang-xac-minh", "tu-choi", "chuyen-don-vi", "mo-lai")
ANSWERED_STATUSES = ("da-phan-hoi", "da-dong")


def label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def allowed_targets(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def check_transition(ticket: Ticket, to_status: str) -> None:
    """Raise ``InvalidTransition`` naming the allowed targets (in Vietnamese)."""
    if to_status not in STATUS_LABELS:
        known = ", ".join(f"{s} ({label(s)})" for s in STATUSES)
        raise InvalidTransition(f"Trạng thái '{to_status}' không tồn tại. Các trạng thái: {known}.")
    allowed = allowed_targets(ticket.status)
    if to_status not in allowed:
        options = ", ".join(f"'{s}' ({label(s)})" for s in allowed) or "không có"
        raise InvalidTransition(
            f"Không thể chuyển phiếu {ticket.id} từ '{ticket.status}' ({label(ticket.status)}) sang "
            f"'{to_status}' ({label(to_status)}). Được phép: {options}."
        )


@dataclass(frozen=True)
class Deadlines:
    due_ack: datetime | None
    due: datetime


def deadlines_for(profile: Profile, severity: str, start: datetime) -> Deadlines:
    """Answer (and, for urgent severities, acknowledgement) deadlines counted from ``start``."""
    rule = profile.deadlines.for_severity(severity if severity in SEVERITIES else "thap")
    due_ack = start + timedelta(hours=rule.ack_hours) if rule.ack_hours else None
    return Deadlines(due_ack=due_ack, due=start + timedelta(hours=rule.answer_hours))


def overdue_kinds(ticket: Ticket, now: datetime) -> list[tuple[str, datetime]]:
    """Which deadlines of ``ticket`` have passed unmet at ``now``: ``[("ack", due_ack), ("answer", due)]``."""
    out: list[tuple[str, datetime]] = []
    if ticket.status in ("da-dong", "da-phan-hoi"):
        return out
    if (
        ticket.due_ack
        and not ticket.acknowledged_at
        and ticket.status in ("moi", "da-giao")
        and now > ticket.due_ack
    ):
        out.append(("ack", ticket.due_ack))
    if ticket.due and not ticket.answered_at and now > ticket.due:
        out.append(("answer", ticket.due))
    return out


def already_escalated(ticket: Ticket, kind: str, due: datetime) -> bool:
    """Escalation happens once per deadline: a new deadline (after re-opening) may escalate again."""
    key = due_key(due)
    return any(e.get("kind") == kind and e.get("due") == key for e in ticket.escalations)


def due_key(due: datetime) -> str:
    return due.astimezone(UTC).isoformat()


def severity_rank(severity: str | None) -> int:
    """0 = most urgent (khan); unknown counts as least urgent."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES) - 1


def more_urgent(a: str, b: str) -> str:
    return a if severity_rank(a) <= severity_rank(b) else b
