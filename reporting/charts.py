"""Charts drawn on the server as SVG with leather (ADR 0013), made accessible: each has a
title and a description, is an image to assistive technology (`role="img"`), scales to its
container, and is always shown beside a table of the same numbers. leather writes colours as
presentation attributes, never inline styles, so the charts live with the strict
Content-Security-Policy."""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

import leather
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# GOV.UK's palette: blue, orange, green, purple, red, turquoise (distinct in greyscale too).
COLOURS = ["#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#28a197"]
FONT = "Arial, Helvetica, sans-serif"

leather.theme.background_color = "#ffffff"
leather.theme.title_color = "#0b0c0c"
leather.theme.title_font_family = FONT
leather.theme.legend_color = "#0b0c0c"
leather.theme.legend_font_family = FONT
leather.theme.tick_color = "#505a5f"
leather.theme.tick_font_family = FONT
leather.theme.axis_title_color = "#0b0c0c"
leather.theme.axis_title_font_family = FONT
leather.theme.default_series_colors = COLOURS

_ids = iter(range(1, 10**9))


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[object, float | int | None]]
    colour: str = ""


def table_series(columns: Sequence[str], rows: Sequence[Sequence], picks: Sequence[int]):
    """Lines drawn from a figure's own table: each picked column against the first (the
    month), named by its header, so a chart never says more or less than its table."""
    return [Series(columns[i], [(row[0], row[i]) for row in rows]) for i in picks]


def _svg(chart: leather.Chart, *, title: str, description: str, width: int, height: int) -> str:
    buffer = io.StringIO()
    chart.to_svg(buffer, width=width, height=height)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    ET.register_namespace("", "http://www.w3.org/2000/svg")
    root = ET.fromstring(text)
    n = next(_ids)
    root.set("viewBox", f"0 0 {width} {height}")
    root.set("width", "100%")
    root.attrib.pop("height", None)
    root.set("role", "img")
    root.set("aria-labelledby", f"chart-{n}-title chart-{n}-desc")
    root.set("class", "app-chart")
    root.set("focusable", "false")
    desc = ET.Element("desc", {"id": f"chart-{n}-desc"})
    desc.text = description
    root.insert(0, desc)
    head = ET.Element("title", {"id": f"chart-{n}-title"})
    head.text = title
    root.insert(0, head)
    out = ET.tostring(root, encoding="unicode")
    return re.sub(r"\s*xmlns:ns\d+=\"[^\"]*\"", "", out)


def line_chart(
    *,
    title: str,
    description: str,
    series: Sequence[Series],
    y_max: float | None = None,
    width: int = 720,
    height: int = 320,
) -> SafeString | str:
    """Lines over time: x values are indices with labels from the first series' x."""
    labels = [str(x) for x, _ in series[0].points] if series else []
    chart = leather.Chart()
    drawn = False
    for n, s in enumerate(series):
        points = [(i, v) for i, (_, v) in enumerate(s.points) if v is not None]
        if points:
            colour = s.colour or COLOURS[n % len(COLOURS)]
            chart.add_line(points, name=s.name, stroke_color=colour, width=3)
            drawn = True
    if not drawn:  # nothing to draw (leather refuses a chart with no series): the table only
        return ""
    if labels:
        step = max(1, math.ceil(len(labels) / 6))
        ticks = list(range(0, len(labels), step))
        chart.add_x_scale(0, max(len(labels) - 1, 1))
        chart.add_x_axis(ticks=ticks, tick_formatter=lambda v, i, c: labels[int(v)])
    if y_max is not None:
        chart.add_y_scale(0, y_max)
    return mark_safe(_svg(chart, title=title, description=description, width=width, height=height))


def bar_chart(
    *,
    title: str,
    description: str,
    bars: Sequence[tuple[str, float | int]],
    width: int = 720,
    height: int | None = None,
) -> SafeString | str:
    """Horizontal bars, one per label (leather draws bars with the label on the y axis)."""
    if not bars:  # nothing to draw (leather refuses a chart with no series): the table only
        return ""
    height = height or max(120, 40 + 28 * len(bars))
    chart = leather.Chart()
    chart.add_bars([(value, label) for label, value in bars], fill_color=COLOURS[0], name=title)
    return mark_safe(_svg(chart, title=title, description=description, width=width, height=height))


def dot_map(
    *,
    title: str,
    description: str,
    points: Sequence[tuple[float, float, str]],
    colours: dict[str, str],
    width: int = 560,
    height: int = 560,
) -> SafeString:
    """Locations as dots by longitude and latitude (equirectangular, corrected for latitude),
    coloured by their group, with no map tiles from anywhere else (003 1.4)."""
    n = next(_ids)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" class="app-chart app-map" '
        f'focusable="false" aria-labelledby="chart-{n}-title chart-{n}-desc" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{n}-title">{escape(title)}</title>',
        f'<desc id="chart-{n}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f3f2f1"/>',
    ]
    if points:
        lats = [p[1] for p in points]
        lons = [p[0] for p in points]
        mid = math.cos(math.radians(sum(lats) / len(lats)))
        xs = [lon * mid for lon in lons]
        span = max(max(xs) - min(xs), max(lats) - min(lats), 0.01)
        pad = 20
        scale = (min(width, height) - 2 * pad) / span
        x0, y0 = min(xs), min(lats)
        for (_lon, lat, group), x in zip(points, xs, strict=True):
            cx = pad + (x - x0) * scale
            cy = height - pad - (lat - y0) * scale
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{colours.get(group, "#505a5f")}" '
                'stroke="#0b0c0c" stroke-width="0.5"/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))
