"""Synthetic enriched items for the dashboard's tests and its 1M-item benchmark.

Deterministic (seeded) Vietnamese-looking items with consistent enrichments: mention spans that
point at the text, topics, localities, sentiment, category, risk/severity, stories and a few
matched debunked claims. Not a model of real traffic: only a load with realistic shapes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from giamsat.core.model import Engagement, Enrichment, Item, Mention, Scored

SOURCES = (
    "baokhanhhoa",
    "khanhhoa-gov",
    "vnexpress",
    "tuoitre",
    "thanhnien",
    "nld",
    "baochinhphu",
    "mxh-import",
)
PLACES = (
    ("Nha Trang", "ward"),
    ("Cam Ranh", "ward"),
    ("Ninh Hòa", "ward"),
    ("Diên Khánh", "ward"),
    ("Vạn Ninh", "ward"),
    ("Cam Lâm", "ward"),
    ("Phan Rang", "old-district"),
    ("Trường Sa", "ward"),
    ("Khánh Vĩnh", "ward"),
    ("Ninh Hải", "ward"),
)
TOPIC_PHRASES = {
    "dat-dai": "thu hồi đất và bồi thường giải phóng mặt bằng",
    "moi-truong": "ô nhiễm do nước thải xả ra biển",
    "khoang-san": "khai thác cát trái phép bằng tàu hút cát",
    "bien-dao": "ngư dân và tàu cá vùng biển",
    "thien-tai": "mưa lớn gây sạt lở",
    "hanh-chinh": "thủ tục hành chính bị trễ hẹn",
    "du-lich": "du khách phản ánh chặt chém",
    "y-te": "ngộ độc thực phẩm tại bệnh viện",
    "ha-tang": "cao tốc chậm tiến độ, ùn tắc giao thông",
    "an-ninh": "công an bắt giữ nhóm lừa đảo",
}
CATEGORY_PHRASES = {
    "none": "Chính quyền cho biết đang theo dõi",
    "phan-anh": "Người dân phản ánh bức xúc vì không được giải quyết",
    "sai-su-that": "Tin đồn chia sẻ rầm rộ trên mạng, chưa được kiểm chứng",
    "xau-doc": "Bài viết xuyên tạc, kích động chống phá",
}
RISK_PHRASE = {"phan-anh": "bức xúc", "sai-su-that": "tin đồn", "xau-doc": "xuyên tạc"}
SEVERITY_BY_RISK = ((0.85, "khan"), (0.65, "cao"), (0.4, "trung-binh"), (0.0, "thap"))


def severity_for(risk: float) -> str:
    return next(sev for floor, sev in SEVERITY_BY_RISK if risk >= floor)


def make_item(rng: random.Random, n: int, when: datetime, story_count: int = 500) -> Item:
    topic = rng.choice(list(TOPIC_PHRASES))
    category = rng.choices(list(CATEGORY_PHRASES), weights=(70, 15, 10, 5))[0]
    place, level = rng.choice(PLACES)
    source = rng.choice(SOURCES)
    sentiment = "tieu-cuc" if category != "none" else rng.choice(("tich-cuc", "trung-tinh", "tieu-cuc"))
    title = f"{place}: {TOPIC_PHRASES[topic].capitalize()} (tin {n})"
    lead = f"Tại {place}, {TOPIC_PHRASES[topic]}. "
    text = lead + f"{CATEGORY_PHRASES[category]}. Thông tin từ {place} cho thấy vụ việc còn tiếp diễn."
    start = lead.index(place)
    risk = round(
        {"none": 0.1, "phan-anh": 0.55, "sai-su-that": 0.75, "xau-doc": 0.9}[category]
        + rng.uniform(-0.1, 0.09),
        3,
    )
    reasons = []
    if category != "none":
        reasons.append(f'cụm từ nguy cơ "{CATEGORY_PHRASES[category].split(" ")[0].lower()}"')
        reasons.append(f"phân loại {category}")
    matches = []
    if category == "sai-su-that" and n % 3 == 0:
        matches.append({"claim_id": "BB-1", "score": 0.82, "claim": "Tin đồn thu hồi toàn bộ đất ven biển"})
    enrichment = Enrichment(
        language="vi",
        province="khanh-hoa",
        mentions=[
            Mention(
                text=place, start=start, end=start + len(place), level=level, province="khanh-hoa", name=place
            )
        ],
        localities=[place],
        sentiment=Scored(sentiment, 0.8),
        topics=[Scored(topic, 0.9)],
        category=Scored(category, 0.85),
        risk=max(0.0, risk),
        severity=severity_for(risk),
        reasons=reasons,
        story_id=f"s{rng.randrange(story_count)}",
        claim_matches=matches,
        enriched_at=when,
    )
    return Item(
        source_id=source,
        url=f"https://{source}.example.vn/bai-{n}.html",
        title=title,
        text=text,
        kind="social" if source == "mxh-import" else "press",
        published=when,
        fetched=when,
        engagement=Engagement(likes=rng.randrange(500), comments=rng.randrange(50), shares=rng.randrange(30)),
        language="vi",
        enrichment=enrichment,
    )


def generate(
    count: int, end: datetime, days: int = 30, seed: int = 7, story_count: int = 500
) -> Iterator[Item]:
    """``count`` items spread evenly over the ``days`` before ``end`` (newest last)."""
    rng = random.Random(seed)
    span = days * 86400
    for n in range(count):
        when = end - timedelta(seconds=span * (count - n) / count)
        yield make_item(rng, n, when, story_count)
