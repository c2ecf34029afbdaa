"""SQLite backend specifics: migrations, FTS folding, concurrency, raw payloads. The behaviour
every backend shares is in test_contract.py."""

from __future__ import annotations

import json
import sqlite3
import threading
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest

from giamsat.core.errors import StaleEdit
from giamsat.core.model import Engagement, Enrichment, Item, Scored, item_id_for
from giamsat.storage.base import Query
from giamsat.storage.migrations import LATEST, migrate
from giamsat.storage.sqlite import SQLiteStore, fts_query


def _item(n: int = 1, **kw) -> Item:
    base = dict(
        source_id="baokhanhhoa",
        url=f"https://baokhanhhoa.vn/xa-hoi/bai-{n}.html",
        title="Người dân Khánh Hòa phản ánh về đất đai",
        text="UBND tỉnh Khánh Hòa chỉ đạo xử lý việc thu hồi đất ở Nha Trang.",
        published=datetime(2026, 11, 20, 3, 0, tzinfo=UTC),
    )
    base.update(kw)
    return Item(**base)


def test_migrates_from_empty_to_latest(tmp_path):
    store = SQLiteStore(f"sqlite:///{tmp_path / 'a.db'}")
    assert store.schema_version() == LATEST
    names = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}
    assert {"items", "items_fts", "docs", "events", "raw", "item_topics", "item_localities"} <= names
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # opening again is a no-op
    assert migrate(store.db) == []


@pytest.mark.parametrize("start", sorted({1, LATEST - 1}))
def test_migrates_from_previous_version_keeping_data(tmp_path, start):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    assert migrate(db, target=start) == list(range(1, start + 1))
    enrichment = json.dumps({"localities": ["Phường Nha Trang", "Đặc khu Trường Sa"]})
    db.execute(
        "INSERT INTO items(id, canonical_url, url, source_id, kind, title, text, fetched, ts, content_hash, enrichment)"
        " VALUES ('x', 'https://a/1', 'https://a/1', 's', 'press', 't', 'b', '2026-11-20T00:00:00+00:00',"
        " '2026-11-20T00:00:00+00:00', 'h', ?)",
        (enrichment,),
    )
    db.close()
    store = SQLiteStore(f"sqlite:///{path}")
    assert store.schema_version() == LATEST
    assert store.get_item("x").title == "t"
    if start < 2:  # migration 2 back-fills the localities facet from stored enrichments
        assert dict(store.facet("locality", Query())) == {"Phường Nha Trang": 1, "Đặc khu Trường Sa": 1}
    assert store.count(Query(kinds=["press"])) == 1


def test_refuses_a_newer_schema(tmp_path):
    path = tmp_path / "new.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {LATEST + 1}")
    db.close()
    with pytest.raises(Exception, match="newer than this giamsat"):
        SQLiteStore(str(path))


def test_upsert_is_idempotent_and_tracks_revisions(tmp_store):
    first = tmp_store.upsert_items([_item(1), _item(2)])
    assert (first.new, first.unchanged) == (2, 0)
    again = tmp_store.upsert_items([_item(1), _item(2)])
    assert (again.new, again.revised, again.unchanged) == (0, 0, 2)
    assert tmp_store.count(Query()) == 2
    # whitespace-only differences are the same content
    same = tmp_store.upsert_items(
        [_item(1, text="UBND tỉnh Khánh Hòa  chỉ đạo xử lý việc thu hồi đất ở Nha Trang. ")]
    )
    assert same.unchanged == 1
    corrected = _item(1, text="Đính chính: UBND tỉnh chưa có quyết định thu hồi đất.")
    rev = tmp_store.upsert_items([corrected])
    assert rev.revised == 1 and corrected.revision == 2
    assert tmp_store.count(Query()) == 2
    history = tmp_store.item_revisions(corrected.id)
    assert [h["revision"] for h in history] == [1]
    assert "thu hồi đất ở Nha Trang" in history[0]["text"]
    assert tmp_store.get_item(corrected.id).text.startswith("Đính chính")
    # the search index follows the revision
    assert tmp_store.count(Query(text="dinh chinh")) == 1
    assert tmp_store.count(Query(text="o nha trang")) == 1  # item 2 still says it


def test_engagement_refreshes_without_a_new_revision(tmp_store):
    tmp_store.upsert_items([_item(1)])
    it = _item(1, engagement=Engagement(likes=10, shares=5))
    stats = tmp_store.upsert_items([it])
    assert stats.unchanged == 1
    assert tmp_store.get_item(it.id).engagement.shares == 5


def test_raw_payload_round_trip(tmp_store):
    # windows-1258 stores tone marks as combining characters, hence NFD before encoding
    text = unicodedata.normalize("NFD", "<html><meta charset=windows-1258>Khánh Hòa</html>")
    payload = text.encode("cp1258") + bytes(range(256))
    it = _item(3)
    tmp_store.upsert_items([it], raw={it.key: payload})
    assert it.raw_ref
    assert tmp_store.get_raw(tmp_store.get_item(it.id).raw_ref) == payload
    assert tmp_store.get_raw("nope") is None


@pytest.mark.parametrize(
    ("query", "hits"),
    [
        ("khanh hoa", 1),
        ("Khánh Hòa", 1),
        ("Khánh Hoà", 1),
        ("KHÁNH HÒA", 1),
        ("dat dai", 1),
        ("đất đai", 1),
        ("Dat Dai", 1),
        ('"thu hoi dat"', 1),
        ('"dat thu hoi"', 0),
        ("khanh hoa -nha", 0),
        ("nha tr*", 1),
        ("ha noi", 0),
        ("!!!", 0),
    ],
)
def test_search_with_or_without_diacritics(tmp_store, query, hits):
    tmp_store.upsert_items([_item(1)])
    assert tmp_store.search(Query(text=query)).total == hits


def test_fts_query_is_safe_against_syntax():
    assert fts_query('a" OR b') is not None
    assert fts_query("NEAR(x y)") == '"near" AND "x" AND "y"'
    assert fts_query("   ") is None


def test_stale_ticket_edit_is_refused(tmp_store):
    ticket = tmp_store.put_doc("tickets", {"id": "PX-1", "status": "moi"}, expected_version=0)
    assert ticket["version"] == 1
    unit_a = dict(ticket, status="da-giao")
    unit_b = dict(ticket, status="tu-choi")
    tmp_store.put_doc("tickets", unit_a, expected_version=ticket["version"])
    with pytest.raises(StaleEdit, match="đã bị người khác thay đổi"):
        tmp_store.put_doc("tickets", unit_b, expected_version=ticket["version"])
    assert tmp_store.get_doc("tickets", "PX-1")["status"] == "da-giao"
    with pytest.raises(StaleEdit):
        tmp_store.put_doc("tickets", {"id": "PX-1"}, expected_version=0)  # must not exist


def test_concurrent_edits_exactly_one_wins(tmp_store):
    base = tmp_store.put_doc("tickets", {"id": "PX-2", "status": "moi"})
    results: list[str] = []

    def edit(status: str) -> None:
        try:
            tmp_store.put_doc("tickets", dict(base, status=status), expected_version=base["version"])
            results.append("ok")
        except StaleEdit:
            results.append("stale")

    threads = [threading.Thread(target=edit, args=(f"s{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok"] + ["stale"] * 7
    assert tmp_store.get_doc("tickets", "PX-2")["version"] == 2


def test_aggregates_do_not_need_rows(tmp_store):
    items = [
        _item(i, published=datetime(2026, 11, 20, 18, 0, tzinfo=UTC) + timedelta(hours=i)) for i in range(10)
    ]
    tmp_store.upsert_items(items)
    for i, it in enumerate(items):
        tmp_store.save_enrichment(
            it.id,
            Enrichment(
                sentiment=Scored("tieu-cuc" if i % 2 else "tich-cuc", 0.8),
                category=Scored("phan-anh", 0.7),
                topics=[Scored("dat-dai", 0.9), Scored("moi-truong", 0.4)]
                if i < 4
                else [Scored("du-lich", 0.6)],
                localities=["Phường Nha Trang"],
                story_id="s-a" if i < 6 else "s-b",
                risk=i / 10,
            ),
        )
    assert dict(tmp_store.facet("topic", Query())) == {"dat-dai": 4, "moi-truong": 4, "du-lich": 6}
    assert dict(tmp_store.facet("topic", Query(sentiments=["tich-cuc"]))) == {
        "dat-dai": 2,
        "moi-truong": 2,
        "du-lich": 3,
    }
    assert dict(tmp_store.facet("sentiment", Query())) == {"tich-cuc": 5, "tieu-cuc": 5}
    # 18:00 UTC on the 20th is 01:00 on the 21st in Hanoi: days are local days
    days = tmp_store.histogram(Query())
    assert [d.isoformat() for d, _ in days] == ["2026-11-21"]
    assert sum(n for _, n in days) == 10
    stories = tmp_store.top_stories(Query())
    assert [(s.story_id, s.items) for s in stories] == [("s-a", 6), ("s-b", 4)]
    assert tmp_store.pending_enrichment() == []


def test_iter_items_streams_everything(tmp_store):
    tmp_store.upsert_items([_item(i) for i in range(25)])
    seen = [it.id for it in tmp_store.iter_items(Query(), batch=7)]
    assert len(seen) == len(set(seen)) == 25


def test_item_ids_are_stable_across_backends():
    assert item_id_for("https://a/1") == item_id_for("https://a/1") != item_id_for("https://a/2")


def test_raw_page_built_elsewhere_is_stored_as_is(tmp_store):
    from giamsat.core.model import RawPage

    payload = b"<html><body>" + "Khánh Hòa ".encode() * 500 + b"</body></html>"
    it = _item(4)
    tmp_store.upsert_items([it], raw={it.key: RawPage.of(payload)})
    assert it.raw_ref == RawPage.of(payload).ref
    assert tmp_store.get_raw(it.raw_ref) == payload


@pytest.mark.parametrize("many", [False, True])
def test_text_search_pages_match_a_plain_sort(tmp_store, many):
    """Text search takes one of two plans by the number of matches (a walk of the time index, or a
    sort of the matches from the rowid-ordered index); both must give exactly the plain order."""
    import random

    rnd = random.Random(5)
    n = 2600 if many else 300
    start = datetime(2026, 10, 1, tzinfo=UTC)
    items = [
        _item(
            i,
            title=f"Tin {i}",
            text=("sạt lở " if i % 10 else "") + "mưa lớn ở Nha Trang",
            published=start + timedelta(minutes=rnd.randrange(60 * 24 * 60)),
            source_id=f"src-{i % 3}",
        )
        for i in range(n)
    ]
    tmp_store.upsert_items(items)
    since, until = start + timedelta(days=5), start + timedelta(days=55)
    in_window = [i for i in items if since <= i.published < until]
    for text, order, sources in (
        ("nha trang", "newest", []),
        ("nha trang", "oldest", []),
        ("sat lo", "newest", ["src-0", "src-1"]),
    ):
        q = Query(text=text, since=since, until=until, order=order, source_ids=sources)
        expected = [
            i
            for i in in_window
            if (text == "nha trang" or "sạt lở" in i.text) and (not sources or i.source_id in sources)
        ]
        if text == "nha trang":  # the dense plan is taken above 2,000 matches
            assert (len(expected) > 2000) == many
        expected.sort(key=lambda i: (i.published, tmp_store.db.execute(
            "SELECT rowid FROM items WHERE id = ?", (i.id,)).fetchone()[0]), reverse=order == "newest")  # fmt: skip
        for offset in (0, 40):
            page = tmp_store.search(q, limit=25, offset=offset)
            assert page.total == len(expected) == tmp_store.count(q)
            assert [i.id for i in page.items] == [i.id for i in expected[offset : offset + 25]]


def test_histogram_by_day_counts_local_days_at_the_boundaries(tmp_store):
    """A bounded window is counted one local day at a time; an item at 16:59 UTC is still the
    previous local day in Vietnam (UTC+7), one at 17:00 the next; the window cuts both ends."""
    from zoneinfo import ZoneInfo

    vn = ZoneInfo("Asia/Ho_Chi_Minh")
    times = [
        datetime(2026, 3, 1, 16, 59, tzinfo=UTC),  # 1/3 23:59 local
        datetime(2026, 3, 1, 17, 0, tzinfo=UTC),  # 2/3 00:00 local
        datetime(2026, 3, 2, 3, 0, tzinfo=UTC),
        datetime(2026, 3, 4, 12, 0, tzinfo=UTC),  # 4/3 local: 3/3 has no item
        datetime(2026, 3, 6, 12, 0, tzinfo=UTC),  # after the window
    ]
    tmp_store.upsert_items([_item(100 + i, published=t, title=f"Tin {i}") for i, t in enumerate(times)])
    since = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # 1/3 19:00 local: the day starts cut
    until = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)
    expected = {}
    for t in times[:4]:
        d = t.astimezone(vn).date()
        expected[d] = expected.get(d, 0) + 1
    assert tmp_store.histogram(Query(since=since, until=until)) == sorted(expected.items())
    # the same days through the grouping path (a text filter takes it)
    assert tmp_store.histogram(Query(since=since, until=until, text="khanh hoa")) == sorted(expected.items())


def test_closed_code_facets_equal_grouping_and_fall_back_on_unknown_codes(tmp_store):
    tmp_store.upsert_items([_item(200 + i, title=f"Tin {i}") for i in range(7)])
    rowids = [r[0] for r in tmp_store.db.execute("SELECT rowid FROM items ORDER BY rowid")]
    for rowid, sev in zip(rowids, ["cao", "khan", "cao", None, "thap", "cao", "khan"], strict=True):
        tmp_store.db.execute("UPDATE items SET severity = ? WHERE rowid = ?", (sev, rowid))
    assert tmp_store.facet("severity", Query()) == [("cao", 3), ("khan", 2), ("thap", 1)]
    assert tmp_store.facet("severity", Query(), limit=2) == [("cao", 3), ("khan", 2)]
    tmp_store.db.execute("UPDATE items SET severity = 'la' WHERE rowid = ?", (rowids[3],))
    assert tmp_store.facet("severity", Query()) == [("cao", 3), ("khan", 2), ("la", 1), ("thap", 1)]
    assert tmp_store.facet("kind", Query()) == [("press", 7)]


def test_relevance_search_counts_in_the_ranking_pass(tmp_store):
    tmp_store.upsert_items(
        [
            _item(300 + i, title=f"Tin {i}", text="sạt lở đèo Khánh Lê " * (1 + i % 4) + "mưa lớn")
            for i in range(60)
        ]
        + [_item(400 + i, title=f"Khác {i}", text="giá xăng tăng") for i in range(10)]
    )
    q = Query(text="sat lo", order="relevance")
    page = tmp_store.search(q, limit=25)
    assert page.total == 60 == tmp_store.count(q) and len(page.items) == 25
    assert all("sạt lở" in i.text for i in page.items)
    assert page.items[0].text.count("sạt lở") == 4  # the most repeated first (BM25)
    beyond = tmp_store.search(q, limit=25, offset=100)
    assert beyond.total == 60 and beyond.items == []


@pytest.mark.parametrize("days", [1, 30])
def test_stories_and_reach_agree_through_either_index(tmp_store, days):
    """Short windows read the time-ordered index, long ones the story/source/author-ordered ones:
    both give what a plain count over the window's items gives."""
    import random
    from collections import Counter

    rnd = random.Random(days)
    end = datetime(2026, 3, 31, tzinfo=UTC)
    items = [
        _item(
            500 + i,
            title=f"Tin {i}",
            published=end - timedelta(hours=rnd.randrange(24 * 40)),
            source_id=f"src-{rnd.randrange(4)}",
            author=f"Tác giả {rnd.randrange(3)}",
            engagement=Engagement(likes=rnd.randrange(50)),
        )
        for i in range(300)
    ]
    tmp_store.upsert_items(items)
    for it in items:
        tmp_store.db.execute("UPDATE items SET story_id = ? WHERE id = ?", (f"s{int(it.id, 16) % 7}", it.id))
    q = Query(since=end - timedelta(days=days), until=end)
    inside = [i for i in items if q.since <= i.published < q.until]
    story = {i.id: f"s{int(i.id, 16) % 7}" for i in items}
    n = Counter(story[i.id] for i in inside)
    top = tmp_store.top_stories(q, limit=3)
    assert [s.items for s in top] == sorted(n.values(), reverse=True)[:3]
    for s in top:
        members = [i for i in inside if story[i.id] == s.story_id]
        assert s.items == n[s.story_id] and s.sources == len({i.source_id for i in members})
        assert s.engagement == sum(i.engagement.total() for i in members)
    reach = {}
    for i in inside:
        k = reach.setdefault(i.source_id, [0, 0])
        k[0] += 1
        k[1] += i.engagement.total()
    got = tmp_store.top_reach("source_id", q)
    assert {k: [n_, e] for k, n_, e in got} == reach
    authors = Counter(i.author for i in inside)
    assert {k: n_ for k, n_, _ in tmp_store.top_reach("author", q)} == dict(authors)
