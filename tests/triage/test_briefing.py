"""The briefing's pure parts: continuous days and hours, spikes, trending terms, unit KPIs, the
five lines, denials."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from giamsat.core.model import Ticket
from giamsat.core.timeutil import VN_TZ
from giamsat.triage.briefing import (
    fill_days,
    fill_hours,
    is_denial,
    spike_hours,
    trending_terms,
    unit_kpis,
)


def test_every_day_is_on_the_axis_with_zeros():
    got = fill_days([(date(2026, 11, 23), 4), (date(2026, 12, 5), 2)], date(2026, 11, 22), date(2026, 12, 5))
    assert len(got) == 14 and got[0] == (date(2026, 11, 22), 0) and got[1] == (date(2026, 11, 23), 4)
    assert sum(n for _, n in got) == 6 and all(n == 0 for _, n in got[2:-1])


def test_every_hour_of_the_day_and_spikes_marked():
    day = date(2026, 12, 5)
    base = datetime(2026, 12, 5, tzinfo=VN_TZ)
    hours = fill_hours(
        [(base + timedelta(hours=h), 2) for h in range(24) if h != 14] + [(base + timedelta(hours=14), 40)],
        day,
    )
    assert len(hours) == 24
    assert spike_hours(hours) == [base + timedelta(hours=14)]
    assert spike_hours(fill_hours([], day)) == []  # a quiet day has no spike
    # an hour given in UTC lands on its local hour
    utc = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)  # 08:00 in Khánh Hòa
    assert dict(fill_hours([(utc, 3)], day))[base + timedelta(hours=8)] == 3


def test_trending_terms_rise_against_the_previous_period():
    now = ["Khai thác cát trái phép ở Cam Ranh"] * 5 + ["Giá xăng tăng mạnh"] * 3
    before = ["Giá xăng tăng mạnh"] * 3 + ["Lễ hội biển Nha Trang"] * 5
    terms = trending_terms(now, before)
    assert ("khai thác", 5, 0) in terms and ("cam ranh", 5, 0) in terms
    assert all(t != "giá xăng" for t, _, _ in terms)  # as frequent as before: not rising


def test_unit_kpis_open_overdue_and_median_time_to_answer():
    from giamsat.core.profile import load_profile

    profile = load_profile("khanh-hoa")
    t0 = datetime(2026, 12, 1, 1, tzinfo=UTC)
    tickets = [
        Ticket(
            id="1", lead_unit="so-nnmt", status="da-phan-hoi", created=t0, answered_at=t0 + timedelta(hours=2)
        ),
        Ticket(
            id="2", lead_unit="so-nnmt", status="da-phan-hoi", created=t0, answered_at=t0 + timedelta(hours=6)
        ),
        Ticket(id="3", lead_unit="so-nnmt", status="da-giao", created=t0, due=t0 + timedelta(hours=24)),
        Ticket(id="4", lead_unit="cong-an", status="da-giao", created=t0, due=t0 + timedelta(hours=48)),
    ]
    kpis = {
        k.unit: k for k in unit_kpis(profile, tickets, t0, t0 + timedelta(days=1), t0 + timedelta(hours=30))
    }
    tnmt = kpis["so-nnmt"]
    assert (tnmt.open, tnmt.overdue, tnmt.answered, tnmt.median_hours) == (1, 1, 2, 4.0)
    assert tnmt.name == "Sở Nông nghiệp và Môi trường"
    assert (kpis["cong-an"].open, kpis["cong-an"].overdue) == (1, 0)


def test_denials_are_official_answers():
    assert is_denial("Công an tỉnh bác bỏ tin đồn sơ tán", "chinh-thong")
    assert is_denial("Đính chính thông tin sai về giá đất", "chinh-thong")
    assert not is_denial("Tin đồn sơ tán lan trên mạng", "chua-xac-minh")
    assert not is_denial("Sạt lở ở Khánh Vĩnh", "chinh-thong")
