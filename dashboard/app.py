"""giamsat dashboard: ``streamlit run dashboard/app.py`` (what ``giamsat dashboard`` runs).

Reads the profile and store from ``GIAMSAT_PROFILE`` / ``GIAMSAT_STORE``. Every page needs a
log-in; the session ends after ``GIAMSAT_SESSION_MINUTES`` (30) idle minutes. The page is chosen
in the sidebar or by ``?page=<slug>`` (``?ticket=<id>`` opens a ticket, ``?alert=<id>`` an alert).
"""

from __future__ import annotations

import streamlit as st

from giamsat.core.errors import GiamsatError, PermissionDenied
from giamsat.core.model import utcnow
from giamsat.core.profile import User
from giamsat.dashboard import auth, resources
from giamsat.dashboard.ui import ROLE_LABELS, error_message
from giamsat.dashboard.views import PageContext, pages_for, show_flashes


def _login_form(profile, store) -> None:
    st.title("Hệ thống giám sát thông tin")
    st.caption(f"{profile.report.issuing_body} — {profile.report.parent_body}")
    with st.form("login"):
        username = st.text_input("Tên đăng nhập", key="login_username")
        password = st.text_input("Mật khẩu", type="password", key="login_password")
        submitted = st.form_submit_button("Đăng nhập")
    if submitted:
        try:
            user = auth.verify_login(profile, store, username, password, utcnow())
        except PermissionDenied as exc:
            st.error(str(exc))
            return
        st.session_state["username"] = user.username
        st.session_state["last_active"] = utcnow()
        st.rerun()


def _current_user(profile) -> User | None:
    username = st.session_state.get("username")
    if not username:
        return None
    now = utcnow()
    user = profile.user(username)
    if user is None or auth.session_expired(st.session_state.get("last_active"), now):
        for key in ("username", "last_active"):
            st.session_state.pop(key, None)
        st.warning(
            f"Phiên làm việc đã hết hạn sau {auth.session_timeout_minutes()} phút không thao tác. "
            "Vui lòng đăng nhập lại."
        )
        return None
    st.session_state["last_active"] = now
    return user


def main() -> None:
    st.set_page_config(page_title="giamsat — Giám sát thông tin", page_icon="📰", layout="wide")
    try:
        profile = resources.get_profile()
        store = resources.get_store()
        triage = resources.get_triage()
    except GiamsatError as exc:
        st.error(f"Không mở được hồ sơ hoặc kho dữ liệu: {error_message(exc)}")
        st.stop()

    user = _current_user(profile)
    if user is None:
        _login_form(profile, store)
        return

    pages = pages_for(user.role)
    slugs = [p.slug for p in pages]
    wanted = st.query_params.get("page")
    if "ticket" in st.query_params and "phieu" in slugs:
        wanted = "phieu"
    elif "alert" in st.query_params and "canh-bao" in slugs:
        wanted = "canh-bao"
    if wanted in slugs and st.session_state.get("_nav_from_url") != wanted:
        st.session_state["nav"] = wanted  # a link (or the back button) chose the page
        st.session_state["_nav_from_url"] = wanted
    if st.session_state.get("nav") not in slugs:
        st.session_state["nav"] = slugs[0]

    with st.sidebar:
        st.markdown(f"**{user.name}**  \n{ROLE_LABELS.get(user.role, user.role)}")
        if user.unit:
            st.caption(profile.unit_name(user.unit))
        slug = st.radio(
            "Trang",
            slugs,
            key="nav",
            format_func=lambda s: next(f"{p.icon} {p.title}" for p in pages if p.slug == s),
        )
        if st.button("Đăng xuất"):
            st.session_state.clear()
            st.query_params.clear()
            st.rerun()
        st.caption(f"Hồ sơ: {profile.province.name}")

    page = next(p for p in pages if p.slug == slug)
    if wanted and wanted not in slugs:
        st.error("Bạn không có quyền mở trang này.")
    if st.query_params.get("page") != slug:
        st.query_params["page"] = slug
        st.session_state["_nav_from_url"] = slug
    for param, owner in (("ticket", "phieu"), ("alert", "canh-bao")):
        if slug != owner and param in st.query_params:
            del st.query_params[param]
    show_flashes()
    page.render(
        PageContext(profile=profile, store=store, triage=triage, user=user, now=utcnow(), uri=store.uri)
    )


main()
