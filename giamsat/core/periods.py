"""Reporting periods (kỳ báo cáo) and due dates (hạn nộp): pure date arithmetic, no I/O.

A plan says "báo cáo hằng năm trước ngày 20/11": a report due on 20/11 cannot cover 1/1-31/12, so
each report in the profile's ``report_calendar`` names when its period starts (``period_start``)
and when it is due (``due``). This module turns those two strings into dates; the profile checks
them on load and the report builder and the reminder duty use the same functions, so they agree.

Kinds and what the two strings mean:

=========== ======================================= =========================================
kind        ``period_start``                        ``due``
=========== ======================================= =========================================
daily       (not used: one local day)               ``+N``: N days after the day (default +1)
weekly      weekday ``thu-2`` ... ``chu-nhat``      ``+N``: N days after the last day
monthly     ``dd`` day of month (1-28, default 1)   ``dd``: first such day after the period
quarterly   ``dd`` as monthly                       ``dd``: first such day after the period
yearly      ``dd/mm`` (default ``01/01``)           ``dd/mm``: first such date after the period
ad-hoc      (a range or an event, given per report) (none)
=========== ======================================= =========================================

With ``period_start`` day ``d`` > 1 a monthly period runs from day ``d`` of the previous month to
day ``d - 1`` of the month it is named after (the cut-off of Điều 12 Nghị định 09/2019/NĐ-CP is
``15``); a quarter likewise ends on day ``d - 1`` of its last month. A due date falls after its
period, at most one period later for daily and weekly reports and half a period later for the
others, so at most one report of an entry is outstanding at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

KINDS: tuple[str, ...] = ("daily", "weekly", "monthly", "quarterly", "yearly", "ad-hoc")
KIND_LABELS = {
    "daily": "Hằng ngày",
    "weekly": "Hằng tuần",
    "monthly": "Hằng tháng",
    "quarterly": "Hằng quý",
    "yearly": "Hằng năm",
    "ad-hoc": "Đột xuất",
}
WEEKDAYS: tuple[str, ...] = ("thu-2", "thu-3", "thu-4", "thu-5", "thu-6", "thu-7", "chu-nhat")
ROMAN = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Cycle:
    """The parsed ``period_start``/``due`` of one calendar entry."""

    kind: str
    start_day: int = 1  # monthly/quarterly: day of month; weekly: weekday 0 (thứ 2) .. 6 (CN)
    start_month: int = 1  # yearly only
    due_day: int | None = None  # monthly/quarterly/yearly
    due_month: int | None = None  # yearly
    due_after: int | None = None  # daily/weekly: days after the period's last day


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # inclusive
    due: date | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _fmt(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def _day_month(text: str, what: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})\s*", text)
    if not m:
        raise ValueError(f"{what}: 'dd/mm' (e.g. '16/11'), got {text!r}")
    day, month = int(m[1]), int(m[2])
    try:
        date(2025, month, day)  # a non-leap year: 29/02 would not recur every year
    except ValueError:
        raise ValueError(f"{what}: not a date that recurs every year: {text!r}") from None
    return day, month


def _day_of_month(text: str | int, what: str) -> int:
    m = re.fullmatch(r"\s*(\d{1,2})\s*", str(text))
    if not m or not 1 <= int(m[1]) <= 28:
        raise ValueError(f"{what}: a day of the month 1-28 (so it exists in every month), got {text!r}")
    return int(m[1])


def _after_days(text: str | int, what: str) -> int:
    m = re.fullmatch(r"\s*\+?(\d{1,2})\s*", str(text))
    if not m:
        raise ValueError(f"{what}: '+N', N days after the period's last day (e.g. '+1'), got {text!r}")
    return int(m[1])


def parse_cycle(kind: str, period_start: str | int | None, due: str | int | None) -> Cycle:
    """Parse and check one entry; ``ValueError`` names the field and the expected form."""
    if kind not in KINDS:
        raise ValueError(f"kind: one of {', '.join(KINDS)}, got {kind!r}")
    if kind == "ad-hoc":
        if period_start is not None or due is not None:
            raise ValueError(
                "an ad-hoc (đột xuất) report has no period_start or due: its range is given per report"
            )
        return Cycle(kind)
    cycle: Cycle
    if kind == "daily":
        if period_start is not None:
            raise ValueError("period_start: a daily report covers one day; leave it out")
        cycle = Cycle(kind, due_after=_after_days(due, "due") if due is not None else 1)
    elif kind == "weekly":
        wd = 0
        if period_start is not None:
            if str(period_start) not in WEEKDAYS:
                raise ValueError(f"period_start: a weekday {', '.join(WEEKDAYS)}, got {period_start!r}")
            wd = WEEKDAYS.index(str(period_start))
        cycle = Cycle(kind, start_day=wd, due_after=_after_days(due, "due") if due is not None else 1)
    elif kind in ("monthly", "quarterly"):
        if due is None:
            raise ValueError("due: the day of the month the report is due ('dd')")
        start = _day_of_month(period_start, "period_start") if period_start is not None else 1
        cycle = Cycle(kind, start_day=start, due_day=_day_of_month(due, "due"))
    else:  # yearly
        if due is None:
            raise ValueError("due: the date the report is due each year ('dd/mm')")
        sd, sm = _day_month(str(period_start), "period_start") if period_start is not None else (1, 1)
        dd, dm = _day_month(str(due), "due")
        cycle = Cycle(kind, start_day=sd, start_month=sm, due_day=dd, due_month=dm)
    # The due date must follow its period closely: otherwise the report is either due before
    # the period is over or nearly a whole period late (the 1/1-31/12 year due on 20/11 case).
    # Allowed: up to one period for daily/weekly reports, half a period for the others.
    probe = period_containing(cycle, date(2026, 6, 15))
    gap = (probe.due - probe.end).days if probe.due else 0
    limit = probe.days if kind in ("daily", "weekly") else probe.days // 2
    if gap > limit:
        raise ValueError(
            f"due: {due} comes {gap} days after the period ends ({_fmt(probe.end)} for a period "
            f"starting {_fmt(probe.start)}); at most {limit} days are allowed - set period_start so "
            "the period ends shortly before the due date"
        )
    return cycle


def _add_months(d: date, months: int) -> date:
    idx = d.year * 12 + d.month - 1 + months
    return date(idx // 12, idx % 12 + 1, d.day)


def period_containing(cycle: Cycle, day: date) -> Period:
    """The period of ``cycle`` that contains ``day``, with its due date."""
    kind = cycle.kind
    if kind == "daily":
        start = end = day
    elif kind == "weekly":
        start = day - timedelta(days=(day.weekday() - cycle.start_day) % 7)
        end = start + timedelta(days=6)
    elif kind == "monthly":
        start = date(day.year, day.month, cycle.start_day)
        if start > day:
            start = _add_months(start, -1)
        end = _add_months(start, 1) - timedelta(days=1)
    elif kind == "quarterly":
        # Quarters start in months 1, 4, 7, 10; with a cut-off day > 1 a quarter starts on that
        # day of the month before (15/12 -> 14/3 is the first quarter).
        first_months = {1, 4, 7, 10} if cycle.start_day == 1 else {12, 3, 6, 9}
        start = date(day.year, day.month, cycle.start_day)
        while start.month not in first_months or start > day:
            start = _add_months(start, -1)
        end = _add_months(start, 3) - timedelta(days=1)
    elif kind == "yearly":
        start = date(day.year, cycle.start_month, cycle.start_day)
        if start > day:
            start = date(day.year - 1, cycle.start_month, cycle.start_day)
        end = date(start.year + 1, cycle.start_month, cycle.start_day) - timedelta(days=1)
    else:
        raise ValueError(f"an {kind} report has no calendar period")
    return Period(kind, start, end, due_date(cycle, end))


def due_date(cycle: Cycle, end: date) -> date | None:
    """The due date of the period ending on ``end``: the first matching date after it."""
    if cycle.due_after is not None:
        return end + timedelta(days=cycle.due_after)
    if cycle.due_day is None:
        return None
    if cycle.due_month is not None:  # yearly
        due = date(end.year, cycle.due_month, cycle.due_day)
        return due if due > end else date(end.year + 1, cycle.due_month, cycle.due_day)
    due = date(end.year, end.month, cycle.due_day)
    return due if due > end else _add_months(due, 1)


def next_due(cycle: Cycle, today: date) -> Period | None:
    """The period whose report is due next (due on or after ``today``): on 18/11 the year
    16/11-15/11 due 20/11, not the year that has just begun. ``None`` for ad-hoc reports."""
    if cycle.kind == "ad-hoc":
        return None
    current = period_containing(cycle, today)
    previous = period_containing(cycle, current.start - timedelta(days=1))
    # A due date is at most one period after its period's end, so no older period can still be due.
    for p in (previous, current):
        if p.due is not None and p.due >= today:
            return p
    return current


def period_label(p: Period) -> str:
    """How a period is named in a report title: 'tháng 11/2026', 'quý IV năm 2026', 'năm 2026
    (từ 16/11/2025 đến 15/11/2026)'."""
    if p.kind == "daily":
        return f"ngày {_fmt(p.start)}"
    if p.kind == "weekly":
        return f"tuần từ {_fmt(p.start)} đến {_fmt(p.end)}"
    rng = f" (từ {_fmt(p.start)} đến {_fmt(p.end)})"
    if p.kind == "monthly":
        return f"tháng {p.end.month:02d}/{p.end.year}" + ("" if p.start.day == 1 else rng)
    if p.kind == "quarterly":
        q = (p.end.month - 1) // 3
        return f"quý {ROMAN[q]} năm {p.end.year}" + ("" if p.start.day == 1 else rng)
    if p.kind == "yearly":
        calendar_year = (p.start.day, p.start.month) == (1, 1)
        return f"năm {p.end.year}" + ("" if calendar_year else rng)
    return f"từ {_fmt(p.start)} đến {_fmt(p.end)}"
