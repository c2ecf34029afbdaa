"""When does an enriched item raise an alert, and how urgent is it? Pure functions.

* risk: ``enrichment.risk >= profile.alerts.risk_threshold``;
* watch rules (``profile.alerts.watch``): every dimension a rule sets must match (keywords OR'ed
  within, dimensions AND'ed); keywords are matched on folded text (no diacritics, đ->d, any
  tone style), as whole words;
* severity: the most urgent of the items' own severity and the one implied by risk, raised one
  level when the story spreads (many reposts or sources) - never lowered by a new repost.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from giamsat.core.codes import SEVERITIES
from giamsat.core.model import Item
from giamsat.core.profile import Profile, WatchRule
from giamsat.triage.workflow import severity_rank

# Reach thresholds that raise a story's severity by one level each (items, distinct sources).
# Chosen so a local rumour shared by a handful of pages stays where the model put it, while one
# picked up across many pages gets looked at sooner.
REACH_STEPS: tuple[tuple[int, int], ...] = ((20, 5), (100, 15))


# Combining marks dropped, đ/Đ -> d: the same key as ``nlp.normalize.fold`` for Vietnamese text,
# but done with C-level str methods - the per-character fold was 40 % of ingest time.
_FOLD_TABLE = {**dict.fromkeys(range(0x300, 0x370)), ord("đ"): "d", ord("Đ"): "d"}


def fast_fold(text: str) -> str:
    return unicodedata.normalize("NFD", text or "").translate(_FOLD_TABLE).lower()


def alert_id_for_story(story_id: str) -> str:
    """Stable alert id per story: the dedupe key (a second alert for a story is impossible)."""
    return "cb-" + hashlib.sha1(story_id.encode("utf-8")).hexdigest()[:12]


def severity_from_risk(risk: float) -> str:
    if risk >= 0.85:
        return "khan"
    if risk >= 0.7:
        return "cao"
    if risk >= 0.5:
        return "trung-binh"
    return "thap"


def raise_level(severity: str, steps: int) -> str:
    return SEVERITIES[max(0, severity_rank(severity) - steps)]


def lower_level(severity: str, steps: int) -> str:
    return SEVERITIES[min(len(SEVERITIES) - 1, severity_rank(severity) + steps)]


def reach_steps(items: int, sources: int) -> int:
    return sum(1 for n_items, n_sources in REACH_STEPS if items >= n_items or sources >= n_sources)


def item_severity(item: Item) -> str:
    enr = item.enrichment
    if enr is None:
        return "thap"
    by_risk = severity_from_risk(enr.risk or 0.0)
    own = enr.severity if enr.severity in SEVERITIES else "thap"
    return own if severity_rank(own) < severity_rank(by_risk) else by_risk


@dataclass(frozen=True)
class CompiledWatch:
    name: str
    pattern: re.Pattern[str] | None
    sources: frozenset[str]
    localities: frozenset[str]  # folded names or ward codes
    categories: frozenset[str]


def _compile(rule: WatchRule) -> CompiledWatch:
    words = [re.escape(" ".join(fast_fold(k).split())) for k in rule.keywords if k.strip()]
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)") if words else None
    return CompiledWatch(
        name=rule.name,
        pattern=pattern,
        sources=frozenset(rule.sources),
        localities=frozenset(fast_fold(x) for x in rule.localities),
        categories=frozenset(rule.categories),
    )


_CACHE: dict[int, tuple[list[WatchRule], tuple[CompiledWatch, ...]]] = {}


def compiled_watch(profile: Profile) -> tuple[CompiledWatch, ...]:
    """Compile once per profile object (the regexes are the hot path when triaging many items)."""
    rules = profile.alerts.watch
    hit = _CACHE.get(id(profile))
    if hit is None or hit[0] is not rules:
        hit = (rules, tuple(_compile(r) for r in rules))
        _CACHE[id(profile)] = hit
    return hit[1]


def watch_matches(profile: Profile, item: Item, folded_text: str | None = None) -> list[str]:
    """Names of the watch rules ``item`` matches."""
    rules = compiled_watch(profile)
    if not rules:
        return []
    enr = item.enrichment
    text = (
        folded_text if folded_text is not None else " ".join(fast_fold(f"{item.title}\n{item.text}").split())
    )
    locs: set[str] = set()
    category = None
    if enr is not None:
        locs = {fast_fold(x) for x in enr.localities} | {m.code for m in enr.mentions if m.code}
        category = enr.category.label if enr.category else None
    out = []
    for rule in rules:
        if rule.pattern is not None and not rule.pattern.search(text):
            continue
        if rule.sources and item.source_id not in rule.sources:
            continue
        if rule.localities and not (rule.localities & locs):
            continue
        if rule.categories and category not in rule.categories:
            continue
        if rule.pattern is None and not (rule.sources or rule.localities or rule.categories):
            continue  # an empty rule would match everything: ignore it
        out.append(rule.name)
    return out


def trigger_reasons(profile: Profile, item: Item) -> tuple[str | None, list[str]]:
    """(kind, reasons) when ``item`` should raise an alert, else (None, [])."""
    enr = item.enrichment
    if enr is None or is_answer(item):
        return None, []  # an official answer never opens an alert of its own
    reasons: list[str] = []
    kind = None
    threshold = profile.alerts.risk_threshold
    if (enr.risk or 0.0) >= threshold:
        kind = "risk"
        reasons.append(f"điểm rủi ro {enr.risk:.2f} ≥ ngưỡng {threshold:.2f}")
    for name in watch_matches(profile, item):
        kind = kind or "watch"
        reasons.append(f"khớp danh sách theo dõi: {name}")
    return kind, reasons


def spread_candidates(profile: Profile, group: list[Item]) -> list[Item]:
    """Items of a story that could open a "spread" alert once the story is big enough: in one of
    the profile's spread categories, at the minimum risk, not an official answer."""
    cfg = profile.alerts
    if cfg.spread_min_items <= 0:
        return []
    return [
        it
        for it in group
        if it.enrichment
        and it.enrichment.category
        and it.enrichment.category.label in cfg.spread_categories
        and (it.enrichment.risk or 0.0) >= cfg.spread_min_risk
        and not is_answer(it)
    ]


def is_answer(item: Item) -> bool:
    """The item denies, corrects or officially answers a claim (``nlp.stance``)."""
    enr = item.enrichment
    return bool(enr and enr.stance and enr.stance.label == "bac-bo")


def ward_codes(item: Item) -> list[str]:
    enr = item.enrichment
    if enr is None:
        return []
    return [m.code for m in enr.mentions if m.level == "ward" and m.code]
