"""Crawled text is data, never markup.

Titles, post texts, comments, claims and tips are written by strangers. Streamlit renders
``st.markdown`` (and captions, messages, expander labels) as Markdown: a post containing
``![x](http://tracker/)`` would make every officer's browser fetch that address, a ``[link]
(javascript:…)`` would be one click from running, ``<b>`` or ``:red[…]`` would restyle the page.
Every untrusted string that goes into Markdown passes through ``md``; links are made only by
``link`` (http/https only, text escaped); blocks of text go through ``html_text`` into
``st.html``. All three drop control characters and bidi overrides and cap the length, so a
300 KB post costs what a page of text costs.

``tests/dashboard/test_hostile.py`` renders a hostile item through every page as every role and
parses what Streamlit received with a CommonMark parser: no image, no link but ours, no HTML.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import quote, urlsplit

TITLE_MAX = 300
TEXT_MAX = 5000

# C0/C1 controls except tab and newline, DEL, bidi embeddings/overrides/isolates (they can
# reverse how a line reads), and the BOM.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones
# Markdown, GFM tables/strikethrough, Streamlit's directives (:red[...]) and math ($) use.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&=^\"'])")
# Streamlit turns ``:name:`` (and ``:material/name:``) into an emoji or an icon inside text; a word
# joiner after the opening colon keeps a stranger's text from choosing icons, invisibly. Other
# colons ("http://", "08:30") are left alone.
_COLON = re.compile(r":(?=[\w/+-]+:)")


def plain(text: object, limit: int | None = None) -> str:
    """Text without control characters, NFC, cut at ``limit`` characters on a word boundary."""
    s = _CONTROL.sub("", unicodedata.normalize("NFC", "" if text is None else str(text)))
    if limit is not None and len(s) > limit:
        cut = s[: limit - 1]
        space = cut.rfind(" ")
        s = (cut[:space] if space > limit * 0.6 else cut).rstrip() + "…"
    return s


def md(text: object, limit: int | None = TITLE_MAX, inline: bool = True) -> str:
    """``text`` escaped for ``st.markdown``: it shows as typed and can never become markup.

    ``inline`` folds line breaks and runs of spaces into one space (a title, a cell, a caption):
    a line starting with four spaces or ``#`` could otherwise still change the block."""
    s = plain(text, limit)
    if inline:
        s = " ".join(s.split())
    s = _MD_SPECIAL.sub(r"\\\1", s)
    s = _COLON.sub(":\u2060", s)
    if not inline:
        s = "  \n".join(" ".join(line.split()) for line in s.splitlines())
    return s


def safe_url(url: object) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host, percent-encoded so it cannot break
    out of a Markdown link; else ``None`` (javascript:, data:, file:, relative, malformed)."""
    s = plain(url).strip()
    try:
        parts = urlsplit(s)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    # keep the URL's own reserved characters, encode the ones Markdown cares about
    return quote(s, safe=":/?#@!$&'*+,;=%~-._")


def link(text: object, url: object, limit: int | None = TITLE_MAX) -> str:
    """A Markdown link to an http(s) page with escaped text; escaped text only otherwise."""
    label = md(text, limit) or md(url, 80) or "(không tiêu đề)"
    target = safe_url(url)
    return f"[{label}]({target})" if target else label


def internal_link(text: object, query: str) -> str:
    """A link inside the dashboard (``?page=phieu&ticket=PX-1``): never leaves this server."""
    return f"[{md(text)}](?{quote(query, safe='=&-_.')})"


def html_text(text: object, limit: int | None = TEXT_MAX) -> str:
    """``text`` escaped for ``st.html``, line breaks kept."""
    return html.escape(plain(text, limit)).replace("\n", "<br>")
