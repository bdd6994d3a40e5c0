"""Charts drawn on the server as SVG with leather (ADR 0013), made accessible: each has a
title and a description, is an image to assistive technology (`role="img"`), scales to its
container, and is always shown beside a table of the same numbers. leather writes colours as
presentation attributes, never inline styles, so the charts live with the strict
Content-Security-Policy."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import lru_cache

import leather
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from leather.ticks import score
from leather.ticks.score import ScoreTicker

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

# Each chart's title and description have ids of their own on a page: a number counted in
# this process.
_ids = iter(range(1, 10**9))


def _chart_id() -> str:
    return f"chart-{next(_ids)}"


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[object, float | int | None]]
    colour: str = ""


def table_series(columns: Sequence[str], rows: Sequence[Sequence], picks: Sequence[int]):
    """Lines drawn from a figure's own table: each picked column against the first (the
    month), named by its header, so a chart never says more or less than its table."""
    return [Series(columns[i], [(row[0], row[i]) for row in rows]) for i in picks]


class _Ticker(ScoreTicker):
    """leather's ScoreTicker, made to stop a candidate sequence of ticks once it is longer than
    leather keeps one (leather builds it on to the end of the domain in Decimal arithmetic, then
    throws it away): the same ticks, found in a fraction of the time."""

    def _find_ticks(self):
        lo, hi = self._domain_min, self._domain_max
        force_zero = lo < score.ZERO and hi > score.ZERO
        guess = abs(hi - lo) / (score.DEFAULT_TICKS - 1)
        magnitude = guess.log10().to_integral_exact(rounding=ROUND_CEILING)
        candidates = []
        for base in score.INTERVALS:
            for power in (magnitude, magnitude - 1, magnitude + 1):
                interval = base * pow(score.TEN, power)
                if force_zero:
                    steps = (abs(lo) / interval).to_integral_exact(rounding=ROUND_CEILING)
                    ticks = [self._round_tick(-steps * interval)]
                else:
                    floor = (lo / interval).to_integral_exact(rounding=ROUND_FLOOR)
                    ticks = [self._round_tick(floor * interval)]
                n = 1
                while ticks[n - 1] < hi and len(ticks) <= score.MAX_TICK_COUNT:
                    ticks.append(self._round_tick(ticks[0] + interval * n))
                    n += 1
                if score.MIN_TICK_COUNT <= len(ticks) <= score.MAX_TICK_COUNT:
                    total = self._score(base, interval, ticks)["total"]
                    candidates.append((total, len(ticks), len(candidates), ticks))
        return min(candidates)[3]


@lru_cache(maxsize=1024)
def _ticker(low: str, high: str) -> ScoreTicker:
    return _Ticker(Decimal(low), Decimal(high))


class _Linear(leather.Linear):
    """leather's linear scale with its ticks found once for each domain. leather's ScoreTicker
    scores dozens of candidate sequences in Decimal arithmetic, most of a chart's drawing time,
    and its answer depends on the domain alone (kept as text: Decimal(5) and Decimal("5.0") are
    equal but label their ticks differently)."""

    def __init__(self, domain_min, domain_max, *, inferred: bool = False):
        self._inferred = inferred
        if domain_min > domain_max:
            raise ValueError("Inverted domains are not currently supported.")
        if domain_min == domain_max:
            low, high = Decimal(0), Decimal(1)
        else:
            low, high = Decimal(domain_min), Decimal(domain_max)
        self._data_min, self._data_max = low, high
        self._ticker = _ticker(str(low), str(high))

    def contains(self, v) -> bool:
        """A scale made from the data drawn contains it, as leather's own inferred scale does
        (leather warns of values outside a scale only when the scale was given)."""
        return self._inferred or super().contains(v)


def _svg(chart: leather.Chart, *, title: str, description: str, width: int, height: int) -> str:
    """The chart's SVG element made accessible, serialised once: leather's drawing as an
    element tree (`to_svg_group`) inside our own `<svg>`, never written out and read back."""
    n = _chart_id()
    root = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": "100%",
            "version": "1.1",
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": f"{n}-title {n}-desc",
            "class": "app-chart",
            "focusable": "false",
        },
    )
    ET.SubElement(root, "title", {"id": f"{n}-title"}).text = title
    ET.SubElement(root, "desc", {"id": f"{n}-desc"}).text = description
    root.append(chart.to_svg_group(width, height))
    return ET.tostring(root, encoding="unicode")


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
    drawn_points: list[tuple[int, float | int]] = []
    for n, s in enumerate(series):
        points = [(i, v) for i, (_, v) in enumerate(s.points) if v is not None]
        if points:
            colour = s.colour or COLOURS[n % len(COLOURS)]
            chart.add_line(points, name=s.name, stroke_color=colour, width=3)
            drawn_points += points
    if not drawn_points:  # nothing to draw (leather refuses a chart with no series): table only
        return ""
    if labels:
        step = max(1, math.ceil(len(labels) / 6))
        ticks = list(range(0, len(labels), step))
        chart.set_x_scale(_Linear(0, max(len(labels) - 1, 1)))
        chart.add_x_axis(ticks=ticks, tick_formatter=lambda v, i, c: labels[int(v)])
    if y_max is not None:
        chart.set_y_scale(_Linear(0, y_max))
    else:  # as leather would infer it: from the lowest to the highest value drawn
        ys = [v for _, v in drawn_points]
        chart.set_y_scale(_Linear(min(ys), max(ys), inferred=True))
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
    values = [value for _, value in bars if value is not None]
    if values:  # as leather would infer it: from zero, or below it, to the highest value
        chart.set_x_scale(_Linear(min(0, min(values)), max(0, max(values)), inferred=True))
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
    n = _chart_id()
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" class="app-chart app-map" '
        f'focusable="false" aria-labelledby="{n}-title {n}-desc" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{n}-title">{escape(title)}</title>',
        f'<desc id="{n}-desc">{escape(description)}</desc>',
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
