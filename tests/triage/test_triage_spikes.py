"""Spike detection on a synthetic series with a known jump; source-health alerts."""

from __future__ import annotations

from datetime import timedelta

from giamsat.triage.spikes import detect_spikes, is_spike, top_terms


def _series(items_factory, clock, days: int = 7) -> None:
    """Two items a day for 'moi-truong' and 'du-lich' over a week, then a jump in the last
    6 hours for 'moi-truong' only (12 items of two stories about dead fish)."""
    for d in range(1, days + 1):
        for h in (3, 15):
            when = clock.now - timedelta(days=d, hours=h)
            items_factory(
                1,
                story_id=f"mt-{d}-{h}",
                topics=("moi-truong",),
                risk=0.1,
                when=when,
                prefix=f"mt{d}{h}",
                title="Quan trắc môi trường định kỳ",
            )
            items_factory(
                1,
                story_id=f"dl-{d}-{h}",
                topics=("du-lich",),
                risk=0.1,
                when=when,
                prefix=f"dl{d}{h}",
                title="Khách du lịch đến Nha Trang",
            )
    for k in range(12):
        when = clock.now - timedelta(hours=5, minutes=-k * 20)
        story = "ca-chet" if k < 8 else "mui-hoi"
        title = "Cá chết hàng loạt trên sông Cái Nha Trang" if k < 8 else "Mùi hôi nồng nặc gần bãi rác"
        items_factory(
            1,
            story_id=story,
            topics=("moi-truong",),
            risk=0.1,
            when=when,
            prefix=f"j{k}",
            title=title,
            localities=("Nha Trang",),
        )
    items_factory(
        1,
        story_id="dl-now",
        topics=("du-lich",),
        risk=0.1,
        when=clock.now - timedelta(hours=1),
        prefix="dlnow",
        title="Khách du lịch đến Nha Trang",
    )


def test_is_spike_rule():
    assert is_spike(12, 0.5, 3.0, 5)
    assert not is_spike(4, 0.0, 3.0, 5)  # too few to matter
    assert not is_spike(10, 4.0, 3.0, 5)  # only 2.5x its baseline
    assert is_spike(12, 4.0, 3.0, 5)


def test_known_jump_is_found_with_its_cause(profile, tmp_store, clock, items_factory):
    _series(items_factory, clock)
    spikes = detect_spikes(profile, tmp_store, clock.now, window_hours=6, baseline_days=7)
    by_key = {(s.dimension, s.value): s for s in spikes}
    assert ("topic", "moi-truong") in by_key
    assert ("topic", "du-lich") not in by_key
    s = by_key[("topic", "moi-truong")]
    assert s.current == 12
    # 13 of the 14 earlier items fall in the 7-day baseline before the window (28 six-hour windows)
    assert s.baseline == 13 / 28
    assert s.stories[0].story_id == "ca-chet" and s.stories[0].items == 8
    assert "cá chết" in s.terms
    assert ("locality", "Nha Trang") in by_key  # the locality jumped too


def test_spike_alert_opened_once_and_explained(triage, users, tmp_store, clock, items_factory):
    _series(items_factory, clock)
    assert triage.check_spikes() >= 1
    alerts = triage.list_alerts(users["giamsat1"], kind="spike")
    topic_alert = next(a for a in alerts if a.topics == ["moi-truong"])
    assert "Môi trường" in topic_alert.title and "tăng đột biến" in topic_alert.title
    assert any("Cá chết hàng loạt" in r for r in topic_alert.reasons)
    assert any("cụm từ nổi bật" in r for r in topic_alert.reasons)
    count = tmp_store.count_docs("alerts", {"kind": "spike"})
    assert triage.check_spikes() == 0  # rate-limited
    triage.check_spikes(force=True)
    assert tmp_store.count_docs("alerts", {"kind": "spike"}) == count  # same day, same key: no duplicate


def test_top_terms_skip_function_words():
    titles = ["Cá chết hàng loạt trên sông Cái", "Cá chết hàng loạt ở hạ lưu", "Dân lo cá chết"]
    terms = top_terms(titles)
    assert terms[0] == "cá chết"
    assert "trên" not in " ".join(terms)


def test_source_health_alerts_open_and_close(triage, users, tmp_store):
    tmp_store.put_doc("sources", {"id": "vnexpress", "status": "ok"})
    tmp_store.put_doc(
        "sources", {"id": "baokhanhhoa", "status": "im-lang", "message": "không có bài mới 12 giờ"}
    )
    assert triage.check_sources() == 1
    (alert,) = triage.list_alerts(users["giamsat1"], kind="source")
    assert alert.title == "Nguồn Báo Khánh Hòa: im lặng bất thường"
    assert "không có bài mới 12 giờ" in alert.reasons[0]
    assert triage.check_sources() == 0  # still the same problem: no duplicate
    doc = tmp_store.get_doc("sources", "baokhanhhoa")
    doc["status"] = "ok"
    tmp_store.put_doc("sources", doc)
    assert triage.check_sources() == 1
    assert triage.get_alert(users["giamsat1"], alert.id).status == "bo-qua"
    doc["status"] = "loi"
    tmp_store.put_doc("sources", doc)
    triage.check_sources()
    again = triage.get_alert(users["giamsat1"], alert.id)
    assert again.status == "mo" and "lỗi thu thập" in again.title
    assert tmp_store.count_docs("alerts", {"kind": "source"}) == 1
