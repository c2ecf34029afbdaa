"""How the CLI shows records to a person: one line per row at any terminal width, names and
Vietnamese labels instead of codes, times in Vietnamese local time, stored text never read as
Rich markup (a title like ``Cát lậu [/x]`` is text)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from giamsat.cli.output import clean_text  # terminal control and bidi characters removed
from giamsat.core.codes import EVENT_ACTION_LABELS
from giamsat.core.model import Event, parse_dt
from giamsat.core.profile import Profile
from giamsat.core.timeutil import fmt_datetime, to_local
from giamsat.triage.workflow import STATUS_LABELS


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    flex: str,
    title: str | None = None,
    keep: Sequence[str] = ("Mã", "Thời gian", "Cập nhật", "Hạn trả lời", "Tên đăng nhập", "Ngày"),
) -> Table:
    """Every row on one line: the ``flex`` column takes the room left and is cut with "…"; the
    ``keep`` columns (ids and times: what staff type or read back) are never cut; a column empty
    in every row is left out."""
    cells = [[v if isinstance(v, Text) else Text(clean_text(v)) for v in row] for row in rows]
    shown = [i for i, c in enumerate(columns) if c == flex or not cells or any(r[i].plain for r in cells)]
    t = Table(title=title, expand=True, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for i in shown:
        c = columns[i]
        if c == flex:
            t.add_column(c, ratio=1, no_wrap=True, overflow="ellipsis", min_width=16)
        elif c in keep:
            width = max([len(c), *(r[i].cell_len for r in cells)])
            t.add_column(c, no_wrap=True, min_width=width)
        else:
            t.add_column(c, no_wrap=True, overflow="ellipsis")
    for r in cells:
        t.add_row(*(r[i] for i in shown))
    return t


def short_time(value: datetime | None) -> str:
    """``09:39 05/12`` in Vietnamese local time (the year is this year's in a working list)."""
    return f"{to_local(value):%H:%M %d/%m}" if value else ""


def person(profile: Profile, username: str | None) -> str:
    if not username:
        return ""
    if username == "he-thong":
        return "Hệ thống"
    u = profile.user(username)
    return u.name if u and u.name else username


def _value(profile: Profile, key: str, value: Any) -> str:
    if key == "status":
        return STATUS_LABELS.get(str(value), str(value))
    if key in ("lead_unit", "lead", "unit") and isinstance(value, str):
        return profile.unit_name(value)
    if key in ("co_units",) and isinstance(value, list):
        return ", ".join(profile.unit_name(str(c)) for c in value) or "—"
    if isinstance(value, datetime):
        return fmt_datetime(value)
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        try:
            parsed = parse_dt(value)
        except ValueError:
            parsed = None
        if parsed:
            return fmt_datetime(parsed)
    if value is None or value == "" or value == []:
        return "—"
    return str(value)


INTERNAL_KEYS = {"routing", "rule", "version", "fired", "id"}  # recorded for audit, shown elsewhere
KEY_LABELS = {
    "status": "trạng thái",
    "lead_unit": "chủ trì",
    "lead": "chủ trì",
    "co_units": "phối hợp",
    "severity": "mức độ",
    "due": "hạn trả lời",
    "due_ack": "hạn tiếp nhận",
    "claimed_by": "người nhận",
    "claim_expires": "giữ đến",
    "text": "nội dung",
    "link": "liên kết",
    "kind": "loại",
    "answer_text": "trả lời",
    "answer_url": "văn bản trả lời",
    "item_ids": "số tin",
}


def event_line(profile: Profile, e: Event) -> Text:
    """``09:59 05/12/2026 — Nguyễn Thị Lan: Chuyển trạng thái: Mới → Đã giao (ghi chú)``."""
    changes = []
    for key in sorted(set(e.before) | set(e.after)):
        before, after = e.before.get(key), e.after.get(key)
        if before == after or key in INTERNAL_KEYS:
            continue
        name = KEY_LABELS.get(key, key)
        if key in e.before:
            changes.append(f"{name}: {_value(profile, key, before)} → {_value(profile, key, after)}")
        else:
            changes.append(f"{name}: {_value(profile, key, after)}")
    action = EVENT_ACTION_LABELS.get(e.action, e.action)
    line = f"{fmt_datetime(e.at)} — {person(profile, e.actor)}: {action}"
    if changes:
        line += "; " + "; ".join(changes)
    if e.note:
        line += f" ({e.note})"
    return Text(clean_text(line))
