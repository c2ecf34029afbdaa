"""Small pure parts: encodings, URL identity, health status, the sources file, tips, imports."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from giamsat.core.errors import ConfigError
from giamsat.crawlers import encoding
from giamsat.crawlers.health import compute_status
from giamsat.crawlers.runner import add_tip, import_social_export, load_sources_file
from giamsat.crawlers.urls import canonicalize
from giamsat.storage.base import Query

VI = "Người dân phản ánh tình trạng khai thác cát lậu trên sông Cái, tỉnh Khánh Hòa. " * 5


TONES = "\u0300\u0301\u0303\u0309\u0323"


def _cp1258(text: str) -> bytes:
    # cp1258 writes tone marks as combining characters after precomposed base letters
    import unicodedata

    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES))
            out.append((base + "".join(c for c in d if c in TONES)).encode("cp1258"))
    return b"".join(out)


def test_cp1258_decoded_to_nfc_with_and_without_declaration():
    raw = _cp1258(f"<html><body><p>{VI}</p></body></html>")
    for ctype in ("text/html; charset=windows-1258", None):
        d = encoding.decode(raw, ctype)
        assert "Khánh Hòa" in d.text and d.encoding == "cp1258"
    assert encoding.decode(raw, None).how == "detected"


def test_wrong_declared_charset_is_reported_and_corrected():
    d = encoding.decode(VI.encode("utf-8"), "text/html; charset=iso-8859-1")
    assert "Khánh Hòa" in d.text and any("sai" in w for w in d.warnings)


def test_legacy_fonts_detected():
    tcvn = "Ng\xadêi d©n ph¶n ¸nh t×nh tr¹ng khai th¸c c¸t lËu trªn s«ng C¸i, tØnh Kh¸nh Hßa. " * 3
    assert encoding.decode(tcvn.encode("cp1252"), "text/html; charset=windows-1252").legacy_font == "TCVN3"
    vni = "Ngöôøi daân phaûn aùnh tình traïng khai thaùc caùt laäu treân soâng Caùi, tænh Khaùnh Hoøa. " * 3
    assert encoding.decode(vni.encode("cp1252"), "text/html; charset=windows-1252").legacy_font == "VNI"
    assert encoding.decode(VI.encode(), "text/html; charset=utf-8").legacy_font is None


def test_canonical_url_strips_tracking_and_fragment_only():
    url = "https://Baokhanhhoa.vn/xa-hoi/bai-viet.htm?utm_source=fb&fbclid=x&zarsrc=1&nid=42#binh-luan"
    assert canonicalize(url) == "https://baokhanhhoa.vn/xa-hoi/bai-viet.htm?nid=42"


NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam


def _days(counts: list[int]) -> dict[str, int]:
    """counts[0] is today, counts[1] yesterday..."""
    return {
        (NOW + timedelta(hours=7) - timedelta(days=i)).date().isoformat(): n
        for i, n in enumerate(counts)
        if n
    }


def test_health_status_rules():
    old = (NOW - timedelta(days=30)).isoformat()
    base = {"first_seen": old, "last_success": NOW.isoformat(), "consecutive_failures": 0}
    assert (
        compute_status(
            {**base, "items_per_day": _days([5, 6, 4, 5, 7] * 3), "last_item_at": NOW.isoformat()}, NOW
        )
        == "ok"
    )
    assert compute_status({**base, "consecutive_failures": 3}, NOW) == "loi"
    assert compute_status({"first_seen": old, "consecutive_failures": 1}, NOW) == "loi"  # never worked
    usual = [4] * 15
    assert (
        compute_status({**base, "items_per_day": _days([40, *usual]), "last_item_at": NOW.isoformat()}, NOW)
        == "tang-dot-bien"
    )
    silent = {
        **base,
        "items_per_day": _days([0, 0, 0, *usual]),
        "last_item_at": (NOW - timedelta(days=3)).isoformat(),
    }
    assert compute_status(silent, NOW) == "im-lang"
    # a source that publishes weekly is not "silent" after three quiet days
    weekly = {
        **base,
        "items_per_day": _days([0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]),
        "last_item_at": (NOW - timedelta(days=6)).isoformat(),
    }
    assert compute_status(weekly, NOW) == "ok"


def test_sources_file(tmp_path):
    good = tmp_path / "sources.yaml"
    good.write_text(
        "sources:\n  - {id: bao-a, type: rss, url: 'https://a.vn/rss', scope: province}\n", encoding="utf-8"
    )
    assert load_sources_file(good)[0].scope == "province"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "sources:\n  - {id: bao-a, type: rss}\n  - {id: bao-b, type: nope, url: x}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as err:
        load_sources_file(bad)
    assert err.value.key == "sources[0].url" and err.value.file == str(bad)
    bad.write_text("sources:\n  - {id: bao-b, type: nope, url: x}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sources\[0\]\.type"):
        load_sources_file(bad)
    with pytest.raises(ConfigError, match="line"):
        bad.write_text("sources: [\n", encoding="utf-8")
        load_sources_file(bad)


def test_tip_text_with_screenshot_and_url(site, tmp_store, crawl_profile, tmp_path):
    shot = tmp_path / "zalo.png"
    shot.write_bytes(b"\x89PNG fake screenshot bytes")
    item = add_tip(
        tmp_store,
        crawl_profile,
        text="Nhóm Zalo lan truyền tin sơ tán toàn bộ Nha Trang",
        screenshot=shot,
        actor="giamsat1",
    )
    stored = tmp_store.get_item(item.id)
    assert stored.kind == "tip" and stored.meta["entered_by"] == "giamsat1"
    assert tmp_store.get_raw(stored.raw_ref) == shot.read_bytes()
    assert tmp_store.events(entity="item", entity_id=item.id)[0].actor == "giamsat1"
    page = add_tip(
        tmp_store, crawl_profile, url=f"{site.url}/articles/kh-sat-lo.html?utm_source=zalo", actor="giamsat2"
    )
    assert (
        page.title.startswith("Sạt lở nghiêm trọng")
        and page.canonical_url == f"{site.url}/articles/kh-sat-lo.html"
    )
    gone = add_tip(
        tmp_store,
        crawl_profile,
        url=f"{site.url}/gone.html",
        text="Bài đã bị gỡ nhưng có ảnh",
        actor="giamsat2",
    )
    assert "410" in gone.meta["fetch_error"]
    with pytest.raises(ValueError):
        add_tip(tmp_store, crawl_profile, actor="x")


def test_import_formats(tmp_store, profile, tmp_path):
    fb_csv = tmp_path / "fb.csv"
    fb_csv.write_text(
        "Post ID,Page name,Title,Description,Publish time,Permalink,Reactions,Comments,Shares\n"
        "1,Tin Nha Trang,,Đập Suối Dầu sắp vỡ? Tin đồn lan truyền,11/22/2026 21:30,https://www.facebook.com/p/1,1.200,45,300\n"
        "2,Tin Nha Trang,,,11/22/2026 22:00,,1,2,3\n",
        encoding="utf-8",
    )
    rep = import_social_export(tmp_store, profile, fb_csv).sources["import"]
    assert (rep.new, rep.error_count) == (1, 1) and "dòng 3" in rep.errors[0]["reason"]  # the file's line
    item = tmp_store.get_item_by_url("https://www.facebook.com/p/1")
    assert item.engagement.likes == 1200 and item.published.isoformat() == "2026-11-22T14:30:00+00:00"

    mojibake = "Bà con Khánh Hòa".encode().decode("latin-1")  # how Facebook's download writes UTF-8
    fb_json = tmp_path / "your_posts_1.json"
    fb_json.write_text(
        json.dumps([{"timestamp": 1763800000, "data": [{"post": mojibake}], "title": "x"}]), encoding="utf-8"
    )
    rep = import_social_export(tmp_store, profile, fb_json).sources["import"]
    assert rep.new == 1 and "facebook-json" in rep.warnings[0]
    assert any(i.text == "Bà con Khánh Hòa" for i in tmp_store.iter_items(Query(source_ids=["import"])))

    yt = tmp_path / "comments.csv"
    yt.write_text(
        "Comment ID,Channel ID,Comment create timestamp,Price,Parent comment ID,Video ID,Comment text\n"
        'c1,UC1,2026-11-22T10:00:00+00:00,,,vid1,"{""text"":""Sạt lở đèo Khánh Lê ""},{""text"":""nguy hiểm quá""}"\n',
        encoding="utf-8",
    )
    rep = import_social_export(tmp_store, profile, yt, source_id="yt").sources["yt"]
    item = tmp_store.get_item_by_url(canonicalize("https://www.youtube.com/watch?v=vid1&lc=c1"))
    assert rep.new == 1 and item.kind == "comment" and item.text == "Sạt lở đèo Khánh Lê nguy hiểm quá"

    tt = tmp_path / "user_data.json"
    tt.write_text(
        json.dumps(
            {
                "Video": {
                    "Videos": {
                        "VideoList": [
                            {
                                "Date": "2026-11-22 08:00:00",
                                "Link": "https://www.tiktokv.com/share/video/1/",
                                "Likes": "12",
                            }
                        ]
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    assert import_social_export(tmp_store, profile, tt, source_id="tt").sources["tt"].new == 1

    broken = tmp_path / "broken.json"
    broken.write_text("[{oops", encoding="utf-8")
    assert "JSON hỏng" in import_social_export(tmp_store, profile, broken).sources["import"].fatal
