"""Reporting calendars: periods and due dates as the seed plans ask for them, reminders in the
outbox before each due date (once each), calendar and ad-hoc (đột xuất) reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from docx import Document
from typer.testing import CliRunner

from giamsat.cli import app
from giamsat.core import periods
from giamsat.core.profile import load_profile
from giamsat.triage.export import write_report
from giamsat.triage.reports import build_report
from giamsat.triage.service import Triage


def at(day: date, hour: int = 8) -> datetime:
    """``hour`` o'clock in Việt Nam on ``day``, as UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=7)


# -- periods -------------------------------------------------------------------------------------
def test_periods_of_every_kind():
    def p(kind, start, due, day):
        got = periods.period_containing(periods.parse_cycle(kind, start, due), day)
        return got.start, got.end, got.due

    d = date(2026, 11, 26)  # a Thursday
    assert p("daily", None, None, d) == (d, d, date(2026, 11, 27))
    assert p("weekly", "thu-2", "+1", d) == (date(2026, 11, 23), date(2026, 11, 29), date(2026, 11, 30))
    assert p("weekly", "thu-6", "+0", d) == (date(2026, 11, 20), date(2026, 11, 26), date(2026, 11, 26))
    assert p("monthly", 1, "05", d) == (date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 5))
    # Điều 12 Nghị định 09/2019/NĐ-CP cut-offs: 15th of the previous month to the 14th
    assert p("monthly", 15, "17", d) == (date(2026, 11, 15), date(2026, 12, 14), date(2026, 12, 17))
    assert p("quarterly", 1, "10", d) == (date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 10))
    assert p("quarterly", 15, "17", date(2026, 3, 1)) == (
        date(2025, 12, 15),
        date(2026, 3, 14),
        date(2026, 3, 17),
    )
    assert p("yearly", "16/11", "20/11", d) == (date(2026, 11, 16), date(2027, 11, 15), date(2027, 11, 20))
    assert p("yearly", "15/12", "17/12", d) == (date(2025, 12, 15), date(2026, 12, 14), date(2026, 12, 17))


def test_the_report_due_next_is_the_one_staff_must_submit():
    cycle = periods.parse_cycle("yearly", "16/11", "20/11")
    for today in (date(2026, 6, 1), date(2026, 11, 18), date(2026, 11, 20)):
        nxt = periods.next_due(cycle, today)
        assert (nxt.start, nxt.end, nxt.due) == (date(2025, 11, 16), date(2026, 11, 15), date(2026, 11, 20))
    assert periods.next_due(cycle, date(2026, 11, 21)).due == date(2027, 11, 20)
    assert periods.period_label(periods.next_due(cycle, date(2026, 11, 18))) == (
        "năm 2026 (từ 16/11/2025 đến 15/11/2026)"
    )
    assert periods.next_due(periods.parse_cycle("ad-hoc", None, None), date(2026, 11, 18)) is None


@pytest.mark.parametrize(
    ("kind", "start", "due", "words"),
    [
        ("yearly", None, "20/11", "324 days after the period ends"),  # 1/1-31/12 due 20/11
        ("yearly", "16/11", None, "due"),
        ("yearly", "29/02", "05/03", "recurs every year"),
        ("monthly", 31, "05", "1-28"),
        ("monthly", 15, "05", "22 days after"),
        ("weekly", "thu-8", "+1", "weekday"),
        ("daily", None, "+3", "3 days after"),
        ("ad-hoc", None, "20/11", "no period_start or due"),
    ],
)
def test_calendar_entries_are_checked(kind, start, due, words):
    with pytest.raises(ValueError, match=words):
        periods.parse_cycle(kind, start, due)


# -- the seeds' due dates ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("province", "entry", "today", "start", "end", "due"),
    [
        # Khánh Hòa: policy communication before 20/11; external information before 10/12 and 15/12
        (
            "khanh-hoa",
            "nam-truyen-thong-chinh-sach",
            date(2026, 11, 2),
            date(2025, 11, 16),
            date(2026, 11, 15),
            date(2026, 11, 20),
        ),
        (
            "khanh-hoa",
            "nam-thong-tin-doi-ngoai-don-vi",
            date(2026, 11, 2),
            date(2025, 12, 1),
            date(2026, 11, 30),
            date(2026, 12, 10),
        ),
        (
            "khanh-hoa",
            "nam-thong-tin-doi-ngoai",
            date(2026, 12, 11),
            date(2025, 12, 1),
            date(2026, 11, 30),
            date(2026, 12, 15),
        ),
        # Đắk Nông (now Lâm Đồng): units before 25/11, the province's report before 30/11; quarterly
        (
            "lam-dong",
            "nam-chi-thi-07-don-vi",
            date(2026, 11, 2),
            date(2025, 11, 21),
            date(2026, 11, 20),
            date(2026, 11, 25),
        ),
        (
            "lam-dong",
            "nam-chi-thi-07",
            date(2026, 11, 26),
            date(2025, 11, 21),
            date(2026, 11, 20),
            date(2026, 11, 30),
        ),
        (
            "lam-dong",
            "bao-cao-quy",
            date(2026, 11, 26),
            date(2026, 10, 1),
            date(2026, 12, 31),
            date(2027, 1, 5),
        ),
        # Hà Tĩnh: before 01/12 and 15/12; monthly plans before the 5th
        (
            "ha-tinh",
            "nam-don-vi",
            date(2026, 11, 2),
            date(2025, 11, 26),
            date(2026, 11, 25),
            date(2026, 12, 1),
        ),
        (
            "ha-tinh",
            "nam-gui-bo",
            date(2026, 12, 2),
            date(2025, 11, 26),
            date(2026, 11, 25),
            date(2026, 12, 15),
        ),
        (
            "ha-tinh",
            "ke-hoach-thang",
            date(2026, 12, 2),
            date(2026, 11, 1),
            date(2026, 11, 30),
            date(2026, 12, 5),
        ),
    ],
)
def test_seed_due_dates(province, entry, today, start, end, due):
    sched = load_profile(province).schedule(entry)
    assert sched is not None and sched.source
    nxt = periods.next_due(sched.cycle, today)
    assert (nxt.start, nxt.end, nxt.due) == (start, end, due)


# -- reminders -----------------------------------------------------------------------------------
REF = "lich:nam-truyen-thong-chinh-sach:2026-11-20"


def _reminders(store, ref=REF):
    return store.find_docs("outbox", {"ref": ref}, order_by="created", limit=100)


def test_reminders_before_the_due_date_exactly_once(profile, tmp_store, clock):
    t = Triage(profile, tmp_store, clock=clock)
    clock.now = at(date(2026, 11, 12))  # 8 days before 20/11: nothing yet
    t.remind_reports()
    assert _reminders(tmp_store) == []
    clock.now = at(date(2026, 11, 13))  # 7 days before
    assert t.tick()["report_reminders"] >= 1
    first = _reminders(tmp_store)
    assert {d["event"] for d in first} == {"nhac-bao-cao-7"}
    mail = next(d for d in first if d["channel"] == "email")
    assert mail["to"] == "vhttdl@khanhhoa.example"  # the coordinating unit
    assert "còn 7 ngày" in mail["subject"] and "trước ngày 20/11/2026" in mail["body"]
    assert "từ 16/11/2025 đến 15/11/2026" in mail["body"] and "Sở Nông nghiệp và Môi trường" in mail["body"]
    assert "giamsat report nam-truyen-thong-chinh-sach" in mail["body"]
    clock.now = at(date(2026, 11, 13), 16)
    t.remind_reports()
    assert len(_reminders(tmp_store)) == len(first)  # once per reminder day
    clock.now = at(date(2026, 11, 18))  # 2 days before
    t.remind_reports()
    assert {d["event"] for d in _reminders(tmp_store)} == {"nhac-bao-cao-7", "nhac-bao-cao-2"}
    clock.now = at(date(2026, 11, 21))  # the next year's report is not due for a year
    t.remind_reports()
    assert _reminders(tmp_store, "lich:nam-truyen-thong-chinh-sach:2027-11-20") == []


def test_a_worker_that_was_down_sends_only_the_latest_missed_reminder(profile, tmp_store, clock):
    t = Triage(profile, tmp_store, clock=clock)
    clock.now = at(date(2026, 11, 19))
    t.remind_reports()
    assert {d["event"] for d in _reminders(tmp_store)} == {"nhac-bao-cao-2"}


def test_monthly_plan_reminder_before_the_5th(tmp_store, clock):
    ht = load_profile("ha-tinh")
    t = Triage(ht, tmp_store, clock=clock)
    clock.now = at(date(2026, 12, 2))
    t.remind_reports()
    docs = _reminders(tmp_store, "lich:ke-hoach-thang:2026-12-05")
    assert docs and all(d["event"] == "nhac-bao-cao-3" for d in docs)
    assert any(d["to"] == "vhttdl@hatinh.example" for d in docs)


# -- calendar and ad-hoc reports -----------------------------------------------------------------
@pytest.fixture
def handled(triage, users, items_factory, clock):
    """A rumour confirmed into a ticket and answered by Sở NN&MT."""
    (alert,) = triage.ingest(items_factory(4, story_id="dat", topics=("dat-dai",), kind="press"))
    ticket = triage.confirm(users["giamsat1"], alert.id)
    clock.advance(hours=5)
    triage.transition(users["nnmt"], ticket.id, "da-phan-hoi", answer_text="Không có chủ trương thu hồi đất.")
    return alert, ticket


def test_calendar_report_covers_its_own_period_with_its_recipients(
    profile, tmp_store, handled, clock, tmp_path
):
    report = build_report(profile, tmp_store, "nam-truyen-thong-chinh-sach", now=at(date(2026, 11, 18)))
    assert (report.start, report.end, report.due) == (
        date(2025, 11, 16),
        date(2026, 11, 15),
        date(2026, 11, 20),
    )
    assert report.subtitle.endswith("năm 2026 (từ 16/11/2025 đến 15/11/2026)")
    assert report.recipients == ["Sở Nông nghiệp và Môi trường (qua Văn phòng Sở)", "Lưu: VT"]
    # the items of 23/11/2026 fall in the next period
    nxt = build_report(profile, tmp_store, "nam-truyen-thong-chinh-sach", date(2026, 11, 23), now=clock.now)
    assert (nxt.start, nxt.end) == (date(2026, 11, 16), date(2027, 11, 15))
    rows = {r[0]: r for r in next(s for s in nxt.sections if "THEO ĐƠN VỊ" in s.heading).tables[0].rows}
    assert rows["Sở Nông nghiệp và Môi trường"][1:3] == ["1", "1"]
    doc = Document(str(write_report(profile, nxt, "docx", tmp_path / "nam.docx")))
    foot = [p.text for p in doc.tables[-1].cell(0, 0).paragraphs]
    assert foot[1:] == ["- Sở Nông nghiệp và Môi trường (qua Văn phòng Sở);", "- Lưu: VT."]


def test_weekly_and_quarterly_reports(profile, tmp_store, handled, clock):
    week = build_report(profile, tmp_store, "weekly", date(2026, 11, 25), now=clock.now)
    assert (week.start, week.end) == (date(2026, 11, 23), date(2026, 11, 29))
    assert "tuần từ 23/11/2026 đến 29/11/2026" in week.subtitle
    quarter = build_report(profile, tmp_store, "quarterly", date(2026, 11, 25), now=clock.now)
    assert "quý IV năm 2026" in quarter.subtitle
    volume = next(s for s in quarter.sections if "DIỄN BIẾN" in s.heading)
    assert volume.tables[0].rows == [["11/2026", "4"]]  # a quarter is counted by month


def test_ad_hoc_report_for_a_range(profile, tmp_store, handled, clock):
    report = build_report(
        profile, tmp_store, "ad-hoc", now=clock.now, start=date(2026, 11, 20), end=date(2026, 11, 23)
    )
    assert report.kind == "ad-hoc" and report.subtitle.startswith("Báo cáo đột xuất")
    assert "từ 20/11/2026 đến 23/11/2026" in report.subtitle
    assert "ghi nhận 4 tin, bài" in report.sections[0].paragraphs[0]
    with pytest.raises(ValueError, match="ngược"):
        build_report(
            profile, tmp_store, "ad-hoc", now=clock.now, start=date(2026, 11, 23), end=date(2026, 11, 20)
        )


def test_ad_hoc_report_for_an_event(profile, tmp_store, handled, clock):
    alert, ticket = handled
    for event in (ticket.id, alert.id):
        report = build_report(profile, tmp_store, "ad-hoc", now=clock.now, event=event)
        assert report.subtitle == f"Báo cáo đột xuất về vụ việc: {ticket.title}"
        assert report.start == date(2026, 11, 23)
        heads = [s.heading for s in report.sections]
        assert heads == [
            "I. SỰ VIỆC",
            "II. DIỄN BIẾN SỐ LƯỢNG TIN, BÀI",
            "III. TIN, BÀI VỀ VỤ VIỆC",
            "IV. KẾT QUẢ XỬ LÝ",
        ]
        items = report.sections[2].tables[0].rows
        assert len(items) == 4 and all(r[3].startswith("https://") for r in items)
        handling = " ".join(report.sections[3].paragraphs)
        assert "Sở Nông nghiệp và Môi trường chủ trì" in handling and "đúng hạn" in handling
        assert "Không có chủ trương thu hồi đất." in handling
        assert report.sections[3].tables[0].rows  # the ticket's history
    with pytest.raises(ValueError, match="không có cảnh báo hoặc phiếu"):
        build_report(profile, tmp_store, "ad-hoc", now=clock.now, event="PX-2099-9999")


def test_report_and_calendar_commands(profile, tmp_store, handled, tmp_path):
    _, ticket = handled
    runner = CliRunner()
    base = ["--store", tmp_store.uri, "--profile", "khanh-hoa"]
    out = tmp_path / "nam.md"
    r = runner.invoke(
        app,
        [
            *base,
            "report",
            "nam-truyen-thong-chinh-sach",
            "--date",
            "2026-11-23",
            "--format",
            "md",
            "-o",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert (
        "(từ 16/11/2026 đến 15/11/2027)" in text
        and "- Sở Nông nghiệp và Môi trường (qua Văn phòng Sở)" in text
    )
    r = runner.invoke(
        app, [*base, "report", "ad-hoc", "--event", ticket.id, "--format", "md", "-o", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "Báo cáo đột xuất về vụ việc" in out.read_text(encoding="utf-8")
    r = runner.invoke(app, [*base, "calendar", "--date", "2026-11-18"], env={"COLUMNS": "250"})
    assert r.exit_code == 0, r.output
    assert "nam-truyen-thong-chinh-sach" in r.output and "20/11/2026" in r.output
