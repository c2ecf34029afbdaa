"""Role checks, done in the data layer so no caller (CLI, dashboard, API) can skip them.

* ``monitor`` - works every alert and ticket (the coordinating unit's reviewers);
* ``leader`` - reads everything and gets reports, changes nothing but may comment (direction);
* ``unit`` - sees and acts only on tickets where its unit leads or co-operates; no alerts; reads
  only the items attached to those tickets (search, export, aggregates: ``item_scope``);
* ``admin`` - everything.
"""

from __future__ import annotations

from collections.abc import Iterable

from giamsat.core.errors import PermissionDenied
from giamsat.core.model import Ticket
from giamsat.core.profile import User
from giamsat.triage.workflow import TARGET_ROLES, label

READ_ALERT_ROLES = ("monitor", "leader", "admin")
ACT_ALERT_ROLES = ("monitor", "admin")


def can_read_alerts(user: User) -> bool:
    return user.role in READ_ALERT_ROLES


def require_read_alerts(user: User) -> None:
    if user.role not in READ_ALERT_ROLES:
        raise PermissionDenied(f"Người dùng '{user.username}' (vai trò {user.role}) không được xem cảnh báo.")


def require_act_alerts(user: User) -> None:
    if user.role not in ACT_ALERT_ROLES:
        raise PermissionDenied(
            f"Người dùng '{user.username}' (vai trò {user.role}) không được xử lý cảnh báo; "
            "chỉ cán bộ giám sát (monitor) hoặc quản trị (admin)."
        )


def can_see_ticket(user: User, ticket: Ticket) -> bool:
    if user.role in ("monitor", "leader", "admin"):
        return True
    return (
        user.role == "unit"
        and bool(user.unit)
        and (ticket.lead_unit == user.unit or user.unit in ticket.co_units)
    )


def require_see_ticket(user: User, ticket: Ticket) -> None:
    if not can_see_ticket(user, ticket):
        # Same wording whether the ticket exists or not would be kinder to secrecy, but staff
        # need to know it is a permission matter, not a typo.
        raise PermissionDenied(
            f"Người dùng '{user.username}' không được xem phiếu {ticket.id} (không thuộc đơn vị)."
        )


def may_transition(user: User, ticket: Ticket, to_status: str) -> bool:
    roles = TARGET_ROLES.get(to_status, ("admin",))
    return user.role in roles or (
        "lead-unit" in roles and user.role == "unit" and user.unit == ticket.lead_unit
    )


def require_transition_role(user: User, ticket: Ticket, to_status: str) -> None:
    if may_transition(user, ticket, to_status):
        return
    roles = TARGET_ROLES.get(to_status, ("admin",))
    who = ", ".join("đơn vị chủ trì" if r == "lead-unit" else r for r in roles)
    raise PermissionDenied(
        f"Người dùng '{user.username}' (vai trò {user.role}) không được chuyển phiếu {ticket.id} sang "
        f"'{to_status}' ({label(to_status)}); chỉ: {who}."
    )


def require_comment(user: User, ticket: Ticket) -> None:
    require_see_ticket(user, ticket)  # every role that can see a ticket may comment on it


def can_act_on_alerts(user: User) -> bool:
    """Roles that work the alert queue (leaders read; units only see their tickets)."""
    return user.role in ACT_ALERT_ROLES


REPORT_ROLES = ("leader", "monitor", "admin")


def require_reports(user: User) -> None:
    if user.role not in REPORT_ROLES:
        raise PermissionDenied(f"Người dùng '{user.username}' (vai trò {user.role}) không được lập báo cáo.")


def require_coordinator(user: User, what: str) -> None:
    if user.role not in ("monitor", "admin"):
        raise PermissionDenied(f"Người dùng '{user.username}' (vai trò {user.role}) không được {what}.")


READ_ITEM_ROLES = ("monitor", "leader", "admin")


def reads_every_item(user: User) -> bool:
    return user.role in READ_ITEM_ROLES


def item_scope(user: User, tickets: Iterable[Ticket]) -> list[str]:
    """The items a unit user may read: those of the tickets it can see (lead or co-unit), in
    ticket order. Callers pass the ticket list; ``reads_every_item`` roles need no scope."""
    seen: dict[str, None] = {}
    for t in tickets:
        if can_see_ticket(user, t):
            seen.update(dict.fromkeys(t.item_ids))
    return list(seen)
