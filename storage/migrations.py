"""Versioned schema migrations for the SQLite store, registered in order with ``@migration``.

The schema version lives in ``PRAGMA user_version``; each migration runs in its own transaction,
so a failure leaves the file at the last good version. Never edit a released migration: add one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[int, str, Migration]] = []


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Run statements one by one: ``executescript`` would COMMIT the migration's transaction."""
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            db.execute(buf)
            buf = ""
    if buf.strip():
        db.execute(buf)


def migration(version: int, name: str) -> Callable[[Migration], Migration]:
    def register(fn: Migration) -> Migration:
        if MIGRATIONS and MIGRATIONS[-1][0] != version - 1:
            raise RuntimeError(f"migration {version} registered out of order")
        MIGRATIONS.append((version, name, fn))
        return fn

    return register


@migration(1, "initial schema")
def _m1(db: sqlite3.Connection) -> None:
    run_script(
        db,
        """
        CREATE TABLE items(
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            canonical_url TEXT NOT NULL UNIQUE,
            url TEXT,
            source_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            title TEXT,
            text TEXT,
            author TEXT,
            published TEXT,
            fetched TEXT NOT NULL,
            ts TEXT NOT NULL,              -- published, else fetched: the time used for filtering
            language TEXT,
            content_hash TEXT NOT NULL,
            revision INTEGER NOT NULL DEFAULT 1,
            engagement TEXT,
            eng_total INTEGER NOT NULL DEFAULT 0,
            raw_ref TEXT,
            meta TEXT,
            enrichment TEXT,
            enriched_rev INTEGER,
            sentiment TEXT,
            category TEXT,
            severity TEXT,
            risk REAL,
            story_id TEXT,
            province TEXT
        );
        CREATE INDEX items_ts ON items(ts);
        CREATE INDEX items_source_ts ON items(source_id, ts);
        CREATE INDEX items_story ON items(story_id);
        CREATE INDEX items_category_ts ON items(category, ts);
        CREATE INDEX items_sentiment_ts ON items(sentiment, ts);
        CREATE INDEX items_risk ON items(risk);
        CREATE INDEX items_hash ON items(content_hash);
        CREATE INDEX items_pending ON items(enriched_rev, rowid);

        CREATE TABLE item_topics(
            item_rowid INTEGER NOT NULL REFERENCES items(rowid) ON DELETE CASCADE,
            code TEXT NOT NULL,
            score REAL,
            ts TEXT NOT NULL,
            PRIMARY KEY(item_rowid, code)
        ) WITHOUT ROWID;
        CREATE INDEX item_topics_code_ts ON item_topics(code, ts);

        CREATE TABLE item_revisions(
            item_rowid INTEGER NOT NULL REFERENCES items(rowid) ON DELETE CASCADE,
            revision INTEGER NOT NULL,
            title TEXT,
            text TEXT,
            content_hash TEXT NOT NULL,
            fetched TEXT NOT NULL,
            raw_ref TEXT,
            PRIMARY KEY(item_rowid, revision)
        );

        CREATE TABLE raw(
            id TEXT PRIMARY KEY,
            fetched TEXT NOT NULL,
            codec TEXT NOT NULL,          -- 'zlib'
            data BLOB NOT NULL
        );

        -- Contentless: the index holds folded (no diacritics, đ->d) text only; rows are in items.
        CREATE VIRTUAL TABLE items_fts USING fts5(
            title, body, content='', tokenize='unicode61 remove_diacritics 2'
        );

        CREATE TABLE docs(
            collection TEXT NOT NULL,
            id TEXT NOT NULL,
            version INTEGER NOT NULL,
            updated TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY(collection, id)
        );

        CREATE TABLE sequences(name TEXT PRIMARY KEY, value INTEGER NOT NULL);

        CREATE TABLE events(
            id INTEGER PRIMARY KEY,
            entity TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            action TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL,
            body TEXT NOT NULL
        );
        CREATE INDEX events_entity ON events(entity, entity_id, id);
        """,
    )


@migration(2, "localities facet table, back-filled from stored enrichments")
def _m2(db: sqlite3.Connection) -> None:
    run_script(
        db,
        """
        CREATE TABLE item_localities(
            item_rowid INTEGER NOT NULL REFERENCES items(rowid) ON DELETE CASCADE,
            name TEXT NOT NULL,
            ts TEXT NOT NULL,
            PRIMARY KEY(item_rowid, name)
        ) WITHOUT ROWID;
        CREATE INDEX item_localities_name_ts ON item_localities(name, ts);
        """,
    )
    rows = db.execute("SELECT rowid, ts, enrichment FROM items WHERE enrichment IS NOT NULL").fetchall()
    for rowid, ts, enrichment in rows:
        for name in set(json.loads(enrichment).get("localities") or []):
            db.execute("INSERT OR IGNORE INTO item_localities VALUES (?, ?, ?)", (rowid, name, ts))


@migration(3, "covering index for facets over a time range")
def _m3(db: sqlite3.Connection) -> None:
    # Dashboard and report facets are "GROUP BY <column> WHERE ts in range": with every facet
    # column in one index after ts, SQLite answers them from the index alone (no table reads),
    # which took a monthly report over 1M items from ~12 s to a few seconds.
    run_script(
        db,
        """
        CREATE INDEX items_ts_facets ON items(
            ts, kind, sentiment, category, severity, source_id, language, province
        );
        """,
    )


@migration(4, "covering index for top stories and reach over a time range")
def _m4(db: sqlite3.Connection) -> None:
    # The briefing's top stories of the chosen period and sources by reach group a month of
    # items by story or source and sum their engagement: from the index alone, 1.2 s -> 0.5 s
    # over 1M items (docs/dashboard.md, "Speed").
    run_script(
        db,
        "CREATE INDEX IF NOT EXISTS items_ts_stories ON items(ts, story_id, source_id, eng_total, risk);",
    )


@migration(5, "indexes for text search and story queries at scale")
def _m5(db: sqlite3.Connection) -> None:
    # Measured on 1M items (docs/benchmarks.md, benchmarks/queries.py):
    # * a text search checks its time window and filters for every FTS match; by rowid through
    #   the table that is one ~2 KB row read per match (100k matches: ~0.6 s). items_rowid_cover
    #   holds those columns in rowid order, so the FTS matches (rowid-sorted) read a narrow index;
    # * "top stories" grouped a week of items by story reading every row for source, reach and
    #   risk; items_ts_cover adds story_id, eng_total and risk to the time-range index, so that
    #   query and every facet over a time range are answered from the index alone;
    # * items_ts (a prefix of the covering index), items_ts_stories (migration 4: its columns are
    #   all in items_ts_cover) and items_hash (no query uses it) only cost writes;
    # * items_source_ts and items_story gain what "sources by reach" and "top stories" sum, and
    #   authors by reach get the same kind of index: over a month those are read from these
    #   indexes alone, already grouped (0.1 s against 0.2-0.35 s). Writes keep as many indexes
    #   to maintain as before migration 4 (eleven).
    run_script(
        db,
        """
        DROP INDEX IF EXISTS items_ts;
        DROP INDEX IF EXISTS items_hash;
        DROP INDEX IF EXISTS items_ts_facets;
        DROP INDEX IF EXISTS items_ts_stories;
        DROP INDEX IF EXISTS items_source_ts;
        CREATE INDEX IF NOT EXISTS items_source_cover ON items(source_id, ts, eng_total);
        DROP INDEX IF EXISTS items_story;
        CREATE INDEX IF NOT EXISTS items_story_cover ON items(story_id, ts, eng_total, risk);
        CREATE INDEX IF NOT EXISTS items_author_cover ON items(author, ts, eng_total);
        CREATE INDEX IF NOT EXISTS items_ts_cover ON items(
            ts, kind, sentiment, category, severity, source_id, language, province, story_id, eng_total, risk
        );
        CREATE INDEX IF NOT EXISTS items_rowid_cover ON items(
            rowid, ts, kind, sentiment, category, severity, source_id, language, province, story_id, risk
        );
        """,
    )


LATEST = MIGRATIONS[-1][0]


def migrate(db: sqlite3.Connection, target: int | None = None) -> list[int]:
    """Bring ``db`` up to ``target`` (default: latest). Returns the versions applied."""
    target = LATEST if target is None else target
    current = db.execute("PRAGMA user_version").fetchone()[0]
    if current > LATEST:
        from giamsat.core.errors import StoreError

        raise StoreError(
            f"database schema version {current} is newer than this giamsat ({LATEST}); upgrade giamsat"
        )
    applied = []
    for version, _name, fn in MIGRATIONS:
        if current < version <= target:
            db.execute("BEGIN IMMEDIATE")
            try:
                fn(db)
                db.execute(f"PRAGMA user_version = {version}")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            applied.append(version)
    return applied
