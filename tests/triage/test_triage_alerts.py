"""Alerts: one per story, watch rules, severity, claim locks, decisions, bulk, labels, roles."""

from __future__ import annotations

from datetime import timedelta

import pytest

from giamsat.core.errors import InvalidTransition, NotFound, PermissionDenied
from giamsat.core.profile import WatchRule
from giamsat.triage.service import AlreadyClaimed


def test_fifty_reposts_make_one_alert_with_reach(triage, tmp_store, items_factory):
    items, changed = [], []
    for i in range(10):  # reposts arrive over time, in batches, as the pipeline delivers them
        batch = items_factory(5, sources=3, prefix=f"b{i}")
        items += batch
        changed += triage.ingest(batch)
    assert tmp_store.count_docs("alerts") == 1
    alert = tmp_store.find_docs("alerts")[0]
    assert alert["reach"]["items"] == 50 and alert["reach"]["sources"] == 3
    assert len(alert["item_ids"]) == 50
    assert {a.id for a in changed} == {alert["id"]}
    # risk 0.8 is "cao"; once 20 reposts are seen it is raised one level
    assert alert["severity"] == "khan"
    assert any("mức độ tăng" in r for r in alert["reasons"])
    # re-ingesting the same items changes nothing and opens nothing
    assert triage.ingest(items) == []
    assert tmp_store.count_docs("alerts") == 1


def test_low_risk_repost_updates_reach_but_opens_nothing_alone(triage, tmp_store, items_factory):
    assert triage.ingest(items_factory(3, story_id="quiet", risk=0.1, category="none")) == []
    assert tmp_store.count_docs("alerts") == 0
    triage.ingest(items_factory(1, story_id="s2", risk=0.9, prefix="a"))
    triage.ingest(items_factory(4, story_id="s2", risk=0.1, prefix="b"))  # low-risk reposts of s2
    (alert,) = tmp_store.find_docs("alerts")
    assert alert["reach"]["items"] == 5


def test_a_grievance_many_people_raise_opens_one_spread_alert(triage, tmp_store, items_factory):
    def grievance(n, risk, prefix):  # a title no watch rule matches: only the spread can open it
        title = "Nước máy phường Cam Linh đục, có mùi tanh"
        return items_factory(n, story_id="nuoc", risk=risk, category="phan-anh", title=title, prefix=prefix)

    # two posts of a low-risk grievance: nothing yet
    assert triage.ingest(grievance(2, 0.3, "a")) == []
    # the third post of the same story: one "spread" alert, saying why
    (alert,) = triage.ingest(grievance(1, 0.2, "b"))
    assert alert.kind == "spread" and alert.category == "phan-anh"
    assert any("Phản ánh lan rộng: 3 bài" in r for r in alert.reasons)
    # more posts update it; nothing new opens
    triage.ingest(grievance(2, 0.2, "c"))
    assert tmp_store.count_docs("alerts") == 1
    assert tmp_store.find_docs("alerts")[0]["reach"]["items"] == 5
    # ordinary chatter, however much of it, opens nothing
    chatter = items_factory(
        6, story_id="cho", risk=0.3, category="none", title="Chợ đêm có món mới", prefix="d"
    )
    assert triage.ingest(chatter) == []


def test_watch_rule_matches_without_diacritics(profile, tmp_store, clock, items_factory):
    from giamsat.triage.service import Triage

    watched = profile.model_copy(deep=True)
    watched.alerts.watch = [WatchRule(name="Cát lậu", keywords=["khai thác cát trái phép"])]
    t = Triage(watched, tmp_store, clock=clock)
    items = items_factory(
        1, story_id="w1", risk=0.1, category="none", title="Dan to khai thac cat trai phep o Ninh Hoa"
    )
    (alert,) = t.ingest(items)
    assert alert.kind == "watch"
    assert "khớp danh sách theo dõi: Cát lậu" in alert.reasons
    # a word that merely contains the keyword does not match
    other = items_factory(1, story_id="w2", risk=0.1, category="none", title="Khai thác cátxyz", prefix="o")
    assert t.ingest(other) == []


def test_watch_rule_dimensions_are_anded(profile, tmp_store, clock, items_factory):
    from giamsat.triage.service import Triage

    watched = profile.model_copy(deep=True)
    watched.alerts.watch = [
        WatchRule(name="Đất + phản ánh", keywords=["thu hồi đất"], categories=["phan-anh"])
    ]
    t = Triage(watched, tmp_store, clock=clock)
    assert t.ingest(items_factory(1, story_id="x1", risk=0.1, category="none", title="Thu hồi đất")) == []
    hit = items_factory(1, story_id="x2", risk=0.1, category="phan-anh", title="Thu hoi dat", prefix="z")
    assert [a.kind for a in t.ingest(hit)] == ["watch"]


def test_claim_lock_blocks_others_and_expires(triage, users, clock, items_factory):
    (alert,) = triage.ingest(items_factory(2))
    a, b = users["giamsat1"], users["giamsat2"]
    claimed = triage.claim(a, alert.id)
    assert claimed.claimed_by == "giamsat1"
    assert claimed.claim_expires == clock.now + timedelta(minutes=30)
    with pytest.raises(AlreadyClaimed, match="giamsat1"):
        triage.claim(b, alert.id)
    with pytest.raises(AlreadyClaimed):
        triage.dismiss(b, alert.id, "trùng")
    clock.advance(minutes=31)
    assert triage.tick()["claims_expired"] == 1
    assert triage.get_alert(a, alert.id).claimed_by is None
    assert triage.claim(b, alert.id).claimed_by == "giamsat2"


def test_lock_expiry_is_honoured_even_before_tick(triage, users, clock, items_factory):
    (alert,) = triage.ingest(items_factory(2))
    triage.claim(users["giamsat1"], alert.id)
    clock.advance(minutes=30, seconds=1)
    assert triage.dismiss(users["giamsat2"], alert.id, "tin cũ").status == "bo-qua"


def test_admin_can_break_a_lock(triage, users, items_factory):
    (alert,) = triage.ingest(items_factory(2))
    triage.claim(users["giamsat1"], alert.id)
    assert triage.claim(users["admin"], alert.id, force=True).claimed_by == "admin"
    with pytest.raises(PermissionDenied):
        triage.claim(users["giamsat2"], alert.id, force=True)


def test_dismiss_needs_reason_and_writes_labels(triage, users, tmp_store, items_factory):
    (alert,) = triage.ingest(items_factory(3))
    with pytest.raises(InvalidTransition, match="lý do"):
        triage.dismiss(users["giamsat1"], alert.id, "  ")
    done = triage.dismiss(users["giamsat1"], alert.id, "tin đã được đính chính")
    assert done.status == "bo-qua" and done.dismiss_reason == "tin đã được đính chính"
    labels = tmp_store.find_docs("labels")
    assert len(labels) == 3
    assert {lb["decision"] for lb in labels} == {"bo-qua"}
    assert {"item_id", "text", "title", "category", "decision", "decided_by", "at"} <= set(labels[0])
    assert labels[0]["decided_by"] == "giamsat1" and labels[0]["category"] == "sai-su-that"
    with pytest.raises(InvalidTransition, match="bo-qua"):
        triage.confirm(users["giamsat1"], alert.id)


def test_dismissed_story_reopens_when_it_grows_more_urgent(triage, users, tmp_store, items_factory):
    (alert,) = triage.ingest(items_factory(2, risk=0.6, sources=2))
    assert alert.severity == "trung-binh"
    triage.dismiss(users["giamsat1"], alert.id, "chưa đáng kể")
    more = items_factory(30, risk=0.6, sources=2, prefix="more")
    (grown,) = triage.ingest(more)
    assert grown.status == "mo" and grown.severity == "cao"


def test_snooze_and_wake(triage, users, clock, items_factory):
    (alert,) = triage.ingest(items_factory(2))
    with pytest.raises(InvalidTransition):
        triage.snooze(users["giamsat1"], alert.id, clock.now - timedelta(hours=1))
    snoozed = triage.snooze(users["giamsat1"], alert.id, clock.now + timedelta(hours=4))
    assert snoozed.status == "tam-hoan"
    clock.advance(hours=3)
    assert triage.tick()["snoozes_woken"] == 0
    clock.advance(hours=1, seconds=1)
    assert triage.tick()["snoozes_woken"] == 1
    assert triage.get_alert(users["giamsat1"], alert.id).status == "mo"


def test_merge_into_existing_ticket(triage, users, tmp_store, items_factory):
    (first,) = triage.ingest(items_factory(2, story_id="a", risk=0.6, sources=1))
    (second,) = triage.ingest(items_factory(2, story_id="b", risk=0.9, prefix="b"))
    ticket = triage.confirm(users["giamsat1"], first.id)
    assert ticket.severity == "trung-binh"
    merged = triage.merge(users["giamsat1"], second.id, ticket.id)
    assert set(second.item_ids) <= set(merged.item_ids)
    assert merged.severity == "khan"  # the more urgent story makes the ticket more urgent
    assert merged.due < ticket.due
    assert triage.get_alert(users["giamsat1"], second.id).status == "da-gop"
    assert any(e.action == "gop-canh-bao" for e in merged.history)
    (third,) = triage.ingest(items_factory(1, story_id="c", prefix="c"))
    with pytest.raises(NotFound):
        triage.merge(users["giamsat1"], third.id, "PX-2026-9999")
    assert triage.get_alert(users["giamsat1"], third.id).status == "mo"  # nothing half-done


def test_bulk_reports_each_id(triage, users, items_factory):
    (a,) = triage.ingest(items_factory(1, story_id="k1", prefix="1"))
    (b,) = triage.ingest(items_factory(1, story_id="k2", prefix="2"))
    triage.claim(users["giamsat2"], b.id)
    results = triage.bulk(users["giamsat1"], "dismiss", [a.id, b.id, "cb-khong-co"], reason="trùng lặp")
    assert [r["ok"] for r in results] == [True, False, False]
    assert results[1]["error_type"] == "AlreadyClaimed"
    assert results[2]["error_type"] == "NotFound"
    with pytest.raises(ValueError):
        triage.bulk(users["giamsat1"], "delete", [a.id])


def test_roles_on_alerts(triage, users, items_factory):
    (alert,) = triage.ingest(items_factory(1))
    with pytest.raises(PermissionDenied):
        triage.list_alerts(users["nnmt"])
    with pytest.raises(PermissionDenied):
        triage.claim(users["nnmt"], alert.id)
    assert [a.id for a in triage.list_alerts(users["lanhdao"])] == [alert.id]  # leaders read
    with pytest.raises(PermissionDenied):
        triage.dismiss(users["lanhdao"], alert.id, "x")


def test_list_alerts_filters(triage, users, items_factory):
    triage.ingest(
        items_factory(1, story_id="f1", topics=("moi-truong",), title="Cá chết hàng loạt", prefix="1")
    )
    triage.ingest(items_factory(1, story_id="f2", topics=("dat-dai",), title="Thu hồi đất", prefix="2"))
    mon = users["giamsat1"]
    assert [a.title for a in triage.list_alerts(mon, topic="moi-truong")] == ["Cá chết hàng loạt"]
    assert [a.title for a in triage.list_alerts(mon, q="ca chet")] == ["Cá chết hàng loạt"]
    assert len(triage.list_alerts(mon, ["mo"])) == 2
    assert triage.list_alerts(mon, ["bo-qua"]) == []


@pytest.mark.parametrize(
    "text", ["Đất đai Khánh Hòa", "Khánh Hoà THUỶ LỢI", "Cá chết ở sông Cái, Nha Trang!", "ĐƯỜNG Ưu ơ ạ"]
)
def test_fast_fold_agrees_with_nlp_fold(text):
    from giamsat.core.text import fold
    from giamsat.triage.rules import fast_fold

    assert fast_fold(text) == fold(text)
