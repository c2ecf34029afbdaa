"""Alert queue and ticket pages through the real app and the real triage service: the monitor's
loop on one screen (open, act, see the result where the action was, the alert stays open with its
new state), bulk actions from the keyboard form, and a unit's ticket that carries the matter."""

from __future__ import annotations

import hashlib

from streamlit.testing.v1 import AppTest
from support.dashtest import USERS, login, shown, texts

from giamsat.core.profile import load_profile
from giamsat.core.timeutil import fmt_number
from giamsat.triage.service import Triage


def _triage(store) -> Triage:
    return Triage(load_profile("khanh-hoa"), store)


def _monitor():
    return load_profile("khanh-hoa").user(USERS["monitor"])


def _open_alerts(store) -> list:
    return _triage(store).list_alerts(_monitor(), status=["mo"], limit=1000)


def _success(at: AppTest) -> list[str]:
    return [shown(s.value) for s in at.success]


def test_alert_queue_is_sorted_by_risk_and_filters(open_app, dash_store) -> None:
    at = open_app(USERS["monitor"], page="canh-bao")
    table = at.dataframe[0].value
    risks = [float(r.replace(",", ".")) for r in table["Rủi ro"]]
    assert risks == sorted(risks, reverse=True) and len(risks) == len(_open_alerts(dash_store))
    assert "Mã" not in table.columns  # people read titles, not ids
    at.multiselect(key="al_sev").select("khan").run()
    severities = set(at.dataframe[0].value["Mức độ"])
    assert severities == {"🔴 Khẩn"}
    at.text_input(key="al_loc").input("nha trang").run()  # locality typed without diacritics
    titles = set(at.dataframe[0].value["Tiêu đề"])
    nha_trang = {a.title for a in _open_alerts(dash_store) if "Nha Trang" in a.localities}
    assert titles and titles <= nha_trang


def test_alert_detail_highlights_mentions_and_risky_phrases(open_app, dash_store) -> None:
    alert = _open_alerts(dash_store)[0]
    at = open_app(USERS["monitor"], page="canh-bao", alert=alert.id)
    html = "".join(str(h.proto.body) for h in at.get("html"))
    assert '<mark class="mention"' in html  # place names from enrichment.mentions spans
    assert '<mark class="risk"' in html  # phrases from the reasons / category lexicon
    page = texts(at)
    assert "Lý do cảnh báo:" in page and "Tin cùng sự kiện" in page
    assert at.query_params["alert"] in (alert.id, [alert.id])  # a reload reopens it


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


def test_actions_fit_the_state_and_the_result_shows_where_the_eye_is(open_app, dash_store) -> None:
    first = _open_alerts(dash_store)[0].id
    at = open_app(USERS["monitor"], page="canh-bao", alert=first)
    labels = {b.label for b in at.button}
    assert "Nhận xử lý" in labels and "Trả lại" not in labels
    at.button(key=f"al_{first}_claim").click().run()
    assert "Đã nhận xử lý cảnh báo." in _success(at)
    # the message sits in the alert's panel, right under its title, not at the top of the page
    subheaders = [shown(s.value) for s in at.subheader]
    assert any(_open_alerts(dash_store)[0].title[:20] in s for s in subheaders)
    monitor_name = _monitor().name
    assert f"Người nhận xử lý: {monitor_name}" in texts(at)  # a name, not the username
    labels = {b.label for b in at.button}
    assert "Trả lại" in labels and "Nhận xử lý" not in labels  # claimed: release, not claim again
    at.button(key=f"FormSubmitter:al_{first}_dismiss_form-Bỏ qua cảnh báo").click().run()
    assert "Cần nhập lý do bỏ qua." in [e.value for e in at.error]
    at.text_input(key=f"al_{first}_reason").input("Tin cũ, đã được xử lý trước đây")
    at.button(key=f"FormSubmitter:al_{first}_dismiss_form-Bỏ qua cảnh báo").click().run()
    assert "Đã bỏ qua cảnh báo." in _success(at)
    assert _triage(dash_store).get_alert(_monitor(), first).status == "bo-qua"
    # the dismissed alert left the queue but stays open, saying why, with no action left
    assert "Đã bỏ qua. Lý do: Tin cũ, đã được xử lý trước đây" in texts(at)
    assert not {"Nhận xử lý", "Tạm hoãn", "Trả lại"} & {b.label for b in at.button}


def test_bulk_snooze_from_the_keyboard_form(open_app, dash_store) -> None:
    at = open_app(USERS["monitor"], page="canh-bao")
    alerts = sorted(_open_alerts(dash_store), key=lambda a: (-a.risk, a.created))
    ids = [a.id for a in alerts[:3]]
    digest = hashlib.sha1(b"").hexdigest()[:8]  # no rows selected in the table
    at.multiselect(key=f"al_bulk_ids_{digest}").set_value(ids)
    at.radio(key="al_bulk_action").set_value("snooze")
    at.button(key=f"FormSubmitter:al_bulk_{digest}-Thực hiện").click().run()
    assert not at.exception, at.exception
    assert "Tạm hoãn 24 giờ: đã xử lý 3/3 cảnh báo." in _success(at)
    assert {_triage(dash_store).get_alert(_monitor(), i).status for i in ids} == {"tam-hoan"}


def _confirm_to(at: AppTest, store, alert_id: str, lead: str) -> str:
    at.selectbox(key=f"al_{alert_id}_lead").set_value(lead)
    at.text_area(key=f"al_{alert_id}_note").input("Đề nghị xác minh, trả lời trong hạn.")
    at.button(key=f"FormSubmitter:al_{alert_id}_confirm_form-Xác nhận và tạo phiếu").click().run()
    assert not at.exception, at.exception
    assert any(s.startswith("Đã tạo phiếu") for s in _success(at)), _success(at)
    return str(_triage(store).get_alert(_monitor(), alert_id).ticket_id)


def test_confirm_keeps_queue_and_detail_consistent(open_app, dash_store) -> None:
    """The audit's worst case: after "Xác nhận và tạo phiếu" the next action said the alert did
    not exist and a confirmed alert still offered claim/snooze/confirm."""
    alert_id = _open_alerts(dash_store)[0].id
    at = open_app(USERS["monitor"], page="canh-bao", alert=alert_id)
    ticket_id = _confirm_to(at, dash_store, alert_id, "so-nnmt")
    assert not at.error, [e.value for e in at.error]
    page = texts(at)
    assert f"Đã tạo phiếu {ticket_id} giao Sở Nông nghiệp và Môi trường chủ trì" in page
    assert f"mở phiếu {ticket_id}" in page  # the confirmed alert links to its ticket
    assert not {"Nhận xử lý", "Tạm hoãn"} & {b.label for b in at.button}
    assert "Xác nhận và tạo phiếu" not in page
    titles = set(at.dataframe[0].value["Tiêu đề"])
    assert _triage(dash_store).get_alert(_monitor(), alert_id).title not in titles  # left the queue
    at.run()  # the next run (any click) still shows the same alert, no "not found"
    assert not at.error and f"mở phiếu {ticket_id}" in texts(at)


def test_confirm_ticket_answer_close_cycle(open_app, dash_store) -> None:
    alert_id = _open_alerts(dash_store)[0].id
    monitor = open_app(USERS["monitor"], page="canh-bao", alert=alert_id)
    ticket_id = _confirm_to(monitor, dash_store, alert_id, "so-nnmt")

    # confirming hands it to the lead unit at once, with an acknowledgement deadline
    monitor = open_app(USERS["monitor"], ticket=ticket_id)
    assert f"Phiếu {ticket_id}" in texts(monitor) and "Hạn tiếp nhận" in texts(monitor)
    assert {m.label: m.value for m in monitor.metric}["Trạng thái"] == "Đã giao"

    # the unit sees it in its inbox and opens it with the matter: the posts' text, not just titles
    unit = open_app(USERS["unit"])
    assert ticket_id in unit.dataframe[0].value["Số phiếu"].tolist() and "Phiếu xử lý" in unit.header[0].value
    unit = open_app(USERS["unit"], ticket=ticket_id)
    html = "".join(str(h.proto.body) for h in unit.get("html"))
    item = dash_store.get_items(_triage(dash_store).get_ticket(_monitor(), ticket_id).item_ids[:1])[0]
    import re

    assert item.text[-40:] in re.sub(r"<[^>]+>", "", html)  # the text itself, marks stripped
    assert "Tin, bài liên quan" in texts(unit) and "Căn cứ phân công" in texts(unit)
    _transition(unit, ticket_id, "dang-xac-minh")
    unit.text_area(key=f"tk_{ticket_id}_ctext").input("Đã cử cán bộ kiểm tra thực địa.")
    unit.text_input(key=f"tk_{ticket_id}_clink").input("https://stnmt.khanhhoa.gov.vn/bien-ban-1")
    unit.button(key=f"FormSubmitter:tk_{ticket_id}_comment-Gửi bình luận").click().run()
    assert "Đã gửi bình luận." in _success(unit)
    _transition(unit, ticket_id, "da-phan-hoi", answer="Thông tin không chính xác; đã có văn bản trả lời.")
    assert "Nội dung trả lời: Thông tin không chính xác" in texts(unit)
    # an answered ticket stays in the unit's own list
    again = open_app(USERS["unit"])
    assert ticket_id in again.dataframe[0].value["Số phiếu"].tolist()

    # the monitor closes it; the history lists every step with people's names
    monitor = open_app(USERS["monitor"], ticket=ticket_id)
    _transition(monitor, ticket_id, "da-dong")
    ticket = _triage(dash_store).get_ticket(_monitor(), ticket_id)
    assert ticket.status == "da-dong" and ticket.comments
    history = monitor.dataframe[-1].value
    assert {"Đang xác minh", "Đã phản hồi", "Đã đóng"} <= {
        s.split(" → ")[-1] for s in history["Trạng thái"] if s
    }
    assert "nnmt" not in set(history["Người thực hiện"]) and "chuyen-trang-thai" not in set(
        history["Thao tác"]
    )


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
    assert errors and "không được xem phiếu" in shown(errors[0])
    assert ticket.title not in texts(other)
    assert not other.dataframe  # its inbox is empty
    # ... while its own unit opens it
    own = open_app(USERS["unit"], ticket=ticket.id)
    assert not own.error and f"Phiếu {ticket.id}" in texts(own)


def test_unit_users_are_kept_out_of_the_alert_queue(open_app) -> None:
    at = open_app(USERS["unit"], page="canh-bao")
    assert "Bạn không có quyền mở trang này." in [e.value for e in at.error]


def test_briefing_lists_spikes_and_offers_the_reports(open_app, dash_store) -> None:
    at = open_app(USERS["leader"])
    assert "Cảnh báo đột biến" in texts(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Điểm tin (DOCX)" in labels and "Bản một trang cho lãnh đạo (DOCX)" in labels


def test_login_then_ticket_link_survives(open_app) -> None:
    at = open_app(page="phieu", ticket="PX-khong-co")
    login(at, USERS["monitor"])
    assert any("PX-khong-co" in shown(e.value) for e in at.error)


def test_queue_shows_vietnamese_decimals(open_app, dash_store) -> None:
    at = open_app(USERS["monitor"], page="canh-bao")
    top = sorted(_open_alerts(dash_store), key=lambda a: (-a.risk, a.created))[0]
    assert at.dataframe[0].value["Rủi ro"].tolist()[0] == fmt_number(top.risk, 2)
