"""Risk of an item: how urgently staff should look at it, in [0, 1], with a severity and reasons.

Signals (all given by the caller, so this module is pure and easy to test):

* *content*: the category model's probabilities - ``xau-doc`` weighs most, then ``sai-su-that``,
  then ``phan-anh``; toxic wording adds a little on its own;
* *debunked claims*: a match at auto-link level lifts the risk to at least ``0.75 + 0.2 x score``
  (repeating a known falsehood is what the office must answer), a suggestion to ``0.2 + 0.5 x score``;
* *source tier* (profile ``sources[].tier``): official press dampens, unverified and known
  hostile sources amplify;
* *reach* (engagement total) and *velocity* (distinct sources / items of the same story inside a
  window) amplify content risk but never create it: a viral cat video stays ``thap``;
* items that do not concern the profile's province are dampened;
* an item that denies or officially answers a claim (``nlp.stance``) is the answer, not the
  problem: its risk is capped low whatever else it contains.

``risk = clip(content x tier x local x (1 + 0.35 reach + 0.35 velocity), 0, 1)``.
Severity: ``khan`` >= 0.8, ``cao`` >= 0.6, ``trung-binh`` >= 0.35, else ``thap``.
Reasons are short Vietnamese phrases a monitoring officer reads on the alert (decimal comma).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

SEVERITY_CUTS = (("khan", 0.8), ("cao", 0.6), ("trung-binh", 0.35))
CATEGORY_WEIGHT = {"xau-doc": 0.95, "sai-su-that": 0.8, "phan-anh": 0.45}
CATEGORY_NAME = {
    "xau-doc": "thông tin xấu, độc",
    "sai-su-that": "thông tin sai sự thật",
    "phan-anh": "phản ánh của người dân",
}
TIER_FACTOR = {"chinh-thong": 0.5, "uy-tin": 0.75, "chua-xac-minh": 1.0, "doi-tuong-xau": 1.2}
TIER_REASON = {
    "chinh-thong": "nguồn chính thống",
    "chua-xac-minh": "nguồn chưa xác minh",
    "doi-tuong-xau": "nguồn thuộc danh sách đối tượng xấu",
}
NOT_LOCAL_FACTOR = 0.6


def vn_num(x: float, digits: int = 2) -> str:
    """Vietnamese decimal comma: 0.91 -> "0,91"."""
    return f"{x:.{digits}f}".replace(".", ",")


def vn_int(n: int) -> str:
    """Vietnamese thousands separator: 12345 -> "12.345"."""
    return f"{n:,}".replace(",", ".")


@dataclass
class RiskSignals:
    category_probs: dict[str, float] = field(default_factory=dict)
    claim_matches: list[tuple[str, float]] = field(default_factory=list)  # (claim id, score), best first
    auto_link: float = 0.5  # the claim matcher's auto-link threshold
    tier: str | None = None
    engagement: int = 0
    story_sources: int = 0  # distinct sources of the same story inside the window
    story_items: int = 0
    window_hours: float = 24.0
    toxic: float = 0.0
    toxic_threshold: float = 0.8  # the shipped toxic head's high-precision cut (train meta)
    lexicon_hits: dict[str, list[str]] = field(default_factory=dict)  # category -> matched phrases
    local: bool | None = None  # about the profile's province? None = unknown
    denial: str | None = None  # the phrase by which the item denies or answers a claim (nlp.stance)


@dataclass
class RiskResult:
    risk: float
    severity: str
    reasons: list[str]


def severity_of(risk: float) -> str:
    for name, cut in SEVERITY_CUTS:
        if risk >= cut:
            return name
    return "thap"


def _hours(h: float) -> str:
    if h < 1:
        return f"{round(h * 60)} phút"
    return f"{vn_num(h, 0) if h == int(h) else vn_num(h, 1)} giờ"


DENIAL_CAP = 0.2  # an official answer is never urgent on its own: it is the answer, not the problem


def assess(s: RiskSignals) -> RiskResult:
    if s.denial is not None:
        # A denial repeats the rumour's words and says "sai sự thật": content, claim and toxic
        # signals would read it as the rumour itself. It gets a low risk and one reason; triage
        # attaches it to the story of the claim it answers.
        return RiskResult(DENIAL_CAP / 2, "thap", [f"thông tin đính chính/trả lời chính thức: “{s.denial}”"])
    reasons: list[str] = []
    # -- content ---------------------------------------------------------------------------
    weighted = {c: CATEGORY_WEIGHT[c] * s.category_probs.get(c, 0.0) for c in CATEGORY_WEIGHT}
    top_cat = max(weighted, key=lambda c: weighted[c])
    content = weighted[top_cat]
    p_top = s.category_probs.get(top_cat, 0.0)
    if p_top >= 0.4 and p_top >= s.category_probs.get("none", 0.0):
        reasons.append(f"nội dung có dấu hiệu {CATEGORY_NAME[top_cat]} ({vn_num(p_top)})")
    if s.toxic >= s.toxic_threshold:
        content = max(content, 0.3 * s.toxic)
        reasons.append(f"ngôn từ thô tục, xúc phạm ({vn_num(s.toxic)})")
    labels = {
        "xau-doc": "từ ngữ kích động",
        "sai-su-that": "dấu hiệu tin đồn",
        "phan-anh": "nội dung phản ánh",
    }
    for cat in ("xau-doc", "sai-su-that", "phan-anh"):
        hits = s.lexicon_hits.get(cat)
        if hits:
            reasons.append(f"{labels[cat]}: {', '.join(hits[:4])}")
    # -- debunked claims -------------------------------------------------------------------
    if s.claim_matches:
        cid, score = s.claim_matches[0]
        if score >= s.auto_link:
            content = max(content, 0.75 + 0.2 * score)
            reasons.insert(0, f"trùng khớp tin đã bác bỏ #{cid} ({vn_num(score)})")
        else:
            content = max(content, 0.2 + 0.5 * score)
            reasons.insert(0, f"có thể liên quan tin đã bác bỏ #{cid} ({vn_num(score)})")
    # -- source, locality ------------------------------------------------------------------
    factor = TIER_FACTOR.get(s.tier or "", 1.0)
    if s.tier in TIER_REASON and content >= 0.2:
        reasons.append(TIER_REASON[s.tier])
    if s.local is False:
        factor *= NOT_LOCAL_FACTOR
    # -- amplifiers ------------------------------------------------------------------------
    reach = min(1.0, math.log10(1 + max(0, s.engagement)) / 4)  # 10.000 interactions -> 1
    velocity = min(1.0, max(0, s.story_sources - 1) / 10)  # 11 sources in the window -> 1
    amp = 1 + 0.35 * reach + 0.35 * velocity
    risk = max(0.0, min(1.0, content * factor * amp))
    if content >= 0.2:
        if s.engagement >= 1000:
            reasons.append(f"lượt tương tác cao: {vn_int(s.engagement)}")
        if s.story_sources >= 3:
            reasons.append(f"lan truyền trên {s.story_sources} nguồn trong {_hours(s.window_hours)}")
        elif s.story_items >= 5:
            reasons.append(f"{s.story_items} tin cùng câu chuyện trong {_hours(s.window_hours)}")
    risk = round(risk, 4)
    return RiskResult(risk, severity_of(risk), reasons)
