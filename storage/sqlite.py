"""SQLite backend: the embedded default. One file, WAL, FTS5, zero set-up.

Design notes (why, not what):
* One connection per thread: Streamlit and the scheduler call from several threads, and
  sqlite3 connections must not be shared across threads while a transaction is open.
* The FTS index is *contentless* and holds folded text (``nlp.normalize.fold``: no diacritics,
  đ->d), so ``khanh hoa``, ``Khánh Hoà`` and ``Khánh Hòa`` all hit the same tokens. Deleting a row
  from a contentless index needs the old indexed values, which we recompute from ``items``.
* Dashboard numbers come from GROUP BY queries on indexed, denormalised columns (category,
  sentiment, ts) and two small facet tables (topics, localities): never from loading rows.
* Writes that must not be lost to a concurrent writer (tickets) use ``BEGIN IMMEDIATE`` and a
  version check: a stale edit raises ``StaleEdit`` instead of overwriting.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from giamsat.core.codes import KINDS, SEVERITIES
from giamsat.core.errors import StaleEdit, StoreError
from giamsat.core.model import (
    Engagement,
    Enrichment,
    Event,
    Item,
    RawPage,
    item_id_for,
    json_default,
    parse_dt,
    utcnow,
)
from giamsat.core.text import fold
from giamsat.storage.base import (
    FACETS,
    FailedWrites,
    Page,
    Query,
    ReplayReport,
    StorySummary,
    UpsertStats,
    capped_query_text,
)
from giamsat.storage.migrations import migrate

_FACET_COLUMNS = {
    "source_id": "source_id",
    "kind": "kind",
    "language": "language",
    "sentiment": "sentiment",
    "category": "category",
    "severity": "severity",
    "province": "province",
}


# facets with a fixed code list and no (column, ts) index: counted in one pass (_closed_facet)
_CLOSED_FACETS = {"kind": KINDS, "severity": SEVERITIES}
# above this many text matches a page is found faster by walking the time index (benchmarks/queries.py)
_DENSE_MATCHES = 2000


def sqlite_path(uri: str) -> str:
    """``sqlite:///var/x.db`` and ``sqlite:////var/x.db`` -> ``/var/x.db``; a bare path is itself."""
    if not uri.startswith("sqlite://"):
        return uri
    path = uri[len("sqlite://") :]
    if path in ("/:memory:", ":memory:"):
        return ":memory:"
    while path.startswith("//"):
        path = path[1:]
    return path


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat(timespec="seconds") if dt else None


def fts_query(text: str) -> str | None:
    """Turn what a user typed into an FTS5 expression over folded tokens.

    Words are ANDed; ``"quoted phrases"`` stay phrases; ``-word`` excludes; a trailing ``*`` is a
    prefix search. Everything is quoted so user punctuation cannot break the FTS syntax.
    """
    parts: list[str] = []
    negs: list[str] = []
    folded = fold(capped_query_text(text))
    for i, chunk in enumerate(folded.split('"')):
        if i % 2 == 1:  # inside quotes
            words = "".join(c if c.isalnum() else " " for c in chunk).split()
            if words:
                parts.append('"' + " ".join(words) + '"')
            continue
        for raw in chunk.split():
            neg = raw.startswith("-") and len(raw) > 1
            prefix = raw.endswith("*")
            words = "".join(c if c.isalnum() else " " for c in raw).split()
            for w in words:
                term = f'"{w}"' + ("*" if prefix else "")
                (negs if neg else parts).append(term)
    if not parts:
        return None
    expr = " AND ".join(parts)
    for n in negs:
        expr += f" NOT {n}"
    return expr


class SQLiteStore:
    def __init__(self, uri: str, *, migrate_schema: bool = True) -> None:
        path = sqlite_path(uri)
        self.path = path
        self.uri = f"sqlite://{Path(path).resolve()}" if path != ":memory:" else "sqlite:///:memory:"
        if path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder for the store {path}: {exc}") from exc
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        if migrate_schema:
            migrate(self.db)

    # -- connections ---------------------------------------------------------------------
    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"cannot open SQLite store {self.path}: {exc}") from exc
            conn.execute("PRAGMA synchronous=NORMAL")
            # Measured at 1M items (docs/benchmarks.md): a 64 MiB page cache (SQLite's default is 2 MiB)
            # keeps the upper index levels in memory, and checkpointing the WAL every ~40 MB instead of
            # every 4 MB writes a page changed by several batches once: together ~1.4x more upserts/s.
            # The cache is filled only as pages are read; readers rely on the OS cache anyway.
            conn.execute("PRAGMA cache_size=-65536")
            conn.execute("PRAGMA wal_autocheckpoint=10000")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self, immediate: bool = True) -> Iterator[sqlite3.Connection]:
        db = self.db
        if db.in_transaction:  # nested: join the outer transaction
            yield db
            return
        db.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                with suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self._local = threading.local()

    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    # -- items ---------------------------------------------------------------------------
    def upsert_items(
        self, items: Iterable[Item], raw: dict[str, bytes | RawPage] | None = None
    ) -> UpsertStats:
        """One transaction per call. Known items are looked up in one query for the batch and new
        ones are written with two ``executemany`` (rows, then their FTS entries): per-item round
        trips were a third of the cost of a crawl-sized batch (docs/benchmarks.md)."""
        items = list(items)
        raw = raw or {}
        stats = UpsertStats()
        with self.transaction() as db:
            for item in items:
                item.id = item_id_for(item.key)
                payload = raw.get(item.key)
                if payload is not None:
                    item.raw_ref = self._put_raw(db, payload, item.fetched)
            keys = [item.key for item in items]
            if len(set(keys)) != len(keys):  # the same page twice in one batch: in order, one by one
                for item in items:
                    stats += self._upsert_one(db, item, self._existing(db, [item.key]).get(item.key))
                return stats
            existing = self._existing(db, keys)
            fresh = [item for item in items if item.key not in existing]
            if fresh:
                self._insert_new(db, fresh)
                stats += UpsertStats(new=len(fresh), ids=[item_id_for(item.key) for item in fresh])
            for item in items:
                row = existing.get(item.key)
                if row is not None:
                    stats += self._upsert_one(db, item, row)
        # keep the caller's order for the ids of new/revised items
        order = {item.id: i for i, item in enumerate(items)}
        stats.ids.sort(key=order.__getitem__)
        return stats

    def _existing(self, db: sqlite3.Connection, keys: list[str]) -> dict[str, sqlite3.Row]:
        out: dict[str, sqlite3.Row] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = db.execute(
                "SELECT rowid, canonical_url, content_hash, revision, title, text, fetched, raw_ref "
                f"FROM items WHERE canonical_url IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            out.update((r["canonical_url"], r) for r in rows)
        return out

    def _insert_new(self, db: sqlite3.Connection, items: list[Item]) -> None:
        # rowids assigned here (the write lock is held: BEGIN IMMEDIATE) so that the FTS rows can
        # be written in one executemany too
        first = (db.execute("SELECT max(rowid) FROM items").fetchone()[0] or 0) + 1
        db.executemany(
            """INSERT INTO items(rowid, id, canonical_url, url, source_id, kind, title, text, author, published,
                   fetched, ts, language, content_hash, revision, engagement, eng_total, raw_ref, meta)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?,?)""",
            [
                (
                    first + n,
                    item.id,
                    item.key,
                    item.url,
                    item.source_id,
                    item.kind,
                    item.title,
                    item.text,
                    item.author,
                    _iso(item.published),
                    _iso(item.fetched),
                    _iso(item.published or item.fetched),
                    item.language,
                    item.content_hash,
                    json.dumps(item.engagement.to_dict()),
                    item.engagement.total(),
                    item.raw_ref,
                    json.dumps(item.meta, ensure_ascii=False),
                )
                for n, item in enumerate(items)
            ],
        )
        db.executemany(
            "INSERT INTO items_fts(rowid, title, body) VALUES (?, ?, ?)",
            [(first + n, fold(item.title), fold(item.text)) for n, item in enumerate(items)],
        )
        for item in items:
            item.revision = 1

    def _put_raw(self, db: sqlite3.Connection, payload: bytes | RawPage, fetched: datetime) -> str:
        page = payload if isinstance(payload, RawPage) else RawPage.of(payload)
        db.execute(
            "INSERT OR IGNORE INTO raw(id, fetched, codec, data) VALUES (?, ?, 'zlib', ?)",
            (page.ref, _iso(fetched), page.zlib),
        )
        return page.ref

    def _upsert_one(self, db: sqlite3.Connection, item: Item, row: sqlite3.Row | None) -> UpsertStats:
        """One item whose stored row (or None) is known: insert, refresh reach, or add a revision."""
        if row is None:
            self._insert_new(db, [item])
            return UpsertStats(new=1, ids=[item_id_for(item.key)])
        rowid = row["rowid"]
        if row["content_hash"] == item.content_hash:
            # Same content: only refresh what legitimately changes between crawls (reach).
            if item.engagement.total():
                db.execute(
                    "UPDATE items SET engagement = ?, eng_total = ? WHERE rowid = ?",
                    (json.dumps(item.engagement.to_dict()), item.engagement.total(), rowid),
                )
            item.revision = row["revision"]
            return UpsertStats(unchanged=1)
        # Changed content: keep the old text as a revision (a correction can be proven later).
        db.execute(
            "INSERT OR IGNORE INTO item_revisions VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                rowid,
                row["revision"],
                row["title"],
                row["text"],
                row["content_hash"],
                row["fetched"],
                row["raw_ref"],
            ),
        )
        db.execute(
            "INSERT INTO items_fts(items_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)",
            (rowid, fold(row["title"] or ""), fold(row["text"] or "")),
        )
        new_rev = row["revision"] + 1
        db.execute(
            """UPDATE items SET url=?, title=?, text=?, author=COALESCE(?, author),
                   published=COALESCE(?, published), fetched=?, ts=COALESCE(?, published, ?),
                   language=COALESCE(?, language), content_hash=?, revision=?, engagement=?, eng_total=?,
                   raw_ref=COALESCE(?, raw_ref), meta=? WHERE rowid=?""",
            (
                item.url,
                item.title,
                item.text,
                item.author,
                _iso(item.published),
                _iso(item.fetched),
                _iso(item.published),
                _iso(item.fetched),
                item.language,
                item.content_hash,
                new_rev,
                json.dumps(item.engagement.to_dict()),
                item.engagement.total(),
                item.raw_ref,
                json.dumps(item.meta, ensure_ascii=False),
                rowid,
            ),
        )
        db.execute(
            "INSERT INTO items_fts(rowid, title, body) VALUES (?, ?, ?)",
            (rowid, fold(item.title), fold(item.text)),
        )
        item.revision = new_rev
        return UpsertStats(revised=1, ids=[item_id_for(item.key)])

    def _row_to_item(self, row: sqlite3.Row) -> Item:
        item = Item(
            source_id=row["source_id"],
            url=row["url"] or "",
            title=row["title"] or "",
            text=row["text"] or "",
            kind=row["kind"],
            canonical_url=row["canonical_url"],
            author=row["author"],
            published=parse_dt(row["published"]),
            fetched=parse_dt(row["fetched"]) or utcnow(),
            engagement=Engagement.from_dict(json.loads(row["engagement"] or "{}")),
            language=row["language"],
            raw_ref=row["raw_ref"],
            content_hash=row["content_hash"],
            revision=row["revision"],
            id=row["id"],
            meta=json.loads(row["meta"] or "{}"),
        )
        if row["enrichment"]:
            item.enrichment = Enrichment.from_dict(json.loads(row["enrichment"]))
        return item

    def get_item(self, item_id: str) -> Item | None:
        row = self.db.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
        return self._row_to_item(row) if row else None

    def get_items(self, item_ids: list[str]) -> list[Item]:
        if not item_ids:
            return []
        marks = ",".join("?" * len(item_ids))
        rows = self.db.execute(f"SELECT * FROM items WHERE id IN ({marks})", item_ids).fetchall()
        by_id = {r["id"]: self._row_to_item(r) for r in rows}
        return [by_id[i] for i in item_ids if i in by_id]

    def get_item_by_url(self, url: str) -> Item | None:
        row = self.db.execute(
            "SELECT * FROM items WHERE canonical_url = ? OR url = ? LIMIT 1", (url, url)
        ).fetchone()
        return self._row_to_item(row) if row else None

    def item_revisions(self, item_id: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            """SELECT r.revision, r.title, r.text, r.content_hash, r.fetched, r.raw_ref
               FROM item_revisions r JOIN items i ON i.rowid = r.item_rowid
               WHERE i.id = ? ORDER BY r.revision""",
            (item_id,),
        ).fetchall()
        return [dict(r) for r in rows]

    def get_raw(self, raw_ref: str) -> bytes | None:
        row = self.db.execute("SELECT codec, data FROM raw WHERE id = ?", (raw_ref,)).fetchone()
        if row is None:
            return None
        return zlib.decompress(row["data"]) if row["codec"] == "zlib" else bytes(row["data"])

    def save_enrichment(self, item_id: str, enrichment: Enrichment) -> None:
        self.save_enrichments([(item_id, enrichment)])

    def save_enrichments(self, pairs: Iterable[tuple[str, Enrichment]]) -> None:
        with self.transaction() as db:
            for item_id, enr in pairs:
                row = db.execute("SELECT rowid, ts, revision FROM items WHERE id = ?", (item_id,)).fetchone()
                if row is None:
                    continue
                rowid, ts = row["rowid"], row["ts"]
                db.execute(
                    """UPDATE items SET enrichment=?, enriched_rev=?, sentiment=?, category=?, severity=?,
                           risk=?, story_id=?, province=?, language=COALESCE(language, ?) WHERE rowid=?""",
                    (
                        json.dumps(enr.to_dict(), ensure_ascii=False),
                        row["revision"],
                        enr.sentiment.label if enr.sentiment else None,
                        enr.category.label if enr.category else None,
                        enr.severity,
                        enr.risk,
                        enr.story_id,
                        enr.province,
                        enr.language,
                        rowid,
                    ),
                )
                db.execute("DELETE FROM item_topics WHERE item_rowid = ?", (rowid,))
                db.executemany(
                    "INSERT OR IGNORE INTO item_topics VALUES (?, ?, ?, ?)",
                    [(rowid, t.label, t.score, ts) for t in enr.topics],
                )
                db.execute("DELETE FROM item_localities WHERE item_rowid = ?", (rowid,))
                db.executemany(
                    "INSERT OR IGNORE INTO item_localities VALUES (?, ?, ?)",
                    [(rowid, name, ts) for name in set(enr.localities)],
                )

    def pending_enrichment(self, limit: int = 500) -> list[Item]:
        rows = self.db.execute(
            "SELECT * FROM items WHERE enriched_rev IS NULL OR enriched_rev < revision ORDER BY rowid LIMIT ?",
            (limit,),
        ).fetchall()
        return [self._row_to_item(r) for r in rows]

    # -- queries -------------------------------------------------------------------------
    def _where(self, q: Query, alias: str = "items") -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        a = alias
        if q.text:
            expr = fts_query(q.text)
            if expr is None:
                clauses.append("0")
            else:
                clauses.append(f"{a}.rowid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)")
                args.append(expr)
        if q.since:
            clauses.append(f"{a}.ts >= ?")
            args.append(_iso(q.since))
        if q.until:
            clauses.append(f"{a}.ts < ?")
            args.append(_iso(q.until))
        for column, values in (
            ("source_id", q.source_ids),
            ("kind", q.kinds),
            ("sentiment", q.sentiments),
            ("category", q.categories),
            ("severity", q.severities),
            ("language", q.languages),
        ):
            if values:
                clauses.append(f"{a}.{column} IN ({','.join('?' * len(values))})")
                args.extend(values)
        if q.topics:
            clauses.append(
                f"EXISTS (SELECT 1 FROM item_topics t WHERE t.item_rowid = {a}.rowid "
                f"AND t.code IN ({','.join('?' * len(q.topics))}))"
            )
            args.extend(q.topics)
        if q.localities:
            clauses.append(
                f"EXISTS (SELECT 1 FROM item_localities l WHERE l.item_rowid = {a}.rowid "
                f"AND l.name IN ({','.join('?' * len(q.localities))}))"
            )
            args.extend(q.localities)
        if q.province:
            clauses.append(f"{a}.province = ?")
            args.append(q.province)
        if q.story_id:
            clauses.append(f"{a}.story_id = ?")
            args.append(q.story_id)
        if q.min_risk is not None:
            clauses.append(f"{a}.risk >= ?")
            args.append(q.min_risk)
        if q.item_ids is not None:
            if q.item_ids:
                # json_each keeps one bound parameter however many ids a unit's tickets hold
                clauses.append(f"{a}.id IN (SELECT value FROM json_each(?))")
                args.append(json.dumps(list(q.item_ids)))
            else:
                clauses.append("0")
        return (" AND ".join(clauses) or "1"), args

    def _order(self, q: Query) -> str:
        return {
            "oldest": "items.ts ASC, items.rowid ASC",
            "risk": "items.risk DESC NULLS LAST, items.ts DESC",
            "relevance": "items.ts DESC",
        }.get(q.order, "items.ts DESC, items.rowid DESC")

    def search(self, query: Query, limit: int = 50, offset: int = 0) -> Page:
        where, args = self._where(query)
        match = fts_query(query.text) if query.text else None
        if match is None:  # no text: the time-range index orders and counts
            total = self.db.execute(f"SELECT count(*) FROM items WHERE {where}", args).fetchone()[0]
            sql = f"SELECT * FROM items WHERE {where} ORDER BY {self._order(query)} LIMIT ? OFFSET ?"
            rows = self.db.execute(sql, [*args, limit, offset]).fetchall()
            return Page(items=[self._row_to_item(r) for r in rows], total=total)
        if query.order == "relevance":
            # BM25 scores every match anyway: count them in the same pass (count(*) OVER ())
            rest, rest_args = self._where(replace(query, text=None))
            sql = (
                "SELECT rowid, total FROM (SELECT items.rowid AS rowid, items_fts.rank AS r, "
                "count(*) OVER () AS total FROM items_fts JOIN items INDEXED BY items_rowid_cover "
                f"ON items.rowid = items_fts.rowid WHERE items_fts MATCH ? AND {rest}) "
                "ORDER BY r LIMIT ? OFFSET ?"
            )
            ranked = self.db.execute(sql, [match, *rest_args, limit, offset]).fetchall()
            total = ranked[0][1] if ranked else self._count_text(match, query)
            return Page(items=self._items_by_rowid([r[0] for r in ranked]), total=total)
        total = self._count_text(match, query)
        # Many matches: walk the time index from the newest and stop at the page (a common word
        # needs a few hundred steps). Few matches: sort just those, from the narrow index.
        dense = total > _DENSE_MATCHES and query.order in ("newest", "oldest")
        index = "items_ts_cover" if dense else "items_rowid_cover"
        sql = f"SELECT rowid FROM items INDEXED BY {index} WHERE {where} ORDER BY {self._order(query)} LIMIT ? OFFSET ?"
        rowids = [r[0] for r in self.db.execute(sql, [*args, limit, offset])]
        return Page(items=self._items_by_rowid(rowids), total=total)

    def _items_by_rowid(self, rowids: list[int]) -> list[Item]:
        if not rowids:
            return []
        rows = self.db.execute(f"SELECT * FROM items WHERE rowid IN ({','.join('?' * len(rowids))})", rowids)
        by_rowid = {r["rowid"]: r for r in rows.fetchall()}
        return [self._row_to_item(by_rowid[i]) for i in rowids if i in by_rowid]

    def _count_text(self, match: str, query: Query) -> int:
        """FTS matches (they come in rowid order) joined to items_rowid_cover (migration 5): the time
        window and filters are read from that narrow index, never from the wide rows."""
        rest, args = self._where(replace(query, text=None))
        sql = (
            "SELECT count(*) FROM items_fts JOIN items INDEXED BY items_rowid_cover "
            f"ON items.rowid = items_fts.rowid WHERE items_fts MATCH ? AND {rest}"
        )
        return int(self.db.execute(sql, [match, *args]).fetchone()[0])

    def count(self, query: Query) -> int:
        match = fts_query(query.text) if query.text else None
        if match is not None:
            return self._count_text(match, query)
        where, args = self._where(query)
        return int(self.db.execute(f"SELECT count(*) FROM items WHERE {where}", args).fetchone()[0])

    def iter_items(self, query: Query, batch: int = 1000) -> Iterator[Item]:
        # Keyset pagination on rowid: constant memory and no OFFSET scans, whatever the size.
        where, args = self._where(query)
        last = 0
        while True:
            rows = self.db.execute(
                f"SELECT * FROM items WHERE items.rowid > ? AND {where} ORDER BY items.rowid LIMIT ?",
                [last, *args, batch],
            ).fetchall()
            if not rows:
                return
            for r in rows:
                yield self._row_to_item(r)
            last = rows[-1]["rowid"]

    def facet(self, name: str, query: Query, limit: int = 20) -> list[tuple[str, int]]:
        if name not in FACETS:
            raise ValueError(f"unknown facet '{name}' (one of {', '.join(FACETS)})")
        where, args = self._where(query)
        if name in ("topic", "locality"):
            table, col = ("item_topics", "code") if name == "topic" else ("item_localities", "name")
            only_time = _only_time(query)
            if only_time:  # fast path: the facet tables carry ts themselves
                conds, targs = [], []
                if query.since:
                    conds.append("ts >= ?")
                    targs.append(_iso(query.since))
                if query.until:
                    conds.append("ts < ?")
                    targs.append(_iso(query.until))
                sql = (
                    f"SELECT {col} AS k, count(*) AS n FROM {table} WHERE {' AND '.join(conds) or '1'} "
                    f"GROUP BY {col} ORDER BY n DESC, k LIMIT ?"
                )
                rows = self.db.execute(sql, [*targs, limit]).fetchall()
            else:
                sql = (
                    f"SELECT f.{col} AS k, count(*) AS n FROM {table} f JOIN items ON items.rowid = f.item_rowid "
                    f"WHERE {where} GROUP BY f.{col} ORDER BY n DESC, k LIMIT ?"
                )
                rows = self.db.execute(sql, [*args, limit]).fetchall()
        else:
            col = _FACET_COLUMNS[name]
            if name in _CLOSED_FACETS:
                counted = self._closed_facet(col, _CLOSED_FACETS[name], where, args)
                if counted is not None:
                    return counted[:limit]
            sql = (
                f"SELECT {col} AS k, count(*) AS n FROM items WHERE {where} AND {col} IS NOT NULL "
                f"GROUP BY {col} ORDER BY n DESC, k LIMIT ?"
            )
            rows = self.db.execute(sql, [*args, limit]).fetchall()
        return [(r["k"], r["n"]) for r in rows]

    def _closed_facet(
        self, col: str, codes: tuple[str, ...], where: str, args: list[Any]
    ) -> list[tuple[str, int]] | None:
        """Counts of a column with a fixed code list in one pass (``count(*) FILTER``): GROUP BY
        sorts every row of the window first, twice the time on a month of 1M items. None when a
        value outside the list is present (then the caller groups)."""
        marks = ",".join("?" * len(codes))
        sums = ", ".join(f"count(*) FILTER (WHERE {col} = ?)" for _ in codes)
        sql = (
            f"SELECT {sums}, count(*) FILTER (WHERE {col} IS NOT NULL AND {col} NOT IN ({marks})) "
            f"FROM items WHERE {where}"
        )
        *counts, other = self.db.execute(sql, [*codes, *codes, *args]).fetchone()
        if other:
            return None
        found = [(code, n) for code, n in zip(codes, counts, strict=True) if n]
        return sorted(found, key=lambda kv: (-kv[1], kv[0]))

    def histogram(self, query: Query, tz: str = "Asia/Ho_Chi_Minh") -> list[tuple[date, int]]:
        zone = ZoneInfo(tz)
        if (
            query.since
            and query.until
            and not query.text
            and query.until - query.since <= timedelta(days=400)
        ):
            # One range count per local day: counting walks the (ts) or (sentiment, ts) index,
            # grouping sorts every row of the window: a month of 1M items, 30 ms against 140 ms.
            out = []
            for day, start, end in _local_days(query.since, query.until, zone):
                where, args = self._where(replace(query, since=start, until=end))
                n = self.db.execute(f"SELECT count(*) FROM items WHERE {where}", args).fetchone()[0]
                if n:
                    out.append((day, n))
            return out
        where, args = self._where(query)
        ref = query.since or utcnow()
        offset = zone.utcoffset(ref.replace(tzinfo=None)) if ref else None
        minutes = int(offset.total_seconds() // 60) if offset else 0
        if minutes % 60:  # a zone off the hour: let SQLite shift every timestamp
            sql = (
                f"SELECT date(ts, '{minutes:+d} minutes') AS d, count(*) AS n FROM items WHERE {where} "
                "GROUP BY d ORDER BY d"
            )
            return [(date.fromisoformat(r["d"]), r["n"]) for r in self.db.execute(sql, args).fetchall()]
        # Count per UTC hour (a prefix of the stored ISO text: no date parsing per row), then add
        # the hours up into local days here.
        sql = f"SELECT substr(ts, 1, 13) AS h, count(*) AS n FROM items WHERE {where} GROUP BY h"
        days: dict[date, int] = {}
        for hour, n in self.db.execute(sql, args).fetchall():
            local = datetime.fromisoformat(f"{hour}:00:00+00:00") + timedelta(minutes=minutes)
            days[local.date()] = days.get(local.date(), 0) + n
        return sorted(days.items())

    def hourly(self, query: Query, tz: str = "Asia/Ho_Chi_Minh") -> list[tuple[datetime, int]]:
        where, args = self._where(query)
        zone = ZoneInfo(tz)
        ref = query.since or utcnow()
        offset = zone.utcoffset(ref.replace(tzinfo=None))
        minutes = int(offset.total_seconds() // 60) if offset else 0
        sql = (
            f"SELECT strftime('%Y-%m-%dT%H:00:00', ts, '{minutes:+d} minutes') AS h, count(*) AS n "
            f"FROM items WHERE {where} GROUP BY h ORDER BY h"
        )
        return [
            (datetime.fromisoformat(r["h"]).replace(tzinfo=zone), r["n"])
            for r in self.db.execute(sql, args).fetchall()
        ]

    def top_reach(self, name: str, query: Query, limit: int = 10) -> list[tuple[str, int, int]]:
        if name not in ("source_id", "author"):
            raise ValueError(f"unknown reach field '{name}' (source_id or author)")
        where, args = self._where(query)
        # Sources by reach come from an index alone (migration 5): over a short window the
        # time-ordered one (then grouped), over two weeks or more the source-ordered one, read
        # whole but already grouped (a month of 1M items: 0.1 s against 0.2 s).
        if name == "source_id":
            hint = _by_span(query, "items_ts_cover", "items_source_cover", days=14)
        else:  # a day's authors: their rows through the time index; a month: the author index
            hint = _by_span(query, None, "items_author_cover", days=7)
        sql = (
            f"SELECT {name} AS k, count(*) AS n, sum(eng_total) AS eng FROM items{hint} "
            f"WHERE {where} AND {name} IS NOT NULL AND {name} != '' "
            "GROUP BY k ORDER BY eng DESC, n DESC, k LIMIT ?"
        )
        return [(r["k"], r["n"], r["eng"] or 0) for r in self.db.execute(sql, [*args, limit]).fetchall()]

    def top_stories(self, query: Query, limit: int = 10) -> list[StorySummary]:
        where, args = self._where(query)
        # Rank first on what the order needs, then describe only the winners: counting distinct
        # sources and first/last times for every story cost as much again. Over a week or more the
        # story-ordered index is read whole but already grouped (a month of 1M items: 0.12 s
        # against 0.28 s through the time index).
        ranked = self.db.execute(
            f"""SELECT story_id, count(*) AS n, sum(eng_total) AS eng, max(risk) AS max_risk
                FROM items{_by_span(query, "items_ts_cover", "items_story_cover", days=7)}
                WHERE {where} AND story_id IS NOT NULL
                GROUP BY story_id ORDER BY n DESC, eng DESC, max_risk DESC LIMIT ?""",
            [*args, limit],
        ).fetchall()
        out = []
        for r in ranked:
            d = self.db.execute(
                f"""SELECT count(DISTINCT source_id) AS sources, min(ts) AS first_seen,
                           max(ts) AS last_seen, min(rowid) AS first_rowid
                    FROM items INDEXED BY items_story_cover WHERE story_id = ? AND {where}""",
                [r["story_id"], *args],
            ).fetchone()
            head = self.db.execute(
                "SELECT title, url, sentiment FROM items WHERE rowid = ?", (d["first_rowid"],)
            ).fetchone()
            out.append(
                StorySummary(
                    story_id=r["story_id"],
                    title=head["title"] or "",
                    url=head["url"] or "",
                    items=r["n"],
                    sources=d["sources"],
                    engagement=r["eng"] or 0,
                    max_risk=r["max_risk"] or 0.0,
                    sentiment=head["sentiment"],
                    first_seen=parse_dt(d["first_seen"]),
                    last_seen=parse_dt(d["last_seen"]),
                )
            )
        return out

    def story_stats(self, story_id: str, since: datetime | None = None) -> dict[str, Any]:
        """Reach and velocity of one story: how many items and distinct sources, since when."""
        args: list[Any] = [story_id]
        extra = ""
        if since:
            extra = " AND ts >= ?"
            args.append(_iso(since))
        r = self.db.execute(
            f"""SELECT count(*) AS n, count(DISTINCT source_id) AS sources, sum(eng_total) AS eng,
                       min(ts) AS first_seen, max(ts) AS last_seen FROM items WHERE story_id = ?{extra}""",
            args,
        ).fetchone()
        return {
            "items": r["n"],
            "sources": r["sources"],
            "engagement": r["eng"] or 0,
            "first_seen": parse_dt(r["first_seen"]),
            "last_seen": parse_dt(r["last_seen"]),
        }

    # -- documents -----------------------------------------------------------------------
    def get_doc(self, collection: str, doc_id: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT body, version FROM docs WHERE collection = ? AND id = ?", (collection, str(doc_id))
        ).fetchone()
        if row is None:
            return None
        doc = json.loads(row["body"])
        doc["version"] = row["version"]
        return doc

    def put_doc(
        self, collection: str, doc: dict[str, Any], expected_version: int | None = None
    ) -> dict[str, Any]:
        doc = dict(doc)
        doc_id = str(doc.get("id") or uuid.uuid4().hex[:12])
        doc["id"] = doc_id
        with self.transaction() as db:
            row = db.execute(
                "SELECT version FROM docs WHERE collection = ? AND id = ?", (collection, doc_id)
            ).fetchone()
            current = row["version"] if row else 0
            if expected_version is not None and expected_version != current:
                raise StaleEdit(collection, doc_id, expected_version, current if row else None)
            doc["version"] = current + 1
            body = json.dumps(doc, ensure_ascii=False, default=json_default)
            db.execute(
                "INSERT OR REPLACE INTO docs(collection, id, version, updated, body) VALUES (?, ?, ?, ?, ?)",
                (collection, doc_id, doc["version"], _iso(utcnow()), body),
            )
        return json.loads(body)

    def find_docs(
        self,
        collection: str,
        where: dict[str, Any] | None = None,
        order_by: str | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        sql, args = self._doc_where(collection, where)
        if order_by:
            desc = order_by.startswith("-")
            field = _json_path(order_by.lstrip("-"))
            sql += f" ORDER BY json_extract(body, ?) {'DESC' if desc else 'ASC'}, id"
            args.append(field)
        else:
            sql += " ORDER BY updated DESC, id"
        sql += " LIMIT ? OFFSET ?"
        rows = self.db.execute("SELECT body, version " + sql, [*args, limit, offset]).fetchall()
        out = []
        for r in rows:
            doc = json.loads(r["body"])
            doc["version"] = r["version"]
            out.append(doc)
        return out

    def count_docs(self, collection: str, where: dict[str, Any] | None = None) -> int:
        sql, args = self._doc_where(collection, where)
        return int(self.db.execute("SELECT count(*) " + sql, args).fetchone()[0])

    def _doc_where(self, collection: str, where: dict[str, Any] | None) -> tuple[str, list[Any]]:
        sql = "FROM docs WHERE collection = ?"
        args: list[Any] = [collection]
        for key, value in (where or {}).items():
            path = _json_path(key)
            if isinstance(value, (list, tuple, set)):
                values = list(value)
                if not values:
                    sql += " AND 0"
                    continue
                sql += f" AND json_extract(body, ?) IN ({','.join('?' * len(values))})"
                args.extend([path, *values])
            elif value is None:
                sql += " AND json_extract(body, ?) IS NULL"
                args.append(path)
            else:
                sql += " AND json_extract(body, ?) = ?"
                args.extend([path, value])
        return sql, args

    def delete_doc(self, collection: str, doc_id: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM docs WHERE collection = ? AND id = ?", (collection, str(doc_id)))

    def next_sequence(self, name: str) -> int:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sequences(name, value) VALUES (?, 1) "
                "ON CONFLICT(name) DO UPDATE SET value = value + 1",
                (name,),
            )
            return int(db.execute("SELECT value FROM sequences WHERE name = ?", (name,)).fetchone()[0])

    def bump_counter(self, name: str, window_seconds: int, now: datetime, amount: int = 1) -> int:
        doc = self.get_doc("counters", name)
        if amount == 0:
            start = parse_dt(doc.get("window_start")) if doc else None
            fresh = start is not None and (now - start).total_seconds() < window_seconds
            return int(doc.get("count") or 0) if doc and fresh else 0
        # BEGIN IMMEDIATE takes the write lock before the read: read and write are one step.
        with self.transaction():
            doc = self.get_doc("counters", name) or {"id": name}
            start = parse_dt(doc.get("window_start"))
            if start is None or (now - start).total_seconds() >= window_seconds:
                doc.update(window_start=now.isoformat(), count=0)
            doc["count"] = int(doc.get("count") or 0) + amount
            self.put_doc("counters", doc)
            return int(doc["count"])

    def reset_counter(self, name: str) -> None:
        self.delete_doc("counters", name)

    # -- events --------------------------------------------------------------------------
    def append_event(self, event: Event) -> Event:
        body = event.to_dict()
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO events(entity, entity_id, action, actor, at, body) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    event.entity,
                    str(event.entity_id),
                    event.action,
                    event.actor,
                    _iso(event.at),
                    json.dumps(body, ensure_ascii=False, default=json_default),
                ),
            )
        event.id = str(cur.lastrowid)
        return event

    def iter_events(self, after: int = 0, batch: int = 1000) -> Iterator[list[Event]]:
        while True:
            rows = self.db.execute(
                "SELECT id, body FROM events WHERE id > ? ORDER BY id LIMIT ?", (after, batch)
            ).fetchall()
            if not rows:
                return
            yield [self._event(r) for r in rows]
            after = int(rows[-1]["id"])

    def import_event(self, event: Event) -> None:
        if not (event.id and event.id.isdigit()):
            self.append_event(event)
            return
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO events(id, entity, entity_id, action, actor, at, body) VALUES (?,?,?,?,?,?,?)",
                (int(event.id), event.entity, str(event.entity_id), event.action, event.actor,
                 event.at.isoformat(timespec="seconds"), json.dumps(event.to_dict(), ensure_ascii=False)),
            )  # fmt: skip

    @staticmethod
    def _event(row: sqlite3.Row) -> Event:
        ev = Event.from_dict(json.loads(row["body"]))
        ev.id = str(row["id"])
        return ev

    def events(
        self, entity: str | None = None, entity_id: str | None = None, limit: int = 1000
    ) -> list[Event]:
        sql, args = "SELECT id, body FROM events WHERE 1", list[Any]()
        if entity:
            sql += " AND entity = ?"
            args.append(entity)
        if entity_id is not None:
            sql += " AND entity_id = ?"
            args.append(str(entity_id))
        sql += " ORDER BY id LIMIT ?"
        args.append(limit)
        return [self._event(r) for r in self.db.execute(sql, args).fetchall()]

    # -- migration: copy records keeping their versions, ids and counters -------------------
    def collections(self) -> list[str]:
        # counters (log-in throttling) are short-lived state, not records: never migrated
        rows = self.db.execute(
            "SELECT DISTINCT collection FROM docs WHERE collection != 'counters' ORDER BY 1"
        )
        return [r[0] for r in rows]

    def import_doc(self, collection: str, doc: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO docs(collection, id, version, updated, body) VALUES (?, ?, ?, ?, ?)",
                (collection, str(doc["id"]), int(doc.get("version") or 1), utcnow().isoformat(timespec="seconds"),
                 json.dumps(doc, ensure_ascii=False, default=json_default)),
            )  # fmt: skip

    def sequences(self) -> dict[str, int]:
        return {r[0]: int(r[1]) for r in self.db.execute("SELECT name, value FROM sequences")}

    def import_sequence(self, name: str, value: int) -> int:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sequences(name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = max(value, excluded.value)",
                (name, value),
            )
            return int(db.execute("SELECT value FROM sequences WHERE name = ?", (name,)).fetchone()[0])

    def failed_writes(self) -> FailedWrites:
        """Always empty: a SQLite write commits or raises, nothing is queued for later."""
        return FailedWrites(path=self.uri)

    def replay_failed_writes(self) -> ReplayReport:
        return ReplayReport()

    def refresh(self) -> None:
        """Nothing to do: a committed SQLite write is visible at once."""


def _by_span(query: Query, short: str | None, long: str, days: int) -> str:
    """``INDEXED BY`` the time-ordered index (or the planner's choice: ``None``) for a window
    under ``days``, else the index already grouped by what is counted."""
    if query.text:  # a text search is driven by its FTS matches
        return ""
    span = (query.until or utcnow()) - query.since if query.since else None
    index = short if span is not None and span < timedelta(days=days) else long
    return f" INDEXED BY {index}" if index else ""


def _local_days(
    since: datetime, until: datetime, zone: ZoneInfo
) -> Iterator[tuple[date, datetime, datetime]]:
    """(local day, start, end) covering [since, until), each cut to the window."""
    day = since.astimezone(zone).date()
    while True:
        start = datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone).astimezone(UTC)
        if start >= until:
            return
        yield day, max(start, since), min(end, until)
        day += timedelta(days=1)


def _only_time(q: Query) -> bool:
    return not any(
        (
            q.text,
            q.source_ids,
            q.kinds,
            q.sentiments,
            q.categories,
            q.severities,
            q.topics,
            q.localities,
            q.languages,
            q.province,
            q.story_id,
            q.min_risk is not None,
            q.item_ids is not None,
        )
    )


def _json_path(key: str) -> str:
    if not all(part.replace("_", "").replace("-", "").isalnum() for part in key.split(".")):
        raise ValueError(f"invalid field name '{key}'")
    return "$." + ".".join(f'"{p}"' for p in key.split("."))
