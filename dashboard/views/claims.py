"""Tin đã bác bỏ: the registry of debunked claims (``nlp.claims``, collection ``claims``) that
new items are matched against. Monitors and admins add or withdraw; everyone may read."""

from __future__ import annotations

import streamlit as st

from giamsat.core.model import parse_dt
from giamsat.core.timeutil import fmt_datetime
from giamsat.dashboard import safe
from giamsat.dashboard.views import PageContext, flash, guarded
from giamsat.nlp.claims import ACTIVE


def render(ctx: PageContext) -> None:
    st.header(":material/block: Tin đã bác bỏ")
    st.caption(
        "Thông tin sai sự thật đã được cơ quan chức năng đính chính; tin mới được tự động đối chiếu với danh sách này."
    )
    if ctx.can_act:
        with st.expander("Thêm tin đã bác bỏ"), st.form("claim_add", clear_on_submit=True):
            text = st.text_area("Nội dung tin sai", key="claim_text")
            answer = st.text_area("Thông tin đính chính chính thức", key="claim_answer")
            url = st.text_input("Đường dẫn văn bản/bài đính chính", key="claim_url")
            source = st.text_input("Cơ quan đính chính", key="claim_source")
            if st.form_submit_button("Lưu"):
                url = url.strip()
                if url and safe.safe_url(url) is None:
                    st.error("Đường dẫn phải bắt đầu bằng http:// hoặc https://")
                else:
                    saved = guarded(
                        lambda: ctx.triage.add_claim(
                            ctx.user, text, answer, url or None, source.strip() or None
                        )
                    )
                    if saved:
                        flash(f"Đã thêm tin đã bác bỏ #{safe.md(saved['id'])}.")  # type: ignore[index]
                        st.rerun()
    c1, c2 = st.columns([3, 1])
    query = c1.text_input("Lọc theo nội dung", key="claim_filter").strip().lower()
    include_withdrawn = c2.checkbox("Gồm cả tin đã thu hồi", key="claim_all")
    docs = ctx.triage.list_claims(ctx.user, include_withdrawn=include_withdrawn)
    if query:
        docs = [d for d in docs if query in f"{d.get('text', '')} {d.get('answer', '')}".lower()]
    st.markdown(f"**{len(docs)}** tin đã bác bỏ")
    for d in docs[:200]:
        with st.container(border=True):
            withdrawn = d.get("status", ACTIVE) != ACTIVE
            st.markdown(
                f"**#{safe.md(d.get('id'))}**{' (đã thu hồi)' if withdrawn else ''} — "
                f"{safe.md(d.get('text', ''), 2000)}"
            )
            st.markdown(f"✅ Đính chính: {safe.md(d.get('answer', ''), 4000)}")
            meta = [
                f"Ghi nhận lúc {fmt_datetime(parse_dt(d.get('created')))}",
                f"người nhập: {safe.md(ctx.person(d.get('created_by')))}",
            ]
            if d.get("source"):
                meta.append(f"cơ quan đính chính: {safe.md(d['source'])}")
            st.caption(" · ".join(meta))
            if d.get("answer_url"):
                st.markdown(safe.link("Văn bản đính chính", d["answer_url"]))
            withdraw = ctx.can_act and not withdrawn and st.button("Thu hồi", key=f"claim_withdraw_{d['id']}")
            if withdraw:
                _withdraw(ctx, str(d["id"]))
    if len(docs) > 200:
        st.caption(f"Hiển thị 200/{len(docs)}; dùng ô lọc để thu hẹp.")


def _withdraw(ctx: PageContext, claim_id: str) -> None:
    if guarded(lambda: ctx.triage.withdraw_claim(ctx.user, claim_id)):
        flash(f"Đã thu hồi #{safe.md(claim_id)}.")
        st.rerun()
