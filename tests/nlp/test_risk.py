"""Risk: pure combination of signals into risk, severity and Vietnamese reasons."""

from __future__ import annotations

from giamsat.nlp.risk import RiskSignals, assess, severity_of, vn_int, vn_num

NONE = {"none": 0.97, "phan-anh": 0.01, "sai-su-that": 0.01, "xau-doc": 0.01}
XAU = {"none": 0.05, "phan-anh": 0.02, "sai-su-that": 0.03, "xau-doc": 0.9}


def test_vietnamese_number_format() -> None:
    assert vn_num(0.912) == "0,91" and vn_int(12345) == "12.345"


def test_severity_cuts() -> None:
    assert [severity_of(x) for x in (0.9, 0.7, 0.4, 0.1)] == ["khan", "cao", "trung-binh", "thap"]


def test_inciting_content_from_unverified_source_is_high_with_reasons() -> None:
    r = assess(
        RiskSignals(
            category_probs=XAU, tier="chua-xac-minh", lexicon_hits={"xau-doc": ["kích động", "lật đổ"]}
        )
    )
    assert r.severity in ("khan", "cao")
    assert "từ ngữ kích động: kích động, lật đổ" in r.reasons
    assert "nguồn chưa xác minh" in r.reasons
    assert any(x.startswith("nội dung có dấu hiệu thông tin xấu, độc (0,90)") for x in r.reasons)


def test_debunked_claim_match_lifts_risk_and_is_named() -> None:
    r = assess(RiskSignals(category_probs=NONE, claim_matches=[("12", 0.91)], auto_link=0.5))
    assert r.reasons[0] == "trùng khớp tin đã bác bỏ #12 (0,91)"
    assert r.risk >= 0.8 and r.severity == "khan"
    weak = assess(RiskSignals(category_probs=NONE, claim_matches=[("7", 0.35)], auto_link=0.5))
    assert weak.reasons[0] == "có thể liên quan tin đã bác bỏ #7 (0,35)" and weak.risk < r.risk


def test_official_source_dampens_and_reach_alone_creates_no_risk() -> None:
    official = assess(RiskSignals(category_probs=XAU, tier="chinh-thong"))
    unverified = assess(RiskSignals(category_probs=XAU, tier="chua-xac-minh"))
    assert official.risk < unverified.risk
    viral_cat = assess(RiskSignals(category_probs=NONE, engagement=500_000, story_sources=40))
    assert viral_cat.severity == "thap" and viral_cat.reasons == []


def test_velocity_and_reach_amplify_and_explain() -> None:
    base = RiskSignals(category_probs={"none": 0.3, "sai-su-that": 0.7}, tier="chua-xac-minh")
    calm = assess(base)
    base.story_sources, base.window_hours, base.engagement = 14, 2, 12345
    hot = assess(base)
    assert hot.risk > calm.risk
    assert "lan truyền trên 14 nguồn trong 2 giờ" in hot.reasons
    assert "lượt tương tác cao: 12.345" in hot.reasons


def test_not_about_province_is_dampened() -> None:
    local = assess(RiskSignals(category_probs=XAU, local=True))
    other = assess(RiskSignals(category_probs=XAU, local=False))
    assert other.risk < local.risk
    assert 0.0 <= other.risk <= 1.0
