"""What spiders yield: the ``Item`` plus what the store pipeline needs to record it."""

from __future__ import annotations

from dataclasses import dataclass

from giamsat.core.model import Item, RawPage


@dataclass
class Crawled:
    item: Item | None  # None: only mark ``seen_url`` once everything before it is stored
    raw: bytes | RawPage | None = None  # the fetched payload, kept compressed by the store
    seen_url: str | None = None  # the link to mark seen once stored (feed link, list link...)
    fingerprint: str = ""  # what the link looked like when seen (entry date + title, lastmod...)
    # about the province? decided already by an extraction worker; None: the pipeline decides
    about_province: bool | None = None
