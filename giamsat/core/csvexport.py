"""The one item CSV format, for the CLI (``giamsat search --csv``) and the dashboard export.

Rows stream one at a time, so a million-item export needs constant memory. Headers and values are
Vietnamese (labels, not codes; dd/mm/yyyy HH:MM local time; decimal comma), with a UTF-8 BOM so
Excel opens it correctly. Cells are neutralised against formula injection: crawled text that
starts with ``=``, ``+``, ``-``, ``@`` or a control character is written with a leading ``'``,
so a spreadsheet shows it as text instead of running it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path

from giamsat.core.codes import CATEGORY_LABELS, KIND_LABELS, SENTIMENT_LABELS, SEVERITY_LABELS
from giamsat.core.model import Item
from giamsat.core.timeutil import fmt_datetime, fmt_number

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
TEXT_HEADER = "Nội dung"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: str) -> str:
    """A cell a spreadsheet will never evaluate (OWASP's CSV-injection advice)."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _label(mapping: dict[str, str], code: str | None) -> str:
    return mapping.get(code, code) if code else ""


def item_row(item: Item, with_text: bool = False) -> list[str]:
    enr = item.enrichment
    out = [
        item.id or "",
        fmt_datetime(item.published or item.fetched),
        item.source_id,
        _label(KIND_LABELS, item.kind),
        item.title,
        item.url,
        _label(SENTIMENT_LABELS, enr.sentiment.label if enr and enr.sentiment else None),
        _label(CATEGORY_LABELS, enr.category.label if enr and enr.category else None),
        _label(SEVERITY_LABELS, enr.severity if enr else None),
        fmt_number(enr.risk) if enr else "",
        "; ".join(t.label for t in enr.topics) if enr else "",
        "; ".join(enr.localities) if enr else "",
        str(item.engagement.total()),
    ]
    if with_text:
        out.append(item.text)
    return out


def csv_rows_chunks(header: list[str], rows: Iterable[list[str]], rows_per_chunk: int = 500) -> Iterator[str]:
    """CSV text in chunks (header first, UTF-8 BOM so Excel shows Vietnamese correctly)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    buf.write("\ufeff")
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(cell) for cell in row])
        if n % rows_per_chunk == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def csv_chunks(items: Iterable[Item], with_text: bool = False, rows_per_chunk: int = 500) -> Iterator[str]:
    header = [*HEADER, TEXT_HEADER] if with_text else HEADER
    return csv_rows_chunks(header, (item_row(it, with_text) for it in items), rows_per_chunk)


def write_csv(items: Iterable[Item], path: Path, with_text: bool = True) -> int:
    """Write every item to ``path``; returns how many were written."""
    count = 0

    def counted() -> Iterator[Item]:
        nonlocal count
        for it in items:
            count += 1
            yield it

    with open(path, "w", encoding="utf-8", newline="") as fh:
        for chunk in csv_chunks(counted(), with_text):
            fh.write(chunk)
    return count
