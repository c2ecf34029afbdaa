"""The dashboard's pages. Each module has ``render(ctx: PageContext)``; ``PAGES`` lists them with
the roles allowed to open them (the data layer still checks every action and every read itself)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import streamlit as st

from giamsat.core.errors import GiamsatError
from giamsat.core.profile import Profile, User
from giamsat.dashboard import safe
from giamsat.dashboard.ui import error_message
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
    uri: str  # store URI: part of the cache key of the aggregate queries
    profile_name: str = ""

    @property
    def can_act(self) -> bool:
        """Roles that work the alert queue (leaders read; units only see their tickets)."""
        return access.can_act_on_alerts(self.user)

    @property
    def who(self) -> tuple[str, str, str]:
        """Cache key of a scoped query: the same filters read by two roles are two results."""
        return (self.uri, self.profile_name, self.user.username)

    def unit_name(self, code: str | None) -> str:
        return self.profile.unit_name(code) if code else "—"

    def person(self, username: str | None) -> str:
        """A user's full name for people to read (the username when the profile has none)."""
        if not username:
            return "—"
        if username == "he-thong":
            return "Hệ thống"
        u = self.profile.user(username)
        return u.name if u and u.name else username

    def source_name(self, source_id: str | None) -> str:
        s = self.profile.source(source_id) if source_id else None
        return (s.name or s.id) if s else (source_id or "—")

    def topic_name(self, code: str) -> str:
        t = self.profile.topic(code)
        return t.name if t else code


@dataclass(frozen=True)
class PageSpec:
    slug: str  # ?page=<slug>
    title: str
    icon: str
    roles: frozenset[str]
    module: str

    def render(self, ctx: PageContext) -> None:
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

# Placeholders of selection widgets: Streamlit's own are English ("Choose options").
CHOOSE = "Chọn…"
CHOOSE_MANY = "Chọn một hay nhiều mục"
NO_OPTIONS = "Không có mục nào để chọn"


def choose(options: list[Any] | tuple[Any, ...]) -> str:
    return CHOOSE_MANY if options else NO_OPTIONS


def pages_for(role: str) -> list[PageSpec]:
    return [p for p in PAGES if role in p.roles]


def flash(message: str, kind: str = "success", place: str = "top") -> None:
    """Show ``message`` after the next rerun at ``place`` (where the person was looking: the
    alert detail, the ticket, the top of the page). ``message`` is Markdown: escape what comes
    from outside with ``safe.md``."""
    st.session_state.setdefault("_flash", []).append((place, kind, message))


def show_flashes(place: str = "top") -> None:
    keep = []
    for where, kind, message in st.session_state.pop("_flash", []):
        if where == place:
            getattr(st, kind, st.info)(message)
        else:
            keep.append((where, kind, message))
    if keep:
        st.session_state["_flash"] = keep


def guarded(action: Callable[[], object]) -> object | None:
    """Run a service call; a named error becomes a Vietnamese ``st.error`` instead of a trace."""
    try:
        return action()
    except (GiamsatError, ValueError) as exc:  # a bug (anything else) still shows its traceback
        st.error(safe.md(error_message(exc), limit=600))
        return None
