"""``giamsat analyze IN.jsonl -o OUT.jsonl``: enrich a file of texts without a store.

Input: one JSON object per line with at least ``id`` and ``text`` (optional ``title``,
``source``, ``kind``, ``published``, ``engagement``). Output: one object per valid input line, in
input order, with exactly the keys of ``OUTPUT_KEYS``. A bad line is reported with its line
number (logging, stderr) and skipped; the rest is processed.

The input is untrusted: its encoding is detected and reported, lines are capped while reading
(``crawlers.textfile``), every field is type-checked, each item has the Enricher's time limit,
and an item whose enrichment fails is reported and skipped without losing its batch. The output
is written to ``OUT.partial`` batch by batch and renamed to ``OUT`` when the run ends - also when
it ends with an error or Ctrl+C - so results are never lost and a previous ``OUT`` is only
replaced by a complete new one.

Batches of ``BATCH`` lines share one vectorisation pass. Entities (underthesea NER) are the
slowest step by far (~12 ms per post): by default (``entities="relevant"``) they are extracted
only for items about the profile's province or with risk >= 0.35 - the ones staff open -
and ``[]`` elsewhere; ``--entities all`` does every item, ``--entities none`` skips them.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from giamsat.core.model import Engagement, Enrichment, Item, parse_dt
from giamsat.core.profile import Profile, load_profile
from giamsat.crawlers.textfile import MAX_LINE_CHARS, iter_lines, loads, open_text
from giamsat.nlp.enrich import Enricher
from giamsat.nlp.stories import StoryIndex

log = logging.getLogger(__name__)

BATCH = 2000
OUTPUT_KEYS = (
    "id", "language", "province", "mentions", "localities", "sentiment", "topics", "category",
    "stance",
    "story_id",
    "risk", "severity", "reasons", "lead_unit", "co_units", "entities",
)  # fmt: skip


class BadLine(ValueError):
    pass


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if math.isfinite(value) and 0 <= value < 10**13 else None


def _opt_str(obj: dict[str, Any], key: str, lineno: int) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise BadLine(f"dòng {lineno}: '{key}' phải là chuỗi (là {type(value).__name__})")


def parse_line(line: str, lineno: int) -> Item:
    """One input line -> Item, or ``BadLine`` saying what is wrong."""
    try:
        obj = loads(line)
    except ValueError as exc:
        raise BadLine(f"dòng {lineno}: không phải JSON hợp lệ ({getattr(exc, 'msg', exc)})") from None
    if not isinstance(obj, dict):
        raise BadLine(f"dòng {lineno}: cần một đối tượng JSON {{...}}")
    if obj.get("id") in (None, "") or isinstance(obj.get("id"), bool | dict | list | float):
        raise BadLine(f"dòng {lineno}: thiếu trường 'id' (chuỗi hoặc số nguyên)")
    text = obj.get("text")
    if not isinstance(text, str):
        raise BadLine(f"dòng {lineno}: thiếu trường 'text' (chuỗi)")
    title, source, kind = (_opt_str(obj, k, lineno) for k in ("title", "source", "kind"))
    try:
        published = parse_dt(obj.get("published"))
    except (TypeError, ValueError, OverflowError):
        raise BadLine(f"dòng {lineno}: 'published' không phải thời điểm ISO 8601") from None
    raw_eng = obj.get("engagement")
    eng: dict[str, Any] = raw_eng if isinstance(raw_eng, dict) else {}
    return Item(
        source_id=source or "analyze",
        url=f"analyze:{obj['id']}",
        title=title or "",
        text=text,
        kind=kind or "social",
        published=published,
        id=str(obj["id"])[:200],
        engagement=Engagement(**{k: _count(eng.get(k)) for k in ("likes", "comments", "shares", "views")}),
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
        "stance": _scored(enr.stance),
        "story_id": enr.story_id,
        "risk": enr.risk,
        "severity": enr.severity,
        "reasons": enr.reasons,
        "lead_unit": lead,
        "co_units": co,
        "entities": [e.to_dict() for e in enr.entities],
    }


def _read(path: Path, stats: dict[str, Any]) -> Iterator[tuple[int, Item]]:
    opened = open_text(path)
    stats["notes"].extend(opened.notes)
    for note in opened.notes:
        log.warning("%s", note)
    with opened.text as fh:
        for lineno, line in iter_lines(fh):
            try:
                if line is None:
                    raise BadLine(f"dòng {lineno}: dài quá {MAX_LINE_CHARS} ký tự")
                if not line.strip():
                    continue
                yield lineno, parse_line(line, lineno)
            except BadLine as exc:
                _bad(stats, str(exc), path)


def _bad(stats: dict[str, Any], message: str, path: Path) -> None:
    stats["bad"] += 1
    if len(stats["errors"]) < 1000:
        stats["errors"].append(message)
    log.warning("%s: %s", path, message)


def _enrich(
    enricher: Enricher, batch: list[tuple[int, Item]], stats: dict[str, Any], path: Path
) -> Iterator[tuple[Item, Enrichment]]:
    """The batch at once; if that fails, item by item - an item that fails is reported and
    skipped, never the batch."""
    items = [it for _, it in batch]
    try:
        yield from zip(items, enricher.enrich_batch(items), strict=True)
        return
    except Exception:
        log.exception("batch enrichment failed; item by item")
    for lineno, item in batch:
        try:
            yield item, enricher.enrich(item)
        except Exception as exc:
            _bad(stats, f"dòng {lineno}: không phân tích được ({type(exc).__name__}: {exc})"[:300], path)


def analyze_file(
    in_path: str | Path,
    out_path: str | Path,
    profile: Profile | str | None = None,
    entities: bool | str = "relevant",
) -> dict[str, Any]:
    """Enrich every valid line of ``in_path`` into ``out_path``; return counts and timing."""
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    # events across the file, as the worker groups them (posts telling one event share a story id)
    enricher = Enricher(prof, None, story_index=StoryIndex(), entities=entities)
    stats: dict[str, Any] = {"read": 0, "written": 0, "bad": 0, "errors": [], "notes": []}
    t0 = time.perf_counter()
    out_path = Path(out_path)
    partial = out_path.with_name(out_path.name + ".partial")
    batch: list[tuple[int, Item]] = []
    source = Path(in_path)
    try:
        with partial.open("w", encoding="utf-8") as out:

            def flush() -> None:
                for item, enr in _enrich(enricher, batch, stats, source):
                    out.write(json.dumps(to_output(item, enr, prof), ensure_ascii=False) + "\n")
                    stats["written"] += 1
                out.flush()
                batch.clear()

            for lineno, item in _read(source, stats):
                stats["read"] += 1
                batch.append((lineno, item))
                if len(batch) >= BATCH:
                    flush()
            if batch:
                flush()
    finally:
        # what was written is kept, whatever stopped the run (the reason reaches the caller)
        if partial.exists():
            os.replace(partial, out_path)
    stats["seconds"] = round(time.perf_counter() - t0, 2)
    return stats
