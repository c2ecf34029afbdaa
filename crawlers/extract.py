"""Article extraction: title, main text, author, dates and canonical URL from any news page.

trafilatura finds the main text and metadata; this module adds what Vietnamese news pages need
and is still site-independent:

* the *sapo* (lead paragraph) is usually a separate ``<h2>``/``<div>`` that trafilatura leaves
  out; we find it as the visible element whose text starts like the page's meta description and
  put it first;
* menus and "related articles" lists that trafilatura lets through *before* the body are cut
  (short lines and bullet lines preceding the first real paragraph);
* the publication time comes from structured metadata (``article:published_time``, JSON-LD,
  ``itemprop=datePublished``) when present because trafilatura keeps only the day; htmldate is the
  fallback. Times without a zone are Vietnamese local time.

Per-source CSS selectors (``options.selectors`` with ``title``/``text``/``date``/``author``) override
any field, for the rare site where the generic path fails.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html
from parsel import Selector

from giamsat.core.text import clean, fold
from giamsat.crawlers.urls import canonicalize

log = logging.getLogger(__name__)
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date.issued",
    "dc.date",
    "date",
)
_SENTENCE_END = re.compile(r"[.!?…\"”)]\s*$")
_MIN_TEXT_CHARS = 80


@dataclass
class Article:
    title: str = ""
    text: str = ""
    author: str | None = None
    published: datetime | None = None
    modified: datetime | None = None
    canonical_url: str | None = None
    description: str | None = None
    language: str | None = None  # from <html lang>, a hint only
    problems: list[str] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return len(self.text) >= _MIN_TEXT_CHARS


def parse_datetime(value: str | None, tz: ZoneInfo = VN_TZ) -> datetime | None:
    """Tolerant ISO-ish parser: ``2026-03-07T08:52:11.000 +07:00``, ``2026-03-07 08:06``, ``07/03/2026 08:06``."""
    if not value:
        return None
    s = value.strip()
    m = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ ,-]+(\d{1,2}):(\d{2}))?", s)
    if m:  # Vietnamese dd/mm/yyyy
        d, mo, y, hh, mm = m.groups()
        try:
            return datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), tzinfo=tz)
        except ValueError:
            return None
    s = re.sub(r"\s+([+-]\d{2}:?\d{2})$", r"\1", s).replace("Z", "+00:00")
    s = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", s)
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        try:
            from email.utils import parsedate_to_datetime

            dt = parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError):
            return None
    return dt if dt.tzinfo else dt.replace(tzinfo=tz)


def _meta_dates(doc: lxml.html.HtmlElement) -> tuple[datetime | None, datetime | None]:
    published = modified = None
    for meta in doc.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = meta.get("content")
        if not content:
            continue
        if published is None and key in _DATE_META:
            published = parse_datetime(content)
        elif modified is None and key in ("article:modified_time", "datemodified", "og:updated_time"):
            modified = parse_datetime(content)
    if published is None:
        for node in doc.xpath('//script[@type="application/ld+json"]/text()'):
            published, mod2 = _jsonld_dates(node)
            modified = modified or mod2
            if published:
                break
    if published is None:
        for t in doc.xpath(
            '//time[@itemprop="datePublished"]/@datetime | //*[@itemprop="datePublished"]/@content'
        ):
            published = parse_datetime(t)
            if published:
                break
    return published, modified


def _jsonld_dates(raw: str) -> tuple[datetime | None, datetime | None]:
    try:
        data: Any = json.loads(raw)
    except (json.JSONDecodeError, ValueError):
        found = re.search(r'"datePublished"\s*:\s*"([^"]+)"', raw)
        return (parse_datetime(found.group(1)) if found else None), None
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if "datePublished" in node:
                return parse_datetime(str(node["datePublished"])), parse_datetime(
                    str(node.get("dateModified") or "")
                )
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
    return None, None


def _meta(doc: lxml.html.HtmlElement, *names: str) -> str | None:
    for meta in doc.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        if key in names and meta.get("content"):
            return clean(meta.get("content"))
    return None


def _find_lead(doc: lxml.html.HtmlElement, description: str | None) -> str | None:
    """The visible element whose text starts (after a dateline) like the meta description: the sapo."""
    if not description or len(description) < 30:
        return None
    probe = fold(description[:40])
    body = doc.find("body")
    if body is None:
        return None
    best = None
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "meta", "a", "title"):
            continue
        text = clean(el.text_content())
        if len(text) < 30 or len(text) > 3 * len(description) + 200:
            continue
        # a dateline prefix such as "(Chinhphu.vn) - " may precede the description's words
        if 0 <= fold(text).find(probe) <= 40 and (best is None or len(text) <= len(best)):
            best = text  # the innermost element holding the lead
    return best


def _is_junk_line(line: str) -> bool:
    words = line.split()
    if line.startswith(("- ", "• ", "* ", "» ")):
        return True
    return len(words) < 8 and not _SENTENCE_END.search(line)


def tidy_text(text: str, title: str, lead: str | None) -> str:
    """Put the lead first and cut navigation that precedes the body (see module docstring)."""
    lines = [clean(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    ftitle = fold(title)
    while lines and fold(lines[0]) == ftitle:
        lines.pop(0)
    if lead:
        flead = fold(lead)[:60]
        for i, line in enumerate(lines):
            if fold(line).startswith(flead):
                lines = lines[i + 1 :]  # the lead was inside: drop it and whatever preceded it
                break
        else:
            while lines and _is_junk_line(lines[0]):
                lines.pop(0)
        lines.insert(0, lead)
    else:
        while len(lines) > 1 and _is_junk_line(lines[0]):
            lines.pop(0)
    return "\n".join(lines)


def _override(doc_html: str, selectors: dict[str, str]) -> dict[str, str]:
    sel = Selector(text=doc_html)
    out: dict[str, str] = {}
    for key in ("title", "text", "date", "author"):
        css = selectors.get(key)
        if not css:
            continue
        parts = sel.css(css)
        if key == "text":
            paragraphs = [clean(" ".join(p.css("::text").getall())) for p in parts]
            out[key] = "\n".join(p for p in paragraphs if p)
        else:
            value = parts.attrib.get("datetime") or parts.attrib.get("content") if parts else None
            out[key] = clean(value or " ".join(parts.css("::text").getall()))
    return {k: v for k, v in out.items() if v}


def extract_article(html: str, url: str, selectors: dict[str, str] | None = None) -> Article:
    """Extract one article page. Never raises on bad HTML: problems are listed on the result."""
    import trafilatura  # slow import; keep module import cheap for the CLI

    art = Article()
    try:
        doc = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError) as exc:
        art.problems.append(f"HTML không đọc được: {exc}")
        return art

    canon = doc.xpath('//link[translate(@rel,"CANONICAL","canonical")="canonical"]/@href')
    og_url = _meta(doc, "og:url")
    art.canonical_url = canonicalize(canon[0] if canon else (og_url or url), base=url)
    art.description = _meta(doc, "og:description", "description")
    art.language = (doc.get("lang") or "").split("-")[0].lower() or None
    art.published, art.modified = _meta_dates(doc)

    data = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True, favor_precision=True
    )
    meta: dict[str, Any] = {} if data is None else data if isinstance(data, dict) else data.as_dict()
    art.title = clean(meta.get("title") or _meta(doc, "og:title") or "".join(doc.xpath("//h1[1]//text()")))
    art.author = clean(meta.get("author") or "") or _meta(doc, "author", "article:author")
    if art.published is None and meta.get("date"):
        art.published = parse_datetime(meta["date"])
    if art.published is None:
        art.published = _htmldate(html, url)

    lead = _find_lead(doc, art.description)
    art.text = tidy_text(meta.get("text") or "", art.title, lead)

    if selectors:
        over = _override(html, selectors)
        art.title = over.get("title", art.title)
        art.text = over.get("text", art.text)
        art.author = over.get("author", art.author)
        if "date" in over:
            art.published = parse_datetime(over["date"]) or art.published
    if not art.has_text:
        art.problems.append("trang không có nội dung văn bản")
    return art


def _htmldate(html: str, url: str) -> datetime | None:
    try:
        from htmldate import find_date

        found = find_date(html, url=url, outputformat="%Y-%m-%dT%H:%M:%S", original_date=True)
    except Exception as exc:  # htmldate raises a variety of parser errors on odd pages
        log.debug("htmldate failed on %s: %s", url, exc)
        return None
    return parse_datetime(found) if found else None
