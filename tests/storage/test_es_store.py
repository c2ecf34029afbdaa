"""The Elasticsearch backend's own behaviour beyond the shared contract, against the CI emulator
(``noida-db``, labelled ``es-emulator``) and a real cluster when ``ELASTICSEARCH_URL`` is set:
templates written only when their version changes, overlapping prefixes refused, the retry queue
replayed without ever letting an older write beat a newer revision, and the version table."""

from __future__ import annotations

import inspect
import os
import re
import threading
import tomllib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.es_record import record

from giamsat.core.errors import StoreError
from giamsat.core.model import Enrichment, Item, Scored, item_id_for
from giamsat.storage.base import Query
from giamsat.storage.elasticsearch import ElasticsearchStore
from giamsat.storage.es import bulk, compat
from giamsat.storage.es.bulk import BulkFailure, claim_spool, read_spool, rebase, write_spool
from giamsat.storage.es.documents import Existing

REPO = Path(__file__).resolve().parents[2]
ES_URL = os.environ.get("ELASTICSEARCH_URL")


# -- which client works with which server ---------------------------------------------------------
@pytest.mark.parametrize(
    ("client", "server", "ok"),
    [
        ("9.5.1", "9.5.1", True),
        ("9.1.0", "9.5.1", True),  # client older than the server: fine
        ("9.5.1", "9.1.0", True),  # newer client: works, with a warning
        ("8.19.3", "9.1.0", True),  # 8.x client on 9.x: REST compatibility
        ("8.16.0", "8.15.3", True),
        ("8.19.3", "8.19.3", True),
        ("8.15.1", "8.15.3", False),  # no retry_on_status in helpers.streaming_bulk
        ("8.13.0", "9.1.0", False),
        ("9.0.0", "8.19.3", False),  # compatible-with=9 refused by 8.x
        ("9.5.1", "7.17.0", False),
        ("10.0.0", "10.0.0", False),  # not tested
    ],
)
def test_supported_client_server_pairs(client: str, server: str, ok: bool) -> None:
    verdict = compat.check(client, server)
    assert verdict.ok is ok, verdict.message
    if not ok:
        assert verdict.message
    if client == "9.5.1" and server == "9.1.0":
        assert "mới hơn máy chủ" in verdict.message
    assert not compat.check("9.5.1", "3.8.0", "opensearch").ok


def test_the_client_floor_is_what_the_code_calls() -> None:
    """pyproject's floor is the compat table's, and the installed client has what bulk.py passes."""
    from elasticsearch import helpers

    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    (spec,) = [d for d in deps if d.startswith("elasticsearch")]
    floor = re.search(r">=\s*([\d.]+)", spec).group(1)  # type: ignore[union-attr]
    assert compat.parse_version(floor)[:2] == compat.CLIENT_FLOOR == (8, 16)
    assert re.search(r"<\s*10\b", spec)
    assert "retry_on_status" in inspect.signature(helpers.streaming_bulk).parameters
    assert compat.check(compat.client_version(), compat.client_version()).ok


# -- against a server -----------------------------------------------------------------------------
@pytest.fixture(
    params=[pytest.param("es-emulator", marks=pytest.mark.emulator),
            pytest.param("elasticsearch", marks=pytest.mark.requires_es)]
)  # fmt: skip
def server(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    if request.param == "es-emulator":
        return request.getfixturevalue("es_emulator").url, {"check_version": False}
    if not ES_URL:
        pytest.skip("ELASTICSEARCH_URL is not set (docs/scale.md)")
    return ES_URL, {"check_version": False} if os.environ.get("ES_IS_EMULATOR") else {}


@pytest.fixture
def opened(server: tuple[str, dict[str, Any]], tmp_path: Path) -> Iterator[list[ElasticsearchStore]]:
    """Stores opened by a test; each is dropped at the end."""
    stores: list[ElasticsearchStore] = []
    yield stores
    for s in stores:
        s.drop_all()
        s.close()


def _open(server: tuple[str, dict[str, Any]], tmp_path: Path, opened: list, prefix: str | None = None):
    url, kw = server
    s = ElasticsearchStore(
        url, prefix=prefix or f"giamsat-test-{uuid.uuid4().hex[:10]}", spool=tmp_path / "spool.jsonl", **kw
    )
    opened.append(s)
    return s


def test_templates_and_policy_are_written_only_when_their_version_changes(
    server: tuple[str, dict[str, Any]], tmp_path: Path, opened: list
) -> None:
    first = _open(server, tmp_path, opened)
    rec = record(first)
    assert first.install() == []  # second look: everything is current, nothing written
    again = ElasticsearchStore(server[0], prefix=first.prefix, spool=tmp_path / "s.jsonl", **server[1])
    rec2 = record(again)
    again.install()
    writes = [(m, p) for m, p, _, _ in rec.calls + rec2.calls if m in ("PUT", "POST", "DELETE")]
    assert not [w for w in writes if "_index_template" in w[1] or "_ilm" in w[1]], writes
    again.close()


def test_opening_with_another_window_rewrites_the_templates(
    server: tuple[str, dict[str, Any]], tmp_path: Path, opened: list
) -> None:
    first = _open(server, tmp_path, opened)
    other = ElasticsearchStore(
        server[0],
        prefix=first.prefix,
        spool=tmp_path / "s.jsonl",
        result_window=50,
        install=False,
        **server[1],
    )
    assert sorted(other.install()) == sorted(f"template {first.prefix}-{k}" for k in bulk_kinds())
    assert other.install() == []
    other.close()


def bulk_kinds() -> tuple[str, ...]:
    from giamsat.storage.es import TEMPLATE_KINDS

    return TEMPLATE_KINDS


def test_overlapping_prefixes_are_refused(
    server: tuple[str, dict[str, Any]], tmp_path: Path, opened: list
) -> None:
    base = f"giamsat-test-{uuid.uuid4().hex[:8]}"
    _open(server, tmp_path, opened, base)
    with pytest.raises(StoreError, match="chồng lấn"):
        _open(server, tmp_path, opened, base + "-docs")  # base-docs-items-* is inside base-docs-*
    _open(server, tmp_path, opened, base + "x")  # merely similar names are fine


def _item(text: str = "Bản đầu", **kw: Any) -> Item:
    return Item(
        source_id="a", url="https://a.vn/bai-1", title="Tiêu đề", text=text,
        published=datetime(2025, 3, 1, 2, tzinfo=UTC), **kw,
    )  # fmt: skip


def _enr(label: str) -> Enrichment:
    return Enrichment(language="vi", sentiment=Scored(label, 0.9), risk=0.5)


@pytest.fixture
def proxied(
    server: tuple[str, dict[str, Any]], tmp_path: Path, opened: list
) -> Iterator[tuple[ElasticsearchStore, Any]]:
    """A store talking through a fault-injecting proxy (``support.fault_proxy``)."""
    from support.fault_proxy import FaultProxy

    proxy = FaultProxy(server[0])
    s = ElasticsearchStore(
        proxy.url, prefix=f"giamsat-test-{uuid.uuid4().hex[:10]}", spool=tmp_path / "spool.jsonl", **server[1]
    )
    opened.append(s)
    yield s, proxy
    proxy.fail_bulk = False


def _during_outage(proxy: Any, fn: Any) -> None:
    """Run a write while the cluster fails every bulk item (HTTP 200, a 500 per document)."""
    proxy.fail_bulk = True
    try:
        fn()
    finally:
        proxy.fail_bulk = False


def test_replay_keeps_compare_and_set_and_a_newer_revision_wins(
    proxied: tuple[ElasticsearchStore, Any],
) -> None:
    s, proxy = proxied
    s.upsert_items([_item()])
    item_id = item_id_for(_item().key)
    # 1. an enrichment fails and waits in the queue; nothing changes meanwhile: replay writes it
    _during_outage(proxy, lambda: s.save_enrichments([(item_id, _enr("tieu-cuc"))]))
    queued = read_spool(s.spool)
    assert len(queued) == 1 and queued[0]["action"]["if_seq_no"] is not None  # CAS kept in the queue
    summary = s.failed_writes()
    assert summary.count == 1 and summary.by_status == {"500": 1} and "test outage" in summary.reasons[0][0]
    report = s.replay_failed_writes()
    assert (report.sent, report.superseded, report.failed) == (1, 0, 0) and s.failed_writes().count == 0
    assert s.get_item(item_id).enrichment.sentiment.label == "tieu-cuc"  # type: ignore[union-attr]
    # 2. a revision fails; meanwhile a later crawl stores an even newer text: the queued one loses
    _during_outage(proxy, lambda: s.upsert_items([_item("Bản sửa lần 2")]))
    s.upsert_items([_item("Bản sửa lần 2")])  # the crawl again: now stored as revision 2
    s.upsert_items([_item("Bản sửa lần 3")])  # and revision 3
    report = s.replay_failed_writes()
    assert report.failed == 0 and report.superseded >= 1
    got = s.get_item(item_id)
    assert got is not None and (got.revision, got.text) == (3, "Bản sửa lần 3")
    # 3. an old enrichment queued before the text changed never overwrites the newer state
    _during_outage(proxy, lambda: s.save_enrichments([(item_id, _enr("tich-cuc"))]))
    s.upsert_items([_item("Bản sửa lần 4")])
    s.save_enrichments([(item_id, _enr("trung-tinh"))])
    report = s.replay_failed_writes()
    assert (report.sent, report.superseded) == (0, 1)
    got = s.get_item(item_id)
    assert got.revision == 4 and got.enrichment.sentiment.label == "trung-tinh"  # type: ignore[union-attr]
    # 4. a queued revision newer than what is stored is written on top, with the stored CAS
    _during_outage(proxy, lambda: s.upsert_items([_item("Bản sửa lần 5")]))
    report = s.replay_failed_writes()
    assert report.failed == 0 and report.sent >= 1
    got = s.get_item(item_id)
    assert (got.revision, got.text) == (5, "Bản sửa lần 5")  # type: ignore[union-attr]
    assert item_id in [i.id for i in s.pending_enrichment()]  # to be enriched again
    assert [r["revision"] for r in s.item_revisions(item_id)] == [1, 2, 3, 4]
    assert s.count(Query()) == 1 and s.failed_writes().count == 0


def test_replay_leaves_other_prefixes_queued(
    server: tuple[str, dict[str, Any]], tmp_path: Path, opened: list
) -> None:
    s = _open(server, tmp_path, opened)
    foreign = BulkFailure(
        {"_op_type": "index", "_index": "other-items-2025.03", "_id": "x", "_source": {}}, 503, "x"
    )
    write_spool(s.spool, [foreign])
    assert s.replay_failed_writes().sent == 0
    assert [e["action"]["_index"] for e in read_spool(s.spool)] == ["other-items-2025.03"]


# -- the queue file itself (no server) -------------------------------------------------------------
def test_rebase_rules() -> None:
    cur = Existing(
        index="g-items-2025.03", source={"revision": 2, "ingest_seq": 7}, seq_no=10, primary_term=1
    )
    same = {"_op_type": "index", "_index": "g-items-2025.03", "_id": "a", "if_seq_no": 10, "if_primary_term": 1,
            "_source": {"revision": 2}}  # fmt: skip
    assert rebase(same, cur) is same  # nothing changed since: sent as queued, with its CAS
    older = {**same, "if_seq_no": 4}
    assert rebase(older, cur) is None  # the stored document moved on and is as new: dropped
    newer = {**older, "_source": {"revision": 3, "ingest_seq": 99}}
    out = rebase(newer, cur)
    assert out is not None and (out["if_seq_no"], out["if_primary_term"], out["_op_type"]) == (10, 1, "index")
    assert out["_source"]["revision"] == 3 and out["_source"]["ingest_seq"] == 7
    gone = rebase({**newer, "_op_type": "create"}, None)
    assert gone == {
        "_op_type": "create",
        "_index": "g-items-2025.03",
        "_id": "a",
        "_source": newer["_source"],
    }
    e = [{"action": {"_index": "i", "_id": "a", "_source": {"revision": r}}} for r in (2, 3, 1)]
    assert [x["action"]["_source"]["revision"] for x in bulk.newest_per_document(e)] == [3]


def test_spool_appends_from_threads_are_whole_lines_and_a_replay_claims_once(tmp_path: Path) -> None:
    spool = tmp_path / "q.jsonl"
    big = "x" * 20_000  # longer than a pipe buffer: one write per batch keeps lines whole

    def writer(n: int) -> None:
        for i in range(20):
            write_spool(
                spool, [BulkFailure({"_index": "g-raw", "_id": f"{n}-{i}", "_source": {"d": big}}, 503, "r")]
            )

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(read_spool(spool)) == 80
    with claim_spool(spool) as first:
        assert first is not None and len(first) == 80
        with claim_spool(spool) as second:
            assert second is None  # another replay is running
        write_spool(spool, [BulkFailure({"_index": "g-raw", "_id": "late"}, 503, "r")])  # not lost
    assert [e["action"]["_id"] for e in read_spool(spool)] == ["late"]
