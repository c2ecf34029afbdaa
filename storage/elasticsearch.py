"""Elasticsearch backend: the same ``Store`` interface as ``storage.sqlite``, for a large province or
a national office watching many provinces. Chosen by ``GIAMSAT_STORE=http(s)://host:9200``.

Design notes (why, not what):
* Request bodies are built by pure functions in ``storage.es.queries`` / ``storage.es.documents``
  from JSON templates in ``storage/es/``; this class only sends them, so the JSON is unit-tested
  without a server and the behaviour is checked by ``tests/storage/test_contract.py`` against a
  real server when ``ELASTICSEARCH_URL`` is set.
* Items live in monthly indices behind an alias. An item's index is the month it was first seen;
  a later crawl finds it by id *through the alias* and rewrites it in place with
  ``if_seq_no``/``if_primary_term``, so a concurrent writer is detected instead of overwritten.
* Writes refresh before returning: the contract (and the dashboard right after a triage click) needs
  read-your-writes, and the next upsert batch must see this one to avoid a duplicate in another
  month's index. Refresh is per batch, not per document.
* Documents (tickets, alerts...) keep SQLite's logical ``version`` for ``StaleEdit``; the write
  itself is a compare-and-set on ``_seq_no``/``_primary_term`` so two units cannot both win.
"""

from __future__ import annotations

import logging
import os
import random
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from giamsat.core.errors import StaleEdit, StoreError
from giamsat.core.model import Enrichment, Event, Item, RawPage, item_id_for, utcnow
from giamsat.core.settings import Settings
from giamsat.storage import es as names
from giamsat.storage.base import FACETS, Page, Query, StorySummary, UpsertStats
from giamsat.storage.es import queries as qb
from giamsat.storage.es.bulk import BulkResult, BulkUnavailable, bulk_write, default_spool_path, replay_spool
from giamsat.storage.es.documents import (
    Existing,
    doc_source,
    event_source,
    plain,
    plan_upserts,
    raw_payload,
    raw_source,
    source_to_item,
    with_enrichment,
)

log = logging.getLogger(__name__)

BATCH = 500
CAS_ATTEMPTS = 50
PIT_KEEP_ALIVE = "2m"
EVENT_SEQUENCE = "audit-events"  # the counter behind event ids


def client_options(uri: str, env: dict[str, str] | None = None) -> tuple[str, dict[str, Any], str]:
    """``(host URL, Elasticsearch() keyword arguments, URI safe to show)`` from the store URI and the
    environment. Credentials come from ``ELASTICSEARCH_API_KEY`` or
    ``ELASTICSEARCH_USERNAME``/``ELASTICSEARCH_PASSWORD`` (or ``user:pass@`` in the URI);
    ``ELASTICSEARCH_CA_CERTS`` points at the cluster's CA (``http_ca.crt``)."""
    env = dict(os.environ if env is None else env)
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise StoreError(f"invalid Elasticsearch URI '{uri}': expected http(s)://HOST:PORT")
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    host = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    kwargs: dict[str, Any] = {"request_timeout": 30, "retry_on_timeout": True, "max_retries": 3}
    if env.get("ELASTICSEARCH_API_KEY"):
        kwargs["api_key"] = env["ELASTICSEARCH_API_KEY"]
    elif parts.username or env.get("ELASTICSEARCH_USERNAME"):
        user = parts.username or env.get("ELASTICSEARCH_USERNAME", "")
        password = parts.password or env.get("ELASTICSEARCH_PASSWORD", "")
        kwargs["basic_auth"] = (user, password)
    if env.get("ELASTICSEARCH_CA_CERTS"):
        kwargs["ca_certs"] = env["ELASTICSEARCH_CA_CERTS"]
    return host, kwargs, host


class ElasticsearchStore:
    def __init__(self, uri: str, *, prefix: str | None = None, spool: str | Path | None = None) -> None:
        from elasticsearch import Elasticsearch

        host, kwargs, public = client_options(uri)
        self.uri = public
        try:
            self.prefix = names.check_prefix(prefix or Settings.from_env().es_prefix)
        except ValueError as exc:
            raise StoreError(str(exc)) from exc
        self.alias = names.items_alias(self.prefix)
        self.spool = Path(spool) if spool else default_spool_path()
        self.failures: list[Any] = []  # per-document failures of the last write (also spooled)
        self._last_seq = 0
        self._known: set[str] = set()  # indices known to exist (monthly item indices are made on demand)
        self.es = Elasticsearch(host, **kwargs)
        self._setup()

    # -- set-up --------------------------------------------------------------------------------
    def _setup(self) -> None:
        from elasticsearch import ApiError, TransportError

        try:
            info = self.es.info().body
        except (TransportError, ApiError) as exc:
            raise StoreError(f"không kết nối được Elasticsearch tại {self.uri}: {exc}") from exc
        self.server_version = str(info.get("version", {}).get("number", "?"))
        try:
            self.es.ilm.put_lifecycle(name=names.ilm_policy_name(self.prefix), body=names.ilm_policy())
        except ApiError as exc:  # e.g. a serverless project: indices still work without ILM
            log.warning("ILM policy not installed (%s); item indices will not age automatically", exc)
        try:
            for kind in names.TEMPLATE_KINDS:
                self.es.indices.put_index_template(
                    name=names.template_name(kind, self.prefix), body=names.index_template(kind, self.prefix)
                )
            # The alias must always resolve (searches on an empty store return nothing, not 404).
            for index in (
                names.items_index(self.prefix, utcnow()),
                names.revisions_index(self.prefix),
                names.raw_index(self.prefix),
                names.events_index(self.prefix),
                names.sequences_index(self.prefix),
            ):
                self._ensure_index(index)
        except ApiError as exc:
            raise StoreError(
                f"Elasticsearch {self.uri}: không tạo được index template/chỉ mục '{self.prefix}-*' "
                f"(kiểm tra quyền manage_index_templates, create_index): {exc}"
            ) from exc

    def _ensure_index(self, index: str) -> None:
        from elasticsearch import BadRequestError

        if index in self._known or self.es.indices.exists(index=index):
            self._known.add(index)
            return
        settings = names.index_settings_for(index, self.prefix)
        try:
            self.es.indices.create(index=index, settings=settings or None)
        except BadRequestError as exc:
            if "resource_already_exists" not in str(exc):
                raise
        self._known.add(index)

    def close(self) -> None:
        self.es.close()

    def drop_all(self) -> None:
        """Delete every index, template and the ILM policy of this prefix (tests, re-imports)."""
        # By name: clusters refuse wildcard deletes (action.destructive_requires_name).
        patterns = [p for kind in names.TEMPLATE_KINDS for p in names.index_patterns(kind, self.prefix)]
        found = self.es.indices.get(
            index=",".join(patterns), allow_no_indices=True, ignore_unavailable=True
        ).body
        for index in found:
            self.es.options(ignore_status=404).indices.delete(index=index)
        for kind in names.TEMPLATE_KINDS:
            self.es.options(ignore_status=404).indices.delete_index_template(
                name=names.template_name(kind, self.prefix)
            )
        self.es.options(ignore_status=404).ilm.delete_lifecycle(name=names.ilm_policy_name(self.prefix))

    def _next_ingest_seq(self, n: int) -> int:
        """Microseconds since the epoch at first use plus a counter: insertion order for
        ``pending_enrichment`` and story headlines (SQLite uses its rowid)."""
        start = max(self._last_seq + 1, time.time_ns() // 1000)
        self._last_seq = start + n - 1
        return start

    def _write(self, actions: list[dict[str, Any]], ignore_conflicts_on: Iterable[str] = ()) -> BulkResult:
        try:
            result = bulk_write(self.es, actions, spool=self.spool, ignore_conflicts_on=ignore_conflicts_on)
        except BulkUnavailable as exc:
            raise StoreError(str(exc)) from exc
        self.failures.extend(result.failed)
        return result

    def replay_retry_queue(self) -> BulkResult:
        """Re-send documents queued by earlier failed writes (``giamsat`` can call this on start)."""
        result = replay_spool(self.es, self.spool)
        self._refresh(self.alias, names.revisions_index(self.prefix))
        return result

    def _refresh(self, *indices: str) -> None:
        self.es.indices.refresh(index=",".join(indices), ignore_unavailable=True)

    # -- items ---------------------------------------------------------------------------------
    def _fetch(self, ids: list[str]) -> dict[str, Existing]:
        out: dict[str, Existing] = {}
        uniq = list(dict.fromkeys(ids))
        for start in range(0, len(uniq), 1000):
            resp = self.es.search(index=self.alias, body=qb.ids_body(uniq[start : start + 1000]))
            for hit in resp["hits"]["hits"]:
                out[hit["_id"]] = Existing(
                    index=hit["_index"],
                    source=hit["_source"],
                    seq_no=hit.get("_seq_no"),
                    primary_term=hit.get("_primary_term"),
                )
        return out

    def upsert_items(
        self, items: Iterable[Item], raw: dict[str, bytes | RawPage] | None = None
    ) -> UpsertStats:
        raw = raw or {}
        stats = UpsertStats()
        self.failures = []
        batch: list[Item] = []
        for item in items:
            batch.append(item)
            if len(batch) >= BATCH:
                stats += self._upsert_batch(batch, raw)
                batch = []
        if batch:
            stats += self._upsert_batch(batch, raw)
        return stats

    def _upsert_batch(self, items: list[Item], raw: dict[str, bytes | RawPage]) -> UpsertStats:
        raw_actions: dict[str, dict[str, Any]] = {}
        for item in items:
            payload = raw.get(item.key)
            if payload is not None:
                payload = payload if isinstance(payload, RawPage) else RawPage.of(payload)
                item.raw_ref = payload.ref
                raw_actions.setdefault(
                    item.raw_ref,
                    {"_op_type": "create", "_index": names.raw_index(self.prefix), "_id": item.raw_ref,
                     "_source": raw_source(payload, item.fetched)},
                )  # fmt: skip
        if raw_actions:
            self._write(list(raw_actions.values()), ignore_conflicts_on=[names.raw_index(self.prefix)])
        todo = items
        total = UpsertStats()
        for attempt in range(5):
            existing = self._fetch([item_id_for(i.key) for i in todo])
            plan = plan_upserts(todo, existing, self.prefix, self._next_ingest_seq(len(todo)))
            for index in {a["_index"] for a in plan.actions if a["_op_type"] == "create"}:
                self._ensure_index(index)
            result = self._write(plan.actions, ignore_conflicts_on=[names.revisions_index(self.prefix)])
            self._refresh(self.alias, names.revisions_index(self.prefix))
            conflicted = {a["_id"] for a in result.conflicts}
            failed = {f.action.get("_id") for f in result.failed}
            # Items whose write lost a race with another writer are re-read and re-planned.
            done = [i for i in todo if i.id not in conflicted and i.id not in failed]
            total += plan.stats_for({i.id for i in done if i.id})
            todo = [i for i in todo if i.id in conflicted]
            if not todo:
                break
            log.info("%d item(s) changed by another writer; retrying (attempt %d)", len(todo), attempt + 2)
            time.sleep(random.uniform(0.05, 0.2) * (attempt + 1))
        else:
            raise StoreError(
                f"{len(todo)} item(s) kept conflicting with another writer: {[i.id for i in todo][:5]}"
            )
        return total

    def get_item(self, item_id: str) -> Item | None:
        found = self._fetch([item_id]).get(item_id)
        return source_to_item(found.source) if found else None

    def get_items(self, item_ids: list[str]) -> list[Item]:
        found = self._fetch(list(item_ids))
        return [source_to_item(found[i].source) for i in item_ids if i in found]

    def get_item_by_url(self, url: str) -> Item | None:
        hits = self.es.search(index=self.alias, body=qb.by_url_body(url))["hits"]["hits"]
        return source_to_item(hits[0]["_source"]) if hits else None

    def item_revisions(self, item_id: str) -> list[dict[str, Any]]:
        resp = self.es.search(
            index=names.revisions_index(self.prefix),
            body={"query": {"term": {"item_id": item_id}}, "sort": [{"revision": "asc"}], "size": 10000},
        )
        keys = ("revision", "title", "text", "content_hash", "fetched", "raw_ref")
        return [{k: h["_source"].get(k) for k in keys} for h in resp["hits"]["hits"]]

    def get_raw(self, raw_ref: str) -> bytes | None:
        from elasticsearch import NotFoundError

        try:
            src = self.es.get(index=names.raw_index(self.prefix), id=raw_ref)["_source"]
        except NotFoundError:
            return None
        return raw_payload(src)

    def save_enrichment(self, item_id: str, enrichment: Enrichment) -> None:
        self.save_enrichments([(item_id, enrichment)])

    def save_enrichments(self, pairs: Iterable[tuple[str, Enrichment]]) -> None:
        todo = dict(pairs)  # the last enrichment given for an id wins, as in SQLite
        self.failures = []
        for _attempt in range(CAS_ATTEMPTS):
            if not todo:
                return
            existing = self._fetch(list(todo))
            actions = []
            for item_id, cur in existing.items():
                actions.append(
                    {"_op_type": "index", "_index": cur.index, "_id": item_id, "if_seq_no": cur.seq_no,
                     "if_primary_term": cur.primary_term, "_source": with_enrichment(cur.source, todo[item_id])}
                )  # fmt: skip
            result = self._write(actions)
            self._refresh(self.alias)
            todo = {
                a["_id"]: todo[a["_id"]] for a in result.conflicts
            }  # missing ids are skipped, like SQLite
        raise StoreError(f"enrichment of {len(todo)} item(s) kept conflicting with another writer")

    def pending_enrichment(self, limit: int = 500) -> list[Item]:
        hits = self.es.search(index=self.alias, body=qb.pending_body(limit))["hits"]["hits"]
        return [source_to_item(h["_source"]) for h in hits]

    # -- queries -------------------------------------------------------------------------------
    def search(self, query: Query, limit: int = 50, offset: int = 0) -> Page:
        resp = self.es.search(index=self.alias, body=qb.search_body(query, limit, offset))
        items = [source_to_item(h["_source"]) for h in resp["hits"]["hits"]]
        return Page(items=items, total=int(resp["hits"]["total"]["value"]))

    def count(self, query: Query) -> int:
        return int(self.es.count(index=self.alias, body=qb.count_body(query))["count"])

    def iter_items(self, query: Query, batch: int = 1000) -> Iterator[Item]:
        """Point-in-time + ``search_after``: a consistent snapshot streamed page by page, however
        many items match and whatever is indexed meanwhile."""
        pit_id = self.es.open_point_in_time(index=self.alias, keep_alive=PIT_KEEP_ALIVE)["id"]
        after: list[Any] | None = None
        try:
            while True:
                resp = self.es.search(body=qb.iter_body(query, batch, pit_id, PIT_KEEP_ALIVE, after))
                pit_id = resp.body.get("pit_id", pit_id)
                hits = resp["hits"]["hits"]
                if not hits:
                    return
                for h in hits:
                    yield source_to_item(h["_source"])
                after = hits[-1]["sort"]
        finally:
            try:
                self.es.close_point_in_time(id=pit_id)
            except Exception as exc:  # the PIT expires by itself; never hide the real error
                log.debug("closing point in time failed: %s", exc)

    def facet(self, name: str, query: Query, limit: int = 20) -> list[tuple[str, int]]:
        if name not in FACETS:
            raise ValueError(f"unknown facet '{name}' (one of {', '.join(FACETS)})")
        return qb.parse_facet(self.es.search(index=self.alias, body=qb.facet_body(name, query, limit)).body)

    def histogram(self, query: Query, tz: str = "Asia/Ho_Chi_Minh") -> list[tuple[date, int]]:
        return qb.parse_histogram(self.es.search(index=self.alias, body=qb.histogram_body(query, tz)).body)

    def top_stories(self, query: Query, limit: int = 10) -> list[StorySummary]:
        return qb.parse_top_stories(
            self.es.search(index=self.alias, body=qb.top_stories_body(query, limit)).body
        )

    def story_stats(self, story_id: str, since: datetime | None = None) -> dict[str, Any]:
        stories = self.top_stories(Query(story_id=story_id, since=since), limit=1)
        s = stories[0] if stories else None
        return {
            "items": s.items if s else 0,
            "sources": s.sources if s else 0,
            "engagement": s.engagement if s else 0,
            "first_seen": s.first_seen if s else None,
            "last_seen": s.last_seen if s else None,
        }

    # -- documents -----------------------------------------------------------------------------
    def _doc_index(self, collection: str) -> str:
        return names.docs_index(self.prefix, collection)

    def _get_doc_hit(self, index: str, doc_id: str) -> dict[str, Any] | None:
        from elasticsearch import NotFoundError

        try:
            return dict(self.es.get(index=index, id=doc_id).body)
        except NotFoundError:
            return None

    def get_doc(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        hit = self._get_doc_hit(self._doc_index(collection), str(doc_id))
        if hit is None:
            return None
        doc = dict(hit["_source"]["body"])
        doc["version"] = hit["_source"]["version"]
        return doc

    def put_doc(
        self, collection: str, doc: dict[str, Any], expected_version: int | None = None
    ) -> dict[str, Any]:
        from elasticsearch import ConflictError

        index = self._doc_index(collection)
        doc = dict(doc)
        doc_id = str(doc.get("id") or uuid.uuid4().hex[:12])
        doc["id"] = doc_id
        for attempt in range(CAS_ATTEMPTS):
            hit = self._get_doc_hit(index, doc_id)
            current = int(hit["_source"]["version"]) if hit else 0
            if expected_version is not None and expected_version != current:
                raise StaleEdit(collection, doc_id, expected_version, current if hit else None)
            body = plain({**doc, "version": current + 1})
            source = doc_source(body, utcnow())
            try:
                if hit is None:
                    self.es.index(index=index, id=doc_id, document=source, op_type="create", refresh=True)
                else:
                    self.es.index(
                        index=index, id=doc_id, document=source, refresh=True,
                        if_seq_no=hit["_seq_no"], if_primary_term=hit["_primary_term"],
                    )  # fmt: skip
                return body
            except ConflictError:
                # Someone wrote between our read and our write. With an expected version this is
                # exactly the stale edit to refuse; without one, re-read and write on top.
                if expected_version is not None:
                    again = self._get_doc_hit(index, doc_id)
                    raise StaleEdit(
                        collection,
                        doc_id,
                        expected_version,
                        int(again["_source"]["version"]) if again else None,
                    ) from None
                time.sleep(random.uniform(0.0, 0.02) * (attempt + 1))
        raise StoreError(f"{collection}/{doc_id}: too many concurrent writers")

    def import_doc(self, collection: str, doc: dict[str, Any]) -> None:
        """Write a record *keeping its version* (migration): replaying it is a no-op."""
        body = plain(doc)
        self.es.index(
            index=self._doc_index(collection), id=str(body["id"]), document=doc_source(body, utcnow())
        )

    def find_docs(
        self,
        collection: str,
        where: dict[str, Any] | None = None,
        order_by: str | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        from elasticsearch import NotFoundError

        body = qb.docs_search_body(where, order_by, limit, offset)
        try:
            hits = self.es.search(index=self._doc_index(collection), body=body)["hits"]["hits"]
        except NotFoundError:
            return []
        out = []
        for h in hits:
            doc = dict(h["_source"]["body"])
            doc["version"] = h["_source"]["version"]
            out.append(doc)
        return out

    def count_docs(self, collection: str, where: dict[str, Any] | None = None) -> int:
        from elasticsearch import NotFoundError

        try:
            return int(
                self.es.count(index=self._doc_index(collection), body={"query": qb.docs_query(where)})[
                    "count"
                ]
            )
        except NotFoundError:
            return 0

    def delete_doc(self, collection: str, doc_id: str) -> None:
        self.es.options(ignore_status=404).delete(
            index=self._doc_index(collection), id=str(doc_id), refresh=True
        )

    def collections(self) -> list[str]:
        start = len(self.prefix) + len("-docs-")
        resp = self.es.indices.get(
            index=f"{self.prefix}-docs-*", allow_no_indices=True, ignore_unavailable=True
        )
        return sorted(name[start:] for name in resp.body)

    def refresh_docs(self) -> None:
        self._refresh(f"{self.prefix}-docs-*")

    def next_sequence(self, name: str) -> int:
        return self._bump_sequence(name, lambda current: current + 1)

    def import_sequence(self, name: str, value: int) -> int:
        """Raise a counter to at least ``value`` (migration); never lowers it."""
        return self._bump_sequence(name, lambda current: max(current, value), allow_same=True)

    def _bump_sequence(self, name: str, step: Any, allow_same: bool = False) -> int:
        """Compare-and-set on the counter document, retried with jitter while others win."""
        from elasticsearch import ConflictError

        index = names.sequences_index(self.prefix)
        for attempt in range(CAS_ATTEMPTS):
            hit = self._get_doc_hit(index, name)
            current = int(hit["_source"]["value"]) if hit else 0
            value = step(current)
            if allow_same and value == current and hit is not None:
                return current
            try:
                if hit is None:
                    self.es.index(index=index, id=name, document={"value": value}, op_type="create")
                else:
                    self.es.index(
                        index=index, id=name, document={"value": value},
                        if_seq_no=hit["_seq_no"], if_primary_term=hit["_primary_term"],
                    )  # fmt: skip
                return value
            except ConflictError:
                time.sleep(random.uniform(0.0, 0.01) * (attempt + 1))
        raise StoreError(f"sequence {name}: too many concurrent writers")

    # -- events --------------------------------------------------------------------------------
    def append_event(self, event: Event) -> Event:
        seq = self.next_sequence(EVENT_SEQUENCE)
        self.es.index(
            index=names.events_index(self.prefix),
            id=str(seq),
            document=event_source(event, seq),
            refresh=True,
        )
        event.id = str(seq)
        return event

    def import_event(self, event: Event) -> None:
        """Write an event keeping its id (migration): replaying it is a no-op."""
        seq = int(event.id) if event.id and event.id.isdigit() else self.next_sequence(EVENT_SEQUENCE)
        self.es.index(index=names.events_index(self.prefix), id=str(seq), document=event_source(event, seq))
        self.import_sequence(EVENT_SEQUENCE, seq)

    def refresh_events(self) -> None:
        self._refresh(names.events_index(self.prefix))

    def refresh(self) -> None:
        """Make every write visible to search now (after a migration or a bulk import)."""
        self.refresh_docs()
        self.refresh_events()

    def iter_events(self, after: int = 0, batch: int = 1000) -> Iterator[list[Event]]:
        """The whole audit trail in ``seq`` order, page by page with ``search_after`` (never a
        result window over ``index.max_result_window``)."""
        index = names.events_index(self.prefix)
        while True:
            body = {
                "query": {"range": {"seq": {"gt": after}}},
                "sort": [{"seq": {"order": "asc"}}],
                "size": batch,
            }
            hits = self.es.search(index=index, body=body)["hits"]["hits"]
            if not hits:
                return
            out = []
            for h in hits:
                ev = Event.from_dict(h["_source"]["body"])
                ev.id = str(h["_source"]["seq"])
                out.append(ev)
            yield out
            after = int(hits[-1]["_source"]["seq"])

    def sequences(self) -> dict[str, int]:
        resp = self.es.search(
            index=names.sequences_index(self.prefix), body={"query": {"match_all": {}}, "size": 1000}
        )
        return {h["_id"]: int(h["_source"]["value"]) for h in resp["hits"]["hits"]}

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Elasticsearch has no multi-document transactions: each write is atomic on its own and
        documents are guarded by ``if_seq_no``/``if_primary_term``. Callers that group writes in
        a transaction must therefore also be idempotent on replay (they are: see docs/scale.md)."""
        yield

    def events(
        self, entity: str | None = None, entity_id: str | None = None, limit: int = 1000
    ) -> list[Event]:
        resp = self.es.search(
            index=names.events_index(self.prefix), body=qb.events_body(entity, entity_id, limit)
        )
        out = []
        for h in resp["hits"]["hits"]:
            ev = Event.from_dict(h["_source"]["body"])
            ev.id = str(h["_source"]["seq"])
            out.append(ev)
        return out
