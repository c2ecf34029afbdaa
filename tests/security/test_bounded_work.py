"""Defect 3: one long post must not stall processing.

Text is capped before NLP (the full text stays in the store), place-mention matching is linear in
the text, each item has a time limit in the worker (marked and skipped when over it), and a
hostile item never blocks the rest of its batch.
"""

from __future__ import annotations

import random
import time

import pytest

from giamsat.core.model import Item, item_text
from giamsat.core.profile import load_profile
from giamsat.nlp.enrich import Enricher
from giamsat.nlp.mentions import MentionFinder
from giamsat.pipeline import process_pending
from giamsat.storage.base import Query

PLACES = "Nha Trang, Cam Ranh - phường Nam Nha Trang - xã Vạn Ninh, tỉnh Khánh Hòa; Đà Lạt - Phan Rang\n"


def _place_names(size: int) -> str:
    return (PLACES * (size // len(PLACES) + 1))[:size]


def test_mention_matching_is_linear_on_160_kb_of_place_names():
    finder = MentionFinder.for_profile(load_profile("khanh-hoa"))
    finder.find("Nha Trang, Khánh Hòa")  # automaton built outside the timing
    small, big = _place_names(20_000), _place_names(160_000)
    t0 = time.perf_counter()
    n_small = len(finder.find(small))
    t_small = time.perf_counter() - t0
    t0 = time.perf_counter()
    n_big = len(finder.find(big))
    t_big = time.perf_counter() - t0
    assert n_big >= 7 * n_small  # every name still found
    # 8x the text may take ~8x the time, never the 64x of a quadratic matcher (the audit's 160 KB
    # took 105 s); the absolute bound holds on a busy 2-core machine
    assert t_big < 10.0, f"160 KB of place names took {t_big:.1f} s"
    assert t_big < 20 * max(t_small, 0.05), (t_small, t_big)


def test_text_is_capped_before_nlp_and_kept_whole_in_the_store(tmp_store):
    from giamsat.core.model import MAX_NLP_CHARS

    body = "Khánh Hòa " * 30_000  # 300 KB
    item = Item(source_id="mxh", url="https://mxh.example/long", kind="social", text=body)
    assert len(item_text(item)) <= MAX_NLP_CHARS
    tmp_store.upsert_items([item])
    assert tmp_store.get_item(item.id).text == body


@pytest.mark.timeout(240)
def test_a_300_kb_post_does_not_block_50_normal_posts(tmp_store, profile):
    normal = (
        "Người dân phường Nam Nha Trang, tỉnh Khánh Hòa phản ánh bãi rác tự phát bốc mùi hôi thối, "
        "đề nghị chính quyền xử lý dứt điểm. Bài {i}."
    )
    hostile = Item(
        source_id="mxh", url="https://mxh.example/hostile", kind="social", text=_place_names(300_000)
    )
    items = [hostile] + [
        Item(source_id="mxh", url=f"https://mxh.example/p/{i}", kind="social", text=normal.format(i=i))
        for i in range(50)
    ]
    tmp_store.upsert_items(items)
    t0 = time.perf_counter()
    report = process_pending(profile, tmp_store)
    elapsed = time.perf_counter() - t0
    assert report.enriched == 51
    assert tmp_store.pending_enrichment() == []
    assert elapsed < 120, f"51 items took {elapsed:.0f} s"
    stored = tmp_store.get_item(hostile.id)
    assert stored.text == hostile.text  # the full text stays
    assert stored.enrichment is not None
    assert sum(1 for it in tmp_store.iter_items(Query()) if it.enrichment and not it.enrichment.error) >= 50


def _long_article(seed: int) -> str:
    """20,000 characters of distinct sentences full of names: the slowest real item (every step
    runs on all of it and no cache helps)."""
    rng = random.Random(seed)
    names = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hùng", "Lan", "Mai", "Nam", "Phúc", "Quang"]
    surnames = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi"]
    places = ["Nha Trang", "Cam Ranh", "Ninh Hòa", "Vạn Ninh", "Diên Khánh", "Cam Lâm"]
    return " ".join(
        f"Ông {rng.choice(surnames)} Văn {rng.choice(names)} {seed}-{i}, cán bộ {rng.choice(places)}, làm việc "
        f"với bà {rng.choice(surnames)} Thị {rng.choice(names)} tại {rng.choice(places)} ngày {i % 28 + 1}."
        for i in range(250)
    )


def test_an_item_over_its_time_limit_is_marked_and_skipped(profile):
    """A long article takes longer than a short post: with a limit between the two, the article is
    marked with the reason and the post of the same batch is enriched normally. The limit is set
    from a measurement on this machine (geometric mean), so the test holds on a slow or busy one."""

    def item(n: str, text: str) -> Item:
        return Item(source_id="mxh", url=f"https://mxh.example/{n}", kind="social", text=text, id=n)

    enricher = Enricher(profile, None, entities=True, item_seconds=None)
    enricher.enrich_batch([item("warm", "Khánh Hòa")])
    t0 = time.perf_counter()
    enricher.enrich_batch([item("m-long", _long_article(1))])
    t_long = time.perf_counter() - t0
    t0 = time.perf_counter()
    enricher.enrich_batch([item("m-short", "Nha Trang mưa lớn, đường ngập.")])
    t_short = time.perf_counter() - t0
    assert t_long > 4 * t_short, (t_long, t_short)
    enricher.item_seconds = (t_long * t_short) ** 0.5
    slow_enr, quick_enr = enricher.enrich_batch(
        [item("slow", _long_article(2)), item("q", "Khánh Hòa mưa lớn, sạt lở ở Khánh Vĩnh.")]
    )
    assert slow_enr.error and "thời gian" in slow_enr.error
    assert slow_enr.reasons and slow_enr.reasons[0].startswith("lỗi phân tích")
    assert quick_enr.error is None and quick_enr.province == "khanh-hoa"
