"""The storage contract: everything ``storage.base.Store`` promises, run against every backend.

* ``sqlite`` always runs.
* ``elasticsearch`` / ``elasticsearch-window7`` run when ``ELASTICSEARCH_URL`` points at a real
  server (each test gets its own index prefix, deleted afterwards); otherwise they are skipped
  with the reason. ``make es-check`` runs them.
* ``es-emulator`` / ``es-emulator-window7`` run against ``noida-db``, an Elasticsearch-compatible
  **emulator** from PyPI started for the session (``tests/support/es_emulator.py``). It is not
  Elasticsearch: the tests it cannot pass because of its own gaps are expected failures
  (``xfail(strict=True)``) with the reason, so a fixed gap or a new failure both show up.

The ``-window7`` variants open the store with a result window of 7 (written to the indices as
``index.max_result_window``): every read of more than 7 records must page without ``from + size``
ever passing 7, and the server itself refuses any request that would, which is how the
Elasticsearch "Result window is too large" bugs are kept from coming back.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from support import es_emulator

from giamsat.core.errors import StaleEdit
from giamsat.core.model import Engagement, Enrichment, Event, Item, Scored, item_id_for
from giamsat.storage.base import FACETS, Query, Store
from giamsat.storage.sqlite import SQLiteStore

ES_URL = os.environ.get("ELASTICSEARCH_URL")
NO_ES = (
    "ELASTICSEARCH_URL is not set: no Elasticsearch server can be installed on this machine, "
    "set it to a test cluster to run the contract against Elasticsearch (docs/scale.md)"
)
T0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
SMALL_WINDOW = 7
BACKENDS = [
    "sqlite",
    pytest.param("elasticsearch", marks=pytest.mark.requires_es),
    pytest.param("elasticsearch-window7", marks=pytest.mark.requires_es),
    pytest.param("es-emulator", marks=pytest.mark.emulator),
    pytest.param("es-emulator-window7", marks=pytest.mark.emulator),
]


def open_es(url: str, tmp_path: Path, window: int | None = None, **kw) -> Store:
    from giamsat.storage.elasticsearch import ElasticsearchStore

    return ElasticsearchStore(
        url,
        prefix=f"giamsat-test-{uuid.uuid4().hex[:10]}",
        spool=tmp_path / "spool.jsonl",
        result_window=window,
        **kw,
    )


def es_url_for(kind: str, request: pytest.FixtureRequest) -> tuple[str, dict]:
    """(server URL, extra store options) for an Elasticsearch-like backend parameter."""
    if kind.startswith("es-emulator"):
        emulator = request.getfixturevalue("es_emulator")
        gap = es_emulator.gap_reason(request.node)
        if gap:
            request.applymarker(pytest.mark.xfail(reason=gap, strict=True))
        return emulator.url, {"check_version": False}
    if not ES_URL:
        pytest.skip(NO_ES)
    if os.environ.get("ES_IS_EMULATOR"):  # make es-check-emulator: the "cluster" is the emulator
        gap = es_emulator.gap_reason(request.node)
        if gap:
            request.applymarker(pytest.mark.xfail(reason=gap, strict=True))
        return ES_URL, {"check_version": False}
    return ES_URL, {}


def open_backend(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    if kind == "sqlite":
        return SQLiteStore(f"sqlite:///{tmp_path / 'contract.db'}")
    url, kw = es_url_for(kind, request)
    return open_es(url, tmp_path, SMALL_WINDOW if kind.endswith("-window7") else None, **kw)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = open_backend(request.param, tmp_path, request)
    yield s
    if request.param != "sqlite":
        s.drop_all()  # type: ignore[attr-defined]
    s.close()


def item(n: int, **kw) -> Item:
    base = dict(
        source_id="baokhanhhoa",
        url=f"https://baokhanhhoa.vn/xa-hoi/bai-{n}.html",
        title=f"Bài số {n}",
        text=f"Nội dung bài số {n}.",
        published=T0 + timedelta(hours=n),
        fetched=T0 + timedelta(hours=n, minutes=5),
    )
    base.update(kw)
    return Item(**base)


def enrichment(
    sentiment: str = "trung-tinh",
    category: str = "none",
    topics: tuple[str, ...] = (),
    localities: tuple[str, ...] = (),
    risk: float = 0.1,
    severity: str | None = None,
    story_id: str | None = None,
    province: str | None = "khanh-hoa",
    language: str = "vi",
) -> Enrichment:
    return Enrichment(
        language=language,
        province=province,
        localities=list(localities),
        sentiment=Scored(sentiment, 0.9),
        topics=[Scored(t, 0.8) for t in topics],
        category=Scored(category, 0.7),
        risk=risk,
        severity=severity,
        story_id=story_id,
    )


# -- items: identity, revisions, raw ----------------------------------------------------------------
def test_upsert_is_idempotent_and_assigns_stable_ids(store: Store) -> None:
    first = [item(1), item(2)]
    stats = store.upsert_items(first)
    assert (stats.new, stats.revised, stats.unchanged) == (2, 0, 0)
    assert stats.ids == [item_id_for(first[0].key), item_id_for(first[1].key)]
    assert first[0].id == item_id_for("https://baokhanhhoa.vn/xa-hoi/bai-1.html")
    again = store.upsert_items([item(1), item(2)])
    assert (again.new, again.revised, again.unchanged, again.ids) == (0, 0, 2, [])
    assert store.count(Query()) == 2
    got = store.get_item(first[0].id)
    assert got is not None and got.title == "Bài số 1" and got.revision == 1
    assert got.published == T0 + timedelta(hours=1)
    assert store.get_item("nope") is None


def test_same_url_twice_in_one_batch_is_one_item(store: Store) -> None:
    stats = store.upsert_items([item(1), item(1)])
    assert (stats.new, stats.unchanged) == (1, 1)
    assert store.count(Query()) == 1


def test_changed_content_becomes_a_revision_keeping_the_old_text(store: Store) -> None:
    store.upsert_items([item(1, text="Ban đầu: sạt lở ở Ninh Hòa")])
    stats = store.upsert_items([item(1, text="Đính chính: không có sạt lở, chỉ là ngập úng")])
    assert (stats.new, stats.revised, stats.unchanged) == (0, 1, 0)
    item_id = stats.ids[0]
    got = store.get_item(item_id)
    assert got is not None and got.revision == 2 and got.text.startswith("Đính chính")
    revs = store.item_revisions(item_id)
    assert [r["revision"] for r in revs] == [1]
    assert revs[0]["text"] == "Ban đầu: sạt lở ở Ninh Hòa"
    assert store.count(Query(text="ngap ung")) == 1
    assert store.count(Query(text="Ninh Hòa")) == 0  # the old text is no longer searchable
    # a third version and a repeat of it
    assert store.upsert_items([item(1, text="Bản thứ ba")]).revised == 1
    assert store.upsert_items([item(1, text="Bản thứ ba")]).unchanged == 1
    assert [r["revision"] for r in store.item_revisions(item_id)] == [1, 2]
    assert store.count(Query()) == 1


def test_unchanged_recrawl_refreshes_engagement(store: Store) -> None:
    store.upsert_items([item(1)])
    store.upsert_items([item(1, engagement=Engagement(likes=10, shares=5))])
    got = store.get_item(item_id_for(item(1).key))
    assert got is not None and got.engagement.likes == 10 and got.revision == 1


def test_raw_payload_round_trip_and_lookup_by_url(store: Store) -> None:
    it = item(1)
    payload = "<html><body>Khánh Hòa — nội dung gốc</body></html>".encode()
    store.upsert_items([it], raw={it.key: payload})
    assert it.raw_ref
    assert store.get_raw(it.raw_ref) == payload
    assert store.get_raw("0" * 20) is None
    got = store.get_item_by_url(it.url)
    assert got is not None and got.id == it.id and got.raw_ref == it.raw_ref
    assert store.get_item_by_url("https://example.invalid/x") is None


def test_enrichment_save_and_pending(store: Store) -> None:
    items = [item(n) for n in (1, 2, 3)]
    store.upsert_items(items)
    assert [i.id for i in store.pending_enrichment()] == [i.id for i in items]  # oldest first
    assert len(store.pending_enrichment(limit=2)) == 2
    store.save_enrichment(items[1].id, enrichment(sentiment="tieu-cuc", topics=("dat-dai",), risk=0.8))
    assert [i.id for i in store.pending_enrichment()] == [items[0].id, items[2].id]
    got = store.get_item(items[1].id)
    assert got is not None and got.enrichment is not None
    assert got.enrichment.sentiment.label == "tieu-cuc" and got.enrichment.topics[0].label == "dat-dai"
    # a new revision needs enriching again; its old enrichment stays visible meanwhile
    store.upsert_items([item(2, text="Nội dung đã sửa")])
    assert items[1].id in [i.id for i in store.pending_enrichment()]
    assert store.get_item(items[1].id).enrichment.sentiment.label == "tieu-cuc"
    store.save_enrichment("does-not-exist", enrichment())  # ignored, no error


# -- search -------------------------------------------------------------------------------------------
@pytest.fixture
def corpus(store: Store) -> Store:
    rows = [
        item(1, title="Sạt lở nghiêm trọng ở Khánh Hòa", text="Mưa lớn gây sạt lở tại Khánh Vĩnh."),
        item(2, title="Tranh chấp đất đai tại Nha Trang", text="Người dân phản ánh việc thu hồi đất đai."),
        item(
            3,
            title="Giá xăng tăng",
            text="Giá xăng dầu tăng từ hôm nay.",
            source_id="vnexpress",
            kind="social",
        ),
        item(4, title="KHÁNH HOÀ đón khách quốc tế", text="Du lịch Khánh Hoà phục hồi mạnh.", language="vi"),
    ]
    store.upsert_items(rows)
    store.save_enrichment(
        rows[0].id, enrichment("tieu-cuc", "phan-anh", ("thien-tai",), ("Khánh Vĩnh",), 0.9, "cao", "s1")
    )
    store.save_enrichment(
        rows[1].id, enrichment("tieu-cuc", "phan-anh", ("dat-dai",), ("Nha Trang",), 0.7, "cao", "s2")
    )
    store.save_enrichment(
        rows[2].id, enrichment("trung-tinh", "none", ("kinh-te",), (), 0.1, None, "s3", None)
    )
    store.save_enrichment(
        rows[3].id, enrichment("tich-cuc", "none", ("du-lich",), ("Nha Trang",), 0.05, "thap", "s1")
    )
    return store


def titles(store: Store, q: Query) -> set[str]:
    return {i.title for i in store.search(q, limit=100).items}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("khanh hoa", {"Sạt lở nghiêm trọng ở Khánh Hòa", "KHÁNH HOÀ đón khách quốc tế"}),
        ("Khánh Hòa", {"Sạt lở nghiêm trọng ở Khánh Hòa", "KHÁNH HOÀ đón khách quốc tế"}),
        ("Khánh Hoà", {"Sạt lở nghiêm trọng ở Khánh Hòa", "KHÁNH HOÀ đón khách quốc tế"}),
        ("dat dai", {"Tranh chấp đất đai tại Nha Trang"}),
        ("đất đai", {"Tranh chấp đất đai tại Nha Trang"}),
        ('"nha trang"', {"Tranh chấp đất đai tại Nha Trang"}),
        ("xang -dau", set()),
        ("sat lo -khanh", set()),
        ("khanh -vinh", {"KHÁNH HOÀ đón khách quốc tế"}),
        ("tranh*", {"Tranh chấp đất đai tại Nha Trang"}),
        ("thu hoi dat", {"Tranh chấp đất đai tại Nha Trang"}),
        ("không có từ này", set()),
        ("!!!", set()),
    ],
)
def test_search_with_and_without_diacritics(corpus: Store, text: str, expected: set[str]) -> None:
    assert titles(corpus, Query(text=text)) == expected
    assert corpus.count(Query(text=text)) == len(expected)


def test_search_filters(corpus: Store) -> None:
    assert titles(corpus, Query(source_ids=["vnexpress"])) == {"Giá xăng tăng"}
    assert titles(corpus, Query(kinds=["social"])) == {"Giá xăng tăng"}
    assert len(titles(corpus, Query(sentiments=["tieu-cuc"]))) == 2
    assert titles(corpus, Query(categories=["phan-anh"], text="dat dai")) == {
        "Tranh chấp đất đai tại Nha Trang"
    }
    assert titles(corpus, Query(topics=["du-lich", "kinh-te"])) == {
        "Giá xăng tăng",
        "KHÁNH HOÀ đón khách quốc tế",
    }
    assert titles(corpus, Query(localities=["Nha Trang"])) == {
        "Tranh chấp đất đai tại Nha Trang",
        "KHÁNH HOÀ đón khách quốc tế",
    }
    assert len(titles(corpus, Query(severities=["cao"]))) == 2
    assert len(titles(corpus, Query(province="khanh-hoa"))) == 3
    assert len(titles(corpus, Query(story_id="s1"))) == 2
    assert len(titles(corpus, Query(min_risk=0.7))) == 2
    assert len(titles(corpus, Query(languages=["vi"]))) == 4
    # time window on published: since inclusive, until exclusive
    window = Query(since=T0 + timedelta(hours=2), until=T0 + timedelta(hours=4))
    assert titles(corpus, window) == {"Tranh chấp đất đai tại Nha Trang", "Giá xăng tăng"}


def test_search_order_and_paging(corpus: Store) -> None:
    newest = corpus.search(Query(), limit=2)
    assert newest.total == 4 and [i.title for i in newest.items] == [
        "KHÁNH HOÀ đón khách quốc tế",
        "Giá xăng tăng",
    ]
    second = corpus.search(Query(), limit=2, offset=2)
    assert [i.title for i in second.items] == [
        "Tranh chấp đất đai tại Nha Trang",
        "Sạt lở nghiêm trọng ở Khánh Hòa",
    ]
    oldest = corpus.search(Query(order="oldest"), limit=1)
    assert oldest.items[0].title == "Sạt lở nghiêm trọng ở Khánh Hòa"
    risk = corpus.search(Query(order="risk"), limit=4)
    assert [round(i.enrichment.risk, 2) for i in risk.items] == [0.9, 0.7, 0.1, 0.05]
    relevant = corpus.search(Query(text="khanh hoa", order="relevance"))
    assert relevant.total == 2


def test_iter_items_streams_every_match(store: Store) -> None:
    rows = [item(n, source_id="a" if n % 3 else "b") for n in range(1, 26)]
    store.upsert_items(rows)
    streamed = list(store.iter_items(Query(), batch=7))
    assert sorted(i.id for i in streamed) == sorted(i.id for i in rows)
    assert len(streamed) == 25
    only_b = [i.id for i in store.iter_items(Query(source_ids=["b"]), batch=2)]
    assert sorted(only_b) == sorted(i.id for i in rows if i.source_id == "b")
    assert list(store.iter_items(Query(text="khong co"), batch=5)) == []


def test_count(corpus: Store) -> None:
    assert corpus.count(Query()) == 4
    assert corpus.count(Query(text="khanh hoa", sentiments=["tich-cuc"])) == 1
    assert corpus.count(Query(source_ids=["nobody"])) == 0


EXPECTED_FACETS = {
    "source_id": [("baokhanhhoa", 3), ("vnexpress", 1)],
    "kind": [("press", 3), ("social", 1)],
    "language": [("vi", 4)],
    "sentiment": [("tieu-cuc", 2), ("tich-cuc", 1), ("trung-tinh", 1)],
    "category": [("none", 2), ("phan-anh", 2)],
    "severity": [("cao", 2), ("thap", 1)],
    "topic": [("dat-dai", 1), ("du-lich", 1), ("kinh-te", 1), ("thien-tai", 1)],
    "locality": [("Nha Trang", 2), ("Khánh Vĩnh", 1)],
    "province": [("khanh-hoa", 3)],
}


@pytest.mark.parametrize("name", FACETS)
def test_each_facet(corpus: Store, name: str) -> None:
    assert corpus.facet(name, Query()) == EXPECTED_FACETS[name]


def test_facets_respect_the_query_and_limit(corpus: Store) -> None:
    assert corpus.facet("topic", Query(sentiments=["tieu-cuc"])) == [("dat-dai", 1), ("thien-tai", 1)]
    assert corpus.facet("locality", Query(text="khanh hoa")) == [("Khánh Vĩnh", 1), ("Nha Trang", 1)]
    assert corpus.facet("sentiment", Query(), limit=1) == [("tieu-cuc", 2)]
    with pytest.raises(ValueError):
        corpus.facet("colour", Query())


def test_histogram_counts_local_days(store: Store) -> None:
    # 16:59 UTC is 23:59 in Hà Nội (1 March); 17:30 UTC is 00:30 on 2 March.
    store.upsert_items(
        [
            item(1, published=datetime(2025, 3, 1, 16, 59, tzinfo=UTC)),
            item(2, published=datetime(2025, 3, 1, 17, 30, tzinfo=UTC)),
            item(3, published=datetime(2025, 3, 2, 9, 0, tzinfo=UTC)),
            item(4, published=datetime(2025, 3, 5, 1, 0, tzinfo=UTC)),
        ]
    )
    since = datetime(2025, 2, 28, 17, 0, tzinfo=UTC)
    assert store.histogram(Query(since=since)) == [
        (date(2025, 3, 1), 1),
        (date(2025, 3, 2), 2),
        (date(2025, 3, 5), 1),
    ]
    assert store.histogram(Query(since=since, text="khong co")) == []


def test_item_ids_limit_every_read_path(corpus: Store) -> None:
    """The visibility filter a unit's reads carry: search, count, export, facets, histograms,
    top stories and reach all stop at the same ids; an empty list shows nothing."""
    ids = [i.id for i in corpus.search(Query(order="oldest"), limit=10).items]
    seen = Query(item_ids=[ids[0], ids[2], "khong-co"])
    assert titles(corpus, seen) == {"Sạt lở nghiêm trọng ở Khánh Hòa", "Giá xăng tăng"}
    assert corpus.count(seen) == 2
    assert {i.id for i in corpus.iter_items(seen, batch=1)} == {ids[0], ids[2]}
    assert dict(corpus.facet("source_id", seen)) == {"baokhanhhoa": 1, "vnexpress": 1}
    assert dict(corpus.facet("topic", seen)) == {"thien-tai": 1, "kinh-te": 1}
    assert sum(n for _, n in corpus.histogram(seen)) == 2
    assert sum(n for _, n in corpus.hourly(seen)) == 2
    assert {s.story_id for s in corpus.top_stories(seen)} == {"s1", "s3"}
    assert {k for k, _, _ in corpus.top_reach("source_id", seen)} == {"baokhanhhoa", "vnexpress"}
    assert titles(corpus, Query(item_ids=[ids[1]], text="dat dai")) == {"Tranh chấp đất đai tại Nha Trang"}
    none = Query(item_ids=[])
    assert corpus.count(none) == 0
    assert corpus.facet("topic", none) == []
    assert corpus.histogram(none) == []
    assert corpus.top_stories(none) == []
    assert list(corpus.iter_items(none)) == []


def test_hourly_counts_local_hours(store: Store) -> None:
    store.upsert_items(
        [
            item(1, published=datetime(2025, 3, 1, 16, 59, tzinfo=UTC)),
            item(2, published=datetime(2025, 3, 1, 16, 10, tzinfo=UTC)),
            item(3, published=datetime(2025, 3, 1, 17, 30, tzinfo=UTC)),
        ]
    )
    got = store.hourly(Query(since=datetime(2025, 3, 1, tzinfo=UTC)))
    assert [(h.strftime("%d/%m %H:%M"), n) for h, n in got] == [("01/03 23:00", 2), ("02/03 00:00", 1)]
    assert all(h.utcoffset() == timedelta(hours=7) for h, _ in got)


def test_top_reach_by_engagement(store: Store) -> None:
    store.upsert_items(
        [
            item(1, author="An", engagement=Engagement(likes=5)),
            item(2, author="An", engagement=Engagement(likes=1)),
            item(3, author="Bình", engagement=Engagement(likes=50), source_id="vnexpress"),
            item(4, author=None),
        ]
    )
    assert store.top_reach("author", Query()) == [("Bình", 1, 50), ("An", 2, 6)]
    assert store.top_reach("source_id", Query(), limit=1) == [("vnexpress", 1, 50)]
    since = Query(since=T0 - timedelta(days=1), until=T0 + timedelta(days=1))  # the indexed path
    assert store.top_reach("source_id", since) == [("vnexpress", 1, 50), ("baokhanhhoa", 3, 6)]
    with pytest.raises(ValueError):
        store.top_reach("title", Query())


def test_bump_counter_is_atomic_and_windowed(store: Store) -> None:
    now = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    results: list[int] = []
    lock = threading.Lock()

    def hit() -> None:
        n = store.bump_counter("dang-nhap:an", 900, now)
        with lock:
            results.append(n)

    threads = [threading.Thread(target=hit) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(1, 13))  # every caller saw a different value
    assert store.bump_counter("dang-nhap:an", 900, now, amount=0) == 12  # a read
    assert store.bump_counter("dang-nhap:an", 900, now + timedelta(seconds=899)) == 13
    assert store.bump_counter("dang-nhap:an", 900, now + timedelta(seconds=900)) == 1  # new window
    assert store.bump_counter("dang-nhap:binh", 900, now) == 1
    assert store.bump_counter("dang-nhap:binh", 900, now + timedelta(hours=1), amount=0) == 0
    assert store.bump_counter("khong-co", 900, now, amount=0) == 0
    store.reset_counter("dang-nhap:an")
    store.reset_counter("khong-co")
    assert store.bump_counter("dang-nhap:an", 900, now) == 1
    assert "counters" not in store.collections()


def test_top_stories(corpus: Store) -> None:
    corpus.upsert_items(
        [item(9, title="Sạt lở tiếp diễn", source_id="tuoitre", engagement=Engagement(likes=7))]
    )
    corpus.save_enrichment(
        item_id_for(item(9).key), enrichment("tieu-cuc", "phan-anh", (), (), 0.95, "khan", "s1")
    )
    top = corpus.top_stories(Query())
    assert [s.story_id for s in top] == ["s1", "s2", "s3"]
    s1 = top[0]
    assert (s1.items, s1.sources, s1.engagement) == (3, 2, 7)
    assert s1.max_risk == pytest.approx(0.95)
    assert s1.title == "Sạt lở nghiêm trọng ở Khánh Hòa"  # the first collected item heads the story
    assert s1.url == item(1).url and s1.sentiment == "tieu-cuc"
    assert s1.first_seen == T0 + timedelta(hours=1) and s1.last_seen == T0 + timedelta(hours=9)
    assert [s.story_id for s in corpus.top_stories(Query(sentiments=["trung-tinh"]))] == ["s3"]
    assert len(corpus.top_stories(Query(), limit=1)) == 1


# -- documents ----------------------------------------------------------------------------------------
def test_docs_crud_find_and_count(store: Store) -> None:
    created = store.put_doc(
        "tickets", {"title": "Phản ánh đất đai", "status": "moi", "number": 2, "unit": "ubnd"}
    )
    assert created["version"] == 1 and created["id"]
    tid = created["id"]
    assert store.get_doc("tickets", tid) == created
    updated = store.put_doc("tickets", {**created, "status": "dang-xu-ly"}, expected_version=1)
    assert updated["version"] == 2 and store.get_doc("tickets", tid)["status"] == "dang-xu-ly"
    store.put_doc(
        "tickets", {"id": "t-10", "title": "B", "status": "moi", "number": 10, "unit": "ca", "urgent": True}
    )
    store.put_doc("tickets", {"id": "t-3", "title": "C", "status": "dong", "number": 3, "unit": None})
    assert {d["id"] for d in store.find_docs("tickets", {"status": "moi"})} == {"t-10"}
    assert {d["id"] for d in store.find_docs("tickets", {"status": ["moi", "dong"]})} == {"t-10", "t-3"}
    assert store.find_docs("tickets", {"status": []}) == []
    assert [d["id"] for d in store.find_docs("tickets", {"unit": None})] == ["t-3"]
    assert [d["id"] for d in store.find_docs("tickets", {"number": 10})] == ["t-10"]
    assert [d["id"] for d in store.find_docs("tickets", {"urgent": True})] == ["t-10"]
    assert [d["number"] for d in store.find_docs("tickets", order_by="number")] == [2, 3, 10]  # numeric order
    assert [d["number"] for d in store.find_docs("tickets", order_by="-number")] == [10, 3, 2]
    assert [d["title"] for d in store.find_docs("tickets", order_by="title")] == [
        "B",
        "C",
        "Phản ánh đất đai",
    ]
    assert [d["number"] for d in store.find_docs("tickets", order_by="number", limit=1, offset=1)] == [3]
    assert store.count_docs("tickets") == 3
    assert store.count_docs("tickets", {"status": ["moi", "dong"]}) == 2
    assert store.find_docs("tickets", {"status": "moi"})[0]["version"] == 1
    store.delete_doc("tickets", "t-3")
    assert store.get_doc("tickets", "t-3") is None and store.count_docs("tickets") == 2
    store.delete_doc("tickets", "t-3")  # deleting twice is fine
    # unknown collections are simply empty
    assert store.get_doc("never-used", "x") is None
    assert store.find_docs("never-used") == [] and store.count_docs("never-used") == 0


def test_docs_keep_datetimes_and_nested_values(store: Store) -> None:
    due = datetime(2025, 3, 2, 10, 0, tzinfo=UTC)
    doc = store.put_doc("alerts", {"id": "a1", "due": due, "reach": {"items": 3}, "tags": ["x", "y"]})
    got = store.get_doc("alerts", "a1")
    assert got == doc and got["reach"] == {"items": 3} and got["tags"] == ["x", "y"]
    assert datetime.fromisoformat(got["due"]) == due


def test_stale_edit_is_refused(store: Store) -> None:
    doc = store.put_doc("tickets", {"id": "t1", "status": "moi"})
    # two units load version 1; the first to save wins, the second is told to reload
    store.put_doc("tickets", {**doc, "status": "da-tiep-nhan"}, expected_version=1)
    with pytest.raises(StaleEdit) as err:
        store.put_doc("tickets", {**doc, "status": "tu-choi"}, expected_version=1)
    assert err.value.expected == 1 and err.value.actual == 2
    assert store.get_doc("tickets", "t1")["status"] == "da-tiep-nhan"
    with pytest.raises(StaleEdit):
        store.put_doc("tickets", {"id": "t1"}, expected_version=0)  # 0 = "must not exist"
    assert store.put_doc("tickets", {"id": "t2"}, expected_version=0)["version"] == 1
    with pytest.raises(StaleEdit):
        store.put_doc("tickets", {"id": "t-new"}, expected_version=3)


def test_concurrent_transitions_one_wins(store: Store) -> None:
    store.put_doc("tickets", {"id": "t1", "status": "moi"})
    outcomes: list[str] = []
    lock = threading.Lock()

    def transition(status: str) -> None:
        try:
            store.put_doc("tickets", {"id": "t1", "status": status}, expected_version=1)
            result = "ok"
        except StaleEdit:
            result = "stale"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=transition, args=(s,)) for s in ("a", "b", "c", "d")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "stale", "stale", "stale"]
    assert store.get_doc("tickets", "t1")["version"] == 2


def test_next_sequence_is_gap_free_under_concurrency(store: Store) -> None:
    assert [store.next_sequence("ticket") for _ in range(3)] == [1, 2, 3]
    assert store.next_sequence("claim") == 1
    got: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            n = store.next_sequence("ticket")
            with lock:
                got.append(n)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(4, 24))


# -- events ---------------------------------------------------------------------------------------------
def test_events_are_appended_and_listed_in_order(store: Store) -> None:
    e1 = store.append_event(Event("ticket", "t1", "tao", "an.nv", at=T0, after={"status": "moi"}))
    e2 = store.append_event(
        Event("ticket", "t1", "chuyen", "binh.tt", at=T0 + timedelta(minutes=1), note="Giao CA")
    )
    store.append_event(Event("alert", "a1", "bo-qua", "an.nv", at=T0))
    assert e1.id and e2.id and e1.id != e2.id
    listed = store.events("ticket", "t1")
    assert [(e.action, e.actor) for e in listed] == [("tao", "an.nv"), ("chuyen", "binh.tt")]
    assert listed[0].after == {"status": "moi"} and listed[1].note == "Giao CA"
    assert listed[0].at == T0 and listed[0].id == e1.id
    assert len(store.events()) == 3 and len(store.events("alert")) == 1
    assert len(store.events(limit=2)) == 2
    assert Counter(e.entity for e in store.events()) == {"ticket": 2, "alert": 1}


# -- migration into each backend --------------------------------------------------------------------------
def test_migrate_copies_a_sqlite_store_idempotently(store: Store, tmp_path: Path) -> None:
    from giamsat.storage.migrate import migrate_store

    src = SQLiteStore(f"sqlite:///{tmp_path / 'source.db'}")
    first = item(1, text="Bản đầu")
    src.upsert_items([first], raw={first.key: b"<html>v1</html>"})
    src.upsert_items([item(1, text="Bản đính chính")])
    src.upsert_items([item(2), item(3)])
    id1, id2, id3 = (item_id_for(item(n).key) for n in (1, 2, 3))
    src.save_enrichment(id2, enrichment("tieu-cuc", story_id="s9"))
    ticket = src.put_doc("tickets", {"id": "t1", "status": "moi", "number": 1})
    src.put_doc("tickets", {**ticket, "status": "da-tiep-nhan"}, expected_version=1)
    src.put_doc("alerts", {"id": "a1", "title": "Cảnh báo"})
    for _ in range(3):
        src.next_sequence("ticket")
    src.append_event(Event("ticket", "t1", "tao", "an.nv", at=T0))
    src.append_event(Event("ticket", "t1", "tiep-nhan", "binh.tt", at=T0 + timedelta(hours=1)))

    stats = migrate_store(src, store, progress=False)
    assert (stats.items, stats.new, stats.docs, stats.events) == (3, 3, 2, 2)
    assert store.count(Query()) == 3
    got = store.get_item(id1)
    assert got is not None and got.text == "Bản đính chính" and got.revision == 2
    assert [r["text"] for r in store.item_revisions(id1)] == ["Bản đầu"]
    assert store.get_raw(got.raw_ref) == b"<html>v1</html>"
    assert store.get_item(id2).enrichment.story_id == "s9"
    assert sorted(i.id for i in store.pending_enrichment()) == sorted([id1, id3])
    assert store.get_doc("tickets", "t1")["version"] == 2  # versions survive: open edits stay valid
    assert store.find_docs("alerts")[0]["title"] == "Cảnh báo"
    assert store.next_sequence("ticket") == 4
    assert [e.action for e in store.events("ticket", "t1")] == ["tao", "tiep-nhan"]

    # Running it again from scratch changes nothing.
    again = migrate_store(src, store, progress=False, resume=False)
    assert (again.new, again.revisions, again.unchanged) == (0, 0, 3)
    assert store.count(Query()) == 3 and len(store.item_revisions(id1)) == 1
    assert store.get_doc("tickets", "t1")["version"] == 2 and len(store.events()) == 2

    # Resuming only looks at what was added since the checkpoint.
    src.upsert_items([item(4)])
    resumed = migrate_store(src, store, progress=False)
    assert resumed.resumed_from_rowid == 3 and resumed.items == 1 and resumed.new == 1
    assert store.count(Query()) == 4
    src.close()
