"""Chart geometry for the report: plain numbers and labels that the template turns into inline SVG.

Nothing here writes markup, so every label from the data reaches the page through jinja2's autoescaping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777", "#4b5563"]


def heat_colour(value: float | None, high: float) -> str:
    """White -> deep blue on [0, high]; grey for an immature (NULL) cell."""
    if value is None:
        return "#e5e7eb"
    t = max(0.0, min(1.0, value / high if high else 0.0)) ** 0.6
    r, g, b = (round(255 + (c - 255) * t) for c in (30, 64, 175))
    return f"#{r:02x}{g:02x}{b:02x}"


@dataclass
class Heatmap:
    rows: list[str]
    columns: list[str]
    cells: list[dict] = field(default_factory=list)
    cell_w: int = 34
    cell_h: int = 18
    left: int = 124
    top: int = 22

    @property
    def width(self) -> int:
        return self.left + self.cell_w * len(self.columns) + 10

    @property
    def height(self) -> int:
        return self.top + self.cell_h * len(self.rows) + 10


def heatmap(rows: Sequence[str], columns: Sequence[str], values: dict[tuple[str, str], float | None]) -> Heatmap:
    chart = Heatmap(rows=list(rows), columns=list(columns))
    present = [v for v in values.values() if v is not None]
    # Period 0 is ~100% by construction; scale colours on the later periods so they stay readable.
    later = [v for (_, c), v in values.items() if v is not None and c != columns[0]]
    high = max(later or present or [1.0])
    for i, row in enumerate(chart.rows):
        for j, column in enumerate(chart.columns):
            if (row, column) not in values:
                continue
            value = values[(row, column)]
            chart.cells.append(
                {
                    "x": chart.left + j * chart.cell_w,
                    "y": chart.top + i * chart.cell_h,
                    "fill": heat_colour(value, high),
                    "text": "" if value is None else f"{value * 100:.0f}",
                    "dark": value is not None and value > high * 0.55,
                    "title": f"{row}, period {column}: " + ("immature" if value is None else f"{value:.1%}"),
                }
            )
    return chart


@dataclass
class LineChart:
    series: list[dict]
    x_ticks: list[dict]
    y_ticks: list[dict]
    width: int = 640
    height: int = 280
    left: int = 48
    bottom: int = 28


def line_chart(
    series: dict[str, list[tuple[float, float, float | None, float | None]]], y_max: float | None = None
) -> LineChart:
    """series: name -> [(x, y, ci_low, ci_high)]; draws lines with a translucent interval band each."""
    width, height, left, bottom, top, right = 640, 280, 48, 28, 10, 120
    xs = [p[0] for points in series.values() for p in points] or [0, 1]
    ys = [v for points in series.values() for p in points for v in (p[1], p[3]) if v is not None] or [1]
    x_min, x_max = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y_top = y_max or max(ys) * 1.05 or 1

    def sx(x: float) -> float:
        return left + (x - x_min) / (x_max - x_min) * (width - left - right)

    def sy(y: float) -> float:
        return top + (1 - y / y_top) * (height - top - bottom)

    drawn = []
    for k, (name, points) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        line = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y, _, _ in points)
        upper = [f"{sx(x):.1f},{sy(hi):.1f}" for x, _, _, hi in points if hi is not None]
        lower = [f"{sx(x):.1f},{sy(lo):.1f}" for x, _, lo, _ in reversed(points) if lo is not None]
        last = points[-1] if points else (x_min, 0, None, None)
        drawn.append(
            {
                "name": name,
                "colour": colour,
                "points": line,
                "band": " ".join(upper + lower),
                "label_x": width - right + 6,
                "label_y": sy(last[1]) + 4,
            }
        )
    x_ticks = [{"x": sx(x), "label": f"{x:g}"} for x in sorted(set(xs))[:: max(1, len(set(xs)) // 10)]]
    y_ticks = [{"y": sy(y_top * i / 4), "label": f"{y_top * i / 4:.0%}"} for i in range(5)]
    return LineChart(
        series=drawn, x_ticks=x_ticks, y_ticks=y_ticks, width=width, height=height, left=left, bottom=bottom
    )


@dataclass
class BarChart:
    bars: list[dict]
    width: int
    height: int


def horizontal_bars(items: Sequence[tuple[str, float, str]], width: int = 640, bar_h: int = 22) -> BarChart:
    """items: (label, value, caption); bars scaled to the largest value."""
    left, gap = 190, 6
    high = max((v for _, v, _ in items), default=1) or 1
    bars = []
    for i, (label, value, caption) in enumerate(items):
        bars.append(
            {
                "y": i * (bar_h + gap),
                "x": left,
                "w": max(1.0, (width - left - 150) * value / high),
                "h": bar_h,
                "label": label,
                "caption": caption,
                "colour": PALETTE[i % len(PALETTE)],
            }
        )
    return BarChart(bars=bars, width=width, height=len(items) * (bar_h + gap) + 4)


@dataclass
class StackedBars:
    columns: list[dict]
    legend: list[dict]
    width: int
    height: int
    zero_y: float


def stacked_bars(
    periods: Sequence[str], parts: dict[str, Sequence[float]], negative: Sequence[str] = ()
) -> StackedBars:
    """Lifecycle-style bars: parts stack up from zero, the `negative` ones stack down."""
    width, height, left, top, bottom = 640, 260, 48, 10, 40
    ups = [sum(parts[p][i] for p in parts if p not in negative) for i in range(len(periods))]
    downs = [sum(parts[p][i] for p in negative) for i in range(len(periods))]
    high, low = max(ups or [1]) or 1, max(downs or [0])
    scale = (height - top - bottom) / (high + low)
    zero_y = top + high * scale
    step = (width - left - 10) / max(1, len(periods))
    columns = []
    for i, period in enumerate(periods):
        up, down, rects = zero_y, zero_y, []
        for k, (name, values) in enumerate(parts.items()):
            h = values[i] * scale
            if name in negative:
                rects.append({"y": down, "h": h, "colour": PALETTE[k], "title": f"{period} {name}: {values[i]:,.0f}"})
                down += h
            else:
                up -= h
                rects.append({"y": up, "h": h, "colour": PALETTE[k], "title": f"{period} {name}: {values[i]:,.0f}"})
        columns.append(
            {
                "x": left + i * step + 1,
                "w": max(1.0, step - 2),
                "rects": rects,
                "label": period if i % max(1, len(periods) // 8) == 0 else "",
            }
        )
    legend = [{"name": name, "colour": PALETTE[k]} for k, name in enumerate(parts)]
    return StackedBars(columns=columns, legend=legend, width=width, height=height, zero_y=zero_y)
