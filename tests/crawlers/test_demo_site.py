"""The bundled demo site (``giamsat demo``) crawls as designed: province paper kept whole, the
national paper's other-province articles dropped, the social export imported."""

from __future__ import annotations

import yaml
from support.fixture_site import TEST_SETTINGS

from giamsat.core.profile import Source
from giamsat.crawlers.runner import crawl, import_social_export
from giamsat.storage.base import Query

DEMO = __import__("pathlib").Path(__file__).resolve().parents[2] / "giamsat" / "demo_site"


def test_demo_site_crawl_and_import(http_server, tmp_store, profile):
    server = http_server(DEMO)
    raw = (DEMO / "sources.yaml").read_text(encoding="utf-8").replace("{base}", server.url)
    sources = [Source.model_validate(s) for s in yaml.safe_load(raw)["sources"]]
    report = crawl(profile, tmp_store, [s for s in sources if s.type == "rss"], settings=TEST_SETTINGS)

    tinh, quocgia = report.sources["demo-baokhanhhoa"], report.sources["demo-thoisu"]
    assert (tinh.new, tinh.dropped, tinh.error_count) == (17, 0, 0), tinh
    # Hà Nội, TP HCM, Đà Nẵng, Quảng Nam, Nghệ An are not about Khánh Hòa
    assert (quocgia.new, quocgia.dropped, quocgia.error_count) == (8, 5, 0), quocgia
    en = tmp_store.get_item_by_url(f"{server.url}/thoisu/nha-trang-english.html")
    assert en.language == "en"
    rumour = tmp_store.get_item_by_url(f"{server.url}/baokhanhhoa/bac-bo-tin-don-so-tan.html")
    assert rumour.text.startswith("Ban Chỉ huy phòng chống thiên tai tỉnh Khánh Hòa khẳng định")
    assert "Tin cùng chuyên mục" not in rumour.text and "Đăng nhập" not in rumour.text

    rep = import_social_export(tmp_store, profile, DEMO / "exports" / "mxh-posts.json", source_id="mxh-demo")
    posts = rep.sources["mxh-demo"]
    assert (posts.fetched, posts.new, posts.error_count) == (30, 30, 0), posts
    tiktok = [
        i for i in tmp_store.iter_items(Query(source_ids=["mxh-demo"])) if i.meta.get("platform") == "tiktok"
    ]
    assert len(tiktok) == 5 and all(i.engagement.views for i in tiktok)
