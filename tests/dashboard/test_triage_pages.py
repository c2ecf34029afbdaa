"""Alert queue and ticket pages through the real app and the real triage service."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from support.dashtest import USERS, login, texts

from giamsat.core.profile import load_profile
from giamsat.triage.service import Triage


def _triage(store) -> Triage:
    return Triage(load_profile("khanh-hoa"), store)


def _monitor():
    return load_profile("khanh-hoa").user(USERS["monitor"])


def _open_alerts(store) -> list:
    return _triage(store).list_alerts(_monitor(), status=["mo"], limit=1000)


def test_alert_queue_is_sorted_by_risk_and_filters(open_app, dash_store) -> None:
    at = open_app(USERS["monitor"], page="canh-bao")
    table = at.dataframe[0].value
    risks = table["Rủi ro"].tolist()
    assert risks == sorted(risks, reverse=True) and len(risks) == len(_open_alerts(dash_store))
    at.multiselect(key="al_sev").select("khan").run()
    severities = set(at.dataframe[0].value["Mức độ"])
    assert severities == {"🔴 Khẩn"}
    at.text_input(key="al_loc").input("nha trang").run()  # locality typed without diacritics
    shown = at.dataframe[0].value
    alerts = {a.id: a for a in _open_alerts(dash_store)}
    assert len(shown) and all("Nha Trang" in alerts[i].localities for i in shown["Mã"])


def test_alert_detail_highlights_mentions_and_risky_phrases(open_app, dash_store) -> None:
    at = open_app(USERS["monitor"], page="canh-bao")
    html = "".join(str(h.proto.body) for h in at.get("html"))
    assert '<mark class="mention"' in html  # place names from enrichment.mentions spans
    assert '<mark class="risk"' in html  # phrases from the reasons / category lexicon
    page = texts(at)
    assert "Lý do cảnh báo:" in page and "Tin cùng sự kiện" in page


def test_alert_opened_by_url_shows_matched_debunked_claims(open_app, dash_store) -> None:
    alert = next(
        a
        for a in _open_alerts(dash_store)
        for i in dash_store.get_items(a.item_ids)
        if i.enrichment and i.enrichment.claim_matches
    )
    at = open_app(USERS["leader"], alert=alert.id)
    assert "Cảnh báo" in at.header[0].value
    assert alert.title in texts(at)
    assert "Khớp với tin đã bác bỏ" in texts(at)
    assert "Chế độ chỉ xem" in texts(at)  # the leader reads, the buttons are not offered
    assert not [b for b in at.button if b.label in ("Nhận xử lý", "Xác nhận và tạo phiếu")]


def test_claim_dismiss_and_bulk_snooze(open_app, dash_store) -> None:
    at = open_app(USERS["monitor"], page="canh-bao")
    first = at.selectbox(key="al_detail").value
    at.button(key=f"al_{first}_claim").click().run()
    assert f"Đã nhận xử lý cảnh báo {first}." in [s.value for s in at.success]
    assert "đang do **giamsat1** xử lý" in texts(at)
    at.button(key=f"al_{first}_dismiss").click().run()
    assert "Cần nhập lý do bỏ qua." in [e.value for e in at.error]
    at.text_input(key=f"al_{first}_reason").input("Tin cũ, đã được xử lý trước đây")
    at.button(key=f"al_{first}_dismiss").click().run()
    assert f"Đã bỏ qua cảnh báo {first}." in [s.value for s in at.success]
    assert _triage(dash_store).get_alert(_monitor(), first).status == "bo-qua"
    ids = at.dataframe[0].value["Mã"].tolist()[:3]
    at.multiselect(key="al_bulk_ids").set_value(ids)
    at.selectbox(key="al_bulk_action").set_value("snooze").run()
    at.button(key="al_bulk_go").click().run()
    assert "Đã xử lý 3/3 cảnh báo." in [s.value for s in at.success]
    assert {_triage(dash_store).get_alert(_monitor(), i).status for i in ids} == {"tam-hoan"}


def _confirm_to(at: AppTest, alert_id: str, lead: str) -> str:
    at.selectbox(key="al_detail").set_value(alert_id).run()
    at.selectbox(key=f"al_{alert_id}_lead").set_value(lead)
    at.text_area(key=f"al_{alert_id}_note").input("Đề nghị xác minh, trả lời trong hạn.")
    at.button(key=f"al_{alert_id}_confirm").click().run()
    message = next(s.value for s in at.success if s.value.startswith("Đã tạo phiếu"))
    return message.split()[3]


def test_confirm_ticket_answer_close_cycle(open_app, dash_store) -> None:
    alert_id = _open_alerts(dash_store)[0].id
    monitor = open_app(USERS["monitor"], page="canh-bao")
    ticket_id = _confirm_to(monitor, alert_id, "so-nnmt")
    assert "giao Sở Nông nghiệp và Môi trường chủ trì" in texts(monitor)

    # confirming hands it to the lead unit at once, with an acknowledgement deadline
    monitor = open_app(USERS["monitor"], ticket=ticket_id)
    assert f"Phiếu {ticket_id}" in texts(monitor) and "Hạn tiếp nhận" in texts(monitor)
    assert "**Trạng thái:** Đã giao" in texts(monitor)

    # the unit sees it in its inbox, verifies, comments with a link, answers
    unit = open_app(USERS["unit"])
    assert ticket_id in texts(unit) and "Phiếu xử lý" in unit.header[0].value
    unit.selectbox(key="tk_detail").set_value(ticket_id).run()
    _transition(unit, ticket_id, "dang-xac-minh")
    unit.text_area(key=f"tk_{ticket_id}_ctext").input("Đã cử cán bộ kiểm tra thực địa.")
    unit.text_input(key=f"tk_{ticket_id}_clink").input("https://stnmt.khanhhoa.gov.vn/bien-ban-1")
    unit.button(key=f"FormSubmitter:tk_{ticket_id}_comment-Gửi bình luận").click().run()
    assert "Đã gửi bình luận." in [s.value for s in unit.success]
    _transition(unit, ticket_id, "da-phan-hoi", answer="Thông tin không chính xác; đã có văn bản trả lời.")
    assert "Nội dung trả lời: Thông tin không chính xác" in texts(unit)

    # the monitor closes it; the history lists every step
    monitor = open_app(USERS["monitor"], ticket=ticket_id)
    _transition(monitor, ticket_id, "da-dong")
    ticket = _triage(dash_store).get_ticket(_monitor(), ticket_id)
    assert ticket.status == "da-dong" and ticket.comments
    history = monitor.dataframe[-1].value
    assert {"Đang xác minh", "Đã phản hồi", "Đã đóng"} <= {
        s.split(" → ")[-1] for s in history["Trạng thái"] if s
    }


def _transition(at: AppTest, ticket_id: str, to: str, note: str = "", answer: str = "") -> None:
    at.selectbox(key=f"tk_{ticket_id}_to").set_value(to)
    if note:
        at.text_area(key=f"tk_{ticket_id}_note").input(note)
    if answer:
        at.text_area(key=f"tk_{ticket_id}_answer").input(answer)
    at.button(key=f"FormSubmitter:tk_{ticket_id}_transition-Cập nhật").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_unit_cannot_open_another_units_ticket_by_url(open_app, dash_store) -> None:
    alert = _open_alerts(dash_store)[0]
    ticket = _triage(dash_store).confirm(_monitor(), alert.id, lead="so-nnmt")
    other = open_app(USERS["unit2"], ticket=ticket.id)  # Công an tỉnh
    errors = [e.value for e in other.error]
    assert errors and "không được xem phiếu" in errors[0]
    assert ticket.title not in texts(other)
    assert ticket.id not in "".join(m.value for m in other.markdown if m.value.startswith("|"))
    # ... while its own unit opens it
    own = open_app(USERS["unit"], ticket=ticket.id)
    assert not own.error and f"Phiếu {ticket.id}" in texts(own)


def test_unit_users_are_kept_out_of_the_alert_queue(open_app) -> None:
    at = open_app(USERS["unit"], page="canh-bao")
    assert "Bạn không có quyền mở trang này." in [e.value for e in at.error]


def test_briefing_lists_spikes_and_offers_the_docx_report(open_app, dash_store) -> None:
    at = open_app(USERS["leader"])
    assert "Cảnh báo đột biến" in texts(at)
    buttons = [b for b in at.get("download_button")]
    assert buttons, "the DOCX report button is shown once triage.reports exists"


def test_login_then_ticket_link_survives(open_app) -> None:
    at = open_app(page="phieu", ticket="PX-khong-co")
    login(at, USERS["monitor"])
    assert any("PX-khong-co" in e.value for e in at.error)
