"""What a leader reads first: the briefing's numbers for a period, built once for the dashboard's
Điểm tin page and for the daily DOCX report, so both say the same thing.

Every number is an aggregate query read *as the reader* (``Reads``: a unit's scope applies) over
items whose own date (published, else fetched) falls in the period - not the date an alert or a
ticket was created. Pure helpers (trending terms, spikes, unit KPIs, the five-line summary) take
plain values and are tested directly.
"""

from __future__ import annotations

import functools
import itertools
import re
import statistics
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from giamsat.core.codes import SENTIMENTS
from giamsat.core.model import Alert, Ticket
from giamsat.core.profile import Profile, User
from giamsat.core.text import fold
from giamsat.core.timeutil import VN_TZ, fmt_number, local_day_bounds, to_local
from giamsat.storage.base import Query, StorySummary
from giamsat.triage import access
from giamsat.triage.workflow import ANSWERED_STATUSES, overdue_kinds

if TYPE_CHECKING:
    from giamsat.triage.service import Triage

CHANNELS = {
    "rss": "Báo chí điện tử",
    "site": "Báo chí điện tử",
    "facebook": "Facebook",
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "forum": "Diễn đàn",
    "telegram": "Telegram",
    "social-import": "Mạng xã hội (tệp nhập)",
    "tip": "Tin báo của cán bộ",
}
_POOL = ThreadPoolExecutor(max_workers=3, thread_name_prefix="giamsat-briefing")
TITLES_FOR_TERMS = 1500  # newest titles per period read for trending terms (0.1 s over 1M items)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Function words that make every headline's most frequent pairs; folded (no diacritics).
_STOP = frozenset(
    [
        "va",
        "la",
        "cua",
        "cho",
        "voi",
        "tai",
        "tren",
        "trong",
        "cac",
        "nhung",
        "mot",
        "hai",
        "ba",
        "da",
        "dang",
        "se",
        "bi",
        "duoc",
        "khong",
        "co",
        "nay",
        "do",
        "thi",
        "ma",
        "nhu",
        "de",
        "ve",
        "khi",
        "tu",
        "den",
        "ra",
        "vao",
        "len",
        "xuong",
        "sau",
        "truoc",
        "hon",
        "nhat",
        "rat",
        "cung",
        "con",
        "van",
        "lai",
        "nen",
        "neu",
        "boi",
        "vi",
        "hay",
        "hoac",
        "theo",
        "ngay",
        "nam",
        "thang",
        "tuoi",
        "nguoi",
        "viec",
        "tin",
        "bai",
    ]
)


@dataclass
class UnitKpi:
    unit: str
    name: str
    open: int = 0
    overdue: int = 0
    answered: int = 0
    hours: list[float] = field(default_factory=list)

    @property
    def median_hours(self) -> float | None:
        return statistics.median(self.hours) if self.hours else None


@dataclass
class Briefing:
    since: datetime
    until: datetime
    days: int
    total: int
    prev_total: int
    sentiment: dict[str, int]
    prev_sentiment: dict[str, int]
    category: dict[str, int]
    severity: dict[str, int]
    channels: list[tuple[str, int]]
    topics: list[tuple[str, int]]
    localities: list[tuple[str, int]]
    stories: list[StorySummary]
    sources: list[tuple[str, int, int]]
    authors: list[tuple[str, int, int]]
    daily: dict[str, list[tuple[date, int]]]  # per sentiment, every day of the chart range
    hourly: list[tuple[datetime, int]]  # every hour of the period's last day
    spike_hours: list[datetime]
    spikes: list[Alert]
    terms: list[tuple[str, int, int]]
    units: list[UnitKpi]
    denials: list[dict[str, Any]] = field(default_factory=list)

    @property
    def negative(self) -> int:
        return self.sentiment.get("tieu-cuc", 0)

    @property
    def unrated(self) -> int:
        return max(0, self.total - sum(self.sentiment.values()))


def period(day: date, days: int) -> tuple[datetime, datetime]:
    """UTC bounds of the ``days`` local days ending with ``day`` (inclusive)."""
    since, _ = local_day_bounds(day - timedelta(days=days - 1))
    _, until = local_day_bounds(day)
    return since, until


def fill_days(counts: list[tuple[date, int]], first: date, last: date) -> list[tuple[date, int]]:
    """Every day from ``first`` to ``last`` with its count, 0 where nothing came (a gap in the
    axis would hide a day the crawler was down)."""
    got = dict(counts)
    out, d = [], first
    while d <= last:
        out.append((d, got.get(d, 0)))
        d += timedelta(days=1)
    return out


def fill_hours(counts: list[tuple[datetime, int]], day: date) -> list[tuple[datetime, int]]:
    got = {to_local(h).replace(minute=0, second=0, microsecond=0): n for h, n in counts}
    start = datetime(day.year, day.month, day.day, tzinfo=VN_TZ)
    return [(start + timedelta(hours=i), got.get(start + timedelta(hours=i), 0)) for i in range(24)]


def spike_hours(hourly: list[tuple[datetime, int]], min_count: int = 5) -> list[datetime]:
    """Hours well above the day's usual hour: at least ``min_count`` items and more than three
    times the median hour (and than the median plus three standard deviations)."""
    values = [n for _, n in hourly]
    if not values:
        return []
    med = statistics.median(values)
    sd = statistics.pstdev(values)
    return [h for h, n in hourly if n >= min_count and n > 3 * max(med, 1) and n > med + 3 * sd]


def _pairs(title: str) -> list[tuple[str, str]]:
    """Two-syllable terms (most Vietnamese words are two syllables) without function words,
    keyed by their folded form, shown as first written."""
    words = _WORD.findall(title)
    out = []
    for a, b in itertools.pairwise(words):
        fa, fb = fold(a).lower(), fold(b).lower()
        if fa in _STOP or fb in _STOP or len(fa) < 2 or len(fb) < 2:
            continue
        out.append((f"{fa} {fb}", f"{a} {b}".lower()))
    return out


def trending_terms(now: list[str], before: list[str], limit: int = 10) -> list[tuple[str, int, int]]:
    """``(term, titles now, titles before)`` rising most against the previous period (each title
    counts a term once); a term needs three titles now to count."""
    shown: dict[str, str] = {}

    def count(titles: list[str]) -> Counter[str]:
        c: Counter[str] = Counter()
        for t in titles:
            keys = set()
            for key, text in _pairs(t):
                shown.setdefault(key, text)
                keys.add(key)
            c.update(keys)
        return c

    cur, prev = count(now), count(before)
    scale = len(now) / len(before) if before else 1.0
    rising = [(k, n, prev.get(k, 0)) for k, n in cur.items() if n >= 3]
    rising.sort(key=lambda r: (-(r[1] - r[2] * scale), -r[1], r[0]))
    return [(shown[k], n, p) for k, n, p in rising[:limit] if n - p * scale > 0]


def unit_kpis(
    profile: Profile, tickets: list[Ticket], since: datetime, until: datetime, now: datetime
) -> list[UnitKpi]:
    """Per lead unit: tickets open now, overdue now, answered in the period and the median hours
    from opening to answer of those."""
    out: dict[str, UnitKpi] = {}
    for t in tickets:
        k = out.setdefault(t.lead_unit, UnitKpi(t.lead_unit, profile.unit_name(t.lead_unit)))
        if t.status not in ANSWERED_STATUSES:
            k.open += 1
            if overdue_kinds(t, now):
                k.overdue += 1
        if t.answered_at and since <= t.answered_at < until:
            k.answered += 1
            k.hours.append((t.answered_at - t.created).total_seconds() / 3600)
    return sorted(out.values(), key=lambda k: (-k.overdue, -k.open, k.name))


def channel_counts(profile: Profile, by_source: list[tuple[str, int]]) -> list[tuple[str, int]]:
    c: Counter[str] = Counter()
    for sid, n in by_source:
        src = profile.source(sid)
        c[CHANNELS.get(src.type, "Khác") if src else ("Tin báo của cán bộ" if sid == "tip" else "Khác")] += n
    return c.most_common()


def _pct(part: int, whole: int) -> str:
    return f"{fmt_number(100 * part / whole, 1)}%" if whole else "0%"


def summary_lines(b: Briefing, profile: Profile) -> list[str]:
    """The five lines a leader reads before anything else."""
    n = lambda v: fmt_number(v, 0)  # noqa: E731
    change = b.total - b.prev_total
    trend = "không đổi" if change == 0 else (f"tăng {n(change)}" if change > 0 else f"giảm {n(-change)}")
    lines = [
        f"Ghi nhận {n(b.total)} tin, bài liên quan đến {profile.province.name} ({trend} so với kỳ trước).",
        f"Tiêu cực {n(b.negative)} tin ({_pct(b.negative, b.total)}); "
        f"tích cực {n(b.sentiment.get('tich-cuc', 0))}; trung tính {n(b.sentiment.get('trung-tinh', 0))}.",
    ]
    risky = b.category.get("sai-su-that", 0) + b.category.get("xau-doc", 0)
    lines.append(
        f"Thông tin sai sự thật, xấu độc: {n(risky)} tin; phản ánh của người dân: {n(b.category.get('phan-anh', 0))} tin."
    )
    if b.stories:
        top = b.stories[0]
        lines.append(f"Nổi bật nhất: “{top.title[:120]}” ({n(top.items)} tin, {n(top.sources)} nguồn).")
    else:
        lines.append("Không có sự kiện nổi bật.")
    open_ = sum(k.open for k in b.units)
    overdue = sum(k.overdue for k in b.units)
    answered = sum(k.answered for k in b.units)
    lines.append(
        f"Phiếu xử lý: {n(open_)} đang mở, {n(overdue)} quá hạn; đã phản hồi {n(answered)} phiếu trong kỳ."
    )
    return lines


def build_briefing(
    triage: Triage, actor: User, day: date, days: int = 1, now: datetime | None = None, chart_days: int = 14
) -> Briefing:
    """Everything the briefing shows for the ``days`` local days ending ``day``, read as ``actor``."""
    now = now or triage.clock()
    since, until = period(day, days)
    prev = Query(since=since - timedelta(days=days), until=since)
    q = Query(since=since, until=until)
    chart_first = day - timedelta(days=max(days, chart_days) - 1)
    q_chart = Query(since=period(chart_first, 1)[0], until=until)
    last_day = Query(since=period(day, 1)[0], until=until)
    # Independent aggregate queries run side by side: SQLite releases the GIL while it scans and
    # each thread has its own connection; Elasticsearch answers them in parallel anyway.
    calls: dict[str, Callable[[], Any]] = {
        "total": lambda: triage.count_items(actor, q),
        "prev_total": lambda: triage.count_items(actor, prev),
        "sentiment": lambda: dict(triage.facet_items(actor, "sentiment", q)),
        "prev_sentiment": lambda: dict(triage.facet_items(actor, "sentiment", prev)),
        "category": lambda: dict(triage.facet_items(actor, "category", q)),
        "severity": lambda: dict(triage.facet_items(actor, "severity", q)),
        "by_source": lambda: triage.facet_items(actor, "source_id", q, limit=1000),
        "topics": lambda: triage.facet_items(actor, "topic", q, limit=20),
        "localities": lambda: triage.facet_items(actor, "locality", q, limit=15),
        "stories": lambda: triage.top_stories(actor, q, limit=10),
        "sources": lambda: triage.top_reach(actor, "source_id", q, limit=10),
        "authors": lambda: triage.top_reach(actor, "author", q, limit=10),
        "hourly": lambda: fill_hours(triage.hourly_items(actor, last_day), day),
        "titles_now": lambda: [i.title for i in triage.search_items(actor, q, limit=TITLES_FOR_TERMS).items],
        "titles_prev": lambda: [
            i.title for i in triage.search_items(actor, prev, limit=TITLES_FOR_TERMS).items
        ],
        "tickets": lambda: triage.list_tickets(actor, limit=100_000),
    }

    def daily(code: str) -> list[tuple[date, int]]:
        return fill_days(triage.histogram_items(actor, replace(q_chart, sentiments=[code])), chart_first, day)

    for code in SENTIMENTS:
        calls[f"daily_{code}"] = functools.partial(daily, code)
    futures = {name: _POOL.submit(fn) for name, fn in calls.items()}
    r = {name: f.result() for name, f in futures.items()}
    spikes: list[Alert] = []
    if access.can_read_alerts(actor):  # a unit has no alert queue, so no spike alerts either
        spikes = [a for a in triage.list_alerts(actor, kind="spike", limit=200) if since <= a.created < until]
    return Briefing(
        since=since,
        until=until,
        days=days,
        total=r["total"],
        prev_total=r["prev_total"],
        sentiment=r["sentiment"],
        prev_sentiment=r["prev_sentiment"],
        category=r["category"],
        severity=r["severity"],
        channels=channel_counts(triage.profile, r["by_source"]),
        topics=r["topics"],
        localities=r["localities"],
        stories=r["stories"],
        sources=r["sources"],
        authors=r["authors"],
        daily={code: r[f"daily_{code}"] for code in SENTIMENTS},
        hourly=r["hourly"],
        spike_hours=spike_hours(r["hourly"]),
        spikes=spikes,
        terms=trending_terms(r["titles_now"], r["titles_prev"]),
        units=unit_kpis(triage.profile, r["tickets"], since, until, now),
    )


DENIAL_WORDS = (
    "bac bo",
    "dinh chinh",
    "khong dung su that",
    "tin sai",
    "thong tin sai",
    "tin don",
    "bac tin",
)


def is_denial(title: str, source_tier: str | None) -> bool:
    """An official answer rather than the matter itself: a story headed by an official source
    (tier ``chinh-thong``) whose title denies or corrects."""
    folded = fold(title or "").lower()
    return source_tier == "chinh-thong" and any(w in folded for w in DENIAL_WORDS)
