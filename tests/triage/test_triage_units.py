"""A store made under the pre-2025 departments (so-tnmt, so-tttt, so-gtvt...) keeps working with
the 2025 profile, shows the current unit names everywhere, and upgrades its codes only through
an audited command: one event per ticket, a summary, nothing silent, idempotent."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from giamsat.cli import app
from giamsat.core.errors import PermissionDenied
from giamsat.core.model import Ticket
from giamsat.core.profile import load_profile
from giamsat.triage.reports import build_report
from giamsat.triage.service import Triage
from giamsat.triage.upgrade import remap_ticket

OLD_PROFILE = Path(__file__).parent / "data" / "khanh-hoa-2024.yaml"


@pytest.fixture
def old_store(tmp_store, clock, items_factory):
    """Tickets opened by giamsat configured with the old departments, one of them escalated."""
    old = load_profile(str(OLD_PROFILE))
    t = Triage(old, tmp_store, clock=clock)
    officer = old.user("giamsat1")
    stories = [
        dict(story_id="dat", topics=("dat-dai",), category="sai-su-that", prefix="a"),  # so-tnmt + so-tttt
        dict(story_id="bao", topics=("thien-tai",), category="phan-anh", prefix="b"),  # so-nnptnt
        dict(story_id="cau", topics=("ha-tang",), category="phan-anh", prefix="c"),  # so-gtvt
        dict(story_id="pd", topics=("dat-dai",), category="xau-doc", prefix="d"),  # cong-an + btg, tttt
        dict(story_id="yt", topics=("y-te",), category="phan-anh", prefix="e"),  # so-yte
    ]
    ids = []
    for kw in stories:
        (alert,) = t.ingest(items_factory(3, **kw))
        ids.append(t.confirm(officer, alert.id).id)
    clock.advance(hours=3)  # "khẩn"/"cao" acknowledgement deadlines (2 h) pass: escalations to old codes
    assert t.tick()["escalated"] >= 1
    return ids


def _docs(store):
    return {d["id"]: d for d in store.find_docs("tickets", limit=100)}


def test_the_old_store_was_made_with_old_codes(old_store, tmp_store):
    leads = {d["lead_unit"] for d in _docs(tmp_store).values()}
    assert leads == {"so-tnmt", "so-nnptnt", "so-gtvt", "cong-an", "so-yte"}


def test_old_codes_show_the_current_units_before_any_upgrade(old_store, tmp_store, clock):
    new = load_profile("khanh-hoa")
    t = Triage(new, tmp_store, clock=clock)
    nnmt = new.user("nnmt")  # a user of so-nnmt sees the tickets of so-tnmt and so-nnptnt
    mine = {x.id for x in t.list_tickets(nnmt)}
    assert mine == {old_store[0], old_store[1]}
    ticket = t.get_ticket(nnmt, old_store[0])
    assert new.unit_name(ticket.lead_unit) == "Sở Nông nghiệp và Môi trường"
    assert [new.unit_name(c) for c in ticket.co_units] == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert t.transition(nnmt, old_store[0], "dang-xac-minh").status == "dang-xac-minh"
    report = build_report(new, tmp_store, "monthly", date(2026, 11, 23), now=clock.now)
    rows = {r[0]: r for r in next(s for s in report.sections if "THEO ĐƠN VỊ" in s.heading).tables[0].rows}
    assert rows["Sở Nông nghiệp và Môi trường"][1] == "2"  # so-tnmt and so-nnptnt grouped as one unit
    assert {"Sở Xây dựng", "Sở Y tế", "Công an tỉnh"} <= set(rows)
    assert not any("Tài nguyên" in name or "Giao thông" in name for name in rows)
    assert t.count_old_unit_codes() == 5


def test_remap_is_pure_and_merges_units_that_became_one():
    p = load_profile("khanh-hoa")
    doc = Ticket(
        id="T1", lead_unit="so-tnmt", co_units=["so-nnptnt", "so-tttt", "so-vhttdl", "ubnd-xa:1"]
    ).to_dict()
    doc["routing"] = {"lead": "so-tnmt", "co_units": ["so-tttt"], "rule": "chu-de-dat-dai"}
    doc["escalations"] = [{"kind": "ack", "to": ["so-tnmt", "so-tttt"]}]
    new, change, used, unknown = remap_ticket(p, doc)
    assert new["lead_unit"] == "so-nnmt" and new["co_units"] == ["so-vhttdl", "ubnd-xa:1"]
    assert new["routing"]["lead"] == "so-nnmt" and new["routing"]["rule"] == "chu-de-dat-dai"
    assert new["escalations"][0]["to"] == ["so-nnmt", "so-vhttdl"]
    assert change["before"]["lead_unit"] == "so-tnmt" and change["after"]["lead_unit"] == "so-nnmt"
    assert set(used) == {("so-tnmt", "so-nnmt"), ("so-nnptnt", "so-nnmt"), ("so-tttt", "so-vhttdl")}
    assert unknown == set() and doc["lead_unit"] == "so-tnmt"  # the input is not touched
    assert remap_ticket(p, {**doc, "lead_unit": "so-khong-co", "co_units": []})[3] == {"so-khong-co"}


def test_upgrade_rewrites_with_one_event_per_ticket_and_a_summary(old_store, tmp_store, clock):
    new = load_profile("khanh-hoa")
    t = Triage(new, tmp_store, clock=clock)
    before = _docs(tmp_store)
    with pytest.raises(PermissionDenied):
        t.upgrade_unit_codes(new.user("giamsat1"))
    dry = t.upgrade_unit_codes(new.user("admin"), dry_run=True)
    assert len(dry.changed) == 5 and _docs(tmp_store) == before  # a dry run changes nothing
    assert not any(e.action == "doi-ma-don-vi" for i in old_store for e in tmp_store.events("ticket", i))

    result = t.upgrade_unit_codes(new.user("admin"))
    assert result.scanned == 5 and sorted(result.changed) == sorted(old_store)
    assert result.mappings[("so-tnmt", "so-nnmt")] == 1
    # so-tttt was a co-unit of two tickets and, as the coordinating unit, addressee of every escalation
    assert result.mappings[("so-tttt", "so-vhttdl")] == 5
    summary = result.summary(new)
    assert "đã đổi mã đơn vị trên 5 phiếu" in summary
    assert "so-tnmt → so-nnmt (Sở Nông nghiệp và Môi trường): 1 phiếu" in summary
    assert "so-gtvt → so-xay-dung (Sở Xây dựng): 1 phiếu" in summary
    docs = _docs(tmp_store)
    assert {d["lead_unit"] for d in docs.values()} == {"so-nnmt", "so-xay-dung", "cong-an", "so-y-te"}
    pd = docs[old_store[3]]
    assert pd["co_units"] == ["ban-tgdv", "so-vhttdl"] and pd["routing"]["co_units"] == [
        "ban-tgdv",
        "so-vhttdl",
    ]
    for tid in old_store:
        events = [e for e in tmp_store.events("ticket", tid) if e.action == "doi-ma-don-vi"]
        assert len(events) == 1, tid
        ev = events[0]
        assert ev.actor == "admin" and ev.before and ev.after and "→" in (ev.note or "")
        assert docs[tid]["version"] == before[tid]["version"] + 1
    escalated = [d for d in docs.values() if d.get("escalations")]
    assert escalated and all(
        c in {u.code for u in new.units} for d in escalated for e in d["escalations"] for c in e["to"]
    )
    # idempotent: nothing left to map, no new events
    again = t.upgrade_unit_codes(new.user("admin"))
    assert again.changed == [] and t.count_old_unit_codes() == 0
    assert sum(e.action == "doi-ma-don-vi" for i in old_store for e in tmp_store.events("ticket", i)) == 5


def test_units_upgrade_command_and_init_report(old_store, tmp_store):
    store = ["--store", tmp_store.uri, "--profile", "khanh-hoa"]
    runner = CliRunner()
    init = runner.invoke(app, [*store, "init"])
    assert init.exit_code == 0, init.output
    assert "5 phiếu còn mang mã đơn vị cũ" in init.output and "giamsat units upgrade" in init.output
    shown = runner.invoke(app, [*store, "tickets", "show", old_store[2], "--as", "admin"])
    assert "Chủ trì: Sở Xây dựng" in shown.output
    listed = runner.invoke(app, [*store, "units", "list"])
    assert listed.exit_code == 0 and "so-nnptnt" in listed.output and "so-nnmt" in listed.output
    done = runner.invoke(app, [*store, "units", "upgrade", "--as", "admin"])
    assert done.exit_code == 0, done.output
    assert "đã đổi mã đơn vị trên 5 phiếu" in done.output
    assert "còn mang mã đơn vị cũ" not in runner.invoke(app, [*store, "init"]).output
