"""Role checks, done in the data layer so no caller (CLI, dashboard, API) can skip them.

* ``monitor`` - works every alert and ticket (the coordinating unit's reviewers);
* ``leader`` - reads everything and gets reports, changes nothing but may comment (direction);
* ``unit`` - sees and acts only on tickets where its unit leads or co-operates; no alerts; reads
  only the items attached to those tickets (search, export, aggregates: ``item_scope``);
* ``admin`` - everything.

Unit codes are compared through ``Profile.current_unit`` when the profile is given, so a ticket
stored with the code of a dissolved unit (``so-tnmt``) belongs to the unit that replaced it.
"""

from __future__ import annotations

from collections.abc import Iterable

from giamsat.core.errors import PermissionDenied
from giamsat.core.model import Ticket
from giamsat.core.profile import Profile, User
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


def _cur(profile: Profile | None, code: str | None) -> str:
    return profile.current_unit(code) if profile is not None and code else (code or "")


def can_see_ticket(user: User, ticket: Ticket, profile: Profile | None = None) -> bool:
    if user.role in ("monitor", "leader", "admin"):
        return True
    mine = _cur(profile, user.unit)
    return (
        user.role == "unit"
        and bool(mine)
        and (_cur(profile, ticket.lead_unit) == mine or mine in {_cur(profile, c) for c in ticket.co_units})
    )


def require_see_ticket(user: User, ticket: Ticket, profile: Profile | None = None) -> None:
    if not can_see_ticket(user, ticket, profile):
        # Same wording whether the ticket exists or not would be kinder to secrecy, but staff
        # need to know it is a permission matter, not a typo.
        raise PermissionDenied(
            f"Người dùng '{user.username}' không được xem phiếu {ticket.id} (không thuộc đơn vị)."
        )


def may_transition(user: User, ticket: Ticket, to_status: str, profile: Profile | None = None) -> bool:
    roles = TARGET_ROLES.get(to_status, ("admin",))
    return user.role in roles or (
        "lead-unit" in roles
        and user.role == "unit"
        and bool(user.unit)
        and _cur(profile, user.unit) == _cur(profile, ticket.lead_unit)
    )


def require_transition_role(
    user: User, ticket: Ticket, to_status: str, profile: Profile | None = None
) -> None:
    if may_transition(user, ticket, to_status, profile):
        return
    roles = TARGET_ROLES.get(to_status, ("admin",))
    who = ", ".join("đơn vị chủ trì" if r == "lead-unit" else r for r in roles)
    raise PermissionDenied(
        f"Người dùng '{user.username}' (vai trò {user.role}) không được chuyển phiếu {ticket.id} sang "
        f"'{to_status}' ({label(to_status)}); chỉ: {who}."
    )


def require_ticket_write(user: User, ticket: Ticket, what: str, profile: Profile | None = None) -> None:
    """A change to a ticket's record outside its workflow (a correction check, an attachment):
    whoever works the ticket - the coordinating roles and its units - never a read-only leader."""
    require_see_ticket(user, ticket, profile)
    if user.role not in ("monitor", "admin", "unit"):
        raise PermissionDenied(
            f"Người dùng '{user.username}' (vai trò {user.role}) chỉ được xem và bình luận phiếu "
            f"{ticket.id}, không được {what}."
        )


def require_comment(user: User, ticket: Ticket, profile: Profile | None = None) -> None:
    require_see_ticket(user, ticket, profile)  # every role that can see a ticket may comment on it


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


def require_admin(user: User, what: str) -> None:
    if user.role != "admin":
        raise PermissionDenied(
            f"Người dùng '{user.username}' (vai trò {user.role}) không được {what}; chỉ quản trị (admin)."
        )


READ_ITEM_ROLES = ("monitor", "leader", "admin")


def reads_every_item(user: User) -> bool:
    return user.role in READ_ITEM_ROLES


def item_scope(user: User, tickets: Iterable[Ticket], profile: Profile | None = None) -> list[str]:
    """The items a unit user may read: those of the tickets it can see (lead or co-unit), in
    ticket order. Callers pass the ticket list; ``reads_every_item`` roles need no scope."""
    seen: dict[str, None] = {}
    for t in tickets:
        if can_see_ticket(user, t, profile):
            seen.update(dict.fromkeys(t.item_ids))
    return list(seen)
