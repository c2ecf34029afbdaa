"""giamsat dashboard: ``streamlit run dashboard/app.py`` (what ``giamsat dashboard`` runs).

Reads the profile and store from ``GIAMSAT_PROFILE`` / ``GIAMSAT_STORE``. Every page needs a
log-in. The session is a signed token (``auth.start_session``) kept in a cookie, so a reload or a
link opened in a new tab stays logged in; it ends at log-out, after ``GIAMSAT_SESSION_MINUTES``
(30) idle minutes, after ``auth.SESSION_MAX_HOURS``, or when the password changes or the account
is locked. The page is chosen in the sidebar or by ``?page=<slug>`` (``?ticket=<id>`` opens a
ticket, ``?alert=<id>`` an alert).
"""

from __future__ import annotations

import re

import streamlit as st

from giamsat.core.errors import GiamsatError, PermissionDenied
from giamsat.core.model import utcnow
from giamsat.core.profile import Profile, User
from giamsat.dashboard import auth, resources, safe
from giamsat.dashboard.ui import ROLE_LABELS, error_message
from giamsat.dashboard.views import PageContext, pages_for, show_flashes
from giamsat.storage.base import Store

COOKIE = "giamsat_phien"
_TOKEN = re.compile(r"^[A-Za-z0-9_.\-]{20,512}$")

# Runs in a same-origin component frame: the page's language is Vietnamese (date pickers read
# it: Vietnamese month and day names, weeks from Monday) and the session cookie is set/cleared.
_SHIM = """<script>
(function () {
  var w = window.parent;
  try {
    w.document.documentElement.lang = "vi";
    var nav = Object.getPrototypeOf(w.navigator);
    Object.defineProperty(nav, "language", {get: function () { return "vi-VN"; }, configurable: true});
    Object.defineProperty(nav, "languages", {get: function () { return ["vi-VN", "vi"]; }, configurable: true});
    w.dispatchEvent(new Event("languagechange"));
    // Streamlit's own keyboard "skip" link is English; say it in Vietnamese
    var tries = 0, skip = setInterval(function () {
      w.document.querySelectorAll("a").forEach(function (a) {
        if (a.textContent.trim() === "Skip to main content") a.textContent = "Chuyển đến nội dung chính";
      });
      if (++tries > 20) clearInterval(skip);
    }, 500);
  } catch (e) {}
  %s
})();
</script>"""


def _cookie_js(token: str | None) -> str:
    if token is None:
        return f'w.document.cookie = "{COOKIE}=; path=/; max-age=0; SameSite=Strict";'
    age = auth.SESSION_MAX_HOURS * 3600
    return f'w.document.cookie = "{COOKIE}={token}; path=/; max-age={age}; SameSite=Strict";'


def _shim(token: str | None, clear: bool = False) -> None:
    js = _cookie_js(None) if clear else (_cookie_js(token) if token and _TOKEN.match(token) else "")
    with st.sidebar:
        st.iframe(_SHIM % js, height=1)


def _address() -> str | None:
    try:
        return st.context.ip_address
    except Exception:  # not served over HTTP (tests): no address to throttle on
        return None


def _login_form(profile: Profile, store: Store) -> None:
    st.title("Hệ thống giám sát thông tin")
    st.caption(f"{profile.report.issuing_body} — {profile.report.parent_body}")
    with st.form("login"):
        username = st.text_input("Tên đăng nhập", key="login_username")
        password = st.text_input("Mật khẩu", type="password", key="login_password")
        submitted = st.form_submit_button("Đăng nhập", type="primary")
    if submitted:
        try:
            user = auth.verify_login(profile, store, username, password, utcnow(), address=_address())
        except PermissionDenied as exc:
            st.error(str(exc))
            return
        _enter(store, user)
        st.rerun()


def _enter(store: Store, user: User) -> None:
    st.session_state["username"] = user.username
    st.session_state["last_active"] = utcnow()
    st.session_state["token"] = auth.start_session(store, user.username)


def _current_user(profile: Profile, store: Store) -> User | None:
    now = utcnow()
    username = st.session_state.get("username")
    if not username:
        # A reload or a new tab: the signed cookie brings the session back.
        token = st.context.cookies.get(COOKIE)
        if token and token != st.session_state.get("_ended"):
            user = auth.resume_session(profile, store, token, now)
            if user is not None:
                st.session_state.update(username=user.username, last_active=now, token=token)
                return user
        return None
    user = profile.user(username)
    token = st.session_state.get("token")
    if (
        user is None
        or auth.session_expired(st.session_state.get("last_active"), now)
        or auth.resume_session(profile, store, token, now) is None
    ):
        _forget(store)
        st.warning(
            f"Phiên làm việc đã kết thúc (quá {auth.session_timeout_minutes()} phút không thao tác, "
            "hoặc mật khẩu đã đổi, hoặc tài khoản bị khóa). Vui lòng đăng nhập lại."
        )
        return None
    st.session_state["last_active"] = now
    return user


def _forget(store: Store) -> None:
    token = st.session_state.get("token")
    auth.end_session(store, token)
    st.session_state.clear()
    st.session_state["_ended"] = token  # the browser may still send it until the cookie is cleared
    st.session_state["_clear_cookie"] = True


def main() -> None:
    st.set_page_config(
        page_title="giamsat — Giám sát thông tin", page_icon="📰", layout="wide", menu_items={}
    )
    try:
        profile = resources.get_profile()
        store = resources.get_store()
        triage = resources.get_triage()
    except GiamsatError as exc:
        st.error(safe.md(f"Không mở được hồ sơ hoặc kho dữ liệu: {error_message(exc)}", limit=600))
        st.stop()

    user = _current_user(profile, store)
    if user is None:
        _shim(None, clear=bool(st.session_state.pop("_clear_cookie", False)))
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
        st.markdown(f"**{safe.md(user.name)}**  \n{ROLE_LABELS.get(user.role, user.role)}")
        if user.unit:
            st.caption(safe.md(profile.unit_name(user.unit)))
        slug = st.radio(
            "Trang",
            slugs,
            key="nav",
            format_func=lambda s: next(f"{p.icon} {p.title}" for p in pages if p.slug == s),
        )
        if st.button("Đăng xuất", icon=":material/logout:"):
            _forget(store)
            st.query_params.clear()
            st.rerun()
        st.caption(f"Hồ sơ: {safe.md(profile.province.name)}")
    _shim(st.session_state.get("token"))

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
        PageContext(
            profile=profile,
            store=store,
            triage=triage,
            user=user,
            now=utcnow(),
            uri=store.uri,
            profile_name=resources.profile_name(),
        )
    )


main()
