"""Untrusted text on the terminal: stored titles, posts, comments and error messages are data.

Rich reads ``[...]`` in a printed string as markup: a crawled title ``Cát lậu [/x]`` crashed every
command that printed it (``MarkupError``), and ``[link=...]``/``[red]`` in a post would restyle
the officer's terminal. Terminal control characters (ESC sequences, bidi overrides) in a post
could rewrite what the officer sees. So every value that comes from the store, a file or the
user goes through ``esc`` (inside a markup string) or ``plain`` (a table cell, a whole line).

Dates typed by staff are parsed here too, into one clear ``typer.BadParameter`` (no traceback).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import typer
from rich.markup import escape
from rich.text import Text

# C0 controls but tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
YEARS = (1970, 2100)  # what a date typed for this system can mean; outside is a typo


def clean_text(value: Any) -> str:
    """``str(value)`` without terminal control characters."""
    return _CONTROL.sub("", "" if value is None else str(value))


def esc(value: Any) -> str:
    """For interpolation inside a markup string: controls removed, ``[`` escaped."""
    return escape(clean_text(value))


def plain(value: Any, limit: int | None = None) -> Text:
    """A table cell or a line printed as it is (never read as markup)."""
    text = clean_text(value)
    return Text(text[:limit] if limit else text)


def json_text(data: Any) -> str:
    """JSON for the terminal or a pipe: readable Vietnamese, but every control or bidi character
    written as a \\u escape (json already escapes C0 controls; C1 and bidi it leaves raw)."""
    import json

    out = json.dumps(data, ensure_ascii=False, default=str)
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def parse_day(text: str, option: str) -> date:
    """A day typed as dd/mm/yyyy or yyyy-mm-dd; anything else is a ``BadParameter`` naming the option."""
    from giamsat.core.timeutil import parse_vn_date

    try:
        day = parse_vn_date(text)
    except (ValueError, OverflowError, TypeError):
        day = None
    if day is None or not YEARS[0] <= day.year <= YEARS[1]:
        raise typer.BadParameter(
            f"ngày không hợp lệ '{clean_text(text)[:40]}': dùng dd/mm/yyyy hoặc yyyy-mm-dd "
            f"(năm {YEARS[0]}-{YEARS[1]})",
            param_hint=option,
        )
    return day
