"""Routing under the 2025 structure, applied from profile data (national defaults + province)."""

from __future__ import annotations

import pytest

from giamsat.core.profile import load_profile
from giamsat.triage.routing import route


@pytest.mark.parametrize(
    ("category", "topics", "wards", "lead", "co"),
    [
        ("xau-doc", ["dat-dai"], [], "cong-an", ["ban-tgdv", "so-vhttdl"]),
        ("phan-anh", ["dat-dai", "moi-truong"], [], "so-nnmt", []),
        ("phan-anh", ["khoang-san"], [], "so-nnmt", []),
        ("none", ["bien-dao"], [], "so-nnmt", []),
        ("phan-anh", ["thien-tai"], [], "so-nnmt", []),
        ("phan-anh", ["nong-nghiep"], [], "so-nnmt", []),
        ("phan-anh", ["hanh-chinh"], [], "so-noi-vu", []),
        ("phan-anh", ["chuyen-doi-so"], [], "so-khcn", []),
        ("phan-anh", ["dau-tu"], [], "so-tai-chinh", []),
        ("phan-anh", ["ha-tang"], [], "so-xay-dung", []),
        ("phan-anh", ["du-lich"], [], "so-vhttdl", []),
        ("phan-anh", ["van-hoa-the-thao"], [], "so-vhttdl", []),
        ("sai-su-that", ["y-te"], [], "so-y-te", ["so-vhttdl"]),
        ("phan-anh", ["giao-duc"], [], "so-gddt", []),
        ("phan-anh", ["an-ninh"], [], "cong-an", []),
        ("phan-anh", ["cong-thuong"], [], "so-cong-thuong", []),
        ("phan-anh", ["bien-gioi"], [], "bdbp", []),
        ("phan-anh", ["lao-dong-xa-hoi"], [], "so-noi-vu", []),
        ("phan-anh", ["dan-toc-ton-giao"], [], "so-dttg", []),
        ("phan-anh", [], [], "so-vhttdl", []),
        ("sai-su-that", [], [], "so-vhttdl", []),
        ("phan-anh", ["moi-truong"], ["22333", "22336"], "so-nnmt", ["ubnd-xa:22333", "ubnd-xa:22336"]),
        ("sai-su-that", ["thien-tai"], ["22333"], "so-nnmt", ["so-vhttdl", "ubnd-xa:22333"]),
    ],
)
def test_khanh_hoa_rules(profile, category, topics, wards, lead, co):
    decision = route(profile, category, topics, wards)
    assert decision.lead == lead
    assert decision.co_units == co
    assert decision.rule is not None or lead == profile.routing.default_lead


def test_decision_records_the_rule_in_words(profile):
    d = route(profile, "phan-anh", ["dat-dai"], [])
    assert d.rule == "chu-de-dat-dai"
    assert d.explanation == "chủ trì: Sở NN&MT — quy tắc chủ đề đất đai"


def test_routing_is_deterministic(profile):
    a = route(profile, "sai-su-that", ["thien-tai", "dat-dai"], ["1", "2", "1"])
    b = route(profile, "sai-su-that", ["thien-tai", "dat-dai"], ["1", "2", "1"])
    assert a == b and a.co_units == ["so-vhttdl", "ubnd-xa:1", "ubnd-xa:2"]


def test_every_province_routes_by_its_own_config():
    ld, ht, ls = (load_profile(n) for n in ("lam-dong", "ha-tinh", "lang-son"))
    assert route(ld, "phan-anh", ["dat-dai"], []).lead == "so-nnmt"
    assert route(ld, "sai-su-that", [], []).lead == "so-vhttdl"
    assert route(ld, "phan-anh", ["khoang-san"], []).co_units == ["cong-an"]  # bô xít, cát: Lâm Đồng's own
    # Hà Tĩnh has no Sở Dân tộc và Tôn giáo in its profile: Sở Nội vụ leads
    assert route(ht, "phan-anh", ["dan-toc-ton-giao"], []).lead == "so-noi-vu"
    assert route(ht, "phan-anh", ["dau-tu"], []).co_units == ["bql-kkt"]
    # Lạng Sơn: smuggling with the border guard and the police; border gates with the BQL KKTCK
    d = route(ls, "phan-anh", ["cong-thuong"], [])
    assert (d.lead, d.co_units) == ("so-cong-thuong", ["bdbp", "cong-an"])
    assert route(ls, "phan-anh", ["bien-gioi"], []).co_units == ["bql-kktck"]
    assert "chu-de-bien-dao" not in {r.id for r in ls.routing.rules}


def test_rules_written_with_old_codes_route_to_the_current_units(tmp_path):
    """A province that has not updated its rules yet: so-tnmt still works, decisions name so-nnmt."""
    path = tmp_path / "cu.yaml"
    path.write_text(
        "extends: _national\n"
        "province: {code: lang-son, name: Lạng Sơn, admin_code: 20}\n"
        "report: {parent_body: UBND TỈNH LẠNG SƠN, issuing_body: 'SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH', place: Lạng Sơn}\n"
        "routing:\n"
        "  default_lead: so-tttt\n"
        "  rules:\n"
        "    - {id: chu-de-dat-dai, lead: so-tnmt, co_units: [so-tttt, so-vhttdl]}\n",
        encoding="utf-8",
    )
    p = load_profile(str(path))
    d = route(p, "phan-anh", ["dat-dai"], [])
    assert (d.lead, d.co_units) == ("so-nnmt", ["so-vhttdl"])
    assert d.explanation.startswith("chủ trì: Sở NN&MT")
    assert route(p, "phan-anh", [], []).lead == "so-vhttdl"
    uses = p.old_code_uses()
    assert any("routing.default_lead: 'so-tttt'" in u for u in uses)
    assert any("'so-tnmt' là mã cũ, nay là 'so-nnmt' (Sở Nông nghiệp và Môi trường)" in u for u in uses)
