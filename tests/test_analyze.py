"""``giamsat analyze``: JSONL in, one object per valid line out, bad lines reported and skipped."""

from __future__ import annotations

import json
import logging

from giamsat.analyze import OUTPUT_KEYS, analyze_file

LINES = [
    {
        "id": "a1",
        "text": "Đường vào xã Diên Khánh ổ gà khắp nơi, người dân bức xúc phản ánh mãi không ai sửa",
        "source": "mxh-import",
    },
    "this is not json",
    {"id": "a2", "text": "Người dân Đà Nẵng phản ánh ngập nước ở đường Nguyễn Văn Linh sau mưa lớn"},
    {"text": "thiếu id"},
    {
        "id": "a3",
        "title": "Khánh Hòa",
        "text": "Tỉnh Khánh Hòa đón 1 triệu lượt khách du lịch quốc tế, khách sạn kín phòng",
        "published": "2026-11-20T08:00:00+07:00",
    },
]


def test_analyze_file(tmp_path, profile, caplog) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in LINES) + "\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING):
        stats = analyze_file(src, out, profile)
    assert stats["written"] == 3 and stats["bad"] == 2
    assert any("dòng 2" in e for e in stats["errors"]) and any(
        "dòng 4" in e and "id" in e for e in stats["errors"]
    )
    assert "dòng 2" in caplog.text
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a1", "a2", "a3"]
    for r in rows:
        assert tuple(r) == OUTPUT_KEYS
        assert r["topics"] == sorted(r["topics"], key=lambda t: -t["score"])
    a1, a2, a3 = rows
    assert a1["province"] == "khanh-hoa" and a1["lead_unit"] == "so-xay-dung"
    assert any(c.startswith("ubnd-xa:") for c in a1["co_units"])
    assert a1["localities"] and all(
        set(m) == {"text", "start", "end", "level", "code", "province"} for m in a1["mentions"]
    )
    assert a1["category"]["label"] == "phan-anh" and "," in a1["reasons"][0]
    assert a2["province"] == "da-nang" and a2["lead_unit"] is None and a2["co_units"] is None
    assert a3["province"] == "khanh-hoa" and "du-lich" in [t["code"] for t in a3["topics"]]


def test_profile_by_name(tmp_path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(
        json.dumps(
            {"id": 1, "text": "Sạt lở đèo Khánh Lê sau mưa lớn, xe cộ ùn tắc nhiều giờ liền"},
            ensure_ascii=False,
        )
        + "\n"
    )
    stats = analyze_file(src, out, "khanh-hoa", entities="none")
    assert stats["written"] == 1
    row = json.loads(out.read_text())
    assert row["id"] == "1" and row["entities"] == []
