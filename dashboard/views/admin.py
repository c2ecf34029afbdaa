"""Quản trị: user accounts (passwords, locks) and a read-only view of the active profile, in
words a person reads (names, Vietnamese labels, "có/không", decimal commas)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from giamsat.core import periods
from giamsat.core.codes import SEVERITIES, SEVERITY_LABELS
from giamsat.core.timeutil import VN_TZ, fmt_date, fmt_datetime, fmt_number
from giamsat.dashboard import auth, safe
from giamsat.dashboard.ui import ROLE_LABELS
from giamsat.dashboard.views import PageContext, flash

SOURCE_TYPES = {
    "rss": "RSS/Atom",
    "site": "Trang tin",
    "social-import": "Tệp nhập mạng xã hội",
    "youtube": "YouTube",
    "facebook": "Facebook",
    "forum": "Diễn đàn",
    "telegram": "Telegram",
    "tip": "Tin báo",
}
TIERS = {
    "chinh-thong": "Chính thống",
    "uy-tin": "Uy tín",
    "chua-xac-minh": "Chưa xác minh",
    "doi-tuong-xau": "Đối tượng xấu",
}


def _hours(value: float | None) -> str:
    return fmt_number(value, 0 if float(value).is_integer() else 1) if value is not None else "không áp dụng"


def yes_no(value: object) -> str:
    return "có" if value else "không"


def render(ctx: PageContext) -> None:
    st.header(":material/settings: Quản trị")
    users_tab, profile_tab = st.tabs(["Người dùng", "Hồ sơ đang dùng"])
    with users_tab:
        _users(ctx)
    with profile_tab:
        _profile(ctx)


def _users(ctx: PageContext) -> None:
    rows = []
    for u in ctx.profile.users:
        status = auth.account_status(ctx.store, u.username, ctx.now)
        rows.append(
            {
                "Tên đăng nhập": u.username,
                "Họ tên": u.name,
                "Vai trò": ROLE_LABELS.get(u.role, u.role),
                "Đơn vị": ctx.unit_name(u.unit) if u.unit else "—",
                "Đã đặt mật khẩu": yes_no(status["has_password"] or u.password_hash),
                "Lần thử trong 15 phút": status["failed_attempts"],
                "Đang khóa": ("có (quản trị khóa)" if status["disabled"] else "có")
                if status["locked"]
                else "không",
                "Đăng nhập gần nhất": fmt_datetime(status["last_login"]) or "—",  # type: ignore[arg-type]
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption("Danh sách người dùng và vai trò khai báo trong hồ sơ tỉnh (mục users:).")
    names = [u.username for u in ctx.profile.users]
    if not names:
        return

    def who(name: str) -> str:
        return f"{ctx.person(name)} ({name})"

    with st.form("admin_password", clear_on_submit=True):
        st.markdown("**Đặt lại mật khẩu** (các phiên đang mở của người dùng sẽ kết thúc)")
        username = st.selectbox("Người dùng", names, key="admin_user", format_func=who)
        password = st.text_input("Mật khẩu mới", type="password", key="admin_pw")
        confirm = st.text_input("Nhập lại mật khẩu mới", type="password", key="admin_pw2")
        if st.form_submit_button("Đặt mật khẩu"):
            if password != confirm:
                st.error("Hai mật khẩu không khớp.")
            else:
                try:
                    auth.set_password(ctx.store, str(username), password, actor=ctx.user.username)
                except ValueError as exc:
                    st.error(str(exc))
                else:
                    flash(f"Đã đặt mật khẩu cho {safe.md(who(str(username)))}.")
                    st.rerun()
    c1, c2 = st.columns(2)
    with c1.form("admin_lock"):
        st.markdown("**Khóa tài khoản** (kết thúc mọi phiên đang mở)")
        target = st.selectbox(
            "Người dùng", [n for n in names if n != ctx.user.username], key="admin_lock_user", format_func=who
        )
        if st.form_submit_button("Khóa") and target:
            auth.lock(ctx.store, str(target), actor=ctx.user.username)
            flash(f"Đã khóa {safe.md(who(str(target)))}.")
            st.rerun()
    locked = [str(r["Tên đăng nhập"]) for r in rows if r["Đang khóa"] != "không"]
    with c2.form("admin_unlock"):
        st.markdown("**Mở khóa tài khoản**")
        if not locked:
            st.caption("Không có tài khoản nào đang khóa.")
        unlock_target = st.selectbox(
            "Người dùng", locked, key="admin_locked", format_func=who, placeholder="—"
        )
        if st.form_submit_button("Mở khóa", disabled=not locked) and unlock_target:
            auth.unlock(ctx.store, str(unlock_target), actor=ctx.user.username)
            flash(f"Đã mở khóa {safe.md(who(str(unlock_target)))}.")
            st.rerun()


def _profile(ctx: PageContext) -> None:
    p = ctx.profile
    st.markdown(
        f"**{safe.md(p.province.name)}** (mã {safe.md(p.province.code)}) — tệp `{safe.plain(p.path)}`"
    )
    st.markdown("**Nguồn tin**")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Tên": s.name or s.id,
                    "Kiểu": SOURCE_TYPES.get(s.type, s.type),
                    "Độ tin cậy": TIERS.get(s.tier, s.tier),
                    "Đang bật": yes_no(s.enabled),
                    "Chu kỳ (phút)": fmt_number(s.interval_minutes, 1 if s.interval_minutes % 1 else 0),
                    "Địa chỉ": s.url,
                }
                for s in p.sources
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.markdown("**Đơn vị**")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Mã": u.code,  # what the profile file and `giamsat units` use
                    "Tên": u.name,
                    "Tên ngắn": u.short or "—",
                    "Đầu mối": yes_no(u.coordinating),
                    "Thay cho (mã cũ)": ", ".join(u.replaces) or "—",
                    "Thư điện tử": u.email or "—",
                    "Căn cứ": u.source or "—",
                }
                for u in p.units
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.markdown("**Quy tắc điều phối** (xét theo thứ tự)")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Quy tắc": r.description,
                    "Chủ trì": ctx.unit_name(r.lead) if r.lead else "—",
                    "Phối hợp": ", ".join(ctx.unit_name(c) for c in r.co_units) or "—",
                    "Thêm UBND xã, phường nêu trong tin": yes_no(r.add_ward_units),
                    "Căn cứ": r.source or "—",
                }
                for r in p.routing.rules
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.markdown("**Thời hạn xử lý** (giờ)")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Mức độ": SEVERITY_LABELS[sev],
                    "Tiếp nhận": _hours(p.deadlines.for_severity(sev).ack_hours),
                    "Trả lời": _hours(p.deadlines.for_severity(sev).answer_hours),
                }
                for sev in SEVERITIES
            ]
        ),
        hide_index=True,
    )
    if p.deadlines.source:
        st.caption(f"Căn cứ: {p.deadlines.source}")
    st.markdown("**Lịch báo cáo** (kỳ tới hạn gần nhất)")
    today = ctx.now.astimezone(VN_TZ).date()
    rows = []
    for sched in p.report_calendar:
        nxt = periods.next_due(sched.cycle, today)
        rows.append(
            {
                "Mã": sched.id,
                "Báo cáo": sched.name,
                "Loại": periods.KIND_LABELS.get(sched.kind, sched.kind),
                "Kỳ": f"{fmt_date(nxt.start)} - {fmt_date(nxt.end)}" if nxt else "theo vụ việc",
                "Hạn nộp": fmt_date(nxt.due) if nxt and nxt.due else "",
                "Nhắc trước (ngày)": ", ".join(map(str, sched.remind_days)),
                "Căn cứ": sched.source or "",
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if p.path and Path(p.path).exists():
        with st.expander("Nội dung tệp hồ sơ (chỉ xem)"):
            st.code(Path(p.path).read_text(encoding="utf-8"), language="yaml")
