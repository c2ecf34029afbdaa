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
* No search ever asks for ``from + size`` beyond ``result_window`` (Elasticsearch's
  ``index.max_result_window``, 10,000): every read goes through ``_hits``, which answers a shallow
  window with one ``from``/``size`` request and anything deeper with a point in time and
  ``search_after`` (scroll where the server has no point in time), continuing from the previous
  page's sort values when a caller pages sequentially. ``_search`` refuses to send anything
  wider, so a new read path cannot bring the bug back.
* Templates and the ILM policy carry a digest of their body (``_meta.version``) and are written
  only when the cluster's copy differs: opening a store (every CLI command, every health check)
  costs two GETs, not seven PUTs.
* Documents (tickets, alerts...) keep SQLite's logical ``version`` for ``StaleEdit``; the write
  itself is a compare-and-set on ``_seq_no``/``_primary_term`` so two units cannot both win.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from giamsat.core.errors import StaleEdit, StoreError
from giamsat.core.model import Enrichment, Event, Item, RawPage, item_id_for, utcnow
from giamsat.core.settings import Settings
from giamsat.storage import es as names
from giamsat.storage.base import FACETS, FailedWrites, Page, Query, ReplayReport, StorySummary, UpsertStats
from giamsat.storage.es import bulk as spool_queue
from giamsat.storage.es import compat
from giamsat.storage.es import queries as qb
from giamsat.storage.es.bulk import BulkFailure, BulkResult, BulkUnavailable, bulk_write, default_spool_path
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
REPLAY_ROUNDS = 5
CURSORS = 64  # remembered "next page" positions for sequential deep paging


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
        # user:pass@ in a URL is percent-encoded (a password with '@', ':' or '/' must be)
        user = unquote(parts.username) if parts.username else env.get("ELASTICSEARCH_USERNAME", "")
        password = (
            unquote(parts.password) if parts.password is not None else env.get("ELASTICSEARCH_PASSWORD", "")
        )
        kwargs["basic_auth"] = (user, password)
    if env.get("ELASTICSEARCH_CA_CERTS"):
        kwargs["ca_certs"] = env["ELASTICSEARCH_CA_CERTS"]
    return host, kwargs, host


def _error_type(exc: Exception) -> str:
    """The Elasticsearch error type of an ``ApiError`` (``index_not_found_exception``...)."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            return str(err.get("type", ""))
        if isinstance(err, str):
            return err
    return str(getattr(exc, "message", "") or "")


def _unsupported(exc: Exception) -> bool:
    """The server has no such endpoint (OpenSearch, an emulator, a serverless project...)."""
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "meta", None), "status", None)
    text = f"{_error_type(exc)} {exc}".lower()
    return status in (400, 404, 405, 410, 501) and (
        "no handler" in text or "unrecognized" in text or "not supported" in text or "unknown" in text
        or status in (405, 410, 501)
    )  # fmt: skip


class ElasticsearchStore:
    def __init__(
        self,
        uri: str,
        *,
        prefix: str | None = None,
        spool: str | Path | None = None,
        result_window: int | None = None,
        check_version: bool | None = None,
        install: bool = True,
    ) -> None:
        """``install=False`` only reads what is there (``giamsat es health``): nothing is written,
        not even a missing template."""
        from elasticsearch import Elasticsearch

        settings = Settings.from_env()
        host, kwargs, public = client_options(uri)
        self.uri = public
        try:
            self.prefix = names.check_prefix(prefix or settings.es_prefix)
        except ValueError as exc:
            raise StoreError(str(exc)) from exc
        self.window = int(result_window or settings.es_result_window)
        if not 1 <= self.window <= names.DEFAULT_RESULT_WINDOW:
            raise StoreError(f"GIAMSAT_ES_RESULT_WINDOW={self.window}: cần từ 1 đến 10000")
        self.check_version = (
            check_version if check_version is not None else settings.es_skip_version_check != "1"
        )
        self.alias = names.items_alias(self.prefix)
        self.spool = Path(spool) if spool else default_spool_path()
        self.failures: list[Any] = []  # per-document failures of the last write (also spooled)
        self.ilm = True  # False when the server has no ILM (serverless, emulator)
        self.pit = True  # False when the server has no point in time: deep reads scroll
        self.server_version = "?"
        self.compat_warning = ""
        self._last_seq = 0
        self._known: set[str] = set()  # indices known to exist (monthly item indices are made on demand)
        self._cursors: OrderedDict[tuple[str, int], list[Any]] = OrderedDict()
        self.es = Elasticsearch(host, **kwargs)
        self._connect()
        if install:
            self.install()

    # -- set-up --------------------------------------------------------------------------------
    def _connect(self) -> None:
        from elasticsearch import ApiError, TransportError

        try:
            info = self.es.info().body
        except ApiError as exc:
            if "media_type" in f"{_error_type(exc)} {exc}":
                raise StoreError(
                    f"Elasticsearch {self.uri} từ chối thư viện elasticsearch {compat.client_version()} "
                    f"(máy chủ 8.x cần thư viện 8.x: pip install 'elasticsearch>=8.16,<9'): {exc}"
                ) from exc
            raise StoreError(f"không kết nối được Elasticsearch tại {self.uri}: {exc}") from exc
        except TransportError as exc:
            raise StoreError(f"không kết nối được Elasticsearch tại {self.uri}: {exc}") from exc
        version = info.get("version", {})
        self.server_version = str(version.get("number", "?"))
        verdict = compat.check(compat.client_version(), self.server_version, version.get("distribution"))
        if not verdict.ok and self.check_version:
            raise StoreError(f"Elasticsearch {self.uri}: {verdict.message} (docs/scale.md, §2)")
        self.compat_warning = verdict.message
        if verdict.message:
            log.warning("%s", verdict.message)

    def _managed_templates(self) -> dict[str, dict[str, Any]] | None:
        """Every index template on the cluster (name -> body); None if this user may not read them."""
        from elasticsearch import ApiError, NotFoundError

        try:
            resp = self.es.indices.get_index_template().body
        except NotFoundError:
            return {}
        except ApiError as exc:
            if getattr(exc, "status_code", None) == 403:
                log.warning(
                    "cannot read index templates (%s): assuming `giamsat es setup` installed them", exc
                )
                return None
            raise
        return {t["name"]: t.get("index_template", {}) for t in resp.get("index_templates", [])}

    def install(self, force: bool = False) -> list[str]:
        """Install or upgrade this prefix's templates and ILM policy when their version differs
        from the cluster's (or always with ``force``), and make sure the fixed indices exist.
        Returns what was written. Refuses a prefix whose index patterns overlap another
        giamsat prefix on the cluster."""
        from elasticsearch import ApiError

        written: list[str] = []
        try:
            existing = self._managed_templates()
            if existing is not None:
                others = {names.template_prefix(n, b) for n, b in existing.items()} - {None, self.prefix}
                clash = names.overlapping_prefixes(self.prefix, {o for o in others if o})
                if clash:
                    raise StoreError(
                        f"tiền tố chỉ mục '{self.prefix}' chồng lấn với tiền tố đã có trên cụm "
                        f"{', '.join(repr(c) for c in clash)}: chỉ mục của bên này sẽ lọt vào mẫu của bên kia "
                        f"và hai bên đọc lẫn dữ liệu. Chọn GIAMSAT_ES_PREFIX khác (không bắt đầu bằng "
                        f"'<tiền tố khác>-' và không là phần đầu của tiền tố khác)."
                    )
            written += self._install_policy(force)
            for kind in names.TEMPLATE_KINDS:
                name = names.template_name(kind, self.prefix)
                body = names.index_template(kind, self.prefix, self.window)
                have = None if existing is None else names.stored_version(existing.get(name))
                if existing is None and not force:
                    continue  # cannot compare: leave it to whoever can (giamsat es setup)
                if force or have != body["_meta"]["version"]:
                    self.es.indices.put_index_template(name=name, body=body)
                    written.append(f"template {name}")
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
            if getattr(exc, "status_code", None) == 403:
                raise StoreError(
                    f"Elasticsearch {self.uri}: mẫu chỉ mục/chính sách '{self.prefix}-*' còn thiếu hoặc đã cũ "
                    f"và tài khoản này không có quyền ghi chúng: chạy 'giamsat es setup' bằng tài khoản "
                    f"quản trị (docs/scale.md): {exc}"
                ) from exc
            raise StoreError(
                f"Elasticsearch {self.uri}: không tạo được index template/chỉ mục '{self.prefix}-*' "
                f"(kiểm tra quyền manage_index_templates, create_index): {exc}"
            ) from exc
        if written:
            log.info("Elasticsearch %s: wrote %s", self.uri, ", ".join(written))
        return written

    def _install_policy(self, force: bool) -> list[str]:
        from elasticsearch import ApiError, NotFoundError

        name = names.ilm_policy_name(self.prefix)
        body = names.ilm_policy()
        try:
            found = self.es.ilm.get_lifecycle(name=name).body.get(name)
        except NotFoundError:
            found = None
        except ApiError as exc:
            if _unsupported(exc):
                self.ilm = False
                log.warning(
                    "ILM unavailable on %s (%s); item indices will not age automatically", self.uri, exc
                )
                return []
            if getattr(exc, "status_code", None) == 403:
                log.warning(
                    "cannot read ILM policy %s (%s): assuming `giamsat es setup` installed it", name, exc
                )
                return []
            raise
        have = names.stored_version(found.get("policy") if found else None)
        if not force and have == body["policy"]["_meta"]["version"]:
            return []
        try:
            self.es.ilm.put_lifecycle(name=name, body=body)
        except ApiError as exc:
            if _unsupported(exc):
                self.ilm = False
                log.warning(
                    "ILM unavailable on %s (%s); item indices will not age automatically", self.uri, exc
                )
                return []
            raise
        if found is not None:
            self._age_by_write_time()
        return [f"ILM policy {name}"]

    def _age_by_write_time(self) -> None:
        """Upgrade from the policy that aged a month index from its article month: drop that
        origination date so ILM counts from the index's creation (its first write)."""
        from elasticsearch import ApiError

        try:
            self.es.indices.put_settings(
                index=f"{self.prefix}-items-*",
                settings={"index.lifecycle.origination_date": None},
                allow_no_indices=True,
                ignore_unavailable=True,
            )
        except ApiError as exc:
            log.warning(
                "could not reset index.lifecycle.origination_date on %s-items-*: %s", self.prefix, exc
            )

    def _ensure_index(self, index: str) -> None:
        from elasticsearch import BadRequestError

        if index in self._known or self.es.indices.exists(index=index):
            self._known.add(index)
            return
        try:
            self.es.indices.create(index=index)
        except BadRequestError as exc:
            if "resource_already_exists" not in str(exc):
                raise
        self._known.add(index)

    def health(self) -> dict[str, Any]:
        """What ``giamsat es health`` checks, reading only: the cluster answers with these
        credentials, the items alias resolves, and how many writes wait in the retry queue."""
        status = self.es.cluster.health().body.get("status", "?")
        alias = bool(self.es.indices.exists_alias(name=self.alias))
        return {
            "server": self.server_version,
            "status": status,
            "alias": alias,
            "queued_writes": self.failed_writes().count,
        }

    def close(self) -> None:
        self.es.close()

    def drop_all(self) -> None:
        """Delete every index, template and the ILM policy of this prefix (tests, re-imports)."""
        # By name: clusters refuse wildcard deletes (action.destructive_requires_name).
        found = self.es.indices.get(
            index=",".join(names.all_patterns(self.prefix)), allow_no_indices=True, ignore_unavailable=True
        ).body
        for index in found:
            self.es.options(ignore_status=404).indices.delete(index=index)
        for kind in names.TEMPLATE_KINDS:
            self.es.options(ignore_status=404).indices.delete_index_template(
                name=names.template_name(kind, self.prefix)
            )
        if self.ilm:  # a server without ILM answers 400/405 for the endpoint itself
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

    def _refresh(self, *indices: str) -> None:
        self.es.indices.refresh(index=",".join(indices), ignore_unavailable=True)

    # -- reads: never a window over result_window ------------------------------------------------
    def _search(self, index: str | None, body: dict[str, Any], **params: Any) -> Any:
        """The one place a search is sent. Refuses, before sending, a request whose
        ``from + size`` exceeds the result window: the server would answer 400 anyway."""
        if qb.window_of(body) > self.window:
            raise StoreError(
                f"internal: a search asked for from+size={qb.window_of(body)} > {self.window} "
                f"(index.max_result_window); page it with _hits"
            )
        if index is None:
            return self.es.search(body=body, **params)
        return self.es.search(index=index, body=body, **params)

    def _cursor_key(self, index: str, body: dict[str, Any]) -> str:
        keep = {k: v for k, v in body.items() if k not in ("from", "size", "_source", "track_total_hits")}
        return index + "\x00" + json.dumps(keep, sort_keys=True, default=str)

    def _remember(self, index: str, body: dict[str, Any], end: int, hits: list[dict[str, Any]]) -> None:
        """Where the page that ends at ``end`` stopped, so the next page starts there with
        ``search_after`` (only for total orders: the sort ends on a unique field)."""
        sort = body.get("sort") or []
        if not hits or not sort or "_shard_doc" in json.dumps(sort) or sort == ["_doc"]:
            return
        values = hits[-1].get("sort")
        if not values:
            return
        key = (self._cursor_key(index, body), end)
        self._cursors[key] = list(values[: len(sort)])  # a PIT adds _shard_doc: not part of the order
        self._cursors.move_to_end(key)
        while len(self._cursors) > CURSORS:
            self._cursors.popitem(last=False)

    def _hits(
        self,
        index: str,
        body: dict[str, Any],
        offset: int = 0,
        limit: int | None = None,
        page: int | None = None,
    ) -> list[dict[str, Any]]:
        """Hits ``offset`` .. ``offset + limit`` (``None``: all) of the sorted search ``body``."""
        return list(self._iter_hits(index, body, offset, limit, page))

    def _iter_hits(
        self,
        index: str,
        body: dict[str, Any],
        offset: int = 0,
        limit: int | None = None,
        page: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        offset = max(0, int(offset))
        if limit is not None and limit <= 0:
            return
        page = max(1, min(page or self.window, self.window))
        if limit is not None and offset + limit <= self.window and limit <= page:
            hits = self._search(index, {**body, "from": offset, "size": limit})["hits"]["hits"]
            self._remember(index, body, offset + len(hits), hits)
            yield from hits
            return
        after = self._cursors.get((self._cursor_key(index, body), offset)) if offset else None
        if after is not None:
            yield from self._after_pages(index, body, after, offset, limit, page)
        elif self.pit:
            yield from self._pit_pages(index, body, offset, limit, page)
        else:
            yield from self._scroll_pages(index, body, offset, limit, page)

    def _after_pages(
        self, index: str, body: dict[str, Any], after: list[Any], offset: int, limit: int | None, page: int
    ) -> Iterator[dict[str, Any]]:
        """Continue a sequential paging from the previous page's last sort values."""
        done = 0
        while limit is None or done < limit:
            size = page if limit is None else min(page, limit - done)
            hits = self._search(index, qb.after_page(body, size, after))["hits"]["hits"]
            if not hits:
                return
            yield from hits
            done += len(hits)
            self._remember(index, body, offset + done, hits)
            after = hits[-1]["sort"]
            if len(hits) < size:
                return

    def _pit_pages(
        self, index: str, body: dict[str, Any], skip: int, limit: int | None, page: int
    ) -> Iterator[dict[str, Any]]:
        """A consistent snapshot read page by page: point in time + ``search_after``. The first
        ``skip`` hits are stepped over without their ``_source``."""
        from elasticsearch import ApiError, NotFoundError

        # The items alias and the pattern of its monthly indices name the same indices; the
        # pattern also works on the CI emulator, whose PIT over a multi-index alias sees one index.
        target = f"{self.prefix}-items-*" if index == self.alias else index
        try:
            pit_id = self.es.open_point_in_time(index=target, keep_alive=PIT_KEEP_ALIVE)["id"]
        except NotFoundError as exc:
            if _error_type(exc) == "index_not_found_exception":
                raise
            self.pit = False
        except ApiError as exc:
            if not _unsupported(exc):
                raise
            self.pit = False
        if not self.pit:
            log.info("no point in time on %s: deep reads use scroll", self.uri)
            yield from self._scroll_pages(index, body, skip, limit, page)
            return
        offset, done, after = skip, 0, None
        try:
            while limit is None or done < limit:
                stepping = skip > 0
                size = min(page, skip) if stepping else (page if limit is None else min(page, limit - done))
                req = qb.pit_page(body, size, pit_id, PIT_KEEP_ALIVE, after)
                if stepping:
                    req["_source"] = False
                resp = self._search(None, req)
                pit_id = resp.body.get("pit_id", pit_id)
                hits = resp["hits"]["hits"]
                if not hits:
                    return
                after = hits[-1]["sort"]
                if stepping:
                    skip -= len(hits)
                    if len(hits) < size:
                        return
                    continue
                yield from hits
                done += len(hits)
                self._remember(index, body, offset + done, hits)
                if len(hits) < size:
                    return
        finally:
            try:
                self.es.close_point_in_time(id=pit_id)
            except Exception as exc:  # the PIT expires by itself; never hide the real error
                log.debug("closing point in time failed: %s", exc)

    def _scroll_pages(
        self, index: str, body: dict[str, Any], skip: int, limit: int | None, page: int
    ) -> Iterator[dict[str, Any]]:
        """Servers without point in time: the scroll API, pages of at most ``page``."""
        resp = self._search(index, qb.scroll_first(body, page), scroll=PIT_KEEP_ALIVE)
        scroll_id = resp.body.get("_scroll_id")
        done = 0
        try:
            while True:
                hits = resp["hits"]["hits"]
                if not hits:
                    return
                if skip >= len(hits):
                    skip -= len(hits)
                else:
                    for h in hits[skip:]:
                        if limit is not None and done >= limit:
                            return
                        yield h
                        done += 1
                    skip = 0
                if (limit is not None and done >= limit) or not scroll_id:
                    return
                resp = self.es.scroll(scroll_id=scroll_id, scroll=PIT_KEEP_ALIVE)
                scroll_id = resp.body.get("_scroll_id", scroll_id)
        finally:
            if scroll_id:
                try:
                    self.es.clear_scroll(scroll_id=scroll_id)
                except Exception as exc:
                    log.debug("clearing scroll failed: %s", exc)

    # -- the retry queue ---------------------------------------------------------------------------
    def failed_writes(self) -> FailedWrites:
        return spool_queue.queue_summary(self.spool)

    def replay_retry_queue(self) -> ReplayReport:
        return self.replay_failed_writes()

    def replay_failed_writes(self) -> ReplayReport:
        """Re-send queued writes of this prefix; others stay queued. Raw payloads and earlier
        revisions are idempotent creates; item documents are rebased on what is stored now
        (``bulk.rebase``: a newer revision always wins, compare-and-set kept)."""
        report = ReplayReport()
        mine = (names.raw_index(self.prefix), names.revisions_index(self.prefix))
        items_prefix = f"{self.prefix}-items-"
        with spool_queue.claim_spool(self.spool) as entries:
            if entries is None:
                return ReplayReport(busy=True)
            keep: list[dict[str, Any]] = []
            plain_actions: list[dict[str, Any]] = []
            item_entries: list[dict[str, Any]] = []
            for e in entries:
                index = str((e.get("action") or {}).get("_index", ""))
                if index in mine:
                    plain_actions.append(e["action"])
                elif index.startswith(items_prefix):
                    item_entries.append(e)
                else:
                    keep.append(e)
            failed: list[BulkFailure] = []
            if plain_actions:
                res = bulk_write(self.es, plain_actions, spool=None, ignore_conflicts_on=mine)
                report.sent += res.ok
                failed += res.failed
            todo = [e["action"] for e in spool_queue.newest_per_document(item_entries)]
            report.superseded += len(item_entries) - len(todo)
            for _round in range(REPLAY_ROUNDS):
                if not todo:
                    break
                current = self._fetch([str(a["_id"]) for a in todo])
                actions = []
                for a in todo:
                    planned = spool_queue.rebase(a, current.get(str(a["_id"])))
                    if planned is None:
                        report.superseded += 1
                    else:
                        actions.append(planned)
                for index in {a["_index"] for a in actions if a["_op_type"] == "create"}:
                    self._ensure_index(index)
                res = bulk_write(self.es, actions, spool=None)
                report.sent += res.ok
                failed += res.failed
                conflicted = {str(a["_id"]) for a in res.conflicts}
                self._refresh(self.alias)
                todo = [a for a in todo if str(a["_id"]) in conflicted]
            failed += [BulkFailure(a, 409, "still conflicting after replay") for a in todo]
            report.failed = len(failed)
            data = b"".join(
                [
                    b"".join(
                        (json.dumps(e, ensure_ascii=False, default=str) + "\n").encode("utf-8") for e in keep
                    ),
                    spool_queue.spool_lines(failed),
                ]
            )
            spool_queue.append_spool(self.spool, data)
        self._refresh(self.alias, *mine)
        return report

    # -- items ---------------------------------------------------------------------------------
    def _fetch(self, ids: list[str]) -> dict[str, Existing]:
        out: dict[str, Existing] = {}
        uniq = list(dict.fromkeys(ids))
        chunk = min(1000, self.window)
        for start in range(0, len(uniq), chunk):
            resp = self._search(self.alias, qb.ids_body(uniq[start : start + chunk]))
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
        hits = self._search(self.alias, qb.by_url_body(url))["hits"]["hits"]
        return source_to_item(hits[0]["_source"]) if hits else None

    def item_revisions(self, item_id: str) -> list[dict[str, Any]]:
        hits = self._hits(names.revisions_index(self.prefix), qb.revisions_body(item_id))
        keys = ("revision", "title", "text", "content_hash", "fetched", "raw_ref")
        return [{k: h["_source"].get(k) for k in keys} for h in hits]

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
        return [source_to_item(h["_source"]) for h in self._hits(self.alias, qb.pending_body(), 0, limit)]

    # -- queries -------------------------------------------------------------------------------
    def search(self, query: Query, limit: int = 50, offset: int = 0) -> Page:
        offset, limit = max(0, offset), max(0, limit)
        if offset + limit <= self.window:
            resp = self._search(self.alias, qb.search_body(query, limit, offset))
            hits = resp["hits"]["hits"]
            self._remember(self.alias, qb.sorted_body(query), offset + len(hits), hits)
            items = [source_to_item(h["_source"]) for h in hits]
            return Page(items=items, total=int(resp["hits"]["total"]["value"]))
        # a deep page (dashboard paging past 10,000): search_after, total from the count API
        hits = self._hits(self.alias, qb.sorted_body(query), offset, limit)
        return Page(items=[source_to_item(h["_source"]) for h in hits], total=self.count(query))

    def count(self, query: Query) -> int:
        return int(self.es.count(index=self.alias, body=qb.count_body(query))["count"])

    def iter_items(self, query: Query, batch: int = 1000) -> Iterator[Item]:
        """Point-in-time + ``search_after`` (scroll without PIT): a consistent snapshot streamed
        page by page, however many items match and whatever is indexed meanwhile."""
        for h in self._iter_hits(self.alias, {"query": qb.build_query(query)}, 0, None, page=batch):
            yield source_to_item(h["_source"])

    def facet(self, name: str, query: Query, limit: int = 20) -> list[tuple[str, int]]:
        if name not in FACETS:
            raise ValueError(f"unknown facet '{name}' (one of {', '.join(FACETS)})")
        return qb.parse_facet(self._search(self.alias, qb.facet_body(name, query, limit)).body)

    def histogram(self, query: Query, tz: str = "Asia/Ho_Chi_Minh") -> list[tuple[date, int]]:
        return qb.parse_histogram(self._search(self.alias, qb.histogram_body(query, tz)).body)

    def hourly(self, query: Query, tz: str = "Asia/Ho_Chi_Minh") -> list[tuple[datetime, int]]:
        return qb.parse_hourly(self.es.search(index=self.alias, body=qb.hourly_body(query, tz)).body, tz)

    def top_reach(self, name: str, query: Query, limit: int = 10) -> list[tuple[str, int, int]]:
        if name not in qb.REACH_FIELDS:
            raise ValueError(f"unknown reach field '{name}' (source_id or author)")
        return qb.parse_top_reach(
            self.es.search(index=self.alias, body=qb.top_reach_body(name, query, limit)).body, limit
        )

    def top_stories(self, query: Query, limit: int = 10) -> list[StorySummary]:
        return qb.parse_top_stories(self._search(self.alias, qb.top_stories_body(query, limit)).body)

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

        body = qb.docs_search_body(where, order_by)
        try:
            hits = self._hits(self._doc_index(collection), body, offset, limit)
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

    def bump_counter(self, name: str, window_seconds: int, now: datetime, amount: int = 1) -> int:
        """One scripted update: Elasticsearch applies it on the primary shard under the
        document's lock, retrying internally on a version conflict, so no two callers see the
        same value (the read-check-write is the engine's, not ours)."""
        now_ms = int(now.timestamp() * 1000)
        resp = self.es.update(
            index=self._counters_index(),
            id=name,
            script={
                "lang": "painless",
                "source": (
                    "if (ctx._source.window_start_ms == null || "
                    "params.now - ctx._source.window_start_ms >= params.window) "
                    "{ ctx._source.window_start_ms = params.now; ctx._source.count = params.amount; } "
                    "else if (params.amount == 0) { ctx.op = 'noop'; } "
                    "else { ctx._source.count += params.amount; }"
                ),
                "params": {"now": now_ms, "window": window_seconds * 1000, "amount": amount},
            },
            upsert={"id": name, "window_start_ms": now_ms, "count": amount},
            retry_on_conflict=20,
            refresh=True,
            source=True,
        )
        return int(resp["get"]["_source"]["count"])

    def _counters_index(self) -> str:
        # Outside the ``-docs-*`` pattern: counters are short-lived and never migrated or listed.
        return f"{self.prefix}-counters"

    def reset_counter(self, name: str) -> None:
        from elasticsearch import NotFoundError

        with suppress(NotFoundError):
            self.es.delete(index=self._counters_index(), id=name, refresh=True)

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
                "size": max(1, min(batch, self.window)),
            }
            hits = self._search(index, body)["hits"]["hits"]
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
        self._refresh(names.sequences_index(self.prefix))  # counters are written without refresh
        hits = self._hits(names.sequences_index(self.prefix), {"query": {"match_all": {}}})
        return {h["_id"]: int(h["_source"]["value"]) for h in hits}

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Elasticsearch has no multi-document transactions: each write is atomic on its own and
        documents are guarded by ``if_seq_no``/``if_primary_term``. Callers that group writes in
        a transaction must therefore also be idempotent on replay (they are: see docs/scale.md)."""
        yield

    def events(
        self, entity: str | None = None, entity_id: str | None = None, limit: int = 1000
    ) -> list[Event]:
        out = []
        for h in self._hits(names.events_index(self.prefix), qb.events_body(entity, entity_id), 0, limit):
            ev = Event.from_dict(h["_source"]["body"])
            ev.id = str(h["_source"]["seq"])
            out.append(ev)
        return out
