"""Every item page, for every role, through the real app (Streamlit AppTest) on a real store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest
from support.dashtest import PASSWORD, USERS, login, texts

from giamsat.core.model import utcnow
from giamsat.storage.base import Query

ROLE_PAGES = {
    "monitor": ["diem-tin", "canh-bao", "phieu", "tim-kiem", "nguon-tin", "bac-bo"],
    "leader": ["diem-tin", "canh-bao", "phieu", "tim-kiem", "nguon-tin", "bac-bo"],
    "unit": ["phieu", "tim-kiem", "bac-bo"],
    "admin": ["diem-tin", "canh-bao", "phieu", "tim-kiem", "nguon-tin", "bac-bo", "quan-tri"],
}
PAGE_HEADERS = {
    "diem-tin": "Điểm tin",
    "canh-bao": "Cảnh báo",
    "phieu": "Phiếu xử lý",
    "tim-kiem": "Tìm kiếm",
    "nguon-tin": "Nguồn tin",
    "bac-bo": "Tin đã bác bỏ",
    "quan-tri": "Quản trị",
}


def test_login_is_required_and_a_wrong_password_is_refused(open_app) -> None:
    at = open_app(page="tim-kiem")
    assert "Đăng nhập" in [b.label for b in at.button]
    assert not at.header  # no page content before log-in
    login(at, "giamsat1", "sai-mat-khau")
    assert [e.value for e in at.error] == ["Tên đăng nhập hoặc mật khẩu không đúng."]
    login(at, "nguoi-la", "sai-mat-khau")
    assert [e.value for e in at.error] == ["Tên đăng nhập hoặc mật khẩu không đúng."]
    login(at, "giamsat1", PASSWORD)
    assert not at.error
    assert "Tìm kiếm" in at.header[0].value  # ?page= is honoured after logging in


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_each_role_sees_and_opens_its_pages(open_app, role: str) -> None:
    at = open_app(USERS[role])
    nav = at.sidebar.radio(key="nav")
    assert list(nav.options) == [
        f"{icon} {PAGE_HEADERS[s]}" for s, icon in zip(ROLE_PAGES[role], _icons(role), strict=True)
    ]
    for slug in ROLE_PAGES[role]:
        at.sidebar.radio(key="nav").set_value(slug).run()
        assert not at.exception, (slug, at.exception)
        assert PAGE_HEADERS[slug] in at.header[0].value
        assert at.query_params["page"] == [slug] or at.query_params["page"] == slug


def _icons(role: str) -> list[str]:
    from giamsat.dashboard.views import pages_for

    return [p.icon for p in pages_for(role)]


def test_a_page_outside_the_role_is_refused(open_app) -> None:
    at = open_app(USERS["unit"], page="quan-tri")
    assert "Bạn không có quyền mở trang này." in [e.value for e in at.error]
    assert "Phiếu xử lý" in at.header[0].value


def test_briefing_shows_kpis_charts_topics_localities_and_stories(open_app, dash_store) -> None:
    at = open_app(USERS["leader"])
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) >= {
        "Tổng số tin",
        "Tin tiêu cực",
        "Phản ánh",
        "Sai sự thật",
        "Xấu, độc",
        "Rủi ro khẩn/cao",
    }
    assert int(metrics["Tổng số tin"].replace(".", "")) > 0
    at.selectbox(key="brief_range").set_value(30).run()
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Tổng số tin"].replace(".", "")) == 240  # all fixture items are in the last 10 days
    negative = dict(dash_store.facet("sentiment", Query()))["tieu-cuc"]
    assert int(metrics["Tin tiêu cực"]) == negative  # summed from the daily chart counts
    page = texts(at)
    assert "Sự kiện nổi bật" in page and "https://" in page  # stories link to their first item
    assert "Địa bàn được nhắc đến nhiều" in page
    assert len(at.get("vega_lite_chart")) == 2  # volume/sentiment and topics
    assert at.dataframe[0].value["Địa bàn"].tolist()[0] in {
        "Nha Trang",
        "Cam Ranh",
        "Ninh Hòa",
        "Diên Khánh",
        "Vạn Ninh",
        "Cam Lâm",
        "Phan Rang",
        "Trường Sa",
        "Khánh Vĩnh",
        "Ninh Hải",
    }
    assert "dd/mm" not in page and "/20" in page  # dates are dd/mm/yyyy


def test_search_without_diacritics_and_filters(open_app, dash_store) -> None:
    at = open_app(USERS["unit"], page="tim-kiem")
    at.date_input(key="q_dates").set_value((utcnow().date() - timedelta(days=12), utcnow().date())).run()
    all_count = _count(at)
    at.text_input(key="q_text").input("khai thac cat").run()
    plain = _count(at)
    at.text_input(key="q_text").input("khai thác cát").run()
    assert _count(at) == plain > 0
    assert "tàu hút cát" in texts(at)
    at.multiselect(key="q_cat").select("phan-anh").run()
    filtered = _count(at)
    assert 0 < filtered < plain < all_count
    assert "Phản ánh" in texts(at)
    assert at.get("download_button")  # CSV export offered (streamed on click)
    at.text_input(key="q_text").input("khongcotunay").run()
    assert "Không có tin nào khớp điều kiện tìm kiếm." in [i.value for i in at.info]


def _count(at: AppTest) -> int:
    line = next(m.value for m in at.markdown if m.value.startswith("**") and " tin từ " in m.value)
    return int(line.split("**")[1].replace(".", ""))


def test_sources_page_shows_health(open_app) -> None:
    at = open_app(USERS["monitor"], page="nguon-tin")
    frame = at.dataframe[0].value
    row = frame[frame["Mã"] == "tuoitre"].iloc[0]
    assert row["Trạng thái"] == "🔴 Lỗi" and row["Số lần lỗi liên tiếp"] == 4
    assert "HTTP 503" in row["Lỗi gần nhất"]
    assert "Nguồn gặp sự cố: Tuổi Trẻ" in [w.value for w in at.warning]


def test_claims_registry_add_and_read(open_app, dash_store) -> None:
    at = open_app(USERS["monitor"], page="bac-bo")
    at.text_area(key="claim_text").input("Khánh Hòa sắp thu hồi toàn bộ đất ven biển Cam Ranh")
    at.text_area(key="claim_answer").input("Sở NN&MT khẳng định không có chủ trương này.")
    at.text_input(key="claim_url").input("https://khanhhoa.gov.vn/dinh-chinh")
    at.button(key="FormSubmitter:claim_add-Lưu").click().run()
    assert not at.exception
    assert any("Đã thêm tin đã bác bỏ" in s.value for s in at.success)
    assert "thu hồi toàn bộ đất ven biển" in texts(at)
    # a unit user reads the registry but has no form
    unit = open_app(USERS["unit"], page="bac-bo")
    assert "thu hồi toàn bộ đất ven biển" in texts(unit)
    assert not unit.get("text_area")


def test_admin_sets_a_password_and_sees_the_profile(open_app, dash_store) -> None:
    at = open_app(USERS["admin"], page="quan-tri")
    users = at.dataframe[0].value
    assert "lanhdao" in users["Tên đăng nhập"].tolist()
    tables = [d.value for d in at.dataframe]
    units = next(t for t in tables if "Thay cho (mã cũ)" in t.columns)
    nnmt = units[units["Mã"] == "so-nnmt"].iloc[0]
    assert nnmt["Thay cho (mã cũ)"] == "so-tnmt, so-nnptnt" and "45/2025" in nnmt["Căn cứ"]
    calendar = next(t for t in tables if "Hạn nộp" in t.columns)
    assert "nam-truyen-thong-chinh-sach" in calendar["Mã"].tolist()
    at.selectbox(key="admin_user").set_value("yte")
    at.text_input(key="admin_pw").input("mat-khau-moi-yte")
    at.text_input(key="admin_pw2").input("mat-khau-moi-yte")
    at.button(key="FormSubmitter:admin_password-Đặt mật khẩu").click().run()
    assert any("Đã đặt mật khẩu cho yte" in s.value for s in at.success)
    assert "khanh-hoa.yaml" in texts(at)
    yte = login(open_app(page="phieu"), "yte", "mat-khau-moi-yte")
    assert not yte.exception and not yte.error
    assert yte.sidebar.markdown[0].value.startswith("**Vũ Thị G")


def test_idle_session_expires(open_app) -> None:
    at = open_app(USERS["monitor"], page="tim-kiem")
    at.session_state["last_active"] = utcnow() - timedelta(minutes=31)
    at.run()
    assert any("hết hạn" in w.value for w in at.warning)
    assert "Đăng nhập" in [b.label for b in at.button]


def test_logout(open_app) -> None:
    at = open_app(USERS["leader"])
    at.sidebar.button[0].click().run()
    assert "Đăng nhập" in [b.label for b in at.button]


def test_briefing_opens_on_the_latest_day_with_items(open_app, dash_store) -> None:
    from giamsat.core.model import utcnow
    from giamsat.core.timeutil import local_day_bounds, to_local

    start_of_today, _ = local_day_bounds(to_local(utcnow()).date())
    with dash_store.transaction() as db:  # nothing has arrived yet today
        db.execute("DELETE FROM items WHERE ts >= ?", (start_of_today.isoformat(timespec="seconds"),))
    at = open_app(USERS["leader"], page="diem-tin")
    assert any("ngày gần nhất có dữ liệu" in i.value for i in at.info)
    assert at.metric[0].value != "0"
