"""Charts drawn on the server as SVG: no JavaScript, no charting library.

A chart is an ``<svg role="img">`` named by its ``<title>`` and described by its
``<desc>``, followed by a visually hidden table with the same numbers for screen
readers. All text is escaped (``format_html``); colours are presentation
attributes that the stylesheet's classes may override, never ``style=``.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 44, 64
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
MAX_TICKS = 5


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]
    # A class for the stylesheet, and the colour used when it sets none.
    css_class: str
    fill: str


@dataclass(frozen=True)
class Category:
    label: str  # in the table and the bars' tooltips, e.g. "March 2026"
    tick: str  # under the x axis, e.g. "Mar"
    subtick: str = ""  # a second line under it, e.g. the year


def nice_ticks(maximum: int) -> list[int]:
    """0 up to a round number at or above ``maximum``, in at most ``MAX_TICKS``
    round steps (1, 2, 5, 10, 20, 50…)."""
    magnitude = 1
    while True:
        for base in (1, 2, 5):
            step = base * magnitude
            if math.ceil(maximum / step) <= MAX_TICKS:
                top = max(math.ceil(maximum / step), 1) * step
                return list(range(0, top + 1, step))
        magnitude *= 10


def _n(number: float) -> str:
    """A coordinate for an SVG attribute: at most one decimal, no trailing zeros."""
    return f"{number:.1f}".removesuffix(".0")


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[Category],
    series: Sequence[Series],
    x_label: str,
    y_label: str,
) -> SafeString:
    """Grouped bars, one group per category and one bar per series, with axes,
    axis labels, a legend and the data table."""
    ticks = nice_ticks(max((v for s in series for v in s.values), default=0))
    top = ticks[-1]

    def y(value: float) -> str:
        return _n(TOP + PLOT_HEIGHT - PLOT_HEIGHT * value / top)

    group = PLOT_WIDTH / max(len(categories), 1)
    bar = group * 0.8 / max(len(series), 1)
    grid = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}" stroke="#d1d9e0"/>'
        '<text class="chart-tick" x="{}" y="{}" text-anchor="end" dy="0.35em">{}</text>',
        ((LEFT, LEFT + PLOT_WIDTH, y(t), y(t), LEFT - 8, y(t), t) for t in ticks),
    )
    bars = format_html_join(
        "",
        '<rect class="{}" x="{}" y="{}" width="{}" height="{}" fill="{}">'
        "<title>{}: {} {}</title></rect>",
        (
            (
                s.css_class,
                _n(LEFT + i * group + group * 0.1 + j * bar),
                y(value),
                _n(bar),
                _n(PLOT_HEIGHT * value / top),
                s.fill,
                category.label,
                value,
                s.name.lower(),
            )
            for i, category in enumerate(categories)
            for j, s in enumerate(series)
            for value in [s.values[i]]
            if value
        ),
    )
    x_ticks = format_html_join(
        "",
        '<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}'
        '<tspan x="{}" dy="1.2em">{}</tspan></text>',
        (
            (
                _n(LEFT + (i + 0.5) * group),
                TOP + PLOT_HEIGHT + 18,
                c.tick,
                _n(LEFT + (i + 0.5) * group),
                c.subtick,
            )
            for i, c in enumerate(categories)
        ),
    )
    legend = format_html_join(
        "",
        '<rect class="{}" x="{}" y="12" width="14" height="14" fill="{}"/>'
        '<text class="chart-legend" x="{}" y="19" dy="0.35em">{}</text>',
        (
            (s.css_class, LEFT + j * 140, s.fill, LEFT + j * 140 + 20, s.name)
            for j, s in enumerate(series)
        ),
    )
    svg = format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        '<g class="chart-legend">{}</g><g>{}</g><g>{}</g>'
        '<line class="chart-axis" x1="{}" x2="{}" y1="{}" y2="{}" stroke="#59636e"/>'
        '<line class="chart-axis" x1="{}" x2="{}" y1="{}" y2="{}" stroke="#59636e"/>'
        "<g>{}</g>"
        '<text class="chart-axis-label" x="{}" y="{}" text-anchor="middle">{}</text>'
        '<text class="chart-axis-label" x="{}" y="{}" text-anchor="middle" '
        'transform="rotate(-90)">{}</text></svg>',
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        legend,
        grid,
        bars,
        LEFT,
        LEFT + PLOT_WIDTH,
        TOP + PLOT_HEIGHT,
        TOP + PLOT_HEIGHT,
        LEFT,
        LEFT,
        TOP,
        TOP + PLOT_HEIGHT,
        x_ticks,
        _n(LEFT + PLOT_WIDTH / 2),
        HEIGHT - 6,
        x_label,
        _n(-(TOP + PLOT_HEIGHT / 2)),
        16,
        y_label,
    )
    return format_html("{}{}", svg, data_table(chart_id, title, categories, series, x_label))


def data_table(
    chart_id: str, title: str, categories: Sequence[Category], series: Sequence[Series], x_label
) -> SafeString:
    """The chart's numbers as a table that only screen readers see."""
    head = format_html_join("", '<th scope="col">{}</th>', ((s.name,) for s in series))
    rows = format_html_join(
        "",
        '<tr><th scope="row">{}</th>{}</tr>',
        (
            (c.label, format_html_join("", "<td>{}</td>", ((s.values[i],) for s in series)))
            for i, c in enumerate(categories)
        ),
    )
    return format_html(
        '<table class="visually-hidden" id="{}-data"><caption>{} (data)</caption>'
        '<thead><tr><th scope="col">{}</th>{}</tr></thead><tbody>{}</tbody></table>',
        chart_id,
        title,
        x_label,
        head,
        rows,
    )
