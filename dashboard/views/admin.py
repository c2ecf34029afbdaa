"""Quản trị: user accounts (passwords, locks) and a read-only view of the active profile."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from giamsat.core import periods
from giamsat.core.codes import SEVERITIES
from giamsat.core.timeutil import VN_TZ, fmt_date, fmt_datetime
from giamsat.dashboard import auth
from giamsat.dashboard.ui import ROLE_LABELS
from giamsat.dashboard.views import PageContext, flash


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
                "Đơn vị": ctx.profile.unit_name(u.unit) if u.unit else "",
                "Đã đặt mật khẩu": "có" if status["has_password"] or u.password_hash else "chưa",
                "Sai liên tiếp": status["failed_attempts"],
                "Khóa đến": fmt_datetime(status["locked_until"]),  # type: ignore[arg-type]
                "Đăng nhập gần nhất": fmt_datetime(status["last_login"]),  # type: ignore[arg-type]
            }
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption("Danh sách người dùng và vai trò khai báo trong hồ sơ tỉnh (mục users:).")
    names = [u.username for u in ctx.profile.users]
    if not names:
        return
    with st.form("admin_password", clear_on_submit=True):
        st.markdown("**Đặt lại mật khẩu**")
        username = st.selectbox("Người dùng", names, key="admin_user")
        password = st.text_input("Mật khẩu mới", type="password", key="admin_pw")
        confirm = st.text_input("Nhập lại mật khẩu mới", type="password", key="admin_pw2")
        if st.form_submit_button("Đặt mật khẩu"):
            if password != confirm:
                st.error("Hai mật khẩu không khớp.")
            else:
                try:
                    auth.set_password(ctx.store, username, password, actor=ctx.user.username)
                except ValueError as exc:
                    st.error(str(exc))
                else:
                    flash(f"Đã đặt mật khẩu cho {username}.")
                    st.rerun()
    locked = [r["Tên đăng nhập"] for r in rows if r["Khóa đến"]]
    if locked:
        who = st.selectbox("Tài khoản đang bị khóa", locked, key="admin_locked")
        if st.button("Mở khóa", key="admin_unlock"):
            auth.unlock(ctx.store, who, actor=ctx.user.username)
            flash(f"Đã mở khóa {who}.")
            st.rerun()


def _profile(ctx: PageContext) -> None:
    p = ctx.profile
    st.markdown(f"**{p.province.name}** (mã {p.province.code}) — tệp `{p.path}`")
    st.markdown("**Nguồn tin**")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Mã": s.id,
                    "Tên": s.name,
                    "Kiểu": s.type,
                    "Bật": s.enabled,
                    "Chu kỳ (phút)": s.interval_minutes,
                    "URL": s.url,
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
                    "Mã": u.code,
                    "Tên": u.name,
                    "Đầu mối": u.coordinating,
                    "Thay cho (mã cũ)": ", ".join(u.replaces),
                    "Email": u.email,
                    "Căn cứ": u.source or "",
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
                    "Mã": r.id,
                    "Mô tả": r.description,
                    "Chủ trì": p.unit_name(r.lead) if r.lead else "",
                    "Phối hợp": ", ".join(p.unit_name(c) for c in r.co_units),
                    "Căn cứ": r.source or "",
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
                    "Mức độ": sev,
                    "Tiếp nhận": p.deadlines.for_severity(sev).ack_hours,
                    "Trả lời": p.deadlines.for_severity(sev).answer_hours,
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
