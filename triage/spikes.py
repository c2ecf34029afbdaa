"""Spike detection: a topic, locality or watched keyword whose volume jumps against its own
recent baseline, with the cause stated (the top stories and terms behind the jump).

The current window (``window_hours``) is compared with the average of same-length windows over
the previous ``baseline_days``. A spike needs both ``count >= profile.alerts.spike_min_count``
and ``count >= spike_factor * max(baseline, 1)``: the floor of 1 stops "0.1 -> 2" from looking
like a 20x jump. Only aggregate queries are used (facet/count/top_stories, one small sample of
titles for the terms), so it is cheap on a large store.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from giamsat.core.profile import Profile
from giamsat.core.text import fold
from giamsat.storage.base import Query, Store, StorySummary

STOPWORDS = frozenset(
    [
        "của",
        "và",
        "là",
        "có",
        "được",
        "cho",
        "các",
        "những",
        "một",
        "trong",
        "với",
        "không",
        "người",
        "này",
        "đã",
        "sẽ",
        "về",
        "tại",
        "khi",
        "từ",
        "đến",
        "theo",
        "ra",
        "vào",
        "năm",
        "ngày",
        "bị",
        "để",
        "thì",
        "mà",
        "như",
        "nhưng",
        "còn",
        "rất",
        "nhiều",
        "đang",
        "vừa",
        "lại",
        "cũng",
        "đó",
        "ở",
        "tỉnh",
        "sau",
        "trước",
        "hơn",
        "làm",
        "nên",
        "nếu",
        "vì",
        "do",
        "thế",
        "gì",
        "ai",
        "nào",
        "hay",
        "hoặc",
        "trên",
        "dưới",
        "giữa",
    ]
)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Spike:
    dimension: str  # topic | locality | keyword
    value: str
    current: int
    baseline: float
    since: datetime
    until: datetime
    stories: list[StorySummary] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.current / max(self.baseline, 1.0)


def is_spike(current: int, baseline: float, factor: float, min_count: int) -> bool:
    return current >= min_count and current >= factor * max(baseline, 1.0)


def top_terms(titles: list[str], exclude: str = "", limit: int = 5) -> list[str]:
    """Most frequent two-word phrases (else words) in ``titles``, skipping function words."""
    skip = set(fold(exclude).split())
    bigrams: Counter[str] = Counter()
    words: Counter[str] = Counter()
    for title in titles:
        toks = [t.lower() for t in _WORD.findall(title) if not t.isdigit()]
        ok = [t not in STOPWORDS and fold(t) not in skip and len(t) > 1 for t in toks]
        for t, good in zip(toks, ok, strict=True):
            if good:
                words[t] += 1
        for i in range(len(toks) - 1):
            if ok[i] and ok[i + 1]:
                bigrams[f"{toks[i]} {toks[i + 1]}"] += 1
    out = [b for b, n in bigrams.most_common(limit) if n >= 2]
    if len(out) < limit:
        covered = {w for b in out for w in b.split()}
        out += [w for w, n in words.most_common(limit * 2) if n >= 2 and w not in covered][: limit - len(out)]
    return out


def _query(dimension: str, value: str, since: datetime, until: datetime) -> Query:
    q = Query(since=since, until=until)
    if dimension == "topic":
        q.topics = [value]
    elif dimension == "locality":
        q.localities = [value]
    else:
        q.text = f'"{value}"'
    return q


def detect_spikes(
    profile: Profile,
    store: Store,
    now: datetime,
    window_hours: float = 6,
    baseline_days: float = 7,
    explain: bool = True,
) -> list[Spike]:
    a = profile.alerts
    window = timedelta(hours=window_hours)
    since = now - window
    base_since = since - timedelta(days=baseline_days)
    n_windows = (since - base_since) / window
    candidates: list[tuple[str, str, int, float]] = []
    for dimension, facet in (("topic", "topic"), ("locality", "locality")):
        current = store.facet(facet, Query(since=since, until=now), limit=200)
        if not current:
            continue
        base = dict(store.facet(facet, Query(since=base_since, until=since), limit=100_000))
        for value, count in current:
            baseline = base.get(value, 0) / n_windows
            if is_spike(count, baseline, a.spike_factor, a.spike_min_count):
                candidates.append((dimension, value, count, baseline))
    keywords = sorted({k for rule in a.watch for k in rule.keywords if k.strip()})
    for kw in keywords:
        count = store.count(_query("keyword", kw, since, now))
        if count < a.spike_min_count:
            continue
        baseline = store.count(_query("keyword", kw, base_since, since)) / n_windows
        if is_spike(count, baseline, a.spike_factor, a.spike_min_count):
            candidates.append(("keyword", kw, count, baseline))
    spikes = []
    for dimension, value, count, baseline in candidates:
        spike = Spike(dimension, value, count, baseline, since, now)
        if explain:
            q = _query(dimension, value, since, now)
            spike.stories = store.top_stories(q, limit=3)
            sample = store.search(q, limit=100).items
            spike.terms = top_terms([i.title for i in sample], exclude=value)
        spikes.append(spike)
    return spikes


def describe(profile: Profile, spike: Spike) -> tuple[str, list[str]]:
    """Title and reasons (Vietnamese) for the alert raised by ``spike``."""
    names = {"topic": "Chủ đề", "locality": "Địa bàn", "keyword": "Từ khóa"}
    shown = spike.value
    if spike.dimension == "topic":
        topic = profile.topic(spike.value)
        shown = topic.name if topic else spike.value
    title = (
        f"{names[spike.dimension]} '{shown}' tăng đột biến: {spike.current} bài trong "
        f"{int((spike.until - spike.since).total_seconds() // 3600)} giờ (bình thường ~{spike.baseline:.1f})"
    )
    reasons = [f"tăng {spike.ratio:.1f} lần so với trung bình {spike.baseline:.1f} bài mỗi khung giờ"]
    if spike.stories:
        reasons.append(
            "tin nổi bật: "
            + "; ".join(f"{s.title[:80]} ({s.items} bài, {s.sources} nguồn)" for s in spike.stories)
        )
    if spike.terms:
        reasons.append("cụm từ nổi bật: " + ", ".join(spike.terms))
    return title, reasons
