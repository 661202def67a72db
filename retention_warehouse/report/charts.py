"""Chart geometry for the report: plain numbers and labels that the template turns into inline SVG.

Nothing here writes markup, so every label from the data reaches the page through jinja2's autoescaping. Every chart
is laid out for the full width of a report card (WIDTH, in SVG units; the page scales the SVG to the card), with
margins measured from its own labels so no label is cut, and end labels of lines moved apart so none overlap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777", "#4b5563"]
REFERENCE_COLOUR = "#9ca3af"
WIDTH = 1060  # the inner width of a report card, in CSS pixels at the page's maximum width
CHAR_WIDTH = 6.8  # an upper bound of one character of the 11px chart font (digits and lower case are narrower)
LABEL_GAP = 13  # the least vertical distance between two end labels


def text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def compact(value: float) -> str:
    """1234 -> 1.2k, 2500000 -> 2.5M, 12 -> 12."""
    for divisor, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= divisor:
            return f"{value / divisor:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:,.0f}"


FORMATS: dict[str, Callable[[float], str]] = {
    "rate": lambda v: f"{v:.0%}",
    "rate1": lambda v: f"{v:.1%}",
    "count": compact,
    "currency": compact,
    "money": lambda v: f"{v:,.2f}",
    "score": lambda v: f"{v:+.0f}" if v else "0",
}
TICK_FORMATS = {**FORMATS, "money": compact, "rate1": FORMATS["rate"]}


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if high <= low:
        high = low + (abs(low) or 1)
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * 0.999)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def spread_labels(wanted: Sequence[float], low: float, high: float, gap: float = LABEL_GAP) -> list[float]:
    """Move label positions (y, in any order) apart by at least `gap`, as little as possible, within [low, high]."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [min(max(wanted[i], low), high) for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    overflow = placed[-1] - high if placed else 0
    if overflow > 0:
        placed[-1] -= overflow
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - gap)
    result = [0.0] * len(wanted)
    for k, i in enumerate(order):
        result[i] = placed[k]
    return result


def _x_value(x: float | date) -> float:
    return x.toordinal() if isinstance(x, date) else float(x)


def _x_label(x: float | date) -> str:
    return x.isoformat() if isinstance(x, date) else f"{x:g}"


def _thin(values: list, label_width: float, span: float) -> list:
    """Every k-th value, so that labels `label_width` wide fit in `span`."""
    if not values:
        return []
    fits = max(1, int(span // (label_width + 14)))
    step = max(1, math.ceil(len(values) / fits))
    return values[::step]


Point = tuple  # (x, y) or (x, y, ci_low, ci_high); x a number or a date


def end_labels(series: dict[str, Sequence[Point]], references: dict[str, float] | None, unit: str) -> dict[str, str]:
    """The label at the end of each line (name and last value) and of each reference line (key `ref:<name>`)."""
    fmt = FORMATS[unit]
    labels = {name: f"{name} {fmt(points[-1][1])}" for name, points in series.items() if points}
    labels.update({f"ref:{name}": f"{name} {fmt(value)}" for name, value in (references or {}).items()})
    return labels


@dataclass
class LineChart:
    series: list[dict]
    x_ticks: list[dict]
    y_ticks: list[dict]
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    zero_y: float | None = None
    references: list[dict] = field(default_factory=list)
    title: str = ""

    @property
    def plot_right(self) -> float:
        return self.width - self.right


def line_chart(
    series: dict[str, Sequence[Point]],
    unit: str = "rate",
    width: float = WIDTH,
    height: float = 280,
    y_range: tuple[float, float] | None = None,
    references: dict[str, float] | None = None,
    reference_series: Sequence[str] = (),
    title: str = "",
    right: float = 0,
) -> LineChart:
    """Lines (with a translucent interval band where points carry one), y axis in `unit`, each line labelled at
    its end with its name and last value; `references` are horizontal dashed lines (name -> y);
    `reference_series` are drawn grey, behind the others; `right`: the least right margin (for the end labels)."""
    fmt, tick_fmt = FORMATS[unit], TICK_FORMATS[unit]
    series = {name: list(points) for name, points in series.items() if points}
    references = references or {}
    xs = sorted({p[0] for points in series.values() for p in points}, key=_x_value)
    ys = [v for points in series.values() for p in points for v in (p[1], *p[2:4]) if v is not None]
    ys += list(references.values())
    ticks = nice_ticks(*(y_range or (min([0.0, *ys]), max(ys or [1.0]))))
    y_low, y_high = ticks[0], ticks[-1]
    labels = end_labels(series, references, unit)
    top, bottom = 10.0, 24.0
    x_labels = [_x_label(x) for x in xs]
    left = max([text_width(tick_fmt(t)) + 10 for t in ticks] + [text_width(x_labels[0]) / 2 + 2 if xs else 0])
    right = max([right, *(text_width(label) + 14 for label in labels.values())])
    x_values = [_x_value(x) for x in xs] or [0.0, 1.0]
    x_min, x_max = min(x_values), max(x_values)
    x_max = x_max if x_max > x_min else x_min + 1
    plot_w = width - left - right

    def sx(x: float | date) -> float:
        return left + (_x_value(x) - x_min) / (x_max - x_min) * plot_w

    def sy(y: float) -> float:
        return top + (y_high - y) / (y_high - y_low) * (height - top - bottom)

    names = sorted(series, key=lambda n: n not in reference_series)  # references first: drawn behind
    wanted = [sy(series[name][-1][1]) + 4 for name in names] + [sy(v) + 4 for v in references.values()]
    label_y = spread_labels(wanted, top + 8, height - bottom)
    drawn = []
    colours = iter(PALETTE)
    for k, name in enumerate(names):
        points = series[name]
        colour = REFERENCE_COLOUR if name in reference_series else next(colours)
        upper = [f"{sx(p[0]):.1f},{sy(p[3]):.1f}" for p in points if len(p) > 3 and p[3] is not None]
        lower = [f"{sx(p[0]):.1f},{sy(p[2]):.1f}" for p in reversed(points) if len(p) > 3 and p[2] is not None]
        drawn.append(
            {
                "name": name,
                "colour": colour,
                "points": " ".join(f"{sx(p[0]):.1f},{sy(p[1]):.1f}" for p in points),
                "dots": [
                    {"x": sx(p[0]), "y": sy(p[1]), "title": f"{name}, {_x_label(p[0])}: {fmt(p[1])}"} for p in points
                ]
                if len(points) <= 40
                else [],
                "band": " ".join(upper + lower),
                "label": labels[name],
                "label_x": width - right + 6,
                "label_y": label_y[k],
            }
        )
    reference_lines = [
        {"name": name, "y": sy(value), "label": labels[f"ref:{name}"], "label_y": label_y[len(names) + k]}
        for k, (name, value) in enumerate(references.items())
    ]
    if xs and not isinstance(xs[0], date):  # numbers: round values within the range
        shown = [x for x in nice_ticks(x_min, x_max, 6) if x_min <= x <= x_max]
    else:
        shown = _thin(xs, max(map(text_width, x_labels), default=0), plot_w)
    x_ticks = [{"x": sx(x), "label": _x_label(x)} for x in shown]
    y_ticks = [{"y": sy(t), "label": tick_fmt(t)} for t in ticks]
    return LineChart(
        series=drawn,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        width=round(width),
        height=round(height),
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        zero_y=sy(0) if y_low < 0 < y_high else None,
        references=reference_lines,
        title=title,
    )


def small_multiples(
    panels: dict[str, dict[str, Sequence[Point]]],
    unit: str = "rate",
    columns: int = 3,
    height: float = 200,
    references: dict[str, dict[str, float]] | None = None,
    reference_series: Sequence[str] = (),
) -> list[LineChart]:
    """One small line chart per panel (e.g. per channel), all on the same y scale, `columns` to a row."""
    references = references or {}
    ys = [
        v
        for panel in panels.values()
        for points in panel.values()
        for p in points
        for v in (p[1], *p[2:4])
        if v is not None
    ] + [v for refs in references.values() for v in refs.values()]
    y_range = (min([0.0, *ys]), max(ys or [1.0]))
    width = (WIDTH - 16 * (columns - 1)) / columns
    right = max(
        [0.0]
        + [
            text_width(label) + 14
            for name, series in panels.items()
            for label in end_labels(series, references.get(name), unit).values()
        ]
    )
    return [
        line_chart(
            series,
            unit=unit,
            width=width,
            height=height,
            y_range=y_range,
            references=references.get(name),
            reference_series=reference_series,
            title=name,
            right=right,
        )
        for name, series in panels.items()
    ]


def panels(
    charts: dict[str, dict[str, Sequence[Point]]], units: dict[str, str], height: float = 200
) -> list[LineChart]:
    """Line charts side by side, each on its own y scale and unit (title -> series; units: title -> unit)."""
    width = (WIDTH - 16 * (len(charts) - 1)) / max(1, len(charts))
    return [
        line_chart(series, unit=units[title], width=width, height=height, title=title)
        for title, series in charts.items()
    ]


@dataclass
class Heatmap:
    rows: list[str]
    columns: list[str]
    cells: list[dict] = field(default_factory=list)
    cell_w: float = 34
    cell_h: int = 20
    left: float = 124
    top: float = 22
    column_title: str = ""
    row_title: str = ""
    rotate_columns: bool = False

    @property
    def width(self) -> int:
        return round(self.left + self.cell_w * len(self.columns) + 10)

    @property
    def height(self) -> int:
        return self.top + self.cell_h * len(self.rows) + 10


def heat_colour(value: float | None, high: float) -> str:
    """White -> deep blue on [0, high]; grey for an immature (NULL) cell."""
    if value is None:
        return "#e5e7eb"
    t = max(0.0, min(1.0, value / high if high else 0.0)) ** 0.6
    r, g, b = (round(255 + (c - 255) * t) for c in (30, 64, 175))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: dict[tuple[str, str], float | None],
    skip_first_column_in_scale: bool = True,
    max_cell_w: float = 80,
    column_title: str = "",
    row_title: str = "",
) -> Heatmap:
    """Cells coloured by value (shown in %), across the card's width; columns at most `max_cell_w` wide."""
    left = max([text_width(r) for r in rows] + [text_width(row_title)], default=0) + 10
    cell_w = max(28.0, min(max_cell_w, (WIDTH - left - 10) / max(1, len(columns))))
    widest = max([text_width(c) for c in columns], default=0)
    rotate = widest + 6 > cell_w  # labels wider than their column: drawn at 40 degrees, above the cells
    header = widest * 0.65 + 10 if rotate else 22
    chart = Heatmap(
        rows=list(rows),
        columns=list(columns),
        cell_w=cell_w,
        left=left,
        top=header + (16 if column_title else 0),
        column_title=column_title,
        row_title=row_title,
        rotate_columns=rotate,
    )
    present = [v for v in values.values() if v is not None]
    # Period 0 is ~100% by construction; scale colours on the later periods so they stay readable.
    later = [v for (_, c), v in values.items() if v is not None and (c != columns[0] or not skip_first_column_in_scale)]
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
                    "title": f"{row}, {column}: " + ("immature" if value is None else f"{value:.1%}"),
                }
            )
    return chart


@dataclass
class BarChart:
    bars: list[dict]
    width: int
    height: int
    left: float


def horizontal_bars(items: Sequence[tuple[str, float, str]], width: float = WIDTH, bar_h: int = 22) -> BarChart:
    """items: (label, value, caption); bars scaled to the largest value, labels and captions never cut."""
    gap = 6
    left = max([text_width(label) for label, _, _ in items], default=0) + 12
    right = max([text_width(caption) for _, _, caption in items], default=0) + 12
    high = max((v for _, v, _ in items), default=1) or 1
    bars = []
    for i, (label, value, caption) in enumerate(items):
        bars.append(
            {
                "y": i * (bar_h + gap),
                "x": left,
                "w": max(1.0, (width - left - right) * value / high),
                "h": bar_h,
                "label": label,
                "caption": caption,
                "colour": PALETTE[0],
            }
        )
    return BarChart(bars=bars, width=round(width), height=len(items) * (bar_h + gap) + 4, left=left)


@dataclass
class ColumnChart:
    columns: list[dict]
    x_ticks: list[dict]
    y_ticks: list[dict]
    width: int
    height: int
    left: float
    zero_y: float


def column_chart(
    periods: Sequence[date | str], values: Sequence[float | None], unit: str = "currency", height: float = 240
) -> ColumnChart:
    """Vertical bars over time with a y axis; each bar carries its value when there is room for it."""
    fmt, tick_fmt = FORMATS[unit], TICK_FORMATS[unit]
    present = [v for v in values if v is not None]
    ticks = nice_ticks(min([0.0, *present]), max(present or [1.0]))
    top, bottom = 18.0, 24.0
    left = max(text_width(tick_fmt(t)) for t in ticks) + 10
    step = (WIDTH - left - 10) / max(1, len(periods))

    def sy(y: float) -> float:
        return top + (ticks[-1] - y) / (ticks[-1] - ticks[0]) * (height - top - bottom)

    labels = [_x_label(p) if not isinstance(p, str) else p for p in periods]
    columns = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        v = value or 0.0
        text = fmt(v) if value is not None else "n/a"
        columns.append(
            {
                "x": left + i * step + 2,
                "w": max(1.0, step - 4),
                "y": min(sy(v), sy(0)),
                "h": abs(sy(0) - sy(v)),
                "value": text if text_width(text) <= step - 2 else "",
                "title": f"{label}: {text}",
            }
        )
    shown = set(_thin(labels, max(map(text_width, labels), default=0), WIDTH - left - 10))
    x_ticks = [{"x": left + (i + 0.5) * step, "label": label} for i, label in enumerate(labels) if label in shown]
    y_ticks = [{"y": sy(t), "label": tick_fmt(t)} for t in ticks]
    return ColumnChart(
        columns=columns, x_ticks=x_ticks, y_ticks=y_ticks, width=WIDTH, height=round(height), left=left, zero_y=sy(0)
    )


@dataclass
class StackedBars:
    columns: list[dict]
    legend: list[dict]
    x_ticks: list[dict]
    y_ticks: list[dict]
    width: int
    height: int
    left: float
    zero_y: float


def stacked_bars(
    periods: Sequence[str], parts: dict[str, Sequence[float]], negative: Sequence[str] = (), height: float = 300
) -> StackedBars:
    """Lifecycle-style bars: parts stack up from zero, the `negative` ones stack down; a y axis of user counts on
    both sides of zero."""
    top, bottom = 10.0, 44.0
    ups = [sum(parts[p][i] for p in parts if p not in negative) for i in range(len(periods))]
    downs = [sum(parts[p][i] for p in negative) for i in range(len(periods))]
    ticks = nice_ticks(-max(downs or [0]), max(ups or [1]) or 1)
    left = max(text_width(compact(abs(t))) for t in ticks) + 10

    def sy(y: float) -> float:
        return top + (ticks[-1] - y) / (ticks[-1] - ticks[0]) * (height - top - bottom)

    zero_y = sy(0)
    scale = (height - top - bottom) / (ticks[-1] - ticks[0])
    step = (WIDTH - left - 10) / max(1, len(periods))
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
        columns.append({"x": left + i * step + 1, "w": max(1.0, step - 2), "rects": rects})
    shown = set(_thin(list(periods), max(map(text_width, periods), default=0), WIDTH - left - 10))
    x_ticks = [{"x": left + (i + 0.5) * step, "label": p} for i, p in enumerate(periods) if p in shown]
    y_ticks = [{"y": sy(t), "label": compact(abs(t))} for t in ticks]
    legend, x = [], left
    for k, name in enumerate(parts):
        legend.append({"name": name + (" (below the line)" if name in negative else ""), "colour": PALETTE[k], "x": x})
        x += 24 + text_width(legend[-1]["name"])
    return StackedBars(
        columns=columns,
        legend=legend,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        width=WIDTH,
        height=round(height),
        left=left,
        zero_y=zero_y,
    )
