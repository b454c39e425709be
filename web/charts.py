"""Server-side SVG charts (pygal) shared by the pages and the PDF briefs.

Each chart is an SVG document (pygal's script removed) embedded as an ``<img>`` with a data URI:
no inline script or style reaches the page, so charts work under a strict Content Security
Policy (``img-src data:``) and in WeasyPrint alike. Each function returns safe ``<img>`` markup.
"""

import base64
import copy
import functools
import itertools
import math
import re
from dataclasses import dataclass
from decimal import Decimal

import pygal
from django.utils.html import escape
from django.utils.safestring import mark_safe
from pygal.style import Style

CHART_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1d2733",
    foreground_strong="#1d2733",
    foreground_subtle="#5b6776",
    colors=("#1f5f8b", "#9aa5b1", "#2e7d32", "#e07b00", "#b3261e", "#6f42c1"),
    font_family="DejaVu Sans, Helvetica, Arial, sans-serif",
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=11,
    title_font_size=14,
)


def _config(chart_class, title: str, **options):
    chart = chart_class(
        title=title,
        style=options.pop("style", CHART_STYLE),
        js=[],
        disable_xml_declaration=True,
        explicit_size=False,
        width=options.pop("width", 640),
        height=options.pop("height", 320),
        legend_at_bottom=True,
        legend_at_bottom_columns=options.pop("legend_columns", 3),
        print_values=False,
        **options,
    )
    return chart


# pygal's script, and the tooltip data (<desc>) only that script reads: 640 of the 2,100 elements of a
# 40-zone funding chart, each parsed and styled again by WeasyPrint.
SCRIPT_RE = re.compile(r"<script.*?</script>|<desc\b.*?</desc>", re.DOTALL)


def _render(chart) -> str:
    return _image(SCRIPT_RE.sub("", chart.render(is_unicode=True)), chart.config.title or "Chart")


@dataclass(frozen=True)
class Band:
    """A projection drawn on a progress chart: from the latest measurement (``start``: time,
    value) to ``end_time`` (labelled ``end_label``), the center line and the band between ``low``
    and ``high`` there. ``note`` says how the band was estimated, for the text alternative."""

    start: tuple[float, float]
    end_time: float
    end_label: str
    center: float
    low: float
    high: float
    note: str = ""


WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 96, 28, 34, 92
INK, SUBTLE, GRID = CHART_STYLE.foreground, CHART_STYLE.foreground_subtle, "#e3e7ec"
MEASURED, BASELINE, TARGET, PROJECTED = "#1f5f8b", "#9aa5b1", "#2e7d32", "#e07b00"


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering low..high (1, 2, 2.5 or 5 times a power of ten apart)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    return [first + i * step for i in range(math.ceil((high - first) / step) + 1)]


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def progress_chart(
    title: str,
    points: list[tuple[float, str, Decimal]],
    baseline=None,
    target=None,
    band: Band | None = None,
) -> str:
    """A metric over time for one school: its measurements, flat baseline and target lines and,
    when there is a projection, the center line to the target year inside its shaded band.

    ``points`` are (time in years, label, value) in time order, e.g. (2010.25, "2010-11 Fall", 41.5).
    Drawn as plain SVG (the band is an area between two edges, which pygal cannot draw); the
    image's alt text says in words what the chart shows.
    """
    values = [float(value) for _time, _label, value in points]
    levels = [*values, *(float(v) for v in (baseline, target) if v is not None)]
    times = [float(time) for time, _label, _value in points]
    if band:
        levels += [band.low, band.high, band.center]
        times.append(band.end_time)
    ticks = _ticks(min(levels), max(levels))
    y_low, y_high = ticks[0], ticks[-1]
    t_low, t_high = min(times), max(times)
    span = (t_high - t_low) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(time: float) -> float:
        return round(LEFT + (float(time) - t_low) / span * plot_w, 1)

    def y(value: float) -> float:
        return round(TOP + (y_high - float(value)) / ((y_high - y_low) or 1) * plot_h, 1)

    parts = [_svg_text(WIDTH / 2, 20, title, size=14)]
    for tick in ticks:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick)}" y2="{y(tick)}" stroke="{GRID}"/>')
        parts.append(_svg_text(LEFT - 6, y(tick) + 4, _number(tick), anchor="end"))
    labels = [(float(time), label) for time, label, _value in points]
    if band:
        labels.append((band.end_time, band.end_label))
    for time, label in labels:
        parts.append(
            _svg_text(
                x(time),
                HEIGHT - BOTTOM + 14,
                label,
                anchor="end",
                extra=f' transform="rotate(-30 {x(time)} {HEIGHT - BOTTOM + 14})"',
            )
        )
    for value, colour, dash in ((baseline, BASELINE, "4 4"), (target, TARGET, "8 4")):
        if value is not None:
            parts.append(
                f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value)}" y2="{y(value)}" stroke="{colour}" '
                f'stroke-width="2" stroke-dasharray="{dash}"/>'
            )
    if band:
        start_x, start_y = x(band.start[0]), y(band.start[1])
        end_x = x(band.end_time)
        parts.append(
            f'<polygon points="{start_x},{start_y} {end_x},{y(band.high)} {end_x},{y(band.low)}" '
            f'fill="{PROJECTED}" fill-opacity="0.18" stroke="none"/>'
        )
        parts.append(
            f'<line x1="{start_x}" y1="{start_y}" x2="{end_x}" y2="{y(band.center)}" stroke="{PROJECTED}" '
            f'stroke-width="2" stroke-dasharray="6 3"/>'
        )
    if points:
        line = " ".join(f"{x(time)},{y(value)}" for time, _label, value in points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{MEASURED}" stroke-width="2.5"/>')
        parts += [f'<circle cx="{x(t)}" cy="{y(v)}" r="3.5" fill="{MEASURED}"/>' for t, _label, v in points]
    legend = [("Measured", MEASURED, "")]
    legend += [
        (name, colour, dash)
        for name, value, colour, dash in (("Baseline", baseline, BASELINE, "4 4"), ("Target", target, TARGET, "8 4"))
        if value is not None
    ]
    if band:
        legend.append(("Projected (80% band)", PROJECTED, "6 3"))
    return _finished_chart(parts, legend, _progress_alt(title, points, baseline, target, band))


def _finished_chart(parts: list[str], legend, alt: str):
    """The chart's ``parts`` with its legend ((name, colour, dash) below the plot) as an image
    whose text alternative is ``alt``."""
    lx, ly = 16, HEIGHT - 12
    for name, colour, dash in legend:
        parts.append(
            f'<line x1="{lx}" x2="{lx + 22}" y1="{ly - 4}" y2="{ly - 4}" stroke="{colour}" stroke-width="2.5"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + "/>"
        )
        parts.append(_svg_text(lx + 28, ly, name, anchor="start"))
        lx += 28 + 7 * len(name) + 24
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'font-family="{CHART_STYLE.font_family}"><title>{escape(alt)}</title>'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>{"".join(parts)}</svg>'
    )
    return _image(svg, alt)


def _progress_alt(title, points, baseline, target, band) -> str:
    """The chart in words (its text alternative)."""
    words = [f"{title}."]
    if points:
        measured = ", ".join(f"{label}: {_number(float(value))}" for _time, label, value in points)
        words.append(f"Measured {measured}.")
    if baseline is not None:
        words.append(f"Baseline {_number(float(baseline))}.")
    if target is not None:
        words.append(f"Target {_number(float(target))}.")
    if band:
        words.append(
            f"Projected {_number(band.center)} by {band.end_label}, "
            f"80% band {_number(band.low)} to {_number(band.high)}{f' ({band.note})' if band.note else ''}."
        )
    return " ".join(words)


def _image(svg: str, alt: str) -> str:
    data = base64.b64encode(svg.encode()).decode()
    return mark_safe(f'<img class="chart" alt="{escape(alt)}" src="data:image/svg+xml;base64,{data}">')


FUNDING_STAGES = ("pledged", "committed", "received", "spent")


def funding_chart(title: str, rows: list[tuple[str, object]]) -> str:
    """Funding stages per group (e.g. per state): ``rows`` are (label, FundingTotals) pairs."""
    figures = tuple((label, tuple(float(getattr(totals, stage)) for stage in FUNDING_STAGES)) for label, totals in rows)
    return _funding_chart(title, figures)


@functools.lru_cache(maxsize=128)
def _funding_chart(title: str, figures: tuple) -> str:
    """Rendered once per process for the same figures: pygal takes ~0.1 s for the 50 states of a portfolio."""
    chart = _config(
        pygal.Bar,
        title,
        x_label_rotation=20 if len(figures) > 6 else 0,
        value_formatter=lambda amount: f"${amount / 1_000_000:,.1f}M",
        legend_columns=4,
    )
    chart.x_labels = [label for label, _amounts in figures]
    for index, stage in enumerate(FUNDING_STAGES):
        chart.add(stage.capitalize(), [amounts[index] for _label, amounts in figures])
    return _render(chart)


def rating_chart(title: str, counts: dict[str, int], colors: tuple[str, ...] | None = None) -> str:
    """Schools on track / at risk / off track as a horizontal bar; ``colors`` follow the counts' order."""
    style = CHART_STYLE
    if colors:
        style = copy.copy(CHART_STYLE)
        style.colors = colors
    chart = _config(pygal.HorizontalStackedBar, title, height=160, legend_columns=4, style=style)
    chart.x_labels = [""]
    for label, count in counts.items():
        chart.add(label, [count])
    return _render(chart)


def _svg_text(px, py, content, anchor="middle", size=11, extra="") -> str:
    return (
        f'<text x="{px}" y="{py}" text-anchor="{anchor}" font-size="{size}" fill="{INK}"{extra}>'
        f"{escape(content)}</text>"
    )


LINE_LABELS = 12  # at most this many labels on a line chart's time axis


def line_chart(
    title: str, points: list[tuple[str, Decimal | None]], *, series_label: str, target=None, target_label="Target"
) -> str:
    """One figure over time (e.g. a match ratio at the end of each month) as a line, with a flat
    dashed target line. ``points`` are (label, value) in time order, evenly spaced; a None value
    (nothing to show that time) breaks the line. Plain SVG, like ``progress_chart``; the text
    alternative names the first and latest values and the target."""
    known = [float(value) for _label, value in points if value is not None]
    ticks = _ticks(min([*known, 0.0]), max([*known, *([float(target)] if target is not None else []), 0.0]))
    y_low, y_high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def x(index: int) -> float:
        return round(LEFT + index * step, 1)

    def y(value) -> float:
        return round(TOP + (y_high - float(value)) / ((y_high - y_low) or 1) * plot_h, 1)

    parts = [_svg_text(WIDTH / 2, 20, title, size=14)]
    for tick in ticks:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick)}" y2="{y(tick)}" stroke="{GRID}"/>')
        parts.append(_svg_text(LEFT - 6, y(tick) + 4, _number(tick), anchor="end"))
    every = math.ceil(len(points) / LINE_LABELS) or 1
    for index, (label, _value) in enumerate(points):
        last_apart = index == len(points) - 1 and index % every >= every / 2  # not on the label before it
        if index % every == 0 or last_apart:
            rotate = f' transform="rotate(-30 {x(index)} {HEIGHT - BOTTOM + 14})"'
            parts.append(_svg_text(x(index), HEIGHT - BOTTOM + 14, label, anchor="end", extra=rotate))
    if target is not None:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(target)}" y2="{y(target)}" stroke="{TARGET}" '
            f'stroke-width="2" stroke-dasharray="8 4"/>'
        )
    indexed = enumerate(value for _label, value in points)
    for known_run, run in itertools.groupby(indexed, key=lambda item: item[1] is not None):
        if known_run:
            line = " ".join(f"{x(index)},{y(value)}" for index, value in run)
            parts.append(f'<polyline points="{line}" fill="none" stroke="{MEASURED}" stroke-width="2.5"/>')
    legend = [(series_label, MEASURED, "")] + ([(target_label, TARGET, "8 4")] if target is not None else [])
    return _finished_chart(parts, legend, _line_alt(title, points, series_label, target, target_label))


def _line_alt(title, points, series_label, target, target_label) -> str:
    """The line chart in words: its first and latest values and its target."""
    words = [f"{title}."]
    shown = [(label, value) for label, value in points if value is not None]
    if shown:
        (first_label, first), (last_label, last) = shown[0], shown[-1]
        words.append(
            f"{series_label}: {_number(float(first))} in {first_label}, {_number(float(last))} in {last_label}."
        )
    else:
        words.append(f"No {series_label.lower()} yet.")
    if target is not None:
        words.append(f"{target_label} {_number(float(target))}.")
    return " ".join(words)
