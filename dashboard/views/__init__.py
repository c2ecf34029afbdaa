"""The dashboard's pages. Each module has ``render(ctx: PageContext)``; ``PAGES`` lists them with
the roles allowed to open them (the data layer still checks every action itself)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import streamlit as st

from giamsat.core.profile import Profile, User
from giamsat.storage.base import Store
from giamsat.triage import access
from giamsat.triage.service import Triage


@dataclass
class PageContext:
    profile: Profile
    store: Store
    triage: Triage
    user: User
    now: datetime  # UTC
    uri: str  # store URI: the cache key of the aggregate queries

    @property
    def can_act(self) -> bool:
        """Roles that work the alert queue (leaders read; units only see their tickets)."""
        return access.can_act_on_alerts(self.user)


@dataclass(frozen=True)
class PageSpec:
    slug: str  # ?page=<slug>
    title: str
    icon: str
    roles: frozenset[str]
    module: str

    def render(self, ctx: PageContext) -> None:
        import importlib

        importlib.import_module(f"giamsat.dashboard.views.{self.module}").render(ctx)


_READERS = frozenset({"monitor", "leader", "admin"})
_ALL = frozenset({"monitor", "leader", "unit", "admin"})

PAGES: tuple[PageSpec, ...] = (
    PageSpec("diem-tin", "Điểm tin", ":material/newspaper:", _READERS, "briefing"),
    PageSpec("canh-bao", "Cảnh báo", ":material/notifications_active:", _READERS, "alerts"),
    PageSpec("phieu", "Phiếu xử lý", ":material/assignment:", _ALL, "tickets"),
    PageSpec("tim-kiem", "Tìm kiếm", ":material/search:", _ALL, "search"),
    PageSpec("nguon-tin", "Nguồn tin", ":material/rss_feed:", _READERS, "sources"),
    PageSpec("bac-bo", "Tin đã bác bỏ", ":material/block:", _ALL, "claims"),
    PageSpec("quan-tri", "Quản trị", ":material/settings:", frozenset({"admin"}), "admin"),
)


def pages_for(role: str) -> list[PageSpec]:
    return [p for p in PAGES if role in p.roles]


def flash(message: str, kind: str = "success") -> None:
    """Show ``message`` after the next rerun (an action's result survives ``st.rerun``)."""
    st.session_state.setdefault("_flash", []).append((kind, message))


def show_flashes() -> None:
    for kind, message in st.session_state.pop("_flash", []):
        getattr(st, kind, st.info)(message)


def guarded(action: Callable[[], object]) -> object | None:
    """Run a service call; a named error becomes a Vietnamese ``st.error`` instead of a trace."""
    from giamsat.core.errors import GiamsatError
    from giamsat.dashboard.ui import error_message

    try:
        return action()
    except (GiamsatError, ValueError) as exc:  # a bug (anything else) still shows its traceback
        st.error(error_message(exc))
        return None
