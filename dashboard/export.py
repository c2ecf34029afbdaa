"""CSV export that streams: rows come from ``store.iter_items`` (keyset pages) and go to a temp
file chunk by chunk, so a million-row export holds one batch of items in memory, never all."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

from giamsat.core.csvexport import csv_rows_chunks
from giamsat.core.model import Item
from giamsat.core.timeutil import fmt_datetime
from giamsat.dashboard.ui import CATEGORY_LABELS, KIND_LABELS, SENTIMENT_LABELS, SEVERITY_LABELS, label
from giamsat.storage.base import Query, Store

HEADER = [
    "ID",
    "Thời gian",
    "Nguồn",
    "Loại",
    "Tiêu đề",
    "Đường dẫn",
    "Sắc thái",
    "Phân loại",
    "Mức độ",
    "Điểm rủi ro",
    "Chủ đề",
    "Địa bàn",
    "Tương tác",
]


def row(item: Item, with_text: bool = False) -> list[str]:
    enr = item.enrichment
    out = [
        item.id or "",
        fmt_datetime(item.published or item.fetched),
        item.source_id,
        label(KIND_LABELS, item.kind),
        item.title,
        item.url,
        label(SENTIMENT_LABELS, enr.sentiment.label if enr and enr.sentiment else None),
        label(CATEGORY_LABELS, enr.category.label if enr and enr.category else None),
        label(SEVERITY_LABELS, enr.severity if enr else None),
        f"{enr.risk:.2f}".replace(".", ",") if enr else "",
        "; ".join(t.label for t in enr.topics) if enr else "",
        "; ".join(enr.localities) if enr else "",
        str(item.engagement.total()),
    ]
    if with_text:
        out.append(item.text)
    return out


def csv_chunks(
    store: Store, query: Query, with_text: bool = False, rows_per_chunk: int = 2000
) -> Iterator[str]:
    """CSV text in chunks of ``rows_per_chunk`` rows (header first, UTF-8 BOM so Excel reads Vietnamese)."""
    header = [*HEADER, "Nội dung"] if with_text else HEADER
    rows = (row(item, with_text) for item in store.iter_items(query, batch=1000))
    return csv_rows_chunks(header, rows, rows_per_chunk)


def write_csv(store: Store, query: Query, with_text: bool = False, directory: str | None = None) -> Path:
    """Write the export to a temp file and return its path (the caller deletes it)."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", suffix=".csv", prefix="giamsat-", delete=False, dir=directory
    ) as handle:
        for chunk in csv_chunks(store, query, with_text):
            handle.write(chunk)
    return Path(handle.name)
