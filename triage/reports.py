"""Report content: the daily briefing (điểm tin), the weekly/monthly/quarterly/yearly reports,
the reports of the profile's reporting calendar and ad-hoc (đột xuất) reports.

Everything is counted by the items' own date (published, else fetched): an alert or a ticket
belongs to the day its posts appeared, not to the day someone acted on it. The daily briefing
opens with the five lines of ``triage.briefing`` and its chart; official denials have their own
section; ``variant="leader"`` is the one-page version for a leader's desk.

Built only from aggregate store queries (count/facet/histogram/top_stories over items, and
find_docs over the small alert/ticket collections) - never by loading items - so a month over a
million items takes seconds. The result is a neutral ``Report`` (sections of paragraphs and
tables) that ``triage.export`` renders as DOCX, Markdown or CSV.

What a report covers:
* a kind (``daily`` ... ``yearly``): the calendar day, week (Monday-Sunday), month, quarter or
  year containing the given day;
* an entry of ``profile.report_calendar`` (by id): its own period (e.g. 16/11 of last year to
  15/11 for a report due 20/11), by default the one due next, with its recipients;
* ``ad-hoc``: a date range, or one event (an alert or ticket id) from its first day.
Units are grouped and named by their current unit, also on tickets stored with old codes.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from giamsat.core import periods
from giamsat.core.codes import (
    ALERT_KIND_LABELS,
    ALERT_STATUS_LABELS,
    KIND_LABELS,
    SENTIMENT_LABELS,
    SEVERITY_LABELS,
)
from giamsat.core.codes import CATEGORY_TITLES as CATEGORY_LABELS
from giamsat.core.model import Alert, Ticket, parse_dt, utcnow
from giamsat.core.profile import Profile, ReportSchedule
from giamsat.core.text import snippet
from giamsat.core.timeutil import VN_TZ, fmt_date, fmt_datetime, fmt_number
from giamsat.storage.base import Query, Store, StorySummary
from giamsat.triage.workflow import severity_rank

REPORT_KINDS = periods.KINDS  # daily, weekly, monthly, quarterly, yearly, ad-hoc
CALENDAR_KINDS = ("daily", "weekly", "monthly", "quarterly", "yearly")
VARIANTS = ("full", "leader")
LEADER_STORIES = 3  # rows of the leader's one-page table
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


@dataclass
class Table:
    name: str
    headers: list[str]
    rows: list[list[str]]
    links: dict[int, str] = field(default_factory=dict)  # row index -> URL (for the title cell)


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Report:
    kind: str
    title: str  # "BÁO CÁO"
    subtitle: str  # "Điểm tin báo chí, mạng xã hội ngày 23/11/2026"
    start: date  # first local day covered
    end: date  # last local day covered (inclusive)
    issued: date
    number: int | None = None
    sections: list[Section] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)  # Nơi nhận; empty: profile.report.recipients
    due: date | None = None  # hạn nộp, for a report of the calendar
    schedule_id: str | None = None  # the report_calendar entry it was built for
    variant: str = "full"
    summary: list[str] = field(default_factory=list)  # the five lines read first
    chart_png: bytes | None = None  # volume by day and sentiment, drawn by triage.chart
    chart_caption: str = ""


def recipients_of(profile: Profile, report: Report) -> list[str]:
    """Nơi nhận of this report: its calendar entry's, else the profile's letterhead default."""
    return report.recipients or profile.report.recipients


def n(value: float) -> str:
    return fmt_number(value, 0)


def pct(part: int, whole: int) -> str:
    return f"{fmt_number(100 * part / whole, 1)}%" if whole else "0%"


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """First and last local day of the calendar period of ``kind`` containing ``day`` (weeks run
    Monday to Sunday; months, quarters and years are calendar ones)."""
    if kind not in CALENDAR_KINDS:
        raise ValueError(
            f"loại báo cáo không có kỳ lịch: {kind} (có: {', '.join(CALENDAR_KINDS)}; "
            "báo cáo đột xuất cần khoảng ngày hoặc vụ việc)"
        )
    p = periods.period_containing(periods.Cycle(kind, start_day=0 if kind == "weekly" else 1), day)
    return p.start, p.end


def utc_range(start: date, end: date) -> tuple[datetime, datetime]:
    lo = datetime(start.year, start.month, start.day, tzinfo=VN_TZ).astimezone(UTC)
    hi = (datetime(end.year, end.month, end.day, tzinfo=VN_TZ) + timedelta(days=1)).astimezone(UTC)
    return lo, hi


def docs_created_between(
    store: Store, collection: str, since: datetime, until: datetime, page: int = 500
) -> Iterator[dict[str, Any]]:
    """Docs whose ``created`` falls in [since, until), newest first, stopping at the first older one."""
    offset = 0
    while True:
        docs = store.find_docs(collection, None, order_by="-created", limit=page, offset=offset)
        for d in docs:
            created = parse_dt(d.get("created"))
            if created is None or created >= until:
                continue
            if created < since:
                return
            yield d
        if len(docs) < page:
            return
        offset += page


def _facet_table(
    name: str, rows: list[tuple[str, int]], labels: Callable[[str], str], total: int, head: str
) -> Table:
    return Table(name, [head, "Số tin, bài", "Tỷ lệ"], [[labels(k), n(v), pct(v, total)] for k, v in rows])


def _overview(profile: Profile, store: Store, q: Query) -> tuple[int, Section]:
    total = store.count(q)
    sec = Section("Tổng quan tình hình thông tin")
    kinds = store.facet("kind", q)
    sentiments = store.facet("sentiment", q)
    categories = [(k, v) for k, v in store.facet("category", q) if k != "none"]
    neg = dict(sentiments).get("tieu-cuc", 0)
    sec.paragraphs.append(
        f"Trong kỳ, hệ thống ghi nhận {n(total)} tin, bài liên quan đến tỉnh {profile.province.name}; "
        f"trong đó {n(neg)} tin, bài có sắc thái tiêu cực ({pct(neg, total)})."
    )
    if categories:
        sec.paragraphs.append(
            "Phân loại cần lưu ý: "
            + "; ".join(f"{CATEGORY_LABELS.get(k, k)}: {n(v)}" for k, v in categories)
            + "."
        )
    sec.tables.append(
        _facet_table("Theo loại nguồn", kinds, lambda k: KIND_LABELS.get(k, k), total, "Loại nguồn")
    )
    sec.tables.append(
        _facet_table("Theo sắc thái", sentiments, lambda k: SENTIMENT_LABELS.get(k, k), total, "Sắc thái")
    )
    return total, sec


def _topics(profile: Profile, store: Store, q: Query, total: int) -> Section:
    sec = Section("Chủ đề và địa bàn được quan tâm")

    def topic_name(code: str) -> str:
        t = profile.topic(code)
        return t.name if t else code

    sec.tables.append(
        _facet_table("Chủ đề nổi bật", store.facet("topic", q, limit=10), topic_name, total, "Chủ đề")
    )
    sec.tables.append(
        _facet_table("Địa bàn được nhắc đến", store.facet("locality", q, limit=10), str, total, "Địa bàn")
    )
    return sec


def _story_row(s: StorySummary) -> list[str]:
    return [s.title, n(s.items), n(s.sources), n(s.engagement)]


def _split_denials(
    profile: Profile, store: Store, stories: list[StorySummary]
) -> tuple[list[StorySummary], list[StorySummary]]:
    """(the matters, the official answers): a story headed by an official source whose title
    denies or corrects is an answer, not a negative story."""
    from giamsat.triage.briefing import is_denial

    matters: list[StorySummary] = []
    denials: list[StorySummary] = []
    for s in stories:
        head = store.get_item_by_url(s.url) if s.url else None
        src = profile.source(head.source_id) if head else None
        (denials if is_denial(s.title, src.tier if src else None) else matters).append(s)
    return matters, denials


def _negative_stories(profile: Profile, store: Store, q: Query, limit: int = 10) -> tuple[Section, Section]:
    sec = Section("Tin, bài tiêu cực nổi bật")
    neg = Query(since=q.since, until=q.until, sentiments=["tieu-cuc"], item_ids=q.item_ids)
    matters, denials = _split_denials(profile, store, store.top_stories(neg, limit=limit + 5))
    matters = matters[:limit]
    table = Table("Tin tiêu cực lan truyền nhiều nhất", ["Tiêu đề", "Số bài", "Số nguồn", "Tương tác"], [])
    for i, s in enumerate(matters):
        table.rows.append(_story_row(s))
        if s.url.startswith(("http://", "https://")):
            table.links[i] = s.url
    if not matters:
        sec.paragraphs.append("Không ghi nhận tin, bài tiêu cực nổi bật.")
    sec.tables.append(table)
    return sec, _denials(store, q, denials)


def _denials(store: Store, q: Query, stories: list[StorySummary]) -> Section:
    sec = Section("Thông tin đính chính, bác bỏ")
    claims = [
        d
        for d in store.find_docs("claims", None, order_by="-created", limit=1000)
        if q.since and q.until and (c := parse_dt(d.get("created"))) and q.since <= c < q.until
    ]
    if not stories and not claims:
        sec.paragraphs.append("Trong kỳ không có thông tin đính chính, bác bỏ mới.")
        return sec
    if stories:
        table = Table(
            "Bài đính chính, bác bỏ của cơ quan chức năng", ["Tiêu đề", "Số bài", "Số nguồn", "Tương tác"], []
        )
        for i, s in enumerate(stories):
            table.rows.append(_story_row(s))
            if s.url.startswith(("http://", "https://")):
                table.links[i] = s.url
        sec.tables.append(table)
    if claims:
        sec.tables.append(
            Table(
                "Tin sai đã được đính chính (đưa vào danh sách đối chiếu)",
                ["Tin sai", "Thông tin đính chính", "Cơ quan"],
                [[d.get("text", "")[:300], d.get("answer", "")[:400], d.get("source") or ""] for d in claims],
            )
        )
    return sec


def matter_time(alert: Alert) -> datetime:
    """When the alert's posts appeared (first item seen), the date a report counts it by."""
    first = parse_dt(alert.reach.get("first_seen")) if alert.reach else None
    return first or alert.created


def alerts_of_period(store: Store, since: datetime, until: datetime, page: int = 500) -> list[Alert]:
    """Alerts whose posts appeared in [since, until) - whenever the alert was opened."""
    out, offset = [], 0
    while True:
        docs = store.find_docs("alerts", None, order_by="-created", limit=page, offset=offset)
        for d in docs:
            a = Alert.from_dict(d)
            if since <= matter_time(a) < until:
                out.append(a)
        if len(docs) < page:
            return out
        offset += page


def _alerts(store: Store, since: datetime, until: datetime) -> Section:
    sec = Section("Cảnh báo từ tin, bài trong kỳ")
    alerts = alerts_of_period(store, since, until)
    by_kind = Counter(a.kind for a in alerts)
    by_sev = Counter(a.severity for a in alerts)
    sec.paragraphs.append(
        f"Tin, bài trong kỳ làm phát sinh {n(len(alerts))} cảnh báo"
        + (
            " ("
            + ", ".join(
                f"{SEVERITY_LABELS.get(s, s).lower()}: {n(by_sev[s])}" for s in SEVERITY_LABELS if by_sev[s]
            )
            + ")"
            if alerts
            else ""
        )
        + (
            "; theo loại: "
            + ", ".join(f"{ALERT_KIND_LABELS.get(k, k).lower()}: {n(v)}" for k, v in by_kind.most_common())
            if alerts
            else ""
        )
        + "."
    )
    top = sorted(alerts, key=lambda a: (severity_rank(a.severity), -a.risk))[:10]
    if top:
        sec.tables.append(
            Table(
                "Cảnh báo cần chú ý",
                ["Nội dung", "Mức độ", "Lan truyền (bài)", "Trạng thái", "Phiếu"],
                [
                    [
                        a.title[:200],
                        SEVERITY_LABELS.get(a.severity, a.severity),
                        n(a.reach.get("items", 0)),
                        ALERT_STATUS_LABELS.get(a.status, a.status),
                        a.ticket_id or "—",
                    ]
                    for a in top
                ],
            )
        )
    return sec


@dataclass
class UnitStats:
    received: int = 0
    answered: int = 0
    on_time: int = 0
    overdue: int = 0
    hours: list[float] = field(default_factory=list)

    @property
    def median_hours(self) -> float | None:
        return statistics.median(self.hours) if self.hours else None


def ticket_stats(
    tickets: list[Ticket], as_of: datetime, unit_of: Callable[[str], str] = str
) -> dict[str, UnitStats]:
    """Per lead unit (``unit_of`` maps a stored code to the one to group by, e.g. an old code to
    its current unit): received, answered, answered on time, overdue, hours to answer."""
    out: dict[str, UnitStats] = {}
    for t in tickets:
        s = out.setdefault(unit_of(t.lead_unit), UnitStats())
        s.received += 1
        if t.answered_at:
            s.answered += 1
            s.hours.append((t.answered_at - t.created).total_seconds() / 3600)
            if t.due is None or t.answered_at <= t.due:
                s.on_time += 1
            else:
                s.overdue += 1
        elif t.due and t.due < as_of:
            s.overdue += 1
    return out


def _tickets_daily(store: Store, since: datetime, until: datetime, as_of: datetime) -> Section:
    sec = Section("Tình hình xử lý phiếu")
    # tickets of the matters that appeared in the period (by the items' date, like the alerts)
    opened = [a for a in alerts_of_period(store, since, until) if a.ticket_id]
    answered = overdue = 0
    for d in store.find_docs("tickets", None, order_by="-updated", limit=100_000):
        t = Ticket.from_dict(d)
        if t.answered_at and since <= t.answered_at < until:
            answered += 1
        if not t.answered_at and t.status not in ("da-dong",) and t.due and t.due < min(until, as_of):
            overdue += 1
    sec.paragraphs.append(
        f"Tin, bài trong ngày đã được chuyển thành {n(len({a.ticket_id for a in opened}))} phiếu; "
        f"trong ngày đã phản hồi {n(answered)} phiếu; "
        f"đến cuối kỳ báo cáo còn {n(overdue)} phiếu quá hạn chưa phản hồi."
    )
    return sec


def _tickets_period(
    profile: Profile, store: Store, since: datetime, until: datetime, as_of: datetime
) -> Section:
    sec = Section("Kết quả xử lý theo đơn vị")
    # tickets of the matters whose posts appeared in the period (the items' date, as everywhere)
    ids = {a.ticket_id for a in alerts_of_period(store, since, until) if a.ticket_id}
    tickets = [Ticket.from_dict(d) for d in (store.get_doc("tickets", i) for i in sorted(ids)) if d]
    stats = ticket_stats(tickets, min(until, as_of), profile.current_unit)
    total = UnitStats()
    rows = []
    for unit, s in sorted(stats.items(), key=lambda kv: (-kv[1].received, kv[0])):
        rows.append(
            [
                profile.unit_name(unit),
                n(s.received),
                n(s.answered),
                f"{n(s.on_time)} ({pct(s.on_time, s.answered)})",
                n(s.overdue),
                fmt_number(s.median_hours, 1) if s.median_hours is not None else "-",
            ]
        )
        total.received += s.received
        total.answered += s.answered
        total.on_time += s.on_time
        total.overdue += s.overdue
        total.hours += s.hours
    sec.paragraphs.append(
        f"Trong kỳ tiếp nhận {n(total.received)} phiếu; đã phản hồi {n(total.answered)} phiếu, trong đó đúng hạn "
        f"{n(total.on_time)} ({pct(total.on_time, total.answered)}); quá hạn {n(total.overdue)} phiếu."
        + (
            f" Thời gian phản hồi trung vị {fmt_number(total.median_hours, 1)} giờ."
            if total.median_hours is not None
            else ""
        )
    )
    if rows:
        rows.append(
            [
                "Tổng cộng",
                n(total.received),
                n(total.answered),
                f"{n(total.on_time)} ({pct(total.on_time, total.answered)})",
                n(total.overdue),
                fmt_number(total.median_hours, 1) if total.median_hours is not None else "-",
            ]
        )
    sec.tables.append(
        Table(
            "Kết quả xử lý phiếu theo đơn vị chủ trì",
            ["Đơn vị chủ trì", "Tiếp nhận", "Đã phản hồi", "Đúng hạn", "Quá hạn", "Trung vị (giờ)"],
            rows,
        )
    )
    return sec


def _volume(store: Store, q: Query, by_month: bool) -> Section:
    sec = Section("Diễn biến số lượng tin, bài")
    hist = store.histogram(q)
    if by_month:
        by_m: Counter[str] = Counter()
        for d, c in hist:
            by_m[f"{d.month:02d}/{d.year}"] += c
        rows = [[k, n(v)] for k, v in sorted(by_m.items(), key=lambda kv: kv[0][3:] + kv[0][:2])]
        sec.tables.append(Table("Số tin, bài theo tháng", ["Tháng", "Số tin, bài"], rows))
    else:
        sec.tables.append(
            Table("Số tin, bài theo ngày", ["Ngày", "Số tin, bài"], [[fmt_date(d), n(c)] for d, c in hist])
        )
    return sec


@dataclass
class _Event:
    """The alert and ticket an ad-hoc report is about."""

    alert: Alert | None
    ticket: Ticket | None
    story_first: datetime | None = None  # the story's first item (published), when known

    @property
    def title(self) -> str:
        return (self.ticket.title if self.ticket else "") or (self.alert.title if self.alert else "")

    @property
    def first_seen(self) -> datetime:
        """When the matter first appeared: its first article, else when it was flagged."""
        times = [x.created for x in (self.alert, self.ticket) if x is not None]
        return min([*times, *([self.story_first] if self.story_first else [])])


def load_event(store: Store, event_id: str) -> _Event:
    """An alert id or a ticket id (PX-2026-0012); each brings the other when linked."""
    ticket_doc = store.get_doc("tickets", event_id)
    alert_doc = store.get_doc("alerts", event_id)
    ticket = Ticket.from_dict(ticket_doc) if ticket_doc else None
    alert = Alert.from_dict(alert_doc) if alert_doc else None
    if ticket and ticket.alert_id and alert is None:
        doc = store.get_doc("alerts", ticket.alert_id)
        alert = Alert.from_dict(doc) if doc else None
    if alert and alert.ticket_id and ticket is None:
        doc = store.get_doc("tickets", alert.ticket_id)
        ticket = Ticket.from_dict(doc) if doc else None
    if alert is None and ticket is None:
        raise ValueError(f"không có cảnh báo hoặc phiếu '{event_id}'")
    first = store.story_stats(alert.story_id).get("first_seen") if alert and alert.story_id else None
    return _Event(alert, ticket, first)


def _event_facts(profile: Profile, event: _Event) -> Section:
    sec = Section("Sự việc")
    a, t = event.alert, event.ticket
    sec.paragraphs.append(f"Nội dung: {event.title}.")
    sec.paragraphs.append(f"Phát hiện lúc {fmt_datetime(event.first_seen)}.")
    severity = (t.severity if t else None) or (a.severity if a else "thap")
    category = (t.category if t else None) or (a.category if a else None)
    facts = [f"mức độ {SEVERITY_LABELS.get(severity, severity).lower()}"]
    if category and category != "none":
        facts.append(f"phân loại: {CATEGORY_LABELS.get(category, category).lower()}")
    if a:
        facts.append(
            f"lan truyền {n(a.reach.get('items', len(a.item_ids)))} bài trên "
            f"{n(a.reach.get('sources', len(a.sources)))} nguồn"
        )
    sec.paragraphs.append("Đánh giá: " + "; ".join(facts) + ".")
    if a and a.reasons:
        sec.paragraphs.append("Lý do cảnh báo: " + "; ".join(a.reasons[:5]) + ".")
    return sec


def _event_handling(profile: Profile, store: Store, event: _Event, as_of: datetime) -> Section:
    sec = Section("Kết quả xử lý")
    t = event.ticket
    if t is None:
        status = ALERT_STATUS_LABELS.get(event.alert.status, "") if event.alert else ""
        sec.paragraphs.append(f"Chưa lập phiếu xử lý (cảnh báo: {status.lower()}).")
        return sec
    from giamsat.triage.workflow import label as status_label

    co = ", ".join(profile.unit_name(c) for c in t.co_units) or "không"
    sec.paragraphs.append(
        f"Phiếu {t.id}: {profile.unit_name(t.lead_unit)} chủ trì; đơn vị phối hợp: {co}. "
        f"Trạng thái: {status_label(t.status).lower()}."
    )
    if t.answered_at:
        on_time = t.due is None or t.answered_at <= t.due
        sec.paragraphs.append(
            f"Đã phản hồi lúc {fmt_datetime(t.answered_at)} ({'đúng hạn' if on_time else 'quá hạn'})"
            + (f": {t.answer_text}" if t.answer_text else "")
            + (f" ({t.answer_url})" if t.answer_url else "")
            + "."
        )
    elif t.due:
        late = t.due < as_of
        sec.paragraphs.append(
            f"Chưa phản hồi; hạn phản hồi {fmt_datetime(t.due)}" + (" (đã quá hạn)." if late else ".")
        )
    rows = [[fmt_datetime(e.at), e.actor, e.action, e.note or ""] for e in store.events("ticket", t.id or "")]
    sec.tables.append(
        Table("Diễn biến xử lý phiếu", ["Thời gian", "Người thực hiện", "Thao tác", "Ghi chú"], rows)
    )
    return sec


def _story_items(store: Store, q: Query, limit: int = 20) -> Section:
    """The event's own articles and posts (one story: a bounded page, never the whole store)."""
    sec = Section("Tin, bài về vụ việc")
    page = store.search(Query(since=q.since, until=q.until, story_id=q.story_id, order="oldest"), limit=limit)
    table = Table("Tin, bài (cũ nhất trước)", ["Tiêu đề", "Nguồn", "Thời gian", "Đường dẫn"], [])
    for i, item in enumerate(page.items):
        table.rows.append([item.title or item.url, item.source_id, fmt_datetime(item.published), item.url])
        table.links[i] = item.url
    if page.total > len(page.items):
        sec.paragraphs.append(
            f"Tổng cộng {n(page.total)} tin, bài; liệt kê {n(len(page.items))} tin, bài đầu tiên."
        )
    sec.tables.append(table)
    return sec


def _general_subtitle(p: periods.Period) -> str:
    if p.kind == "daily":
        return f"Điểm tin báo chí, mạng xã hội {periods.period_label(p)}"
    if p.kind == "ad-hoc":
        return f"Báo cáo đột xuất tình hình thông tin trên báo chí, mạng xã hội {periods.period_label(p)}"
    return f"Tình hình thông tin trên báo chí, mạng xã hội và kết quả xử lý {periods.period_label(p)}"


def resolve_period(
    profile: Profile,
    kind: str,
    day: date | None,
    today: date,
    start: date | None = None,
    end: date | None = None,
) -> tuple[periods.Period, ReportSchedule | None]:
    """The period a request covers: a kind's calendar period containing ``day``; a calendar
    entry's period containing ``day`` (default: the one due next); an ad-hoc range."""
    schedule = profile.schedule(kind)
    if schedule is not None and schedule.kind != "ad-hoc":
        cycle = schedule.cycle
        if day is not None:
            return periods.period_containing(cycle, day), schedule
        due_next = periods.next_due(cycle, today)
        assert due_next is not None  # only ad-hoc entries have no period
        return due_next, schedule
    if schedule is not None or kind == "ad-hoc":
        if start is None:
            raise ValueError("báo cáo đột xuất cần khoảng ngày (từ ngày, đến ngày) hoặc một vụ việc")
        end = end or today
        if end < start:
            raise ValueError(f"khoảng ngày ngược: từ {fmt_date(start)} đến {fmt_date(end)}")
        return periods.Period("ad-hoc", start, end), schedule
    if kind in CALENDAR_KINDS:
        lo, hi = period_bounds(kind, day or today)
        return periods.Period(kind, lo, hi), None
    ids = [s.id for s in profile.report_calendar]
    raise ValueError(
        f"loại báo cáo không hỗ trợ: {kind} (có: {', '.join(REPORT_KINDS)}"
        + (f"; lịch báo cáo của tỉnh: {', '.join(ids)}" if ids else "")
        + ")"
    )


def build_report(
    profile: Profile,
    store: Store,
    kind: str,
    day: date | None = None,
    now: datetime | None = None,
    issued: date | None = None,
    number: int | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
    event: str | None = None,
    variant: str = "full",
    reader: tuple[Any, Any] | None = None,
) -> Report:
    """Build a report. ``kind``: ``daily`` ... ``yearly`` (the calendar period containing
    ``day``), the id of a ``report_calendar`` entry (its period containing ``day``, by default the
    one due next) or ``ad-hoc`` (``start``-``end``, or ``event``: an alert or ticket id, from the
    day it was first seen). ``ValueError`` in Vietnamese for a request that cannot be met.

    ``variant="leader"``: the one-page version of a daily briefing. ``reader`` = (triage, user)
    reads the items as that user (the dashboard passes its own); without it the report reads as
    the system (the CLI has checked the role already)."""
    if variant not in VARIANTS:
        raise ValueError(f"bản báo cáo không hỗ trợ: {variant} (có: {', '.join(VARIANTS)})")
    now = now or utcnow()
    today = now.astimezone(VN_TZ).date()
    ev = load_event(store, event) if event else None
    if ev is not None:
        kind = kind if profile.schedule(kind) is not None else "ad-hoc"
        start = start or ev.first_seen.astimezone(VN_TZ).date()
    period, schedule = resolve_period(profile, kind, day, today, start, end)
    since, until = utc_range(period.start, period.end)
    story = ev.alert.story_id if ev and ev.alert else None
    q = Query(since=since, until=until, story_id=story)
    if reader is not None:
        q = reader[0].scoped(reader[1], q)
    if ev is not None:
        subtitle = f"Báo cáo đột xuất về vụ việc: {ev.title}"
    elif schedule is not None:
        subtitle = f"{schedule.name} {periods.period_label(period)}"
    else:
        subtitle = _general_subtitle(period)
    report = Report(
        kind=period.kind,
        title="BÁO CÁO",
        subtitle=subtitle,
        start=period.start,
        end=period.end,
        issued=issued or today,
        number=number,
        recipients=list(schedule.recipients) if schedule else [],
        due=period.due,
        schedule_id=schedule.id if schedule else None,
        variant=variant,
    )
    by_month = period.days > 62
    if ev is None and period.kind == "daily":
        _opening(profile, store, report, period.start, now, reader)
    if ev is not None:
        report.sections.append(_event_facts(profile, ev))
        report.sections.append(_volume(store, q, by_month))
        # A story's own items; an event without a story (a volume spike) shows the period's
        # most spread negative stories instead.
        report.sections.append(_story_items(store, q) if story else _negative_stories(profile, store, q)[0])
        report.sections.append(_event_handling(profile, store, ev, now))
    elif variant == "leader":
        negative, _denials = _negative_stories(profile, store, q)
        # One page whatever the titles: the three most spread stories, titles cut at a word.
        negative.tables[0].rows = [
            [snippet(r[0], 70), *r[1:]] for r in negative.tables[0].rows[:LEADER_STORIES]
        ]
        units = _tickets_period(profile, store, since, until, now)
        units.tables = []  # one page: the sentence, not the table
        report.sections = [negative, units]
    else:
        total, overview = _overview(profile, store, q)
        report.sections.append(overview)
        if period.kind != "daily":
            report.sections.append(_volume(store, q, by_month))
        report.sections.append(_topics(profile, store, q, total))
        negative, denials = _negative_stories(profile, store, q)
        report.sections.append(negative)
        report.sections.append(denials)
        report.sections.append(_alerts(store, since, until))
        if period.kind == "daily":
            report.sections.append(_tickets_daily(store, since, until, now))
        else:
            report.sections.append(_tickets_period(profile, store, since, until, now))
    for i, sec in enumerate(report.sections):
        sec.heading = f"{ROMAN[i]}. {sec.heading.upper()}"
    return report


def _opening(
    profile: Profile, store: Store, report: Report, day: date, now: datetime, reader: tuple[Any, Any] | None
) -> None:
    """The five-line summary and the 14-day chart that open the daily briefing."""
    from giamsat.triage import chart
    from giamsat.triage.base import SYSTEM
    from giamsat.triage.briefing import build_briefing, summary_lines

    if reader is None:
        from giamsat.triage.service import Triage

        triage, user = Triage(profile, store, clock=lambda: now), SYSTEM
    else:
        triage, user = reader
    b = build_briefing(triage, user, day, 1, now=now)
    report.summary = summary_lines(b, profile)
    report.chart_png = chart.daily_volume_png(b.daily)
    first, last = b.daily["tieu-cuc"][0][0], b.daily["tieu-cuc"][-1][0]
    report.chart_caption = f"Số tin, bài theo ngày, {first:%d/%m}–{fmt_date(last)} (đỏ: tiêu cực, xám: trung tính, xanh: tích cực)"
