"""Every item page, for every role, through the real app (Streamlit AppTest) on a real store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest
from support.dashtest import PASSWORD, USERS, login, shown, texts

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
        "Sai sự thật, xấu độc",
        "Mức khẩn, cao",
    }
    assert int(metrics["Tổng số tin"].replace(".", "")) > 0
    at.selectbox(key="brief_range").set_value(30).run()
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Tổng số tin"].replace(".", "")) == 240  # all fixture items are in the last 10 days
    negative = dict(dash_store.facet("sentiment", Query()))["tieu-cuc"]
    assert int(metrics["Tin tiêu cực"]) == negative
    page = texts(at)
    # a share is written as a share, a change as a change
    assert "chiếm " in page and "% tổng số tin" in page
    assert all(not m.delta or m.delta[0] in "+-0" for m in at.metric), [m.delta for m in at.metric]
    assert "Sự kiện nổi bật trong kỳ" in page and "https://" in "".join(m.value for m in at.markdown)
    assert "Xã, phường được nhắc đến nhiều" in page and "Kết quả xử lý phiếu theo đơn vị" in page
    assert "rủi ro 0," not in page  # no raw scores on the leader's page
    # volume by day, by hour, sentiment share, channels, topics, wards
    assert len(at.get("vega_lite_chart")) == 6
    assert "dd/mm" not in page and "/20" in page  # dates are dd/mm/yyyy
    # five lines first
    lines = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert lines and lines[0].count("\n") == 4


def test_search_without_diacritics_and_filters(open_app, dash_store) -> None:
    at = open_app(USERS["monitor"], page="tim-kiem")
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


def test_a_unit_searches_only_its_own_matters(open_app, dash_store) -> None:
    """The audit's case: the land unit searched and read another unit's tip with its risk and category."""
    from giamsat.core.profile import load_profile
    from giamsat.triage.service import Triage

    profile = load_profile("khanh-hoa")
    triage = Triage(profile, dash_store)
    monitor = profile.user(USERS["monitor"])
    alerts = triage.list_alerts(monitor, status=["mo"], limit=1000)
    mine = triage.confirm(monitor, alerts[0].id, lead="so-nnmt")
    theirs = triage.confirm(monitor, alerts[1].id, lead="cong-an")
    at = open_app(USERS["unit"], page="tim-kiem")
    at.date_input(key="q_dates").set_value((utcnow().date() - timedelta(days=12), utcnow().date())).run()
    assert _count(at) == len(set(mine.item_ids))
    page = texts(at)
    for item in dash_store.get_items(theirs.item_ids):
        if item.id not in mine.item_ids:
            assert item.title not in page
    # the same scope holds in the data layer for every read path
    unit = profile.user(USERS["unit"])
    q = Query()
    assert triage.count_items(unit, q) == len(set(mine.item_ids))
    assert {i.id for i in triage.iter_items(unit, q)} == set(mine.item_ids)
    assert sum(n for _, n in triage.facet_items(unit, "source_id", q)) == len(set(mine.item_ids))
    assert sum(n for _, n in triage.histogram_items(unit, q)) == len(set(mine.item_ids))
    assert {s.story_id for s in triage.top_stories(unit, q)} <= {alerts[0].story_id}
    assert triage.read_items(unit, theirs.item_ids) == [
        i for i in triage.read_items(unit, theirs.item_ids) if i.id in mine.item_ids
    ]
    other = profile.user(USERS["unit2"])
    assert triage.count_items(other, q) == len(set(theirs.item_ids))


def _count(at: AppTest) -> int:
    line = next(m.value for m in at.markdown if m.value.startswith("**") and " tin từ " in m.value)
    return int(line.split("**")[1].replace(".", ""))


def test_sources_page_shows_health(open_app) -> None:
    at = open_app(USERS["monitor"], page="nguon-tin")
    frame = at.dataframe[0].value
    row = frame[frame["Nguồn"] == "Tuổi Trẻ"].iloc[0]
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
    assert any("Đã đặt mật khẩu cho Vũ Thị G" in shown(s.value) for s in at.success)
    assert "khanh-hoa.yaml" in texts(at)
    deadlines = next(t for t in tables if "Tiếp nhận" in t.columns)
    assert "None" not in texts(at) and "khan" not in set(deadlines["Mức độ"])
    yte = login(open_app(page="phieu"), "yte", "mat-khau-moi-yte")
    assert not yte.exception and not yte.error
    assert yte.sidebar.markdown[0].value.startswith("**Vũ Thị G")


def test_idle_session_expires(open_app) -> None:
    at = open_app(USERS["monitor"], page="tim-kiem")
    at.session_state["last_active"] = utcnow() - timedelta(minutes=31)
    at.run()
    assert any("kết thúc" in w.value for w in at.warning)
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
