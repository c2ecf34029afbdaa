"""Pipeline wiring: the worker step, failure isolation, and one real scheduler cycle."""

from __future__ import annotations

from giamsat.core.model import Enrichment, Item, utcnow
from giamsat.demo import DEMO_SITE, demo_sources
from giamsat.pipeline import _enrich_safely, due_sources, load_story_index, process_pending, run_forever
from giamsat.storage.base import Query


def _items(n: int) -> list[Item]:
    text = (
        "Người dân phường Nam Nha Trang, tỉnh Khánh Hòa phản ánh bãi rác tự phát bốc mùi hôi thối, "
        "đề nghị chính quyền xử lý dứt điểm. Bài {i}."
    )
    return [
        Item(source_id="mxh", url=f"https://mxh.example/p/{i}", kind="social", text=text.format(i=i))
        for i in range(n)
    ]


def test_process_pending_enriches_once_and_keeps_the_story_index(tmp_store, profile):
    tmp_store.upsert_items(_items(6))
    first = process_pending(profile, tmp_store)
    assert first.enriched == 6 and first.failed == 0
    assert tmp_store.pending_enrichment() == []
    # near-identical posts form one story, and the index survives for the next run
    stories = {it.enrichment.story_id for it in tmp_store.iter_items(Query())}
    assert len(stories) == 1
    assert load_story_index(tmp_store).to_bytes()
    again = process_pending(profile, tmp_store)
    assert again.enriched == 0


def test_one_bad_item_does_not_lose_the_batch():
    class Flaky:
        def enrich_batch(self, items):
            raise RuntimeError("batch broke")

        def enrich(self, item):
            if item.url.endswith("/2"):
                raise ValueError("bad text")
            return Enrichment(risk=0.1, enriched_at=utcnow())

    out = _enrich_safely(Flaky(), _items(4))
    assert [e.risk for e in out] == [0.1, 0.1, 0.0, 0.1]
    assert out[2].error is not None and out[2].error.startswith("ValueError")
    assert out[2].reasons[0].startswith("lỗi phân tích: ValueError")  # what staff read


def test_one_scheduler_cycle_crawls_processes_and_triages(tmp_store, profile, http_server):
    server = http_server(DEMO_SITE)
    sources = [s for s in demo_sources(server.url) if s.type == "rss"]
    assert due_sources(profile.model_copy(update={"sources": sources}), tmp_store, utcnow()) == sources
    run_forever(profile, tmp_store, sources=sources, tick_seconds=0, max_cycles=1)
    assert tmp_store.count(Query()) > 0
    assert tmp_store.pending_enrichment() == []
    assert tmp_store.count_docs("alerts") > 0
    # each source's attempt is recorded, so the next cycle waits for its interval
    assert due_sources(profile.model_copy(update={"sources": sources}), tmp_store, utcnow()) == []


def test_crawl_only_scheduler_leaves_processing_to_the_worker(tmp_store, profile, http_server):
    from giamsat.pipeline import work_forever

    server = http_server(DEMO_SITE)
    sources = [s for s in demo_sources(server.url) if s.type == "rss"]
    run_forever(profile, tmp_store, sources=sources, tick_seconds=0, max_cycles=1, process=False)
    stored = tmp_store.count(Query())
    assert stored > 0 and len(tmp_store.pending_enrichment(limit=10_000)) == stored
    work_forever(profile, tmp_store, tick_seconds=0, max_cycles=1)
    assert tmp_store.pending_enrichment() == []
