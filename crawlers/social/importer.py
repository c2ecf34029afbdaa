"""Import of social-media exports (CSV / JSON / JSONL) from listening tools and platform downloads.

Formats (column mapping documented in ``docs/social-import.md``), detected when not given:

* ``generic`` - one row per post; columns found by name (English or Vietnamese aliases), which
  covers most social-listening tools' exports and our own demo file;
* ``facebook-csv`` - Meta Business Suite post export (``Permalink``, ``Publish time`` MM/DD/YYYY);
* ``facebook-json`` - Facebook "Download your information" posts (``timestamp`` + ``data[].post``;
  Facebook writes UTF-8 bytes as Latin-1 escapes, repaired here);
* ``youtube-csv`` - Google Takeout YouTube comments (``Video ID``, ``Comment text``...);
* ``tiktok-json`` - TikTok data download ``user_data.json`` (videos and comments).

A bad row is reported with its line number and skipped; the rest of the file is imported.
Files are streamed (``crawlers.textfile``): encoding detected and reported, lines capped while
reading, JSON arrays parsed element by element, so no row - however large, deep or malformed -
costs more than its own line or stops the rows after it.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import logging
import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from giamsat.core.model import Engagement, Item
from giamsat.core.profile import Profile, Source
from giamsat.core.text import clean, fold
from giamsat.crawlers.extract import VN_TZ, parse_datetime
from giamsat.crawlers.filters import detect_language, is_about_province
from giamsat.crawlers.report import CrawlReport, SourceReport
from giamsat.crawlers.textfile import (
    MAX_DOCUMENT_BYTES,
    MAX_LINE_CHARS,
    TextFileError,
    iter_json_array,
    iter_lines,
    loads,
    open_text,
)
from giamsat.crawlers.urls import canonicalize, is_web_url
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


class RowError(ValueError):
    """One row cannot be imported (``str()`` says why); the rest of the file goes on."""


def parse_count(value: Any) -> int | None:
    """``1.200`` / ``1,200`` -> 1200 (thousands separators); ``1.2K`` / ``1,5M`` -> 1200 / 1500000.
    Anything that is not a sensible count (text, ``1e999``, negative, absurdly large) -> None."""
    if value in (None, "") or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if math.isfinite(value) and 0 <= value < MAX_COUNT else None
    s = str(value).strip().replace(" ", "")[:40]
    mult = 1
    if s[-1:].upper() in ("K", "M"):
        mult = 1000 if s[-1].upper() == "K" else 1_000_000
        s = s[:-1].replace(",", ".")  # before a suffix the separator is a decimal point
    else:
        s = s.replace(".", "").replace(",", "")
    try:
        number = float(s) * mult
    except ValueError:
        return None
    return int(number) if math.isfinite(number) and 0 <= number < MAX_COUNT else None


MAX_COUNT = 10**13  # more likes or views than that is not a count
# An export's URL is an identity, never fetched. http(s) is also a link; an app's own scheme
# (zalo://group/…/msg/…) stays the identity but is never shown as a link; these are dropped.
UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data", "file", "about", "blob", "filesystem"})
EARLIEST, LATEST = datetime(1990, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def _when(value: Any, us_dates: bool = False) -> datetime | None:
    """A publication time; ``RowError`` when there is one but it is not a plausible time."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, bool):
            raise ValueError(value)
        when: datetime | None
        if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
            ts = float(value)
            when = datetime.fromtimestamp(ts / 1000 if ts > 1e11 else ts, tz=UTC)
        else:
            s = str(value).strip()[:64]
            if us_dates and s[:2].isdigit() and s[2:3] == "/":  # Meta Business Suite: MM/DD/YYYY HH:MM
                mm, dd, rest = s.split("/", 2)
                s = f"{dd}/{mm}/{rest}"
            when = parse_datetime(s, VN_TZ)
    except (ValueError, OverflowError, OSError, TypeError):
        raise RowError(f"thời gian không hợp lệ: {str(value)[:40]!r}") from None
    if when is None:
        raise RowError(f"thời gian không đọc được: {str(value)[:40]!r}")
    if not EARLIEST <= when <= LATEST:
        raise RowError(f"thời gian ngoài khoảng hợp lý: {str(value)[:40]!r}")
    return when


def _repair_facebook(text: str) -> str:
    """Facebook's JSON download escapes each UTF-8 byte as a code point: undo it."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _text(rec: dict[str, Any], key: str) -> str:
    """A text field: a string or a plain number; anything else (an object, a list) is a RowError."""
    value = rec.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return str(value)
    raise RowError(f"trường '{key}' không phải văn bản (kiểu {type(value).__name__})")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# -- reading: (line number, row) pairs, never the whole file in memory ---------------------------
Row = tuple[int, Any]  # (line number, a dict/JSON value, or a ValueError for that line)


def _jsonl(fh: Any) -> Iterator[Row]:
    for n, line in iter_lines(fh):
        if line is None:
            yield n, ValueError(f"dòng dài quá {MAX_LINE_CHARS} ký tự: bỏ qua")
        elif line.strip():
            try:
                yield n, loads(line)
            except ValueError as exc:
                yield n, ValueError(f"JSON hỏng ({getattr(exc, 'msg', exc)})")


def _csv(fh: Any) -> Iterator[Row]:
    """CSV rows as dicts keyed by the header, with the file line each row starts on."""
    lines = iter_lines(fh)
    current = {"n": 0}
    bad: list[int] = []

    def physical() -> Iterator[str]:
        for n, line in lines:
            current["n"] = n
            if line is None:
                bad.append(n)
                yield "\n"  # keeps the reader going; the row is reported below
            else:
                yield line

    source = physical()
    first = next(source, None)
    if first is None:
        return
    try:  # only the delimiter is guessed (from the header); quoting is always Excel's ("" escapes)
        delimiter = csv.Sniffer().sniff(first[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    dialect = type("ExportDialect", (csv.excel,), {"delimiter": delimiter})
    header = next(csv.reader([first], dialect), [])
    reader = csv.reader(source, dialect)
    while True:
        start = current["n"] + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, ValueError(f"CSV hỏng ({exc})")
            reader = csv.reader(source, dialect)  # a fresh parser on the next line
            continue
        if bad and bad[-1] >= start:
            yield bad[-1], ValueError(f"dòng dài quá {MAX_LINE_CHARS} ký tự: bỏ qua")
            continue
        if not any(v.strip() for v in values):
            continue
        yield start, dict(zip(header, values, strict=False))


def read_rows(path: Path) -> tuple[Iterator[Row], str, list[str]]:
    """(rows, container, notes): rows streamed from a CSV, JSON array or JSONL file; a JSON object
    document (TikTok's user_data.json) is read whole, up to ``MAX_DOCUMENT_BYTES``."""
    opened = open_text(path)
    head = opened.text.read(4096)
    opened.text.seek(0)
    stripped = head.lstrip("\ufeff \t\r\n")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson") or (stripped.startswith("{") and "\n{" in stripped):
        return _jsonl(opened.text), "json", opened.notes
    if stripped.startswith("["):
        return _json_array(opened.text), "json", opened.notes
    if stripped.startswith("{") or suffix == ".json":
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise ExportFileError(
                f"{path.name}: tệp JSON một khối lớn hơn {MAX_DOCUMENT_BYTES // 1_000_000} MB; "
                "hãy xuất dạng JSONL (mỗi dòng một bài)"
            )
        try:
            data = loads(opened.text.read())
        except ValueError as exc:
            raise ExportFileError(f"{path.name}: JSON hỏng ({getattr(exc, 'msg', exc)})") from None
        if isinstance(data, list):
            return iter(enumerate(data, 1)), "json", opened.notes
        if not isinstance(data, dict):
            raise ExportFileError(
                f"{path.name}: JSON phải là một mảng hoặc một object (là {type(data).__name__})"
            )
        return iter([(1, data)]), "json-object", opened.notes
    return _csv(opened.text), "csv", opened.notes


def _json_array(fh: Any) -> Iterator[Row]:
    try:
        yield from iter_json_array(fh)
    except TextFileError as exc:
        raise ExportFileError(f"JSON hỏng: {exc}") from None


def detect_format(first: Any, container: str) -> str:
    if container == "json-object":
        if isinstance(first, dict) and ("Video" in first or "Activity" in first or "Comment" in first):
            return "tiktok-json"
        return "generic"
    if container == "json":
        if isinstance(first, dict) and "timestamp" in first and "data" in first:
            return "facebook-json"
        return "generic"
    header = {fold(str(h or "")) for h in (first.keys() if isinstance(first, dict) else [])}
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


class _Generic:
    """One row per post; columns found by name (the map is rebuilt when the keys change)."""

    def __init__(self, us_dates: bool = False) -> None:
        self.us_dates = us_dates
        self.keys: tuple[Any, ...] | None = None
        self.cmap: dict[str, str] = {}

    def __call__(self, row: Any) -> list[dict[str, Any]]:
        if not isinstance(row, dict):
            raise RowError(f"không phải một bản ghi (object) mà là {type(row).__name__}")
        keys = tuple(row)
        if keys != self.keys:  # JSON rows may each have their own keys
            self.keys, self.cmap = keys, _column_map(row)
        return [{f: row.get(col) for f, col in self.cmap.items()} | {"_us": self.us_dates}]


def facebook_json_rows(post: Any) -> list[dict[str, Any]]:
    if not isinstance(post, dict):
        raise RowError(f"không phải một bài đăng (object) mà là {type(post).__name__}")
    texts = [
        d["post"] for d in _list(post.get("data")) if isinstance(d, dict) and isinstance(d.get("post"), str)
    ]
    url = None
    for att in _list(post.get("attachments")):
        for d in _list(_dict(att).get("data")):
            url = url or _dict(_dict(d).get("external_context")).get("url")
    return [
        {
            "text": _repair_facebook("\n".join(texts)),
            "title": _repair_facebook(_text(post, "title")),
            "published": post.get("timestamp"),
            "url": url,
            "platform": "facebook",
        }
    ]


def youtube_csv_rows(row: Any) -> list[dict[str, Any]]:
    if not isinstance(row, dict):
        raise RowError("không phải một dòng bình luận")
    video, cid = row.get("Video ID") or row.get("Video Id"), row.get("Comment ID")
    text = row.get("Comment text") or row.get("Comment Text") or ""
    if text.startswith("{"):  # Takeout wraps text runs as JSON: {"text":"..."},{"text":"..."}
        with contextlib.suppress(ValueError):
            text = "".join(str(_dict(part).get("text", "")) for part in _list(loads(f"[{text}]")))
    url = f"https://www.youtube.com/watch?v={video}" + (f"&lc={cid}" if cid else "") if video else None
    return [
        {
            "text": text,
            "published": row.get("Comment create timestamp") or row.get("Comment Create Timestamp"),
            "url": url,
            "platform": "youtube",
            "kind": "comment",
            "author": row.get("Channel ID"),
        }
    ]


def tiktok_rows(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict):
        raise RowError("tệp TikTok phải là một object JSON (user_data.json)")
    out = []
    for v in _list(_dict(_dict(data.get("Video")).get("Videos")).get("VideoList")):
        v = _dict(v)
        out.append(
            {
                "url": v.get("Link"),
                "text": v.get("Description") or v.get("Title") or "",
                "published": v.get("Date"),
                "likes": v.get("Likes"),
                "platform": "tiktok",
            }
        )
    for c in _list(_dict(_dict(data.get("Comment")).get("Comments")).get("CommentsList")):
        c = _dict(c)
        out.append(
            {
                "url": c.get("Url") or None,
                "text": c.get("Comment") or "",
                "published": c.get("Date"),
                "platform": "tiktok",
                "kind": "comment",
            }
        )
    return out


def _count_field(rec: dict[str, Any], key: str, notes: list[str] | None) -> int | None:
    value = rec.get(key)
    count = parse_count(value)
    if count is None and value not in (None, "") and notes is not None:
        notes.append(f"số '{key}' không hợp lệ ({str(value)[:30]!r}): bỏ qua số này")
    return count


def to_item(rec: dict[str, Any], source_id: str, default_kind: str, notes: list[str] | None = None) -> Item:
    """One record -> Item; ``RowError`` (or ValueError/TypeError) when a field is unusable. A count
    that is not a count (``1e999``, text) only loses that number: it is noted in ``notes``."""
    text = clean(_text(rec, "text"))
    title = clean(_text(rec, "title")) or text.split("\n", 1)[0][:120]
    url = _text(rec, "url").strip()
    identity: str | None = None
    if url and not is_web_url(url):
        scheme = url.split(":", 1)[0].lower()
        if scheme in UNSAFE_SCHEMES or ":" not in url:
            if notes is not None:
                notes.append(f"đường dẫn không dùng được ({url[:60]!r}): bỏ đường dẫn, giữ bài")
        else:
            identity = url[:2000]  # zalo://group/…/msg/…: the message's identity, never a link
        url = ""
    kind_key = fold(_text(rec, "kind"))
    platform = fold(_text(rec, "platform")) or None
    return Item(
        source_id=source_id,
        canonical_url=identity,
        url=canonicalize(url) if url else "",
        title=title,
        text=text,
        kind=_KINDS.get(kind_key, default_kind),
        author=clean(_text(rec, "author")) or None,
        published=_when(rec.get("published"), bool(rec.get("_us"))),
        engagement=Engagement(
            likes=_count_field(rec, "likes", notes),
            comments=_count_field(rec, "comments", notes),
            shares=_count_field(rec, "shares", notes),
            views=_count_field(rec, "views", notes),
        ),
        meta={"platform": platform} if platform else {},
    )


def iter_records(
    path: Path, fmt: str | None
) -> tuple[str, Iterator[tuple[int, dict[str, Any] | str]], list[str]]:
    """(format, records, notes): each record is ``(line, record)`` or ``(line, reason)``."""
    rows, container, notes = read_rows(path)
    if fmt is not None and fmt not in FORMATS:
        raise ExportFileError(f"định dạng không hỗ trợ: {fmt} (hỗ trợ: {', '.join(FORMATS)})")
    first = next(rows, None)
    if first is not None and container == "json-object":
        doc = first[1]
        if (fmt or detect_format(doc, container)) != "tiktok-json":
            # {"items": [...]} (or data/posts): the posts are in the list; else the object is one post
            inner = doc.get("items") or doc.get("data") or doc.get("posts")
            rows = iter(enumerate(inner, 1)) if isinstance(inner, list) else iter([(1, doc)])
            first, container = next(rows, None), "json"
    if first is None:
        return fmt or "generic", iter(()), notes
    probe = first[1]
    fmt = fmt or detect_format(probe, container)
    if fmt == "tiktok-json" and container != "json-object":
        raise ExportFileError(f"{path.name}: tệp TikTok phải là một object JSON (user_data.json)")
    converters: dict[str, Callable[[Any], list[dict[str, Any]]]] = {
        "facebook-json": facebook_json_rows,
        "youtube-csv": youtube_csv_rows,
        "tiktok-json": tiktok_rows,
        "facebook-csv": _Generic(us_dates=True),
    }
    convert = converters.get(fmt) or _Generic()

    def records() -> Iterator[tuple[int, dict[str, Any] | str]]:
        for n, row in itertools.chain([first], rows):
            if isinstance(row, ValueError):
                yield n, f"dòng {n}: {row}"
                continue
            try:
                for rec in convert(row):
                    yield n, rec
            except (ValueError, TypeError, AttributeError, RecursionError) as exc:
                yield n, f"dòng {n}: {exc}"

    return fmt, records(), notes


def import_file(
    store: Store,
    profile: Profile,
    path: Path,
    fmt: str | None = None,
    source_id: str = "import",
    report: SourceReport | None = None,
) -> CrawlReport:
    """Import one export file; a national-scope profile source with this id is province-filtered.
    A bad row is reported with its line and skipped; rows read before a fatal problem (a JSON
    array cut off) stay imported."""
    out = CrawlReport()
    rep = report or out.source(source_id)
    out.sources[source_id] = rep
    src: Source | None = profile.source(source_id)
    default_kind = src.kind if src else "social"
    try:
        fmt, records, notes = iter_records(path, fmt)
    except (ExportFileError, TextFileError, UnicodeError, csv.Error, OSError) as exc:
        rep.fatal = str(exc)
        return out
    rep.warn(f"{path.name}: định dạng {fmt}")
    for note in notes:
        rep.warn(note)
    batch: list[Item] = []
    try:
        for n, rec in records:
            if isinstance(rec, str):
                rep.error(f"{path.name}#{n}", rec)
                continue
            rep.fetched += 1
            row_notes: list[str] = []
            try:
                item = to_item(rec, source_id, default_kind, row_notes)
            except (ValueError, TypeError, OverflowError) as exc:
                rep.error(f"{path.name}#{n}", f"dòng {n}: {exc}")
                continue
            for note in row_notes:
                rep.warn(f"{path.name} dòng {n}: {note}")
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
    except (ExportFileError, TextFileError, UnicodeError, OSError) as exc:
        rep.fatal = str(exc)  # what was read before stays imported (flushed below)
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
        if path.is_symlink() or not path.is_file():
            # the folder is the one place giamsat reads: a link out of it (or a FIFO) is not read
            rep.warn(f"{path.name}: không phải tệp thường trong thư mục nhập (liên kết/FIFO): bỏ qua")
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
