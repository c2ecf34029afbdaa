"""The dashboard's CSV download: the one item format (``giamsat.core.csvexport``), streamed from
``store.iter_items`` (keyset pages) into a temp file, so a million-row export holds one batch of
items in memory, never all."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from giamsat.core import csvexport
from giamsat.core.model import Item
from giamsat.storage.base import Query, Store


def csv_chunks(
    store: Store, query: Query, with_text: bool = False, rows_per_chunk: int = 2000
) -> Iterator[str]:
    return csvexport.csv_chunks(store.iter_items(query, batch=1000), with_text, rows_per_chunk)


def write_csv(store: Store, query: Query, with_text: bool = False, directory: str | None = None) -> Path:
    """Write the export to a temp file and return its path (the caller deletes it)."""
    return write_items_csv(store.iter_items(query, batch=1000), with_text, directory)


def write_items_csv(items: Iterable[Item], with_text: bool = False, directory: str | None = None) -> Path:
    """The same from any stream of items - the page passes ``Triage.iter_items(user, query)`` so
    the export stops where the reader's scope stops."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", suffix=".csv", prefix="giamsat-", delete=False, dir=directory
    ) as handle:
        for chunk in csvexport.csv_chunks(iter(items), with_text, 2000):
            handle.write(chunk)
    return Path(handle.name)
