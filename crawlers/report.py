"""What a crawl did, per source: the counts the CLI prints and the health record is built from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Error reasons are kept short and countable; the URL goes alongside.
MAX_ERRORS_KEPT = 50


@dataclass
class SourceReport:
    source_id: str
    fetched: int = 0  # pages and feeds downloaded (HTTP 200)
    not_modified: int = 0  # conditional requests answered 304
    skipped_seen: int = 0  # links already crawled, not requested again
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    dropped: int = 0  # national-scope items not about the province
    gone: int = 0  # 404/410: marked gone, not retried
    errors: list[dict[str, str]] = field(default_factory=list)  # {url, reason}
    warnings: list[str] = field(default_factory=list)
    error_count: int = 0
    finished: bool = False  # the source ran to its end (not interrupted, not failed as a whole)
    fatal: str | None = None  # the whole source failed (feed unreadable, quota exhausted...)
    obey_robots: bool = True

    def error(self, url: str, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"url": url, "reason": reason})

    def warn(self, message: str) -> None:
        if message not in self.warnings and len(self.warnings) < MAX_ERRORS_KEPT:
            self.warnings.append(message)

    @property
    def stored(self) -> int:
        return self.new + self.revised

    @property
    def ok(self) -> bool:
        return self.fatal is None and (self.fetched + self.not_modified) > 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceReport:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class CrawlReport:
    sources: dict[str, SourceReport] = field(default_factory=dict)
    stats: dict[str, dict[str, Any]] = field(default_factory=dict)  # Scrapy stats per source
    exit_code: int | None = None
    interrupted: bool = False

    def source(self, source_id: str) -> SourceReport:
        if source_id not in self.sources:
            self.sources[source_id] = SourceReport(source_id)
        return self.sources[source_id]

    @property
    def new(self) -> int:
        return sum(r.new for r in self.sources.values())

    @property
    def revised(self) -> int:
        return sum(r.revised for r in self.sources.values())

    @property
    def unchanged(self) -> int:
        return sum(r.unchanged for r in self.sources.values())

    @property
    def dropped(self) -> int:
        return sum(r.dropped for r in self.sources.values())

    @property
    def errors(self) -> int:
        return sum(r.error_count + (1 if r.fatal else 0) for r in self.sources.values())

    def summary(self) -> str:
        """One Vietnamese line for logs and the CLI."""
        fetched = sum(r.fetched for r in self.sources.values())
        text = (
            f"{len(self.sources)} nguồn, {fetched} trang tải về, {self.new} tin mới, {self.revised} bản sửa, "
            f"{self.unchanged} không đổi, {self.dropped} loại (không về tỉnh), {self.errors} lỗi"
        )
        return text + (" — bị dừng giữa chừng" if self.interrupted else "")

    def __str__(self) -> str:
        return self.summary()

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources": {k: v.to_dict() for k, v in self.sources.items()},
            "stats": self.stats,
            "exit_code": self.exit_code,
            "interrupted": self.interrupted,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CrawlReport:
        return cls(
            sources={k: SourceReport.from_dict(v) for k, v in (data.get("sources") or {}).items()},
            stats=data.get("stats") or {},
            exit_code=data.get("exit_code"),
            interrupted=bool(data.get("interrupted")),
        )

    def merge(self, other: CrawlReport) -> None:
        self.sources.update(other.sources)
        self.stats.update(other.stats)
        self.interrupted = self.interrupted or other.interrupted
