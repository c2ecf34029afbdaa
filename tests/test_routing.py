"""The Khánh Hòa coordination rules, as the issue states them, applied from profile data."""

from __future__ import annotations

import pytest

from giamsat.triage.routing import route


@pytest.mark.parametrize(
    ("category", "topics", "wards", "lead", "co"),
    [
        ("xau-doc", ["dat-dai"], [], "cong-an", ["ban-tuyen-giao", "so-tttt"]),
        ("phan-anh", ["dat-dai", "moi-truong"], [], "so-tnmt", []),
        ("phan-anh", ["khoang-san"], [], "so-tnmt", []),
        ("none", ["bien-dao"], [], "so-tnmt", []),
        ("phan-anh", ["thien-tai"], [], "so-nnptnt", []),
        ("phan-anh", ["hanh-chinh"], [], "so-noi-vu", []),
        ("phan-anh", ["chuyen-doi-so"], [], "so-tttt", []),
        ("phan-anh", ["dau-tu"], [], "so-khdt", []),
        ("phan-anh", ["ha-tang"], [], "so-gtvt", []),
        ("phan-anh", ["du-lich"], [], "so-du-lich", []),
        ("sai-su-that", ["y-te"], [], "so-yte", ["so-tttt"]),
        ("phan-anh", ["giao-duc"], [], "so-gddt", []),
        ("phan-anh", ["an-ninh"], [], "cong-an", []),
        ("phan-anh", [], [], "so-tttt", []),
        ("sai-su-that", [], [], "so-tttt", []),
        ("phan-anh", ["moi-truong"], ["22333", "22336"], "so-tnmt", ["ubnd-xa:22333", "ubnd-xa:22336"]),
        ("sai-su-that", ["thien-tai"], ["22333"], "so-nnptnt", ["so-tttt", "ubnd-xa:22333"]),
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
    assert d.explanation == "chủ trì: Sở TN&MT — quy tắc chủ đề đất đai"


def test_routing_is_deterministic(profile):
    a = route(profile, "sai-su-that", ["thien-tai", "dat-dai"], ["1", "2", "1"])
    b = route(profile, "sai-su-that", ["thien-tai", "dat-dai"], ["1", "2", "1"])
    assert a == b and a.co_units == ["so-tttt", "ubnd-xa:1", "ubnd-xa:2"]


def test_other_province_routes_by_its_own_config():
    from giamsat.core.profile import load_profile

    ld = load_profile("lam-dong")
    assert route(ld, "phan-anh", ["dat-dai"], []).lead == "so-nnmt"
    assert route(ld, "sai-su-that", [], []).lead == "so-vhttdl"
