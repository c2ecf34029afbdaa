"""Charts that tell the truth, built as plain Altair specs (no Streamlit here, so tests read them).

Rules every chart follows: a date axis is continuous - every day (or hour) is on it, with 0 where
nothing came, so a crawler outage shows as a gap of zeros rather than vanishing; count axes tick
at whole numbers; every bar carries its label and its number; colours mean the same everywhere
(red = negative or a spike, green = positive, grey = neutral, blue = a plain count); a share is
drawn as a share (percent of the period), a change is written as a change (▲/▼ against the
previous period) - never one dressed as the other.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import altair as alt
import pandas as pd

from giamsat.core.codes import SENTIMENT_LABELS
from giamsat.core.timeutil import fmt_number

SENTIMENT_COLOURS = {"Tích cực": "#2e7d32", "Trung tính": "#9e9e9e", "Tiêu cực": "#c62828"}
COUNT_COLOUR = "#1565c0"
SPIKE_COLOUR = "#c62828"
BAR_HEIGHT = 28
AXIS_ROOM = 60  # the x axis with its title, inside the chart's height


def count_axis() -> alt.Axis:
    """Whole-number ticks only: a count of items is never 0,5."""
    return alt.Axis(tickMinStep=1, format="d", title="Số tin")


def _count_scale(values: list[int]) -> alt.Scale:
    # a little headroom so the number written after the longest bar fits
    top = max(values or [0])
    return alt.Scale(domain=[0, max(1, top * 1.15 + 1)], nice=False)


def daily_sentiment(daily: dict[str, list[tuple[date, int]]]) -> alt.Chart:
    """Stacked bars per day by sentiment; every day of the range is on the axis."""
    rows: list[dict[str, Any]] = [
        {"Ngày": d.isoformat(), "Sắc thái": SENTIMENT_LABELS[code], "Số tin": n}
        for code, series in daily.items()
        for d, n in series
    ]
    frame = pd.DataFrame(rows)
    days: list[str] = sorted({str(r["Ngày"]) for r in rows})
    totals = frame.groupby("Ngày")["Số tin"].sum().tolist() if rows else [0]
    labels = {d: f"{d[8:10]}/{d[5:7]}" for d in days}
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                "Ngày:O",
                sort=days,
                title=None,
                axis=alt.Axis(labelAngle=0, labelExpr=_label_expr(labels), labelOverlap=False),
            ),
            y=alt.Y("sum(Số tin):Q", stack=True, axis=count_axis(), scale=_count_scale(totals)),
            color=alt.Color(
                "Sắc thái:N",
                scale=alt.Scale(domain=list(SENTIMENT_COLOURS), range=list(SENTIMENT_COLOURS.values())),
                legend=alt.Legend(orient="top", title=None),
            ),
            order=alt.Order("Sắc thái:N"),
            tooltip=[alt.Tooltip("Ngày:O"), "Sắc thái:N", alt.Tooltip("Số tin:Q", format="d")],
        )
    )
    total_frame = pd.DataFrame({"Ngày": days, "Tổng": totals})
    text = (
        alt.Chart(total_frame)
        .mark_text(dy=-6, fontSize=11)
        .encode(x=alt.X("Ngày:O", sort=days), y="Tổng:Q", text=alt.Text("Tổng:Q", format="d"))
    )
    return (bars + text).properties(height=260)


def _label_expr(labels: dict[str, str]) -> str:
    """dd/mm under each day (ISO dates sort; people read dd/mm)."""
    return "{" + ",".join(f"'{k}':'{v}'" for k, v in labels.items()) + "}[datum.value]"


def hourly_volume(hourly: list[tuple[datetime, int]], spikes: list[datetime]) -> alt.Chart:
    """Items per hour of one day; hours far above the day's usual hour are red and labelled."""
    spike_keys = {h.strftime("%H") for h in spikes}
    frame = pd.DataFrame(
        [
            {"Giờ": h.strftime("%H"), "Số tin": n, "Đột biến": h.strftime("%H") in spike_keys}
            for h, n in hourly
        ]
    )
    hours = list(frame["Giờ"]) if len(frame) else []
    base = alt.Chart(frame).encode(
        x=alt.X("Giờ:O", sort=hours, title="Giờ trong ngày", axis=alt.Axis(labelAngle=0, labelOverlap=False))
    )
    bars = base.mark_bar().encode(
        y=alt.Y(
            "Số tin:Q",
            axis=count_axis(),
            scale=_count_scale(list(frame["Số tin"]) if len(frame) else []),
        ),
        color=alt.condition(alt.datum["Đột biến"], alt.value(SPIKE_COLOUR), alt.value(COUNT_COLOUR)),
        tooltip=["Giờ:O", alt.Tooltip("Số tin:Q", format="d")],
    )
    numbers = base.mark_text(dy=-6, fontSize=10).encode(
        y="Số tin:Q",
        text=alt.condition(alt.datum["Số tin"] > 0, alt.Text("Số tin:Q", format="d"), alt.value("")),
    )
    marks = (
        base.transform_filter(alt.datum["Đột biến"])
        .mark_text(dy=-20, color=SPIKE_COLOUR, fontWeight="bold", fontSize=11)
        .encode(y="Số tin:Q", text=alt.value("đột biến"))
    )
    return (bars + numbers + marks).properties(height=220)


def ranked_bars(rows: list[tuple[str, int]], label: str, colour: str = COUNT_COLOUR) -> alt.Chart:
    """Horizontal bars, largest first, every bar named and numbered (no label is ever skipped:
    the chart grows with the number of bars)."""
    frame = pd.DataFrame([{label: name, "Số tin": n} for name, n in rows])
    order = [name for name, _ in rows]
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        x=alt.X("Số tin:Q", axis=count_axis(), scale=_count_scale([n for _, n in rows])),
    )
    bars = base.mark_bar(color=colour).encode(tooltip=[f"{label}:N", alt.Tooltip("Số tin:Q", format="d")])
    text = base.mark_text(align="left", dx=3, fontSize=11).encode(text=alt.Text("Số tin:Q", format="d"))
    # Streamlit fits the whole chart, axes included, into the height: leave room for the axis
    return (bars + text).properties(height=AXIS_ROOM + BAR_HEIGHT * len(rows))


def sentiment_share(sentiment: dict[str, int], total: int) -> alt.Chart:
    """Each sentiment as a percent of the period's items (a share, so the axis is 0-100 %)."""
    rows = []
    for code, name in SENTIMENT_LABELS.items():
        n = sentiment.get(code, 0)
        share = 100 * n / total if total else 0.0
        rows.append(
            {"Sắc thái": name, "Tỷ lệ": share, "Nhãn": f"{fmt_number(share, 1)}% ({fmt_number(n, 0)})"}
        )
    frame = pd.DataFrame(rows)
    base = alt.Chart(frame).encode(
        y=alt.Y("Sắc thái:N", sort=list(SENTIMENT_COLOURS), title=None, axis=alt.Axis(labelOverlap=False)),
        x=alt.X(
            "Tỷ lệ:Q",
            title="Tỷ lệ trong tổng số tin (%)",
            scale=alt.Scale(domain=[0, 115]),
            axis=alt.Axis(values=[0, 25, 50, 75, 100]),
        ),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "Sắc thái:N",
            scale=alt.Scale(domain=list(SENTIMENT_COLOURS), range=list(SENTIMENT_COLOURS.values())),
            legend=None,
        )
    )
    text = base.mark_text(align="left", dx=3, fontSize=11).encode(text="Nhãn:N")
    return (bars + text).properties(height=AXIS_ROOM + BAR_HEIGHT * 3)


def signed(diff: int) -> str:
    """A change as Streamlit's metric reads it: "+12", "-3" (its arrow follows the sign), "0"."""
    return "0" if diff == 0 else f"{'+' if diff > 0 else '-'}{fmt_number(abs(diff), 0)}"


def change_text(now: int, before: int) -> str:
    """A change written as a change: ▲ 12 / ▼ 3 / = (against the previous period)."""
    diff = now - before
    if diff == 0:
        return "= không đổi"
    return f"{'▲' if diff > 0 else '▼'} {fmt_number(abs(diff), 0)}"


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    return chart.to_dict()
