"""Tickets: routing and overrides, every transition allowed and refused, roles and unit
isolation, stale edits, deadlines and single escalation, press-correction check, history."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from giamsat.core.errors import InvalidTransition, NotFound, PermissionDenied, StaleEdit
from giamsat.core.model import Item, Ticket
from giamsat.triage.workflow import STATUSES, TRANSITIONS


@pytest.fixture
def ticket(triage, users, items_factory) -> Ticket:
    (alert,) = triage.ingest(items_factory(2, risk=0.8, topics=("dat-dai",), wards=("22333",)))
    return triage.confirm(users["giamsat1"], alert.id)


def test_confirm_routes_and_records_rule(triage, users, ticket, clock):
    assert ticket.id == "PX-2026-0001"
    assert ticket.status == "da-giao"
    assert ticket.lead_unit == "so-nnmt" and ticket.rule == "chu-de-dat-dai"
    assert "so-vhttdl" in ticket.co_units  # sai-su-that rule: Sở VHTTDL co-operates
    assert "ubnd-xa:22333" in ticket.co_units  # the named ward's People's Committee
    assert "chủ trì: Sở NN&MT — quy tắc chủ đề đất đai" in ticket.summary
    routing = triage.routing_of(users["giamsat1"], ticket.id)
    assert routing["rule"] == "chu-de-dat-dai" and routing["fired"][0] == "chu-de-dat-dai"
    # deadlines from the profile for "cao": ack 2 h, answer 24 h
    assert ticket.severity == "cao"
    assert ticket.due_ack == clock.now + timedelta(hours=2)
    assert ticket.due == clock.now + timedelta(hours=24)
    assert [e.action for e in ticket.history] == ["tao", "chuyen-trang-thai"]


def test_ticket_numbers_are_sequential(triage, users, items_factory):
    ids = []
    for k in range(3):
        (alert,) = triage.ingest(items_factory(1, story_id=f"n{k}", prefix=str(k)))
        ids.append(triage.confirm(users["giamsat1"], alert.id).id)
    assert ids == ["PX-2026-0001", "PX-2026-0002", "PX-2026-0003"]


def test_confirm_override_is_audited(triage, users, items_factory):
    (alert,) = triage.ingest(items_factory(1, topics=("dat-dai",)))
    t = triage.confirm(
        users["giamsat1"], alert.id, lead="cong-an", co_units=["so-nnmt"], note="có dấu hiệu lừa đảo"
    )
    assert (t.lead_unit, t.co_units, t.rule) == ("cong-an", ["so-nnmt"], "thu-cong")
    ev = next(e for e in t.history if e.action == "dieu-chinh-phan-cong")
    assert ev.before["lead_unit"] == "so-nnmt" and ev.before["rule"] == "chu-de-dat-dai"
    assert ev.after["lead_unit"] == "cong-an" and ev.actor == "giamsat1"
    with pytest.raises(NotFound, match="so-khong-co"):
        (other,) = triage.ingest(items_factory(1, story_id="o", prefix="o"))
        triage.confirm(users["giamsat1"], other.id, lead="so-khong-co")


def test_assign_override_is_audited(triage, users, ticket):
    t = triage.assign(users["giamsat1"], ticket.id, "so-tai-chinh", ["so-nnmt"], reason="dự án đầu tư")
    assert t.lead_unit == "so-tai-chinh" and t.co_units == ["so-nnmt"]
    ev = t.history[-1]
    assert (
        ev.action == "phan-cong-lai"
        and ev.before["lead_unit"] == "so-nnmt"
        and ev.after["lead_unit"] == "so-tai-chinh"
    )
    assert ev.note == "dự án đầu tư"
    with pytest.raises(PermissionDenied):
        triage.assign(users["nnmt"], ticket.id, "so-nnmt")


def _put_ticket(store, status: str) -> str:
    doc = Ticket(id=f"T-{status}", title="x", lead_unit="so-nnmt", status=status, severity="thap").to_dict()
    doc.pop("history")
    store.put_doc("tickets", doc)
    return doc["id"]


@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_every_transition_allowed_or_refused(triage, users, tmp_store, source, target):
    tid = _put_ticket(tmp_store, source)
    kw = {"note": "lý do", "answer_text": "Sở đã có văn bản trả lời"}
    if target in TRANSITIONS[source]:
        assert triage.transition(users["admin"], tid, target, **kw).status == target
    else:
        with pytest.raises(InvalidTransition) as err:
            triage.transition(users["admin"], tid, target, **kw)
        msg = str(err.value)
        assert "Không thể chuyển phiếu" in msg and "Được phép:" in msg
        for allowed in TRANSITIONS[source]:
            assert f"'{allowed}'" in msg
        assert triage.get_ticket(users["admin"], tid).status == source  # nothing changed


def test_unknown_status_is_refused(triage, users, ticket):
    with pytest.raises(InvalidTransition, match="không tồn tại"):
        triage.transition(users["admin"], ticket.id, "xong")


def test_full_lifecycle_by_the_right_roles(triage, users, ticket, clock):
    unit, mon = users["nnmt"], users["giamsat1"]
    clock.advance(minutes=30)
    t = triage.transition(unit, ticket.id, "dang-xac-minh")
    assert t.acknowledged_at == clock.now
    with pytest.raises(InvalidTransition, match="phản hồi"):
        triage.transition(unit, ticket.id, "da-phan-hoi")
    clock.advance(hours=3)
    t = triage.transition(
        unit, ticket.id, "da-phan-hoi", answer_text="Không có chủ trương thu hồi đất ven biển."
    )
    assert t.answered_at == clock.now
    with pytest.raises(PermissionDenied):
        triage.transition(unit, ticket.id, "da-dong")  # closing is the coordinator's
    t = triage.transition(mon, ticket.id, "da-dong")
    assert t.closed_at == clock.now
    t = triage.transition(mon, ticket.id, "mo-lai", note="bài viết lại tiếp tục lan truyền")
    assert t.answered_at is None and t.due == clock.now + timedelta(hours=24)
    actions = [
        (e.actor, e.before.get("status"), e.after.get("status"))
        for e in t.history
        if e.action == "chuyen-trang-thai"
    ]
    assert actions[-4:] == [
        ("nnmt", "da-giao", "dang-xac-minh"),
        ("nnmt", "dang-xac-minh", "da-phan-hoi"),
        ("giamsat1", "da-phan-hoi", "da-dong"),
        ("giamsat1", "da-dong", "mo-lai"),
    ]


def test_refusal_needs_reason_and_returns_to_coordinator(triage, users, ticket):
    unit = users["nnmt"]
    with pytest.raises(InvalidTransition, match="lý do"):
        triage.transition(unit, ticket.id, "chuyen-don-vi")
    t = triage.transition(unit, ticket.id, "chuyen-don-vi", note="thuộc thẩm quyền Sở KH&ĐT")
    assert t.status == "chuyen-don-vi"
    with pytest.raises(PermissionDenied):
        triage.transition(unit, ticket.id, "da-giao")
    t = triage.assign(users["giamsat1"], ticket.id, "so-tai-chinh", reason="theo đề nghị của Sở NN&MT")
    assert t.status == "da-giao" and t.lead_unit == "so-tai-chinh" and t.acknowledged_at is None


def test_unit_sees_only_its_own_tickets(triage, users, ticket, items_factory):
    (other_alert,) = triage.ingest(
        items_factory(1, story_id="yte", topics=("y-te",), category="phan-anh", prefix="y")
    )
    other = triage.confirm(users["giamsat1"], other_alert.id)
    assert other.lead_unit == "so-y-te"
    nnmt, yte, congan = users["nnmt"], users["yte"], users["congan"]
    assert [t.id for t in triage.list_tickets(nnmt)] == [ticket.id]
    assert [
        t.id for t in triage.list_tickets(nnmt, unit="so-y-te")
    ] == []  # asking for another unit gives nothing
    assert [t.id for t in triage.list_tickets(yte)] == [other.id]
    assert triage.list_tickets(congan) == []
    with pytest.raises(PermissionDenied):
        triage.get_ticket(yte, ticket.id)
    with pytest.raises(PermissionDenied):
        triage.transition(yte, ticket.id, "dang-xac-minh")
    with pytest.raises(PermissionDenied):
        triage.comment(yte, ticket.id, "xem giúp")
    assert len(triage.list_tickets(users["lanhdao"])) == 2


def test_co_unit_can_see_and_comment_but_not_answer(triage, users, items_factory):
    (alert,) = triage.ingest(items_factory(1, category="xau-doc", topics=("an-ninh",)))
    t = triage.confirm(users["giamsat1"], alert.id)
    assert t.lead_unit == "cong-an"
    t = triage.assign(users["giamsat1"], t.id, "cong-an", ["so-nnmt"])
    nnmt = users["nnmt"]
    assert triage.get_ticket(nnmt, t.id).id == t.id
    assert triage.comment(nnmt, t.id, "Sở NN&MT đã cung cấp hồ sơ đất").comments[-1]["by"] == "nnmt"
    with pytest.raises(PermissionDenied):
        triage.transition(nnmt, t.id, "dang-xac-minh")


def test_stale_edit_is_refused(triage, users, ticket):
    seen = triage.get_ticket(users["nnmt"], ticket.id)
    triage.comment(users["giamsat1"], ticket.id, "đã gọi điện nhắc")  # someone else edits meanwhile
    with pytest.raises(StaleEdit):
        triage.transition(users["nnmt"], ticket.id, "dang-xac-minh", expected_version=seen.version)
    assert triage.get_ticket(users["nnmt"], ticket.id).status == "da-giao"


def test_concurrent_transitions_one_wins(profile, tmp_store, clock, users, ticket):
    from giamsat.triage.service import Triage

    results: list[str] = []
    start = threading.Barrier(2)

    def worker() -> None:
        t = Triage(profile, tmp_store, clock=clock)
        start.wait()
        try:
            t.transition(users["nnmt"], ticket.id, "dang-xac-minh", expected_version=ticket.version)
            results.append("ok")
        except (StaleEdit, InvalidTransition):
            results.append("refused")

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == ["ok", "refused"]


def test_overdue_escalates_exactly_once_per_deadline(triage, users, tmp_store, ticket, clock):
    assert triage.tick()["escalated"] == 0
    clock.advance(hours=2, minutes=1)  # ack deadline (2 h for "cao") passed
    assert triage.tick()["escalated"] == 1
    assert triage.tick()["escalated"] == 0
    clock.advance(hours=1)
    assert triage.tick()["escalated"] == 0
    t = triage.get_ticket(users["giamsat1"], ticket.id)
    assert [e["kind"] for e in t.escalations] == ["ack"]
    mails = tmp_store.find_docs("outbox", {"event": "leo-thang-ack", "channel": "email"})
    assert {m["to"] for m in mails} == {
        "giamdoc.nnmt@khanhhoa.example",
        "nnmt@khanhhoa.example",
        "giamdoc.vhttdl@khanhhoa.example",
        "vhttdl@khanhhoa.example",
    }
    clock.advance(hours=22)  # answer deadline (24 h) passed
    assert triage.tick()["escalated"] == 1
    assert triage.tick()["escalated"] == 0
    # answered late, closed, re-opened: the new deadline may escalate once more
    triage.transition(users["nnmt"], ticket.id, "da-phan-hoi", answer_text="đã trả lời")
    triage.transition(users["giamsat1"], ticket.id, "mo-lai", note="chưa thỏa đáng")
    assert triage.tick()["escalated"] == 0
    clock.advance(hours=25)
    assert triage.tick()["escalated"] == 1
    assert triage.tick()["escalated"] == 0
    t = triage.get_ticket(users["giamsat1"], ticket.id)
    assert [e["kind"] for e in t.escalations] == ["ack", "answer", "answer"]
    assert sum(e.action == "leo-thang" for e in t.history) == 3


def test_ack_in_time_means_no_ack_escalation(triage, users, ticket, clock):
    clock.advance(hours=1)
    triage.transition(users["nnmt"], ticket.id, "dang-xac-minh")
    clock.advance(hours=5)
    assert triage.tick()["escalated"] == 0


def test_low_severity_has_no_ack_deadline(triage, users, items_factory):
    (alert,) = triage.ingest(items_factory(1, risk=0.55, sources=1))
    t = triage.confirm(users["giamsat1"], alert.id)
    assert t.severity == "trung-binh" and t.due_ack is None
    assert t.due == t.created + timedelta(hours=72)


def test_press_correction_is_verified_against_revisions(triage, users, tmp_store, ticket, clock):
    url = "https://baokhanhhoa.vn/thoi-su/bai-viet-1.html"
    tmp_store.upsert_items(
        [
            Item(
                source_id="baokhanhhoa",
                url=url,
                title="Thu hồi đất ven biển",
                text="Bản đầu: sẽ thu hồi toàn bộ.",
            )
        ]
    )
    t = triage.transition(users["nnmt"], ticket.id, "da-phan-hoi", answer_url=url)
    check = t.attachments[-1]
    assert check["type"] == "dinh-chinh" and check["verified"] is False
    # the newspaper corrects the article; the re-crawl stores a new revision
    tmp_store.upsert_items(
        [
            Item(
                source_id="baokhanhhoa",
                url=url,
                title="Thu hồi đất ven biển (đính chính)",
                text="Đính chính: không có chủ trương thu hồi.",
            )
        ]
    )
    t = triage.verify_correction(users["giamsat1"], ticket.id)
    check = t.attachments[-1]
    assert check["verified"] is True and check["revision"] == 2 and check["previous_revisions"] == 1
    assert t.history[-1].action == "kiem-tra-dinh-chinh"


def test_unknown_answer_url_is_recorded_as_unchecked(triage, users, ticket):
    t = triage.transition(
        users["nnmt"], ticket.id, "da-phan-hoi", answer_url="https://khanhhoa.gov.vn/tra-loi"
    )
    assert t.attachments[-1]["verified"] is None and t.answer_url == "https://khanhhoa.gov.vn/tra-loi"


def test_comment_with_link_and_history(triage, users, ticket):
    t = triage.comment(users["nnmt"], ticket.id, "Biên bản làm việc", link="https://drive.example/bb.pdf")
    assert t.comments[-1]["link"] == "https://drive.example/bb.pdf"
    assert t.attachments[-1]["url"] == "https://drive.example/bb.pdf"
    ev = t.history[-1]
    assert ev.action == "binh-luan" and ev.actor == "nnmt" and ev.after["text"] == "Biên bản làm việc"
    with pytest.raises(InvalidTransition):
        triage.comment(users["nnmt"], ticket.id, "   ")
