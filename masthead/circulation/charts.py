"""Charts for the circulation dashboard, drawn on the server as SVG: no JavaScript, nothing fetched from elsewhere.

Each chart is an image with a title and a description naming the table beside it, which holds the
same figures and is the one to trust (a screen reader reads the table; the chart is for the eye).
Every text that goes into the SVG is escaped here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from masthead.subscriptions.money import in_units

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 36, 44  # room for the title and the axes' labels
# Colours told apart by people with the commoner colour blindnesses (Okabe and Ito's palette).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
MAX_X_LABELS = 12
CHARACTER_WIDTH = 6.6  # an axis label's average character, in the chart's units


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round numbers spanning [low, high] for an axis: 0, 250, 500… (0 is always among them)."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(multiple * magnitude for multiple in (1, 2, 2.5, 5, 10) if multiple * magnitude >= raw)
    ticks = [math.floor(low / step) * step]
    while ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def tick_label(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:g}%"
    text = f"{abs(value):,.0f}" if abs(value) >= 10 or value == int(value) else f"{abs(value):,.1f}"
    sign = "\u2212" if value < 0 else ""
    return f"{sign}{unit}{text}"


def every_nth(count: int) -> int:
    return max(1, math.ceil(count / MAX_X_LABELS))


class Frame:
    """The plotting area and its y-scale."""

    def __init__(self, labels: Sequence[str], series: Sequence[Series], unit: str):
        values = [value for one in series for value in one.values if value is not None]
        self.ticks = nice_ticks(min(values, default=0.0), max(values, default=0.0))
        self.low, self.high = self.ticks[0], self.ticks[-1]
        self.labels, self.unit = labels, unit
        self.plot_width, self.plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        self.slot = self.plot_width / max(len(labels), 1)

    def y(self, value: float) -> float:
        return TOP + self.plot_height * (self.high - value) / (self.high - self.low)

    def x_centre(self, index: int) -> float:
        return LEFT + self.slot * (index + 0.5)

    def axes(self) -> list[str]:
        parts = []
        for tick in self.ticks:
            y = self.y(tick)
            parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
            label = escape(tick_label(tick, self.unit))
            parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
        step = every_nth(len(self.labels))
        room = int(self.slot * step / CHARACTER_WIDTH)  # characters that fit under a label's share of the axis
        for index, label in enumerate(self.labels):
            if index % step == 0:
                x = self.x_centre(index)
                label = label if len(label) <= room else label[: max(room - 1, 1)] + "\u2026"
                parts.append(
                    f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{escape(label)}</text>'
                )
        return parts


def legend(series: Sequence[Series]) -> list[str]:
    parts, x = [], LEFT
    for index, one in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{HEIGHT - 5}">{escape(one.name)}</text>')
        x += 24 + 7 * len(one.name)
    return parts


def svg(chart_id: str, title: str, description: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 (every text inside was escaped above)
        f'<svg xmlns="http://www.w3.org/2000/svg" class="circulation-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        # The title again for the eye; screen readers have it from <title> already.
        f'<text x="{LEFT}" y="16" class="chart-title" aria-hidden="true">{escape(title)}</text>'
        + "".join(body)
        + "</svg>"
    )


def bar_chart(
    chart_id: str, title: str, description: str, labels: Sequence[str], series: Sequence[Series], *, unit: str = ""
) -> SafeString:
    """Bars side by side for each label, one colour per series; below zero for negative values."""
    frame = Frame(labels, series, unit)
    body = frame.axes()
    width = frame.slot * 0.8 / max(len(series), 1)
    zero = frame.y(0)
    for number, one in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        for index, value in enumerate(one.values):
            if value is None:
                continue
            x = LEFT + frame.slot * (index + 0.1) + width * number
            top, bottom = sorted((frame.y(value), zero))
            body.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{max(width - 0.5, 0.5):.1f}" '
                f'height="{max(bottom - top, 0.5):.1f}" fill="{colour}"/>'
            )
    body.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{zero:.1f}" y2="{zero:.1f}" class="axis"/>')
    return svg(chart_id, title, description, body + legend(series))


def line_chart(
    chart_id: str, title: str, description: str, labels: Sequence[str], series: Sequence[Series], *, unit: str = ""
) -> SafeString:
    """A line per series across the labels; a gap where a value is missing."""
    frame = Frame(labels, series, unit)
    body = frame.axes()
    for number, one in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for index, value in enumerate(one.values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(f"{frame.x_centre(index):.1f},{frame.y(value):.1f}")
        for points in runs:
            if len(points) > 1:
                body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"/>')
            for point in points:
                x, y = point.split(",")
                body.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="{colour}"/>')
    return svg(chart_id, title, description, body + legend(series))


def short_month(label: str) -> str:
    """ "January 2027 (so far)" -> "Jan 27", for an axis."""
    month, year = label.replace(" (so far)", "").split()
    return f"{month[:3]} {year[-2:]}"


def short_issue(label: str) -> str:
    """ "Vol. 8, No. 12 (June 15, 2027)" -> "8/12", for an axis."""
    return label.split(" (")[0].replace("Vol. ", "").replace(", No. ", "/")


def charts_for(dashboard) -> dict[str, SafeString]:
    """The dashboard's charts by name, each drawn from the table shown beside it."""
    months, issues, plans, doors, articles = (
        dashboard.months,
        dashboard.issues,
        dashboard.plans,
        dashboard.doors,
        dashboard.articles,
    )
    month_labels = [short_month(label) for label in months.column_named("Month")]
    same = "The table below gives the same figures; it is the one to trust."
    left = [
        ("New", "New"),
        ("Cancelled", "Cancelled"),
        ("Refunded", "Refunded under the guarantee"),
        ("Lapsed", "Lapsed after failed payments"),
    ]
    charts = {
        "plans": bar_chart(
            "chart-plans",
            plans.title,
            f"Live subscribers on each plan. {same}",
            plans.column_named("Plan"),
            [Series("Subscribers", plans.column_named("Subscribers"))],
        ),
        "months": bar_chart(
            "chart-months",
            "Joined and left, month by month",
            "New subscriptions each month, and those cancelled, refunded under the guarantee or lapsed "
            f"after failed payments. {same}",
            month_labels,
            [Series(name, months.column_named(heading)) for name, heading in left],
        ),
        "churn": line_chart(
            "chart-churn",
            "Churn, month by month",
            f"The share of each month's first-day subscribers whose subscription ended in the month. {same}",
            month_labels,
            [Series("Churn", months.column_named("Churn"))],
            unit="%",
        ),
        "issues": line_chart(
            "chart-issues",
            "Print run per issue",
            f"Copies mailed of each issue, from its stored mailing list. {same}",
            [short_issue(label) for label in issues.column_named("Issue")],
            [Series("Print run", issues.column_named("Print run"))],
        ),
        "doors": bar_chart(
            "chart-doors",
            doors.title,
            f"Subscriptions started in the last 12 months by the door the reader last came through. {same}",
            doors.column_named("Door"),
            [
                Series("Subscribed", doors.column_named("Subscribed")),
                Series("Still subscribed", doors.column_named("Still subscribed")),
            ],
        ),
        "articles": bar_chart(
            "chart-articles",
            articles.title,
            f"Subscriptions started from each article's subscribe link, numbered as in the table below. {same}",
            [str(number) for number in range(1, len(articles.rows) + 1)],
            [Series("Subscribed", articles.column_named("Subscribed"))],
        ),
    }
    for currency in dashboard.currencies:
        values = [float(in_units(value, currency)) for value in months.column_named(f"MRR ({currency})")]
        charts[f"mrr-{currency}"] = line_chart(
            f"chart-mrr-{currency.lower()}",
            f"Monthly recurring revenue ({currency})",
            f"MRR at the end of each month in {currency}, this month's as it stands now. {same}",
            month_labels,
            [Series(f"MRR ({currency})", values)],
        )
    return charts
