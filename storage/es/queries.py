"""Pure builders of Elasticsearch request bodies from a ``storage.base.Query``, and parsers of the
responses. ``storage.elasticsearch`` only sends what these return, so the JSON is unit-tested.

Every dashboard number is one search with aggregations: facet -> ``terms``, histogram ->
``date_histogram`` in the local time zone, top stories -> ``terms`` on ``story_id`` with metric
sub-aggregations, count -> the count API.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from giamsat.core.model import parse_dt
from giamsat.core.text import fold, nfc
from giamsat.storage.base import FACETS, Query, StorySummary, capped_query_text

TEXT_FIELDS = ["title^2", "text"]
# Facet name -> indexed field. Names with diacritics facet on the exact keyword sub-field.
FACET_FIELDS = {
    "source_id": "source_id",
    "kind": "kind",
    "language": "language",
    "sentiment": "sentiment",
    "category": "category",
    "severity": "severity",
    "topic": "topics",
    "locality": "localities.keyword",
    "province": "province",
}
assert set(FACET_FIELDS) == set(FACETS)

_TERMS_FILTERS = (
    ("source_id", "source_ids"),
    ("kind", "kinds"),
    ("sentiment", "sentiments"),
    ("category", "categories"),
    ("severity", "severities"),
    ("topics", "topics"),
    ("localities.keyword", "localities"),
    ("language", "languages"),
)


def iso_utc(dt: datetime) -> str:
    dt = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def _words(chunk: str) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in chunk).split()


def text_query(text: str) -> dict[str, Any]:
    """What a user typed -> a bool query, with the same syntax as the SQLite backend's FTS:
    words ANDed, ``"quoted phrases"``, ``-word`` excluded, ``word*`` as a prefix.

    Words are sent with their diacritics (NFC): the ``vi_text`` analyzer folds them at query time
    too, so ``khanh``, ``Khánh`` and ``KHÁNH`` reach the same indexed token. Prefixes bypass
    analysis, so they are folded here the way the index folds (lower-case, no marks, đ->d).
    """
    must: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    for i, chunk in enumerate(nfc(capped_query_text(text)).split('"')):
        if i % 2 == 1:  # inside quotes
            words = _words(chunk)
            if words:
                must.append(
                    {"multi_match": {"query": " ".join(words), "fields": TEXT_FIELDS, "type": "phrase"}}
                )
            continue
        for raw in chunk.split():
            neg = raw.startswith("-") and len(raw) > 1
            prefix = raw.endswith("*")
            for w in _words(raw):
                if prefix:
                    clause: dict[str, Any] = {
                        "bool": {
                            "should": [{"prefix": {"title": fold(w)}}, {"prefix": {"text": fold(w)}}],
                            "minimum_should_match": 1,
                        }
                    }
                else:
                    clause = {"multi_match": {"query": w, "fields": TEXT_FIELDS, "operator": "and"}}
                (must_not if neg else must).append(clause)
    if not must:  # nothing positive to look for: match nothing, like the SQLite backend
        return {"match_none": {}}
    body: dict[str, Any] = {"must": must}
    if must_not:
        body["must_not"] = must_not
    return {"bool": body}


def filters(q: Query) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if q.since or q.until:
        rng: dict[str, str] = {}
        if q.since:
            rng["gte"] = iso_utc(q.since)
        if q.until:
            rng["lt"] = iso_utc(q.until)
        out.append({"range": {"ts": rng}})
    for field, attr in _TERMS_FILTERS:
        values = getattr(q, attr)
        if values:
            out.append({"terms": {field: list(values)}})
    if q.province:
        out.append({"term": {"province": q.province}})
    if q.story_id:
        out.append({"term": {"story_id": q.story_id}})
    if q.min_risk is not None:
        out.append({"range": {"risk": {"gte": q.min_risk}}})
    if q.item_ids is not None:
        # an empty list matches nothing: a reader with no visible item sees none
        out.append({"ids": {"values": list(q.item_ids)}})
    return out


def build_query(q: Query) -> dict[str, Any]:
    flt = filters(q)
    if not q.text and not flt:
        return {"match_all": {}}
    body: dict[str, Any] = {}
    if q.text:
        body["must"] = [text_query(q.text)]
    if flt:
        body["filter"] = flt
    return {"bool": body}


def _field_sort(field: str, order: str, unmapped: str, missing: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"order": order, "unmapped_type": unmapped}
    if missing is not None:
        spec["missing"] = missing
    return {field: spec}


ID_TIEBREAK = {"id": {"order": "asc", "unmapped_type": "keyword"}}


def sort_for(q: Query) -> list[Any]:
    """Every order ends on the unique ``id``: a total order, so a page can continue from the
    previous one with ``search_after`` (deep pages never use ``from``)."""
    newest = [_field_sort("ts", "desc", "date"), _field_sort("ingest_seq", "desc", "long"), ID_TIEBREAK]
    if q.order == "oldest":
        return [_field_sort("ts", "asc", "date"), _field_sort("ingest_seq", "asc", "long"), ID_TIEBREAK]
    if q.order == "risk":
        return [_field_sort("risk", "desc", "float", "_last"), *newest]
    if q.order == "relevance" and q.text:
        return ["_score", *newest]
    return newest


def search_body(q: Query, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    return {
        "query": build_query(q),
        "sort": sort_for(q),
        "size": limit,
        "from": offset,
        "track_total_hits": True,
    }


def sorted_body(q: Query) -> dict[str, Any]:
    """The search without a window: ``storage.elasticsearch`` pages it (from/size or search_after)."""
    return {"query": build_query(q), "sort": sort_for(q)}


def count_body(q: Query) -> dict[str, Any]:
    return {"query": build_query(q)}


def pit_page(
    body: dict[str, Any], size: int, pit_id: str, keep_alive: str, search_after: list[Any] | None
) -> dict[str, Any]:
    """One page of a point-in-time scan of ``body`` (no index in the URL, no ``from``). Without a
    sort, ``_shard_doc`` is the cheapest total order a PIT offers; with one, Elasticsearch adds
    ``_shard_doc`` as the last tiebreaker itself."""
    page = {k: v for k, v in body.items() if k not in ("from", "size", "track_total_hits")}
    page["sort"] = body.get("sort") or [{"_shard_doc": "asc"}]
    page["size"] = size
    page["pit"] = {"id": pit_id, "keep_alive": keep_alive}
    page["track_total_hits"] = False
    if search_after is not None:
        page["search_after"] = search_after
    return page


def after_page(body: dict[str, Any], size: int, search_after: list[Any]) -> dict[str, Any]:
    """The page that follows ``search_after`` in ``body``'s (total) sort, without a PIT."""
    page = {k: v for k, v in body.items() if k not in ("from", "size", "track_total_hits")}
    page["size"] = size
    page["search_after"] = search_after
    return page


def scroll_first(body: dict[str, Any], size: int) -> dict[str, Any]:
    """The first request of a scroll (servers without point in time): ``_doc`` order unless sorted."""
    page = {k: v for k, v in body.items() if k not in ("from", "size", "track_total_hits")}
    page["sort"] = body.get("sort") or ["_doc"]
    page["size"] = size
    return page


def window_of(body: dict[str, Any]) -> int:
    """``from + size`` of a search body: what ``index.max_result_window`` is compared with."""
    return int(body.get("from", 0) or 0) + int(body.get("size", 10) if body.get("size") is not None else 10)


def facet_body(name: str, q: Query, limit: int = 20) -> dict[str, Any]:
    if name not in FACET_FIELDS:
        raise ValueError(f"unknown facet '{name}' (one of {', '.join(FACETS)})")
    return {
        "query": build_query(q),
        "size": 0,
        "track_total_hits": False,
        "aggs": {
            "facet": {
                "terms": {
                    "field": FACET_FIELDS[name],
                    "size": limit,
                    "order": [{"_count": "desc"}, {"_key": "asc"}],
                }
            }
        },
    }


def parse_facet(resp: dict[str, Any]) -> list[tuple[str, int]]:
    return [(b["key"], int(b["doc_count"])) for b in resp["aggregations"]["facet"]["buckets"]]


def histogram_body(q: Query, tz: str = "Asia/Ho_Chi_Minh") -> dict[str, Any]:
    """Counts per *local* calendar day: ES shifts bucket boundaries to ``tz`` (data stays UTC)."""
    return {
        "query": build_query(q),
        "size": 0,
        "track_total_hits": False,
        "aggs": {
            "days": {
                "date_histogram": {
                    "field": "ts",
                    "calendar_interval": "day",
                    "time_zone": tz,
                    "min_doc_count": 1,
                    "format": "yyyy-MM-dd",
                }
            }
        },
    }


def hourly_body(q: Query, tz: str = "Asia/Ho_Chi_Minh") -> dict[str, Any]:
    """Counts per local clock hour."""
    return {
        "query": build_query(q),
        "size": 0,
        "track_total_hits": False,
        "aggs": {
            "hours": {
                "date_histogram": {
                    "field": "ts",
                    "calendar_interval": "hour",
                    "time_zone": tz,
                    "min_doc_count": 1,
                    "format": "yyyy-MM-dd'T'HH:mm:ss",
                }
            }
        },
    }


def parse_hourly(resp: dict[str, Any], tz: str = "Asia/Ho_Chi_Minh") -> list[tuple[datetime, int]]:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    # ``key`` is the bucket's start as epoch milliseconds (UTC): exact whatever the formatting
    return [
        (datetime.fromtimestamp(int(b["key"]) / 1000, tz=UTC).astimezone(zone), int(b["doc_count"]))
        for b in resp["aggregations"]["hours"]["buckets"]
        if b["doc_count"]
    ]


REACH_FIELDS = {"source_id": "source_id", "author": "author.keyword"}


def top_reach_body(name: str, q: Query, limit: int = 10) -> dict[str, Any]:
    """Biggest sources or authors by engagement (sum of ``eng_total``), then by items."""
    return {
        "query": build_query(q),
        "size": 0,
        "track_total_hits": False,
        "aggs": {
            "reach": {
                "terms": {
                    "field": REACH_FIELDS[name],
                    # a few more than asked: the order is checked again (and ties broken) on our side
                    "size": max(limit, 100),
                    "order": [{"eng": "desc"}, {"_count": "desc"}],
                },
                "aggs": {"eng": {"sum": {"field": "eng_total"}}},
            }
        },
    }


def parse_top_reach(resp: dict[str, Any], limit: int = 10) -> list[tuple[str, int, int]]:
    rows = [
        (str(b["key"]), int(b["doc_count"]), int(b["eng"]["value"] or 0))
        for b in resp["aggregations"]["reach"]["buckets"]
        if b["key"]
    ]
    rows.sort(key=lambda r: (-r[2], -r[1], r[0]))  # as SQLite orders them
    return rows[:limit]


def parse_histogram(resp: dict[str, Any]) -> list[tuple[date, int]]:
    return [
        (date.fromisoformat(b["key_as_string"]), int(b["doc_count"]))
        for b in resp["aggregations"]["days"]["buckets"]
        if b["doc_count"]
    ]


def top_stories_body(q: Query, limit: int = 10) -> dict[str, Any]:
    """Biggest stories: most items, then most engagement, then highest risk (as SQLite orders)."""
    query = build_query(q)
    story_filter = {"exists": {"field": "story_id"}}
    if "bool" in query:
        query["bool"].setdefault("filter", []).append(story_filter)
    else:
        query = {"bool": {"filter": [story_filter]}}
    return {
        "query": query,
        "size": 0,
        "track_total_hits": False,
        "aggs": {
            "stories": {
                "terms": {
                    "field": "story_id",
                    "size": limit,
                    "order": [{"_count": "desc"}, {"eng": "desc"}, {"max_risk": "desc"}, {"_key": "asc"}],
                },
                "aggs": {
                    "sources": {"cardinality": {"field": "source_id"}},
                    "eng": {"sum": {"field": "eng_total"}},
                    "max_risk": {"max": {"field": "risk"}},
                    "first_seen": {"min": {"field": "ts"}},
                    "last_seen": {"max": {"field": "ts"}},
                    # the story's headline is its first collected item
                    "head": {
                        "top_hits": {
                            "size": 1,
                            "sort": [{"ingest_seq": {"order": "asc"}}],
                            "_source": {"includes": ["title", "url", "sentiment"]},
                        }
                    },
                },
            }
        },
    }


def _metric_dt(agg: dict[str, Any]) -> datetime | None:
    if agg.get("value") is None:
        return None
    if agg.get("value_as_string"):
        return parse_dt(agg["value_as_string"])
    return datetime.fromtimestamp(agg["value"] / 1000, UTC)


def parse_top_stories(resp: dict[str, Any]) -> list[StorySummary]:
    out = []
    for b in resp["aggregations"]["stories"]["buckets"]:
        hits = b["head"]["hits"]["hits"]
        head = hits[0]["_source"] if hits else {}
        out.append(
            StorySummary(
                story_id=b["key"],
                title=head.get("title") or "",
                url=head.get("url") or "",
                items=int(b["doc_count"]),
                sources=int(b["sources"]["value"] or 0),
                engagement=int(b["eng"]["value"] or 0),
                max_risk=float(b["max_risk"]["value"] or 0.0),
                sentiment=head.get("sentiment"),
                first_seen=_metric_dt(b["first_seen"]),
                last_seen=_metric_dt(b["last_seen"]),
            )
        )
    return out


def ids_body(ids: list[str]) -> dict[str, Any]:
    # callers send at most ``result_window`` ids at a time
    """Find items by id through the alias (an item lives in the month it was first seen)."""
    return {"query": {"ids": {"values": list(ids)}}, "size": len(ids), "seq_no_primary_term": True}


def by_url_body(url: str) -> dict[str, Any]:
    return {
        "query": {
            "bool": {
                "should": [{"term": {"canonical_url": url}}, {"term": {"url": url}}],
                "minimum_should_match": 1,
            }
        },
        "size": 1,
        "sort": [{"ingest_seq": {"order": "asc", "unmapped_type": "long"}}],
    }


def pending_body() -> dict[str, Any]:
    """Never enriched or enriched before the latest revision: ``pending`` is kept true by every
    write that changes the text and false by ``save_enrichment`` for the current revision."""
    return {
        "query": {"term": {"pending": True}},
        "sort": [{"ingest_seq": {"order": "asc", "unmapped_type": "long"}}, ID_TIEBREAK],
    }


# -- documents -----------------------------------------------------------------------------------
def _doc_value_clause(key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"term": {f"fk.{key}": "true" if value else "false"}}
    if isinstance(value, (int, float)):
        return {"term": {f"fn.{key}": value}}
    return {"term": {f"fk.{key}": str(value)}}


def check_field(key: str) -> str:
    if not key or "." in key or not key.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"invalid field name '{key}' (top-level field names only)")
    return key


def docs_query(where: dict[str, Any] | None) -> dict[str, Any]:
    """Equality on top-level fields; a list means "any of", ``None`` means "missing or null"."""
    if not where:
        return {"match_all": {}}
    flt: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    for key, value in where.items():
        check_field(key)
        if isinstance(value, (list, tuple, set)):
            values = list(value)
            if not values:
                return {"match_none": {}}
            flt.append(
                {"bool": {"should": [_doc_value_clause(key, v) for v in values], "minimum_should_match": 1}}
            )
        elif value is None:
            must_not.extend([{"exists": {"field": f"fk.{key}"}}, {"exists": {"field": f"fn.{key}"}}])
        else:
            flt.append(_doc_value_clause(key, value))
    body: dict[str, Any] = {}
    if flt:
        body["filter"] = flt
    if must_not:
        body["must_not"] = must_not
    return {"bool": body}


def docs_sort(order_by: str | None) -> list[dict[str, Any]]:
    """Numbers sort numerically (``fn``), text as keywords (``fk``); nulls first ascending and last
    descending, as SQLite orders them. A missing keyword sorts as ``""`` rather than
    ``missing: _first``: that gives the same order and a sort value ``search_after`` accepts
    (Elasticsearch returns ``null`` for ``_first``/``_last`` on keywords, and refuses ``null``
    back in ``search_after`` on some versions)."""
    if not order_by:
        return [{"updated": {"order": "desc"}}, {"id": {"order": "asc"}}]
    desc = order_by.startswith("-")
    key = check_field(order_by.lstrip("-"))
    order = "desc" if desc else "asc"
    missing = "_last" if desc else "_first"
    return [
        _field_sort(f"fn.{key}", order, "double", missing),
        _field_sort(f"fk.{key}", order, "keyword", ""),
        {"id": {"order": "asc"}},
    ]


def docs_search_body(where: dict[str, Any] | None, order_by: str | None) -> dict[str, Any]:
    """A collection search in a total order (``docs_sort`` ends on the unique ``id``)."""
    return {"query": docs_query(where), "sort": docs_sort(order_by)}


def events_body(entity: str | None, entity_id: str | None) -> dict[str, Any]:
    flt: list[dict[str, Any]] = []
    if entity:
        flt.append({"term": {"entity": entity}})
    if entity_id is not None:
        flt.append({"term": {"entity_id": str(entity_id)}})
    return {
        "query": {"bool": {"filter": flt}} if flt else {"match_all": {}},
        "sort": [{"seq": {"order": "asc"}}],
    }


def revisions_body(item_id: str) -> dict[str, Any]:
    return {"query": {"term": {"item_id": item_id}}, "sort": [{"revision": "asc"}]}
