"""No read path ever asks Elasticsearch for ``from + size`` beyond its result window.

Elasticsearch refuses a search whose ``from + size`` exceeds ``index.max_result_window`` (10,000):
``find_docs(limit=100_000)``, ``events(limit=10**9)``, ``search(offset=9990)``, the daily report,
the claim registry behind every enrichment, staff labels for training, triage paging and a
migration out of Elasticsearch all used to cross it. Here the store runs with a window of 7
(written to the indices, so the server refuses too) on a few dozen records, every request body
sent over HTTP is recorded, and each read path must

* return exactly what the SQLite store returns for the same data, and
* never send a search (or scroll page) whose ``from + size`` exceeds 7.

It runs against the CI emulator (``noida-db``, labelled ``es-emulator``) and, when
``ELASTICSEARCH_URL`` is set, against a real cluster.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.es_record import record

from giamsat.core.errors import StoreError
from giamsat.core.model import Enrichment, Event, Item, Scored
from giamsat.storage.base import Query, Store
from giamsat.storage.elasticsearch import ElasticsearchStore
from giamsat.storage.sqlite import SQLiteStore

WINDOW = 7
N = 23  # records per collection: three windows and a bit
T0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
ES_URL = os.environ.get("ELASTICSEARCH_URL")


@pytest.fixture(params=[pytest.param("es-emulator", marks=pytest.mark.emulator),
                        pytest.param("elasticsearch", marks=pytest.mark.requires_es)])  # fmt: skip
def server(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    if request.param == "es-emulator":
        return request.getfixturevalue("es_emulator").url, {"check_version": False}
    if not ES_URL:
        pytest.skip("ELASTICSEARCH_URL is not set (docs/scale.md)")
    return ES_URL, {"check_version": False} if os.environ.get("ES_IS_EMULATOR") else {}


def _item(n: int, **kw: Any) -> Item:
    base: dict[str, Any] = dict(
        source_id="a" if n % 3 else "b",
        url=f"https://baokhanhhoa.vn/bai-{n}.html",
        title=f"Bài số {n} về Khánh Hòa",
        text=f"Nội dung bài số {n} ở Nha Trang.",
        published=T0 + timedelta(hours=n),
        fetched=T0 + timedelta(hours=n, minutes=1),
    )
    base.update(kw)
    return Item(**base)


def _fill(store: Store) -> None:
    """The same records, in the same order, in any store."""
    items = [_item(n) for n in range(1, N + 1)]
    store.upsert_items(items)
    for rev in range(2, N + 1):  # N - 1 earlier revisions of one item
        store.upsert_items([_item(1, text=f"Bản sửa {rev} của bài 1")])
    for it in items[: N // 2]:
        store.save_enrichment(
            it.id or "", Enrichment(language="vi", sentiment=Scored("tieu-cuc", 0.9), risk=0.5)
        )
    for n in range(N):
        store.put_doc(
            "tickets",
            {"id": f"t{n:02d}", "number": n, "status": "moi" if n % 2 else "dong",
             "unit": None if n % 5 == 0 else f"u{n % 4}", "created": (T0 + timedelta(minutes=n)).isoformat()},
        )  # fmt: skip
        store.append_event(Event("ticket", f"t{n:02d}", "tao", "an.nv", at=T0 + timedelta(minutes=n)))
        store.next_sequence(f"counter-{n:02d}")
    store.refresh()


@pytest.fixture
def pair(
    server: tuple[str, dict[str, Any]], tmp_path: Path
) -> Iterator[tuple[ElasticsearchStore, SQLiteStore]]:
    url, kw = server
    es = ElasticsearchStore(
        url, prefix=f"giamsat-test-{uuid.uuid4().hex[:10]}", spool=tmp_path / "spool.jsonl",
        result_window=WINDOW, **kw,
    )  # fmt: skip
    sq = SQLiteStore(f"sqlite:///{tmp_path / 'ref.db'}")
    _fill(es)
    _fill(sq)
    yield es, sq
    es.drop_all()
    es.close()
    sq.close()


def _ids(items: list[Item]) -> list[str | None]:
    return [i.id for i in items]


def test_the_server_itself_refuses_a_wider_window(pair: tuple[ElasticsearchStore, SQLiteStore]) -> None:
    """The small window is enforced by the server, so the paths below are proven by it too."""
    from elasticsearch import BadRequestError

    es, _ = pair
    # one concrete index each: the CI emulator enforces the window on single-index searches only
    # (the request recorder below covers the multi-index ones)
    for index in (es.prefix + "-events", es.prefix + "-docs-tickets", es.prefix + "-items-2025.03"):
        with pytest.raises(BadRequestError, match=r"[Rr]esult window is too large"):
            es.es.search(index=index, body={"from": 5, "size": 5})
    with pytest.raises(StoreError, match=r"from\+size=10"):
        es._search(es.alias, {"from": 5, "size": 5})  # and the store refuses before sending


def test_store_read_paths_page_and_match_sqlite(pair: tuple[ElasticsearchStore, SQLiteStore]) -> None:
    es, sq = pair
    rec = record(es)
    # documents: one huge limit, a deep offset, sequential paging (cursor), every order
    # the default order (last updated first) ties within one second in Elasticsearch, whose
    # `updated` has second precision: compare it as a set, every explicit order exactly
    assert sorted(d["id"] for d in es.find_docs("tickets", limit=100_000)) == sorted(
        d["id"] for d in sq.find_docs("tickets", limit=100_000)
    )
    for order in ("number", "-number", "unit", "-unit", "created"):
        assert [d["id"] for d in es.find_docs("tickets", order_by=order, limit=100_000)] == [
            d["id"] for d in sq.find_docs("tickets", order_by=order, limit=100_000)
        ], order
    assert es.find_docs("tickets", order_by="number", limit=3, offset=10) == sq.find_docs(
        "tickets", order_by="number", limit=3, offset=10
    )
    pages, offset = [], 0
    while page := es.find_docs("tickets", {"status": "moi"}, order_by="-number", limit=5, offset=offset):
        pages += [d["number"] for d in page]
        offset += 5
    assert pages == [d["number"] for d in sq.find_docs("tickets", {"status": "moi"}, order_by="-number")]
    assert es.find_docs("never-used", limit=100_000) == []
    # the audit trail
    assert [e.entity_id for e in es.events(limit=10**9)] == [e.entity_id for e in sq.events(limit=10**9)]
    assert len(es.events("ticket", limit=10**9)) == N
    assert [e.entity_id for b in es.iter_events(0, batch=1000) for e in b] == [
        e.entity_id for b in sq.iter_events(0, batch=1000) for e in b
    ]
    # items: deep search pages (offset past the window), pending, streaming, revisions, ids
    for q in (Query(), Query(order="oldest"), Query(text="khanh hoa", source_ids=["a"]), Query(order="risk")):
        for offset, limit in ((0, 50), (9, 5), (5, 2), (20, 10)):
            got, ref = es.search(q, limit=limit, offset=offset), sq.search(q, limit=limit, offset=offset)
            assert (got.total, _ids(got.items)) == (ref.total, _ids(ref.items)), (q, offset, limit)
    assert _ids(es.pending_enrichment(limit=500)) == _ids(sq.pending_enrichment(limit=500))
    assert sorted(i.id or "" for i in es.iter_items(Query(), batch=1000)) == sorted(
        i.id or "" for i in sq.iter_items(Query(), batch=1000)
    )
    first = _item(1).key
    item_id = es.get_item_by_url(first).id  # type: ignore[union-attr]
    assert [r["revision"] for r in es.item_revisions(item_id or "")] == list(range(1, N))
    all_ids = [i.id or "" for i in sq.iter_items(Query())]
    assert sorted(_ids(es.get_items(all_ids))) == sorted(all_ids)  # type: ignore[type-var]
    seqs = es.sequences()
    assert seqs.pop("audit-events") == N and seqs == sq.sequences()  # ES numbers events with a counter
    assert rec.searches(), "nothing recorded"
    assert rec.too_wide(WINDOW) == []


def test_without_point_in_time_deep_reads_scroll(pair: tuple[ElasticsearchStore, SQLiteStore]) -> None:
    """Servers without point in time (some OpenSearch-compatible or older set-ups): scroll pages."""
    es, sq = pair
    es.pit = False
    rec = record(es)
    assert [d["id"] for d in es.find_docs("tickets", order_by="number", limit=100_000)] == [
        d["id"] for d in sq.find_docs("tickets", order_by="number", limit=100_000)
    ]
    got = es.search(Query(), limit=5, offset=12)
    assert _ids(got.items) == _ids(sq.search(Query(), limit=5, offset=12).items) and got.total == N
    assert len(list(es.iter_items(Query(), batch=3))) == N
    assert any(p.startswith("/_search/scroll") for p, _, _ in rec.searches())
    assert rec.too_wide(WINDOW) == []


def test_application_read_paths_stay_in_the_window(
    pair: tuple[ElasticsearchStore, SQLiteStore], profile: Any, tmp_path: Path
) -> None:
    """The callers the issue named: claim registry (every enrichment reads it), staff labels for
    training, the daily and monthly reports, triage listing, and a migration *out of*
    Elasticsearch."""
    from giamsat.nlp import claims as registry
    from giamsat.nlp.train import staff_labels
    from giamsat.storage.migrate import migrate_store
    from giamsat.triage.reports import build_report

    es, sq = pair
    for n in range(N):
        for store in (es, sq):
            registry.claims_add(
                store, f"Tin đồn số {n} về việc thu hồi đất ven biển", "Không đúng sự thật", None, "an.nv"
            )
            store.put_doc("labels", {"id": f"l{n}", "item_id": f"i{n}", "text": f"bài {n}", "category": "phan-anh", "at": T0.isoformat()})  # fmt: skip
    es.refresh()
    rec = record(es)
    assert len(registry.claims_list(es)) == N + 0 and [c["text"] for c in registry.claims_list(es)] == [
        c["text"] for c in registry.claims_list(sq)
    ]
    assert len(staff_labels(es)) == len(staff_labels(sq)) == N
    for kind in ("daily", "monthly"):
        report = build_report(profile, es, kind, date(2025, 3, 1))
        assert report.sections
    target = SQLiteStore(f"sqlite:///{tmp_path / 'out.db'}")
    stats = migrate_store(es, target, progress=False)
    assert (stats.items, stats.events) == (N, len(sq.events(limit=10**9)))
    assert target.count_docs("tickets") == N and target.count_docs("claims") == N
    target.close()
    assert rec.too_wide(WINDOW) == []
