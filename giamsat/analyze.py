"""``giamsat analyze IN.jsonl -o OUT.jsonl``: enrich a file of texts without a store.

Input: one JSON object per line with at least ``id`` and ``text`` (optional ``title``,
``source``, ``kind``, ``published``, ``engagement``). Output: one object per valid input line, in
input order, with exactly the keys of ``OUTPUT_KEYS``. A bad line is reported with its line
number (logging, stderr) and skipped; the rest is processed.

Batches of ``BATCH`` lines share one vectorisation pass. Entities (underthesea NER) are the
slowest step by far (~12 ms per post): by default (``entities="relevant"``) they are extracted
only for items about the profile's province or with risk >= 0.35 - the ones staff open -
and ``[]`` elsewhere; ``--entities all`` does every item, ``--entities none`` skips them.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from giamsat.core.model import Engagement, Enrichment, Item, parse_dt
from giamsat.core.profile import Profile, load_profile
from giamsat.nlp.enrich import Enricher

log = logging.getLogger(__name__)

BATCH = 2000
OUTPUT_KEYS = (
    "id", "language", "province", "mentions", "localities", "sentiment", "topics", "category",
    "risk", "severity", "reasons", "lead_unit", "co_units", "entities",
)  # fmt: skip


class BadLine(ValueError):
    pass


def parse_line(line: str, lineno: int) -> Item:
    """One input line -> Item, or ``BadLine`` saying what is wrong."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"dòng {lineno}: không phải JSON hợp lệ ({exc.msg})") from None
    except ValueError as exc:  # e.g. an integer too long to convert
        raise BadLine(f"dòng {lineno}: không phải JSON hợp lệ ({exc})") from None
    if not isinstance(obj, dict):
        raise BadLine(f"dòng {lineno}: cần một đối tượng JSON {{...}}")
    if obj.get("id") in (None, ""):
        raise BadLine(f"dòng {lineno}: thiếu trường 'id'")
    text = obj.get("text")
    if not isinstance(text, str):
        raise BadLine(f"dòng {lineno}: thiếu trường 'text' (chuỗi)")
    try:
        published = parse_dt(obj.get("published"))
    except (TypeError, ValueError):
        raise BadLine(f"dòng {lineno}: 'published' không phải thời điểm ISO 8601") from None
    raw_eng = obj.get("engagement")
    eng: dict[str, Any] = raw_eng if isinstance(raw_eng, dict) else {}
    return Item(
        source_id=str(obj.get("source") or "analyze"),
        url=f"analyze:{obj['id']}",
        title=str(obj.get("title") or ""),
        text=text,
        kind=str(obj.get("kind") or "social"),
        published=published,
        id=str(obj["id"]),
        engagement=Engagement(**{k: eng.get(k) for k in ("likes", "comments", "shares", "views")}),
    )


def _scored(s: Any) -> dict[str, Any] | None:
    return {"label": s.label, "score": round(float(s.score), 4)} if s else None


def to_output(item: Item, enr: Enrichment, profile: Profile) -> dict[str, Any]:
    from giamsat.triage.routing import route

    lead, co = None, None
    if enr.province == profile.province.code:
        decision = route(
            profile,
            enr.category.label if enr.category else None,
            [t.label for t in enr.topics],
            enr.features.get("ward_codes", []),
            enr.severity,
        )
        lead, co = decision.lead, decision.co_units
    return {
        "id": item.id,
        "language": enr.language,
        "province": enr.province,
        "mentions": [
            {
                "text": m.text,
                "start": m.start,
                "end": m.end,
                "level": m.level,
                "code": m.code,
                "province": m.province,
            }
            for m in enr.mentions
        ],
        "localities": enr.localities,
        "sentiment": _scored(enr.sentiment),
        "topics": [{"code": t.label, "score": t.score} for t in enr.topics],
        "category": _scored(enr.category),
        "risk": enr.risk,
        "severity": enr.severity,
        "reasons": enr.reasons,
        "lead_unit": lead,
        "co_units": co,
        "entities": [e.to_dict() for e in enr.entities],
    }


def _read(path: Path, stats: dict[str, Any]) -> Iterator[Item]:
    with path.open(encoding="utf-8-sig") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield parse_line(line, lineno)
            except BadLine as exc:
                stats["bad"] += 1
                stats["errors"].append(str(exc))
                log.warning("%s: %s", path, exc)


def analyze_file(
    in_path: str | Path,
    out_path: str | Path,
    profile: Profile | str | None = None,
    entities: bool | str = "relevant",
) -> dict[str, Any]:
    """Enrich every valid line of ``in_path`` into ``out_path``; return counts and timing."""
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    enricher = Enricher(prof, None, entities=entities)
    stats: dict[str, Any] = {"read": 0, "written": 0, "bad": 0, "errors": []}
    t0 = time.perf_counter()
    batch: list[Item] = []
    with Path(out_path).open("w", encoding="utf-8") as out:

        def flush() -> None:
            for item, enr in zip(batch, enricher.enrich_batch(batch), strict=True):
                out.write(json.dumps(to_output(item, enr, prof), ensure_ascii=False) + "\n")
                stats["written"] += 1
            batch.clear()

        for item in _read(Path(in_path), stats):
            stats["read"] += 1
            batch.append(item)
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()
    stats["seconds"] = round(time.perf_counter() - t0, 2)
    return stats
