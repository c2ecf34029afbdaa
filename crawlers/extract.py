"""Article extraction: title, main text, author, dates and canonical URL from any news page.

The page is parsed once (trafilatura's parser); trafilatura finds the main text on its own copy of
the tree and everything else reads the same tree. This module adds what Vietnamese news pages need
and is still site-independent:

* the *sapo* (lead paragraph) is usually a separate ``<h2>``/``<div>`` that trafilatura leaves
  out; we find it as the visible element whose text starts like the page's meta description and
  put it first;
* intertitles (``h2``-``h4``) trafilatura lost are put back in front of the paragraph they head;
* menus and "related articles" lists that trafilatura lets through *before* the body are cut
  (short lines and bullet lines preceding the first real paragraph), and so are short unfinished
  lines *after* it (the source's name, "Bình luận (0)", an app banner);
* the publication time comes from structured metadata (``article:published_time``, JSON-LD,
  ``itemprop=datePublished``) when present because trafilatura keeps only the day; htmldate is the
  fallback. Times without a zone are Vietnamese local time;
* the author is the byline (JSON-LD, ``itemprop``/class ``author``) rather than the publisher's
  name many sites put in ``<meta name="author">``.

What counts as the body, and the figures for each trafilatura mode with and without this
post-processing, are in ``tests/crawlers/extraction_gold/README.md`` and docs/benchmarks.md.

Per-source CSS selectors (``options.selectors`` with ``title``/``text``/``date``/``author``) override
any field, for the rare site where the generic path fails.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import lxml.etree
from lxml.html import HtmlElement
from parsel import Selector

from giamsat.core.text import clean, fold
from giamsat.crawlers.urls import canonicalize, is_web_url, same_domain

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
_BULLETS = ("- ", "• ", "* ", "» ")
# inline elements: a text node's block is its nearest ancestor that is none of these
_INLINE = frozenset(
    [
        "a",
        "b",
        "strong",
        "i",
        "em",
        "span",
        "font",
        "small",
        "u",
        "sup",
        "sub",
        "mark",
        "time",
        "abbr",
        "cite",
        "q",
    ]
)
# trafilatura's mode, chosen on the gold pages by benchmarks/extraction.py (docs/benchmarks.md)
FOCUS = "balanced"


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


def _meta_dates(doc: HtmlElement) -> tuple[datetime | None, datetime | None]:
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


def _meta(doc: HtmlElement, *names: str) -> str | None:
    for meta in doc.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").lower()
        if key in names and meta.get("content"):
            return clean(meta.get("content"))
    return None


def _title(doc: HtmlElement) -> str:
    """og:title, else the page's only <h1>, else <title> (the site's name after the last separator cut)."""
    found = _meta(doc, "og:title", "twitter:title")
    if found:
        return found
    h1 = doc.xpath("//body//h1")
    if len(h1) == 1 and clean(h1[0].text_content()):
        return clean(h1[0].text_content())
    title = clean(doc.findtext(".//title") or "")
    head, sep, _site = title.rpartition(" - ") if " - " in title else title.rpartition(" | ")
    return head if sep and len(head.split()) >= 3 else title


def _plausible_name(value: str) -> str | None:
    """A person's name as bylines give it: 2-6 words, no digits, no URL or domain (``baochinhphu.vn``)."""
    value = clean(value)
    value = re.sub(r"^(?:theo|bài|ảnh)\s*:?\s+", "", value, flags=re.I)
    words = value.split()
    if not 2 <= len(words) <= 6 or len(value) > 60 or any(ch.isdigit() for ch in value):
        return None
    if "://" in value or re.search(r"\.(?:vn|com|net|org)\b", value, re.I) or "@" in value:
        return None
    return value


def _author(doc: HtmlElement) -> str | None:
    """JSON-LD ``author.name``, else a byline element (``itemprop``/``rel``/class ``author``), else
    ``article:author``/``author`` meta. Publishers often put their own name in the meta: skipped."""
    for raw in doc.xpath('//script[@type="application/ld+json"]/text()'):
        for found in re.finditer(r'"author"\s*:\s*[\[{][^\]}]*?"name"\s*:\s*"([^"]*)"', raw):
            name = _plausible_name(found.group(1))
            if name:
                return name
    for el in doc.xpath(
        '//body//*[@itemprop="author" or @rel="author" or contains(@class, "author")][not(self::script)]'
    ):
        name = _plausible_name(el.text_content())
        if name:
            return name
    for key in ("article:author", "author", "dc.creator"):
        name = _plausible_name(_meta(doc, key) or "")
        if name:
            return name
    return None


def _find_lead(doc: HtmlElement, description: str | None) -> str | None:
    """The visible element whose text starts (after a dateline) like the meta description: the sapo.

    Text nodes holding the description's first words are found by XPath (in C), then each one's
    nearest block ancestor is checked; walking and folding every element of a 200 KB page cost more
    than trafilatura's whole extraction."""
    if not description or len(description) < 30:
        return None
    words = description.split()
    probe = " ".join(words[:2]) if len(words) >= 2 else description[:20]
    folded = fold(description[:40])
    best = None
    for node in doc.xpath("//body//text()[contains(., $p)]", p=probe):
        el = node.getparent()
        while el is not None and isinstance(el.tag, str) and el.tag in _INLINE:
            el = el.getparent()
        if el is None or not isinstance(el.tag, str) or el.tag in ("script", "style", "title", "a", "body"):
            continue
        text = clean(el.text_content())
        if len(text) < 30 or len(text) > 3 * len(description) + 200:
            continue
        # a dateline prefix such as "(Chinhphu.vn) - " may precede the description's words
        if 0 <= fold(text[:120]).find(folded) <= 40 and (best is None or len(text) <= len(best)):
            best = text  # the innermost element holding the lead
    return best


def _headings(doc: HtmlElement) -> list[tuple[str, str]]:
    """(heading, folded start of the block after it) for every h2-h4 of the body.

    trafilatura drops intertitles when its main pass fails and it falls back to collecting loose
    paragraphs (6 of 9 intertitles of the baochinhphu page); a heading whose next block was
    extracted is put back in front of it (``tidy_text``)."""
    out = []
    for h in doc.xpath("//body//*[self::h2 or self::h3 or self::h4]"):
        text = clean(h.text_content())
        if not text or len(text) > 250:
            continue
        nxt = h.getnext()
        while nxt is not None and not (isinstance(nxt.tag, str) and _start(nxt)):
            nxt = nxt.getnext()
        if nxt is None:
            continue
        out.append((text, fold(_start(nxt)[:40])))
    return out


def _start(el: HtmlElement, chars: int = 80) -> str:
    """The first ``chars`` characters of an element's text, without reading all of it: the block
    after a heading is often a container holding the rest of the page."""
    parts, n = [], 0
    for piece in el.itertext():
        parts.append(piece)
        n += len(piece)
        if n >= chars:
            break
    return clean("".join(parts))


def _is_junk_line(line: str) -> bool:
    words = line.split()
    if line.startswith(_BULLETS):
        return True
    return len(words) < 8 and not _SENTENCE_END.search(line)


def _is_fragment(line: str) -> bool:
    """Short and unfinished: a source name, a share/comment button, an app banner."""
    return len(line.split()) < 8 and not _SENTENCE_END.search(line)


def tidy_text(
    text: str,
    title: str,
    lead: str | None,
    headings: Sequence[tuple[str, str]] = (),
) -> str:
    """Restore intertitles, put the lead first, cut navigation around the body (module docstring)."""
    lines = [clean(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    ftitle = fold(title)
    while lines and len(lines[0]) <= len(title) + 5 and fold(lines[0]) == ftitle:
        lines.pop(0)
    if headings:
        lines = _restore_headings(lines, headings, title, lead)
    if lead:
        flead = fold(lead[:60])
        for i, line in enumerate(lines):
            if fold(line[:60]) == flead:
                lines = lines[i + 1 :]  # the lead was inside: drop it and whatever preceded it
                break
        else:
            while lines and _is_junk_line(lines[0]):
                lines.pop(0)
        lines.insert(0, lead)
    else:
        while len(lines) > 1 and _is_junk_line(lines[0]):
            lines.pop(0)
    while len(lines) > 1 and _is_fragment(lines[-1]):
        lines.pop()
    return "\n".join(lines)


def _doc_text(doc: Any) -> str:
    """The body of what ``bare_extraction`` returns: a Document, or a dict with ``as_dict=True``."""
    if doc is None:
        return ""
    text = doc.get("text") if isinstance(doc, dict) else doc.text
    return text or ""


def _restore_headings(
    lines: list[str], headings: Sequence[tuple[str, str]], title: str, lead: str | None
) -> list[str]:
    starts: dict[str, int] = {}
    for i, line in enumerate(lines):
        starts.setdefault(fold(line[:40]), i)
    present = {fold(line) for line in lines if len(line) <= 250}
    skip = {fold(title), fold(lead or "")}
    inserts: dict[int, str] = {}
    for heading, after in headings:
        key = fold(heading)
        if key in present or key in skip:
            continue
        at = starts.get(after)
        if at is not None and at not in inserts:
            inserts[at] = heading
    if not inserts:
        return lines
    out = []
    for i, line in enumerate(lines):
        if i in inserts:
            out.append(inserts[i])
        out.append(line)
    return out


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


def _main_text(tree: HtmlElement, url: str, focus: str) -> str:
    """trafilatura's main text. ``fast`` skips its comparison with readability and jusText: same
    paragraphs on every gold page, a third of the time; a result too short for an article gets the
    full cascade (benchmarks/extraction.py measures both)."""
    import trafilatura  # slow import; keep module import cheap for the CLI

    options: dict[str, Any] = {"include_comments": False, "include_tables": True}
    if focus == "precision":
        options["favor_precision"] = True
    elif focus == "recall":
        options["favor_recall"] = True
    doc = trafilatura.bare_extraction(tree, url=url, fast=True, **options)
    text = _doc_text(doc)
    if len(text) < 3 * _MIN_TEXT_CHARS:
        doc = trafilatura.bare_extraction(tree, url=url, **options)
        text = max(text, _doc_text(doc), key=len)
    return text


def extract_article(
    html: str, url: str, selectors: dict[str, str] | None = None, *, focus: str = FOCUS
) -> Article:
    """Extract one article page. Never raises on bad HTML: problems are listed on the result.

    The page is parsed once; trafilatura gets the parsed tree (it works on its own copy) and
    everything else reads the same tree. ``focus`` is trafilatura's mode (``balanced``,
    ``precision``, ``recall``); the default is the one the gold pages chose (``FOCUS``)."""
    from trafilatura.utils import load_html

    art = Article()
    try:
        doc = load_html(html)
    except (ValueError, TypeError, lxml.etree.ParserError) as exc:
        doc = None
        art.problems.append(f"HTML không đọc được: {exc}")
    if doc is None or doc.find("body") is None:
        if not art.problems:
            art.problems.append("HTML không đọc được")
        return art

    canon = doc.xpath('//link[translate(@rel,"CANONICAL","canonical")="canonical"]/@href')
    og_url = _meta(doc, "og:url")
    declared = canonicalize(canon[0] if canon else (og_url or url), base=url)
    # a page may only name itself or another page of its own site: a canonical link to another
    # site (or to javascript:/file:) would let a hostile page overwrite someone else's article
    art.canonical_url = declared if is_web_url(declared) and same_domain(declared, url) else canonicalize(url)
    art.description = _meta(doc, "og:description", "description")
    art.language = (doc.get("lang") or "").split("-")[0].lower() or None
    art.published, art.modified = _meta_dates(doc)
    art.title = _title(doc)
    art.author = _author(doc)
    if art.published is None:
        art.published = _htmldate(doc, url)
    lead = _find_lead(doc, art.description)
    headings = _headings(doc)

    art.text = tidy_text(_main_text(doc, url, focus), art.title, lead, headings)

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


def _htmldate(doc: HtmlElement, url: str) -> datetime | None:
    """htmldate's guess, only for pages without a structured date (it costs as much as a parse)."""
    from copy import deepcopy

    try:
        from htmldate import find_date

        # htmldate cleans the tree it is given: it works on a copy so trafilatura still sees the page
        found = find_date(deepcopy(doc), url=url, outputformat="%Y-%m-%dT%H:%M:%S", original_date=True)
    except Exception as exc:  # htmldate raises a variety of parser errors on odd pages
        log.debug("htmldate failed on %s: %s", url, exc)
        return None
    return parse_datetime(found) if found else None
