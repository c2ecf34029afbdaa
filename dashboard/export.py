"""The dashboard's CSV download: the one item format (``giamsat.core.csvexport``), streamed from
``store.iter_items`` (keyset pages) into a temp file, so a million-row export holds one batch of
items in memory, never all."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

from giamsat.core import csvexport
from giamsat.storage.base import Query, Store


def csv_chunks(
    store: Store, query: Query, with_text: bool = False, rows_per_chunk: int = 2000
) -> Iterator[str]:
    return csvexport.csv_chunks(store.iter_items(query, batch=1000), with_text, rows_per_chunk)


def write_csv(store: Store, query: Query, with_text: bool = False, directory: str | None = None) -> Path:
    """Write the export to a temp file and return its path (the caller deletes it)."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", suffix=".csv", prefix="giamsat-", delete=False, dir=directory
    ) as handle:
        for chunk in csv_chunks(store, query, with_text):
            handle.write(chunk)
    return Path(handle.name)
