"""Streaming CSV export: one row at a time, so a million-item export needs constant memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

from giamsat.core.model import Item
from giamsat.core.timeutil import fmt_datetime

COLUMNS = [
    "id",
    "thoi_gian",
    "nguon",
    "loai",
    "tieu_de",
    "duong_dan",
    "cam_xuc",
    "chu_de",
    "phan_loai",
    "rui_ro",
    "muc_do",
    "dia_ban",
    "ly_do",
    "noi_dung",
]


def item_row(it: Item) -> list[str]:
    e = it.enrichment
    return [
        it.id or "",
        fmt_datetime(it.published or it.fetched),
        it.source_id,
        it.kind,
        it.title,
        it.url,
        e.sentiment.label if e and e.sentiment else "",
        ";".join(t.label for t in e.topics) if e else "",
        e.category.label if e and e.category else "",
        f"{e.risk:.2f}" if e else "",
        (e.severity or "") if e else "",
        ";".join(e.localities) if e else "",
        " | ".join(e.reasons) if e else "",
        it.text,
    ]


def csv_rows_chunks(header: list[str], rows: Iterable[list[str]], rows_per_chunk: int = 500) -> Iterator[str]:
    """Yield CSV text in chunks (header first, UTF-8 BOM so Excel shows Vietnamese correctly)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    buf.write("\ufeff")
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow(row)
        if n % rows_per_chunk == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def csv_chunks(items: Iterable[Item], rows_per_chunk: int = 500) -> Iterator[str]:
    return csv_rows_chunks(COLUMNS, (item_row(it) for it in items), rows_per_chunk)


def write_csv(items: Iterable[Item], path: Path) -> int:
    count = 0

    def counted() -> Iterator[Item]:
        nonlocal count
        for it in items:
            count += 1
            yield it

    with open(path, "w", encoding="utf-8", newline="") as fh:
        for chunk in csv_chunks(counted()):
            fh.write(chunk)
    return count
