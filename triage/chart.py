"""The daily report's chart as a PNG, drawn with Pillow (already installed with Streamlit): no
plotting stack, no browser, nothing fetched. Same rules as the dashboard's charts: every day on the
axis (0 where nothing came), whole-number ticks, the day's total written over each bar, colours
by meaning (red negative, grey neutral, green positive). Labels are digits and dd/mm only, so any
font draws them; the Vietnamese legend is the caption under the picture in the document."""

from __future__ import annotations

import io
import math
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

COLOURS = {"tieu-cuc": (198, 40, 40), "trung-tinh": (158, 158, 158), "tich-cuc": (46, 125, 50)}
STACK = ("tieu-cuc", "trung-tinh", "tich-cuc")  # bottom to top
FONTS = (
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _step(top: int) -> int:
    """A whole-number tick step giving at most about five ticks."""
    if top <= 5:
        return 1
    raw = top / 5
    mag = 10 ** math.floor(math.log10(raw))
    return int(next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw))


def daily_volume_png(daily: dict[str, list[tuple[date, int]]], width: int = 1500, height: int = 520) -> bytes:
    days = [d for d, _ in daily.get("tieu-cuc", [])]
    counts = {code: dict(series) for code, series in daily.items()}
    totals = [sum(counts.get(c, {}).get(d, 0) for c in STACK) for d in days]
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    small, label = _font(22), _font(24)
    left, right, top, bottom = 90, 20, 40, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(totals or [0])
    step = _step(peak)
    ymax = max(step, math.ceil(peak * 1.12 / step) * step)
    for v in range(0, ymax + 1, step):  # whole-number grid and ticks
        y = top + plot_h - plot_h * v / ymax
        draw.line([(left, y), (width - right, y)], fill=(225, 225, 225), width=1)
        draw.text((left - 12, y), str(v), fill="black", font=small, anchor="rm")
    draw.line([(left, top), (left, top + plot_h)], fill="black", width=2)
    draw.line([(left, top + plot_h), (width - right, top + plot_h)], fill="black", width=2)
    if not days:
        return _png(img)
    slot = plot_w / len(days)
    bar = max(4.0, slot * 0.7)
    for i, d in enumerate(days):
        x0 = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        for code in STACK:
            n = counts.get(code, {}).get(d, 0)
            if n:
                h = plot_h * n / ymax
                draw.rectangle([x0, y - h, x0 + bar, y], fill=COLOURS[code])
                y -= h
        draw.text((x0 + bar / 2, y - 6), str(totals[i]), fill="black", font=small, anchor="md")
        draw.text((x0 + bar / 2, top + plot_h + 10), f"{d:%d/%m}", fill="black", font=label, anchor="ma")
    return _png(img)


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
