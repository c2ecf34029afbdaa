"""Storage: the data model (``storage.model``), the ``Store`` interface (``storage.base``) and its
backends, picked by URI scheme like Scrapy's feed storages:

* ``sqlite:///path/to/file.db`` (or a bare path) - embedded default, zero set-up;
* ``http://host:9200`` / ``https://...`` - Elasticsearch, credentials from the environment.
"""

from __future__ import annotations

from giamsat.core.errors import StoreError
from giamsat.storage.base import FACETS, Page, Query, Store, StorySummary, UpsertStats
from giamsat.storage.sqlite import SQLiteStore

__all__ = ["FACETS", "Page", "Query", "Store", "StorySummary", "UpsertStats", "open_store"]


def open_store(uri: str) -> Store:
    if uri.startswith(("http://", "https://")):
        try:
            from giamsat.storage.elasticsearch import ElasticsearchStore
        except ImportError as exc:  # pragma: no cover - only when the backend is missing
            raise StoreError(f"Elasticsearch backend unavailable: {exc}") from exc
        return ElasticsearchStore(uri)
    if uri.startswith("sqlite://") or "://" not in uri:
        return SQLiteStore(uri)
    raise StoreError(f"unknown store URI '{uri}': expected sqlite:///PATH or http(s)://HOST:PORT")
