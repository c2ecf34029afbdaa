"""The Enricher on real items, a real SQLite store (claims) and a real StoryIndex."""

from __future__ import annotations

from datetime import UTC, datetime

from giamsat.core.codes import CATEGORIES, SEVERITIES
from giamsat.core.model import Engagement, Item
from giamsat.nlp.claims import claims_add
from giamsat.nlp.enrich import Enricher
from giamsat.nlp.stories import StoryIndex

RUMOUR = "nghe nói sắp tới tỉnh thu hồi hết đất ven biển Cam Ranh giao cho tụi nước ngoài, dân ở đó đi đâu, share gấp"


def _item(text: str, source: str = "mxh-import", **kw) -> Item:
    return Item(
        source_id=source,
        url=f"https://x.example/{abs(hash(text))}",
        text=text,
        kind="social",
        id=str(abs(hash(text))),
        **kw,
    )


def test_enrich_fills_every_field(profile, tmp_store) -> None:
    claim = claims_add(
        tmp_store,
        "Tỉnh Khánh Hòa sẽ thu hồi toàn bộ đất ven biển Cam Ranh để giao cho nhà đầu tư nước ngoài",
        "Không có chủ trương này.",
        None,
        "giamsat1",
    )
    index = StoryIndex()
    seen = []
    enricher = Enricher(
        profile,
        tmp_store,
        story_index=index,
        story_stats=lambda sid, it: seen.append(sid) or {"sources": 14, "items": 20, "window_hours": 2},
    )
    item = _item(
        RUMOUR, engagement=Engagement(likes=3000, shares=900), published=datetime(2026, 11, 20, tzinfo=UTC)
    )
    enr = enricher.enrich(item)
    assert enr.language == "vi" and enr.province == "khanh-hoa"
    assert any(m.province == "khanh-hoa" for m in enr.mentions)
    assert enr.category and enr.category.label in CATEGORIES and enr.sentiment
    assert enr.severity in SEVERITIES and 0 <= enr.risk <= 1
    assert enr.claim_matches and enr.claim_matches[0]["claim_id"] == claim["id"]
    assert f"trùng khớp tin đã bác bỏ #{claim['id']}" in enr.reasons[0]
    assert "lan truyền trên 14 nguồn trong 2 giờ" in enr.reasons
    assert enr.severity in ("khan", "cao")
    assert enr.story_id and seen == [enr.story_id]
    assert set(enr.model_versions) >= {"sentiment", "category", "topics"} and enr.enriched_at
    assert "urls" in enr.features and "toxic" in enr.features


def test_batch_mixes_languages_and_keeps_order(profile) -> None:
    enricher = Enricher(profile, None, entities=False)
    items = [
        _item(
            "Người dân phường Nam Nha Trang phản ánh rác thải bốc mùi hôi thối nhiều ngày không ai thu gom"
        ),
        _item(
            "The weather in Nha Trang is lovely this week, beaches are crowded with tourists",
            source="vnexpress",
        ),
    ]
    out = enricher.enrich_batch(items)
    assert [e.language for e in out] == ["vi", "en"]
    assert "moi-truong" in [t.label for t in out[0].topics]
    assert out[0].localities and out[0].entities == []
    assert out[1].category is None and any("ngôn ngữ khác (en)" in r for r in out[1].reasons)
    assert enricher.enrich_batch([]) == []


def test_official_source_is_less_risky_than_unverified(profile) -> None:
    enricher = Enricher(profile, None, entities=False)
    text = "Đang chia sẻ rầm rộ: bệnh viện tỉnh Khánh Hòa hết thuốc, từ chối nhận bệnh nhân cấp cứu, người nhà phải tự mua"
    a, b = enricher.enrich_batch([_item(text, "baokhanhhoa"), _item(text + " ", "mxh-import")])
    assert a.risk < b.risk
