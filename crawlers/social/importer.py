"""Import of social-media exports (CSV / JSON / JSONL) from listening tools and platform downloads.

Formats (column mapping documented in ``docs/social-import.md``), detected when not given:

* ``generic`` - one row per post; columns found by name (English or Vietnamese aliases), which
  covers most social-listening tools' exports and our own demo file;
* ``facebook-csv`` - Meta Business Suite post export (``Permalink``, ``Publish time`` MM/DD/YYYY);
* ``facebook-json`` - Facebook "Download your information" posts (``timestamp`` + ``data[].post``;
  Facebook writes UTF-8 bytes as Latin-1 escapes, repaired here);
* ``youtube-csv`` - Google Takeout YouTube comments (``Video ID``, ``Comment text``...);
* ``tiktok-json`` - TikTok data download ``user_data.json`` (videos and comments).

A bad row is reported with its number and skipped; the rest of the file is imported.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from giamsat.core.model import Engagement, Item
from giamsat.core.profile import Profile, Source
from giamsat.core.text import clean, fold
from giamsat.crawlers.extract import VN_TZ, parse_datetime
from giamsat.crawlers.filters import detect_language, is_about_province
from giamsat.crawlers.report import CrawlReport, SourceReport
from giamsat.crawlers.urls import canonicalize
from giamsat.storage.base import Store

log = logging.getLogger(__name__)
FORMATS = ("generic", "facebook-csv", "facebook-json", "youtube-csv", "tiktok-json")
BATCH = 200

# field -> accepted column names, compared after ``fold`` (so "Nội dung" == "noi dung")
ALIASES: dict[str, tuple[str, ...]] = {
    "url": ("url", "link", "permalink", "post url", "post link", "duong dan", "lien ket"),
    "title": ("title", "tieu de", "post title"),
    "text": (
        "text",
        "content",
        "message",
        "description",
        "post",
        "noi dung",
        "mention content",
        "body",
        "caption",
    ),
    "author": (
        "author",
        "user",
        "user name",
        "username",
        "page name",
        "channel",
        "tac gia",
        "nguoi dang",
        "ten trang",
    ),
    "published": (
        "published",
        "date",
        "time",
        "created time",
        "created_time",
        "publish time",
        "published date",
        "timestamp",
        "thoi gian",
        "ngay dang",
        "ngay",
    ),
    "likes": ("likes", "reactions", "like", "luot thich", "cam xuc", "tuong tac thich"),
    "comments": ("comments", "comment count", "binh luan", "luot binh luan"),
    "shares": ("shares", "share", "chia se", "luot chia se"),
    "views": ("views", "view count", "plays", "luot xem"),
    "platform": ("platform", "site", "source", "network", "nen tang", "kenh", "nguon"),
    "kind": ("kind", "type", "loai"),
}
_KINDS = {
    "post": "social",
    "bai viet": "social",
    "comment": "comment",
    "binh luan": "comment",
    "forum": "forum",
    "dien dan": "forum",
    "news": "press",
    "bao chi": "press",
    "video": "social",
}


class ExportFileError(ValueError):
    """The file as a whole cannot be read (not CSV/JSON, unknown format)."""


def parse_count(value: Any) -> int | None:
    """``1.200`` / ``1,200`` -> 1200 (thousands separators); ``1.2K`` / ``1,5M`` -> 1200 / 1500000."""
    if value in (None, ""):
        return None
    s = str(value).strip().replace(" ", "")
    mult = 1
    if s[-1:].upper() in ("K", "M"):
        mult = 1000 if s[-1].upper() == "K" else 1_000_000
        s = s[:-1].replace(",", ".")  # before a suffix the separator is a decimal point
    else:
        s = s.replace(".", "").replace(",", "")
    try:
        return int(float(s) * mult)
    except ValueError:
        return None


def _when(value: Any, us_dates: bool = False) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        ts = float(value)
        return datetime.fromtimestamp(ts / 1000 if ts > 1e11 else ts, tz=UTC)
    s = str(value).strip()
    if us_dates and s[:2].isdigit() and s[2:3] == "/":  # Meta Business Suite: MM/DD/YYYY HH:MM
        mm, dd, rest = s.split("/", 2)
        s = f"{dd}/{mm}/{rest}"
    return parse_datetime(s, VN_TZ)


def _repair_facebook(text: str) -> str:
    """Facebook's JSON download escapes each UTF-8 byte as a code point: undo it."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


# -- reading -----------------------------------------------------------------------------------
def read_rows(path: Path) -> tuple[list[dict[str, Any]] | dict[str, Any], str]:
    """(rows or the JSON document, container) where container is csv | json."""
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    if path.suffix.lower() in (".json", ".jsonl", ".ndjson") or stripped[:1] in "[{":
        if path.suffix.lower() in (".jsonl", ".ndjson") or (stripped.startswith("{") and "\n{" in stripped):
            rows = []
            for n, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        rows.append({"__error__": f"dòng {n}: JSON hỏng ({exc.msg})"})
            return rows, "json"
        try:
            return json.loads(text), "json"
        except json.JSONDecodeError as exc:
            raise ExportFileError(f"{path}: JSON hỏng ở dòng {exc.lineno}: {exc.msg}") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.DictReader(io.StringIO(text), dialect=dialect)), "csv"


def detect_format(data: Any, container: str) -> str:
    if container == "json":
        if isinstance(data, dict) and ("Video" in data or "Activity" in data or "Comment" in data):
            return "tiktok-json"
        rows = data if isinstance(data, list) else []
        if rows and isinstance(rows[0], dict) and "timestamp" in rows[0] and "data" in rows[0]:
            return "facebook-json"
        return "generic"
    header = {fold(h or "") for h in (data[0].keys() if data else [])}
    if {"permalink", "publish time"} <= header:
        return "facebook-csv"
    if {"video id", "comment text"} <= header:
        return "youtube-csv"
    return "generic"


def _column_map(row: dict[str, Any]) -> dict[str, str]:
    folded = {fold(str(k)).strip(): k for k in row}
    out = {}
    for field_name, names in ALIASES.items():
        for name in names:
            if name in folded:
                out[field_name] = folded[name]
                break
    return out


def generic_rows(rows: list[dict[str, Any]], us_dates: bool = False) -> Iterator[dict[str, Any] | str]:
    cmap: dict[str, str] | None = None
    for row in rows:
        if not isinstance(row, dict):
            yield "không phải một bản ghi (object)"
            continue
        if "__error__" in row:
            yield row["__error__"]
            continue
        if cmap is None or any(v not in row for v in cmap.values()):
            cmap = _column_map(row)
        yield {f: row.get(col) for f, col in cmap.items()} | {"_us": us_dates}


def facebook_json_rows(data: list[dict[str, Any]]) -> Iterator[dict[str, Any] | str]:
    for post in data:
        texts = [str(d["post"]) for d in post.get("data", []) if isinstance(d, dict) and d.get("post")]
        url = None
        for att in post.get("attachments", []):
            for d in att.get("data", []):
                url = url or (d.get("external_context") or {}).get("url")
        yield {
            "text": _repair_facebook("\n".join(texts)),
            "title": _repair_facebook(post.get("title", "")),
            "published": post.get("timestamp"),
            "url": url,
            "platform": "facebook",
        }


def youtube_csv_rows(rows: list[dict[str, str]]) -> Iterator[dict[str, Any] | str]:
    for row in rows:
        video, cid = row.get("Video ID") or row.get("Video Id"), row.get("Comment ID")
        text = row.get("Comment text") or row.get("Comment Text") or ""
        if text.startswith("{"):  # Takeout wraps text runs as JSON: {"text":"..."},{"text":"..."}
            with contextlib.suppress(json.JSONDecodeError):
                text = "".join(part.get("text", "") for part in json.loads(f"[{text}]"))
        url = f"https://www.youtube.com/watch?v={video}" + (f"&lc={cid}" if cid else "") if video else None
        yield {
            "text": text,
            "published": row.get("Comment create timestamp") or row.get("Comment Create Timestamp"),
            "url": url,
            "platform": "youtube",
            "kind": "comment",
            "author": row.get("Channel ID"),
        }


def tiktok_rows(data: dict[str, Any]) -> Iterator[dict[str, Any] | str]:
    videos = (((data.get("Video") or {}).get("Videos") or {}).get("VideoList")) or []
    for v in videos:
        yield {
            "url": v.get("Link"),
            "text": v.get("Description") or v.get("Title") or "",
            "published": v.get("Date"),
            "likes": v.get("Likes"),
            "platform": "tiktok",
        }
    comments = (((data.get("Comment") or {}).get("Comments") or {}).get("CommentsList")) or []
    for c in comments:
        yield {
            "url": c.get("Url") or None,
            "text": c.get("Comment") or "",
            "published": c.get("Date"),
            "platform": "tiktok",
            "kind": "comment",
        }


def to_item(rec: dict[str, Any], source_id: str, default_kind: str) -> Item:
    text = clean(str(rec.get("text") or ""))
    title = clean(str(rec.get("title") or "")) or text.split("\n", 1)[0][:120]
    url = str(rec.get("url") or "").strip()
    kind_key = fold(str(rec.get("kind") or ""))
    platform = fold(str(rec.get("platform") or "")) or None
    return Item(
        source_id=source_id,
        url=canonicalize(url) if url else "",
        title=title,
        text=text,
        kind=_KINDS.get(kind_key, default_kind),
        author=clean(str(rec.get("author") or "")) or None,
        published=_when(rec.get("published"), bool(rec.get("_us"))),
        engagement=Engagement(
            likes=parse_count(rec.get("likes")),
            comments=parse_count(rec.get("comments")),
            shares=parse_count(rec.get("shares")),
            views=parse_count(rec.get("views")),
        ),
        meta={"platform": platform} if platform else {},
    )


def iter_records(path: Path, fmt: str | None) -> tuple[str, Iterator[dict[str, Any] | str]]:
    data, container = read_rows(path)
    fmt = fmt or detect_format(data, container)
    if fmt not in FORMATS:
        raise ExportFileError(f"định dạng không hỗ trợ: {fmt} (hỗ trợ: {', '.join(FORMATS)})")
    if fmt == "tiktok-json":
        if not isinstance(data, dict):
            raise ExportFileError(f"{path}: tệp TikTok phải là một object JSON (user_data.json)")
        return fmt, tiktok_rows(data)
    rows = (
        data
        if isinstance(data, list)
        else (data.get("items") or data.get("data") or data.get("posts") or [data])
    )
    if fmt == "facebook-json":
        return fmt, facebook_json_rows(rows)
    if fmt == "youtube-csv":
        return fmt, youtube_csv_rows(rows)
    return fmt, generic_rows(rows, us_dates=fmt == "facebook-csv")


def import_file(
    store: Store,
    profile: Profile,
    path: Path,
    fmt: str | None = None,
    source_id: str = "import",
    report: SourceReport | None = None,
) -> CrawlReport:
    """Import one export file; a national-scope profile source with this id is province-filtered."""
    out = CrawlReport()
    rep = report or out.source(source_id)
    out.sources[source_id] = rep
    src: Source | None = profile.source(source_id)
    default_kind = src.kind if src else "social"
    if not path.is_file():
        rep.fatal = f"không tìm thấy tệp {path}"
        return out
    try:
        fmt, records = iter_records(path, fmt)
    except (ExportFileError, UnicodeError, csv.Error) as exc:
        rep.fatal = str(exc)
        return out
    rep.warn(f"{path.name}: định dạng {fmt}")
    batch: list[Item] = []
    for n, rec in enumerate(records, 1):
        if isinstance(rec, str):
            rep.error(f"{path.name}#{n}", rec)
            continue
        rep.fetched += 1
        item = to_item(rec, source_id, default_kind)
        if not item.text and not item.url:
            rep.error(f"{path.name}#{n}", f"dòng {n}: không có nội dung và đường dẫn")
            continue
        if src is not None and src.scope == "national" and not is_about_province(item, profile):
            rep.dropped += 1
            continue
        item.language = detect_language(item)
        item.meta["import_file"] = path.name
        batch.append(item)
        if len(batch) >= BATCH:
            _flush(store, batch, rep)
    _flush(store, batch, rep)
    return out


def _flush(store: Store, batch: list[Item], rep: SourceReport) -> None:
    if batch:
        stats = store.upsert_items(batch)
        rep.new += stats.new
        rep.revised += stats.revised
        rep.unchanged += stats.unchanged
        batch.clear()


def import_directory(store: Store, profile: Profile, source: Source) -> CrawlReport:
    """A ``social-import`` source: import the files in its ``file://`` folder not imported before."""
    from giamsat.crawlers.state import CrawlState

    out = CrawlReport()
    rep = out.source(source.id)
    folder = Path(source.url.removeprefix("file://"))
    if not folder.is_dir():
        rep.fatal = f"không có thư mục {folder}"
        return out
    state = CrawlState(store, source.id)
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".csv", ".json", ".jsonl", ".ndjson"):
            continue
        stat = path.stat()
        fp = f"{stat.st_size}:{int(stat.st_mtime)}"
        if state.is_seen(str(path), fp):
            rep.not_modified += 1
            continue
        import_file(store, profile, path, fmt=source.options.get("format"), source_id=source.id, report=rep)
        state.mark_seen(str(path), fp)
    state.save()
    return out
