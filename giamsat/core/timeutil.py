"""Time display for Vietnamese users: dd/mm/yyyy, Asia/Ho_Chi_Minh. Storage is always UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def to_local(dt: datetime, tz: str | ZoneInfo = VN_TZ) -> datetime:
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(zone)


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return value.strftime("%d/%m/%Y")


def fmt_datetime(value: datetime | None) -> str:
    return to_local(value).strftime("%H:%M %d/%m/%Y") if value else ""


def local_day_bounds(day: date, tz: str | ZoneInfo = VN_TZ) -> tuple[datetime, datetime]:
    """UTC start (inclusive) and end (exclusive) of a local calendar day."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def parse_vn_date(text: str) -> date:
    """Accept dd/mm/yyyy (what users type) and yyyy-mm-dd (what scripts pass)."""
    text = text.strip()
    if "/" in text:
        d, m, y = text.split("/")
        return date(int(y), int(m), int(d))
    return date.fromisoformat(text)


def fmt_number(value: float, digits: int = 2) -> str:
    """Vietnamese decimal comma and dot thousands: 1.234,56."""
    s = f"{value:,.{digits}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
