"""Vietnamese labels and small pure display helpers shared by the pages (no Streamlit calls here,
so they are unit-tested directly)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from giamsat.core.codes import (  # noqa: F401 - re-exported for the pages
    ALERT_KIND_LABELS,
    ALERT_STATUS_LABELS,
    CATEGORY_LABELS,
    KIND_LABELS,
    ROLE_LABELS,
    SENTIMENT_LABELS,
    SEVERITY_ICONS,
    SEVERITY_LABELS,
    SOURCE_STATUS_LABELS,
)
from giamsat.core.errors import (
    GiamsatError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleEdit,
)
from giamsat.core.text import fold, snippet  # noqa: F401 - snippet re-exported for the pages
from giamsat.core.timeutil import fmt_datetime
from giamsat.dashboard.safe import html_text
from giamsat.triage.workflow import STATUS_LABELS

# Ticket states: the triage workflow owns them (and their labels).
TICKET_STATUS_LABELS = STATUS_LABELS


def label(mapping: dict[str, str], code: str | None) -> str:
    if code is None or code == "":
        return "—"
    return mapping.get(code, code)


def error_message(exc: Exception) -> str:
    """One Vietnamese sentence for a named error (the service's own message when it has one)."""
    detail = str(exc).strip()
    if isinstance(exc, PermissionDenied):
        return f"Không có quyền: {detail}" if detail else "Bạn không có quyền thực hiện thao tác này."
    if isinstance(exc, NotFound):
        return f"Không tìm thấy: {detail}" if detail else "Không tìm thấy bản ghi."
    if isinstance(exc, InvalidTransition):
        return f"Thao tác không hợp lệ ở trạng thái hiện tại: {detail}"
    if isinstance(exc, StaleEdit):
        return detail  # already Vietnamese: someone else changed it first, reload
    if isinstance(exc, GiamsatError):
        return f"Lỗi: {detail}"
    return f"Lỗi không mong đợi: {type(exc).__name__}: {detail}"


# -- deadlines ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Countdown:
    text: str
    colour: str  # red | orange | green | gray

    def markdown(self) -> str:
        return f":{self.colour}[{self.text}]"

    @property
    def icon(self) -> str:
        return {"red": "🔴", "orange": "🟠", "green": "🟢"}.get(self.colour, "⚪")


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} ngày {hours} giờ"
    if hours:
        return f"{hours} giờ {mins} phút"
    return f"{mins} phút"


def countdown(due: datetime | None, now: datetime, done: bool = False, warn_hours: float = 4) -> Countdown:
    """Time left until a deadline: red when overdue, orange within ``warn_hours``, else green."""
    if due is None:
        return Countdown("không có hạn", "gray")
    if done:
        return Countdown(f"hạn {fmt_datetime(due)}", "gray")
    left = (due - now).total_seconds()
    if left < 0:
        return Countdown(f"quá hạn {_span(left)}", "red")
    if left <= warn_hours * 3600:
        return Countdown(f"còn {_span(left)}", "orange")
    return Countdown(f"còn {_span(left)}", "green")


# -- highlighting -------------------------------------------------------------------------
@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # mention | risk
    title: str = ""


_QUOTED = re.compile(r"[\"“«']([^\"”»']{2,80})[\"”»']")


def risky_phrases(reasons: list[str], lexicon: list[str]) -> list[str]:
    """Phrases to highlight: quoted phrases in the reasons, plus the profile's category lexicon."""
    phrases = [m.group(1).strip() for r in reasons for m in _QUOTED.finditer(r)]
    phrases += [p for p in lexicon if p]
    seen: dict[str, str] = {}
    for p in phrases:
        seen.setdefault(fold(p), p)
    return list(seen.values())


def phrase_spans(text: str, phrases: list[str]) -> list[Span]:
    """Occurrences of ``phrases`` in ``text`` regardless of diacritics and tone style.

    ``fold`` keeps one output character per input character, so offsets in the folded text are
    offsets in the original."""
    folded = fold(text)
    spans = []
    for phrase in phrases:
        key = fold(phrase).strip()
        if not key:
            continue
        for m in re.finditer(r"(?<!\w)" + re.escape(key) + r"(?!\w)", folded):
            spans.append(Span(m.start(), m.end(), "risk", phrase))
    return spans


def mention_spans(text: str, mentions: list) -> list[Span]:
    """Spans of place mentions; offsets are trusted only when they point at the mention text."""
    spans = []
    for m in mentions:
        name = getattr(m, "name", None) or ""
        title = f"{m.text} → {name}" if name and name != m.text else m.text
        if 0 <= m.start < m.end <= len(text) and fold(text[m.start : m.end]) == fold(m.text):
            spans.append(Span(m.start, m.end, "mention", title))
            continue
        found = fold(text).find(fold(m.text))  # offsets were for another field: find the text
        if found >= 0 and m.text:
            spans.append(Span(found, found + len(m.text), "mention", title))
    return spans


def highlight_html(text: str, spans: list[Span]) -> str:
    """HTML-escaped text with ``<mark>`` around spans (overlaps: the earlier, longer one wins)."""
    chosen: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if chosen and s.start < chosen[-1].end:
            continue
        chosen.append(s)
    out, pos = [], 0
    for s in chosen:
        out.append(html_text(text[pos : s.start], None))
        style = "background:#ffe08a" if s.kind == "mention" else "background:#ffb3b3"
        out.append(
            f'<mark class="{s.kind}" style="{style}" title="{html_text(s.title, 200)}">'
            f"{html_text(text[s.start : s.end], None)}</mark>"
        )
        pos = s.end
    out.append(html_text(text[pos:], None))
    return "".join(out)
