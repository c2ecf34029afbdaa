"""Report content: the daily briefing (điểm tin) and the monthly/yearly reports.

Everything is counted by the items' own date (published, else fetched): an alert or a ticket
belongs to the day its posts appeared, not to the day someone acted on it. The daily briefing
opens with the five lines of ``triage.briefing`` and its chart; official denials have their own
section; ``variant="leader"`` is the one-page version for a leader's desk.

Built only from aggregate store queries (count/facet/histogram/top_stories over items, and
find_docs over the small alert/ticket collections) - never by loading items - so a month over a
million items takes seconds. The result is a neutral ``Report`` (sections of paragraphs and
tables) that ``triage.export`` renders as DOCX, Markdown or CSV.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from giamsat.core.codes import (
    ALERT_KIND_LABELS,
    ALERT_STATUS_LABELS,
    KIND_LABELS,
    SENTIMENT_LABELS,
    SEVERITY_LABELS,
)
from giamsat.core.codes import CATEGORY_TITLES as CATEGORY_LABELS
from giamsat.core.model import Alert, Ticket, parse_dt, utcnow
from giamsat.core.profile import Profile
from giamsat.core.timeutil import VN_TZ, fmt_date, fmt_number
from giamsat.storage.base import Query, Store, StorySummary

REPORT_KINDS = ("daily", "monthly", "yearly")
VARIANTS = ("full", "leader")
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
    variant: str = "full"
    summary: list[str] = field(default_factory=list)  # the five lines read first
    chart_png: bytes | None = None  # volume by day and sentiment, drawn by triage.chart
    chart_caption: str = ""


def n(value: float) -> str:
    return fmt_number(value, 0)


def pct(part: int, whole: int) -> str:
    return f"{fmt_number(100 * part / whole, 1)}%" if whole else "0%"


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """First and last local day of the period containing ``day``."""
    if kind == "daily":
        return day, day
    if kind == "monthly":
        first = day.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        return first, nxt - timedelta(days=1)
    if kind == "yearly":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    raise ValueError(f"loại báo cáo không hỗ trợ: {kind} (có: {', '.join(REPORT_KINDS)})")


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
    from giamsat.triage.workflow import severity_rank

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


def ticket_stats(tickets: list[Ticket], as_of: datetime) -> dict[str, UnitStats]:
    """Per lead unit: received, answered, answered on time, overdue, hours to answer."""
    out: dict[str, UnitStats] = {}
    for t in tickets:
        s = out.setdefault(t.lead_unit, UnitStats())
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
    stats = ticket_stats(tickets, min(until, as_of))
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


def _volume(store: Store, q: Query, kind: str) -> Section:
    sec = Section("Diễn biến số lượng tin, bài")
    hist = store.histogram(q)
    if kind == "yearly":
        by_month: Counter[str] = Counter()
        for d, c in hist:
            by_month[f"{d.month:02d}/{d.year}"] += c
        rows = [[k, n(v)] for k, v in sorted(by_month.items(), key=lambda kv: kv[0][3:] + kv[0][:2])]
        sec.tables.append(Table("Số tin, bài theo tháng", ["Tháng", "Số tin, bài"], rows))
    else:
        sec.tables.append(
            Table("Số tin, bài theo ngày", ["Ngày", "Số tin, bài"], [[fmt_date(d), n(c)] for d, c in hist])
        )
    return sec


def build_report(
    profile: Profile,
    store: Store,
    kind: str,
    day: date,
    now: datetime | None = None,
    issued: date | None = None,
    number: int | None = None,
    variant: str = "full",
    reader: tuple[Any, Any] | None = None,
) -> Report:
    """``reader`` = (triage, user) reads the items as that user (the dashboard passes its own);
    without it the report reads as the system (the CLI has checked the role already)."""
    if variant not in VARIANTS:
        raise ValueError(f"bản báo cáo không hỗ trợ: {variant} (có: {', '.join(VARIANTS)})")
    now = now or utcnow()
    start, end = period_bounds(kind, day)
    since, until = utc_range(start, end)
    q = Query(since=since, until=until)
    if reader is not None:
        q = reader[0].scoped(reader[1], q)
    if kind == "daily":
        subtitle = f"Điểm tin báo chí, mạng xã hội ngày {fmt_date(start)}"
    elif kind == "monthly":
        subtitle = f"Tình hình thông tin trên báo chí, mạng xã hội và kết quả xử lý tháng {start.month:02d}/{start.year}"
    else:
        subtitle = f"Tình hình thông tin trên báo chí, mạng xã hội và kết quả xử lý năm {start.year}"
    report = Report(
        kind=kind,
        title="BÁO CÁO",
        subtitle=subtitle,
        start=start,
        end=end,
        issued=issued or now.astimezone(VN_TZ).date(),
        number=number,
        variant=variant,
    )
    if kind == "daily":
        _opening(profile, store, report, day, now, reader)
    negative, denials = _negative_stories(profile, store, q)
    if variant == "leader":
        negative.tables[0].rows = [[r[0][:70], *r[1:]] for r in negative.tables[0].rows[:5]]
        units = _tickets_period(profile, store, since, until, now)
        units.tables = []  # one page: the sentence, not the table
        report.sections = [negative, units]
    else:
        total, overview = _overview(profile, store, q)
        report.sections.append(overview)
        if kind != "daily":
            report.sections.append(_volume(store, q, kind))
        report.sections.append(_topics(profile, store, q, total))
        report.sections.append(negative)
        report.sections.append(denials)
        report.sections.append(_alerts(store, since, until))
        if kind == "daily":
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
