"""Stance: an item that answers a claim is the answer, not the problem (nlp/stance.py).

Sentences are from real Baomoi and ReINTEL items of the gold *train* split and public sets
(shortened), plus the traps the patterns must not fall into."""

from __future__ import annotations

import pytest

from giamsat.nlp.stance import detect_stance


@pytest.mark.parametrize(
    "text",
    [
        "Thông tin vỡ hồ chứa bùn đỏ tại Nhà máy Alumin Nhân Cơ là không đúng sự thật",
        "Bộ trưởng Bộ Tài nguyên và Môi trường lên tiếng về vụ nổ tại Formosa: sự cố không nguy hiểm.",
        "Liên quan đến sự việc bé gái bị bỏ quên trong trường mầm non, cô giáo lên tiếng phủ nhận.",
        "Tuy nhiên, tất cả đã ngỡ ngàng sau khi biết đó là tin giả.",
        "Giám đốc Sở Y tế khẳng định thông tin đó là không đúng.",
        "Xin trả lời nhanh rằng: Thông tin này không đúng!",
        "thong tin so tan toan bo nha trang la sai su that, nguoi dan khong nen hoang mang",
    ],
)
def test_denials_and_official_answers(text: str) -> None:
    assert detect_stance(text).label == "bac-bo", text


@pytest.mark.parametrize(
    "text",
    [
        # "không thể phủ nhận" (undeniable) is no denial
        "Không thể phủ nhận, bóng đá Việt Nam đã thay đổi nhiều từ khi chuyển sang chuyên nghiệp.",
        # folded, "phủ nhận" is "phu nhân" (wife)
        "phu nhan ong chu tich den tham truong hoc o cam ranh",
        "Bệnh viện lên tiếng: share gấp cho mọi người, nghe nói nước máy nhiễm độc!",
    ],
)
def test_not_denials(text: str) -> None:
    assert detect_stance(text).label != "bac-bo", text
