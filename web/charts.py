"""Server-side SVG charts shared by the pages and the PDF briefs, drawn as plain SVG.

Each chart is an SVG document embedded as an ``<img>`` with a data URI: no script or style
reaches the page, so charts work under a strict Content Security Policy (``img-src data:``) and
in WeasyPrint alike. Each function returns safe ``<img>`` markup whose ``alt`` says in words what
the chart shows; the SVG itself is ``role="img"`` with that ``<title>`` and ``<desc>``.

How every chart reads: a few light solid gridlines at round values (``ticks``), the value range
padded so that no line, bar or target sits on the chart's edge, the target a bold line drawn
above the grid and labelled, the latest value labelled, every colour darkened where needed to
stand 3:1 against white (WCAG 1.4.11: ``contrasting``), and text no smaller than ``FONT`` units,
so that a chart set across a printed page (≥ 427 pt wide) has labels of 8 pt or more.
"""

import base64
import functools
import hashlib
import itertools
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 96, 36, 40, 96
FONT, TITLE_FONT = 12, 15  # the smallest text and the title, in SVG units (1/640 of the chart's width)
FONT_FAMILY = "DejaVu Sans, Helvetica, Arial, sans-serif"
INK, SUBTLE, GRID = "#1d2733", "#5b6776", "#e3e7ec"  # GRID: decorative, kept light under the data
MIN_CONTRAST = 3.0  # WCAG 1.4.11: graphics needed to read the chart, against the white background


# A drawn chart is kept by content: the key hashes the chart's inputs and this module's code (a
# change of drawing is a new key), so a page drawn again with the same figures reads it back.
DRAWING = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
CHART_TIMEOUT = 7 * 24 * 3600


def cached_by_content(draw):
    """``draw`` answered from the cache for inputs it drew before. The cache is core.cache's, which
    fails open: with Redis away the chart is kept in this process's memory, never an error."""

    @functools.wraps(draw)
    def chart(*args, **kwargs):
        inputs = repr((draw.__name__, args, sorted(kwargs.items()))).encode()
        key = f"chart:{DRAWING}:{hashlib.sha256(inputs).hexdigest()}"
        kept = cache.get(key)
        if kept is not None:
            return mark_safe(kept)  # markup this module drew
        markup = draw(*args, **kwargs)
        cache.set(key, str(markup), CHART_TIMEOUT)
        return markup

    return chart


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(colour: str, background: str = "#ffffff") -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours."""
    light, dark = sorted((_luminance(colour), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@functools.lru_cache(maxsize=64)
def contrasting(colour: str) -> str:
    """``colour`` (a choice's colour), darkened just enough to stand 3:1 against white."""
    shade = colour
    for step in range(1, 20):
        if contrast(shade) >= MIN_CONTRAST:
            break
        shade = "#" + "".join(f"{round(int(colour[i : i + 2], 16) * (1 - step * 0.04)):02x}" for i in (1, 3, 5))
    return shade


MEASURED = contrasting("#1f5f8b")
BASELINE = SUBTLE
TARGET = contrasting("#2e7d32")
PROJECTED = contrasting("#e07b00")
FUNDING_STAGES = {"pledged": "#1f5f8b", "committed": "#5b6776", "received": "#2e7d32", "spent": "#e07b00"}


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


PAD = 0.08  # the share of the value range left free above and below the data


def ticks(low: float, high: float, count: int = 5, *, floor_at_zero: bool = False) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten apart; at most ``count`` + 3 of
    them) covering low..high padded by ``PAD`` of the range on both sides, so that nothing drawn
    sits on the first or last tick; not below zero for ``floor_at_zero`` (counts, money)."""
    if high <= low:  # one value: a range around it
        low, high = low - (abs(low) * 0.1 or 1.0), high + (abs(high) * 0.1 or 1.0)
    span = high - low
    low, high = low - span * PAD, high + span * PAD
    if floor_at_zero:
        low = max(low, 0.0)
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    return [first + i * step for i in range(math.ceil(round((high - first) / step, 9)) + 1)]


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _text(px, py, content, anchor="middle", size=FONT, fill=INK, extra="") -> str:
    return (
        f'<text x="{px}" y="{py}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{extra}>'
        f"{escape(content)}</text>"
    )


def _text_width(content: str, size: int = FONT) -> float:
    """About how wide ``content`` is set in DejaVu Sans at ``size``."""
    return 0.62 * size * len(content)


class _ValueAxis:
    """The vertical value scale of a plot from ``TOP`` to ``HEIGHT - BOTTOM``, its light grid and labels."""

    def __init__(self, values, *, floor_at_zero=False, label=_number, height=HEIGHT, bottom=BOTTOM):
        self.ticks = ticks(min(values), max(values), floor_at_zero=floor_at_zero)
        self.low, self.high, self.label = self.ticks[0], self.ticks[-1], label
        self.plot_h = height - TOP - bottom  # ``bottom``: the room under the plot for labels and legend

    def y(self, value) -> float:
        plot_h = self.plot_h
        return round(TOP + (self.high - float(value)) / ((self.high - self.low) or 1) * plot_h, 1)

    def grid(self) -> list[str]:
        parts = []
        for tick in self.ticks:
            y = self.y(tick)
            parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" stroke="{GRID}" stroke-width="1"/>')
            parts.append(_text(LEFT - 8, y + 4, self.label(tick), anchor="end", fill=SUBTLE))
        return parts


def _time_labels(labels: list[tuple[float, str]], gap: float = 30) -> list[str]:
    """Slanted labels under the plot at x positions (x, label), each at least ``gap`` from the
    last one drawn; the last label is always drawn (the one before it dropped when too close)."""
    kept: list[tuple[float, str]] = []
    for px, label in labels:
        if not kept or px - kept[-1][0] >= gap:
            kept.append((px, label))
        elif (px, label) == labels[-1]:
            kept[-1] = (px, label)
    base = HEIGHT - BOTTOM + 16
    return [
        _text(px, base, short, anchor="end", fill=SUBTLE, extra=f' transform="rotate(-30 {px} {base})"')
        for px, label in kept
        for (short,) in [_wrapped(label, min((px - 4) / math.cos(math.pi / 6), 150), lines=1)]  # within the chart
    ]


def _target_line(axis: _ValueAxis, value, label: str) -> list[str]:
    """The target: a bold line over the grid, labelled with its value at the right end."""
    y = axis.y(value)
    return [
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" stroke="{TARGET}" stroke-width="3"/>',
        _text(
            WIDTH - RIGHT,
            y - 6,
            f"{label} {_number(float(value))}",
            anchor="end",
            fill=TARGET,
            extra=' font-weight="700"',
        ),
    ]


def _latest_label(px: float, py: float, value) -> str:
    """The latest value, bold beside its point (to its left at the right edge)."""
    anchor, dx = ("end", -8) if px > WIDTH - RIGHT - 40 else ("start", 8)
    return _text(
        round(px + dx, 1),
        round(py - 8, 1),
        _number(float(value)),
        anchor=anchor,
        fill=MEASURED,
        extra=' font-weight="700"',
    )


@cached_by_content
def progress_chart(
    title: str,
    points: list[tuple[float, str, Decimal]],
    baseline=None,
    target=None,
    band: Band | None = None,
) -> str:
    """A metric over time for one school: its measurements (the latest labelled), flat baseline
    and target lines and, when there is a projection, the center line to the target year inside
    its shaded band.

    ``points`` are (time in years, label, value) in time order, e.g. (2010.25, "2010-11 Fall", 41.5).
    """
    values = [float(value) for _time, _label, value in points]
    levels = [*values, *(float(v) for v in (baseline, target) if v is not None)]
    times = [float(time) for time, _label, _value in points]
    if band:
        levels += [band.low, band.high, band.center]
        times.append(band.end_time)
    axis = _ValueAxis(levels or [0.0])
    t_low, t_high = min(times, default=0.0), max(times, default=0.0)
    span = (t_high - t_low) or 1.0
    plot_w = WIDTH - LEFT - RIGHT

    def x(time: float) -> float:
        return round(LEFT + (float(time) - t_low) / span * plot_w, 1)

    y = axis.y
    parts = [_text(WIDTH / 2, 22, title, size=TITLE_FONT, extra=' font-weight="700"'), *axis.grid()]
    labels = [(float(time), label) for time, label, _value in points]
    if band:
        labels.append((band.end_time, band.end_label))
    parts += _time_labels([(x(time), label) for time, label in sorted(labels)])
    if baseline is not None:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(baseline)}" y2="{y(baseline)}" stroke="{BASELINE}" '
            f'stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
    if target is not None:
        parts += _target_line(axis, target, "Target")
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
        last_time, _label, last = points[-1]
        parts.append(_latest_label(x(last_time), y(last), last))
    legend = [("Measured", MEASURED, "")]
    legend += [
        (name, colour, dash)
        for name, value, colour, dash in (("Baseline", baseline, BASELINE, "5 4"), ("Target", target, TARGET, ""))
        if value is not None
    ]
    if band:
        legend.append(("Projected (80% band)", PROJECTED, "6 3"))
    return _finished_chart(parts, _line_legend(legend), title, _progress_words(points, baseline, target, band))


def _line_legend(items, y: float = HEIGHT - 14) -> list[str]:
    """(name, colour, dash) entries in a row under the plot: a short line and the name."""
    parts, lx = [], 16.0
    for name, colour, dash in items:
        parts.append(
            f'<line x1="{lx}" x2="{lx + 24}" y1="{y - 4}" y2="{y - 4}" stroke="{colour}" stroke-width="3"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + "/>"
        )
        parts.append(_text(lx + 30, y, name, anchor="start"))
        lx += 30 + _text_width(name) + 22
    return parts


def _swatch_legend(items, y: float) -> list[str]:
    """(name, colour) entries in a row: a square in the colour and the name."""
    parts, lx = [], 16.0
    for name, colour in items:
        parts.append(f'<rect x="{lx}" y="{y - 11}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(lx + 18, y, name, anchor="start"))
        lx += 18 + _text_width(name) + 22
    return parts


def _finished_chart(parts: list[str], legend: list[str], title: str, words: str, height: int = HEIGHT) -> str:
    """The chart's ``parts`` and legend as an image: ``role="img"``, its title and the series in words
    (``<title>``, ``<desc>``, and the image's ``alt``)."""
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="chart-title chart-desc" font-family="{FONT_FAMILY}">'
        f'<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(words)}</desc>'
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>{"".join(parts)}{"".join(legend)}</svg>'
    )
    return _image(svg, f"{title}. {words}")


def _image(svg: str, alt: str) -> str:
    data = base64.b64encode(svg.encode()).decode()
    return mark_safe(f'<img class="chart" alt="{escape(alt)}" src="data:image/svg+xml;base64,{data}">')


def _progress_words(points, baseline, target, band) -> str:
    """The progress chart in words (its description)."""
    words = []
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
    return " ".join(words) or "No values yet."


def _dollars(top: float):
    """The label of an amount on an axis up to ``top``: all in millions, thousands or dollars."""
    scale, suffix = next(
        (scale, suffix) for scale, suffix in ((1e6, "M"), (1e3, "K"), (1, "")) if top >= scale or scale == 1
    )
    return lambda amount: f"${_number(amount / scale)}{suffix}" if amount else "$0"


def _wrapped(label: str, width: float, lines: int = 2) -> list[str]:
    """``label`` in at most ``lines`` lines of about ``width`` units, the last cut with "…" when it
    still does not fit (the full name is in the chart's description)."""
    per_line = max(int(width // _text_width("n")), 4)
    rows: list[str] = []
    for word in label.split():
        if rows and len(rows[-1]) + 1 + len(word) <= per_line:
            rows[-1] += " " + word
        else:
            rows.append(word)
    if len(rows) > lines:
        rows = [*rows[: lines - 1], " ".join(rows[lines - 1 :])]
    return [row if len(row) <= per_line else row[: per_line - 1] + "…" for row in rows]


def funding_chart(title: str, rows: list[tuple[str, object]]) -> str:
    """Funding stages per group (e.g. per state): ``rows`` are (label, FundingTotals) pairs."""
    figures = tuple((label, tuple(float(getattr(totals, stage)) for stage in FUNDING_STAGES)) for label, totals in rows)
    return _funding_chart(title, figures)


FUNDING_HEIGHT, FUNDING_BOTTOM = 220, 70  # taller, with room for slanted labels, past eight groups


@functools.lru_cache(maxsize=128)
def _funding_chart(title: str, figures: tuple) -> str:
    """Bars of the four funding stages per group, grouped, under a light grid of round amounts;
    long group names wrap to two lines (slanted single lines past eight groups)."""
    levels = [0.0, *(amount for _label, amounts in figures for amount in amounts)]
    slanted = len(figures) > 8
    height = FUNDING_HEIGHT + (BOTTOM - FUNDING_BOTTOM if slanted else 0)
    axis = _ValueAxis(levels, floor_at_zero=True, height=height, bottom=BOTTOM if slanted else FUNDING_BOTTOM)
    axis.label = _dollars(axis.high)
    plot_w = WIDTH - LEFT - RIGHT
    group = plot_w / max(len(figures), 1)
    bar = min(group * 0.8 / len(FUNDING_STAGES), 28)
    colours = [contrasting(colour) for colour in FUNDING_STAGES.values()]
    parts = [_text(WIDTH / 2, 22, title, size=TITLE_FONT, extra=' font-weight="700"'), *axis.grid()]
    bottom = axis.y(0)
    for index, (label, amounts) in enumerate(figures):
        left = LEFT + index * group + (group - bar * len(amounts)) / 2
        for stage, (amount, colour) in enumerate(zip(amounts, colours, strict=True)):
            top = axis.y(amount)
            parts.append(
                f'<rect x="{round(left + stage * bar, 1)}" y="{top}" width="{round(bar - 1, 1)}" '
                f'height="{round(bottom - top, 1)}" fill="{colour}"/>'
            )
        center = round(LEFT + (index + 0.5) * group, 1)
        if slanted:
            (short,) = _wrapped(label, 90, lines=1)
            base = bottom + 16
            parts.append(_text(center, base, short, anchor="end", extra=f' transform="rotate(-45 {center} {base})"'))
        else:
            for line, text in enumerate(_wrapped(label, group - 6)):
                parts.append(_text(center, bottom + 16 + line * (FONT + 2), text))
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" stroke="{SUBTLE}"/>')
    legend = _swatch_legend(
        [(stage.capitalize(), colour) for stage, colour in zip(FUNDING_STAGES, colours, strict=True)],
        height - 12,
    )
    return _finished_chart(parts, legend, title, _funding_words(figures), height=height)


def _funding_words(figures) -> str:
    """Each group's four amounts; past eight groups (a wall of words to hear) the totals and the
    largest pledge instead: the page's table beside the chart lists every group."""

    def amounts(values) -> str:
        return ", ".join(f"{stage} ${amount:,.0f}" for stage, amount in zip(FUNDING_STAGES, values, strict=True))

    if not figures:
        return "No money yet."
    if len(figures) <= 8:
        return " ".join(f"{label}: {amounts(values)}." for label, values in figures)
    totals = [sum(values[index] for _label, values in figures) for index in range(len(FUNDING_STAGES))]
    label, values = max(figures, key=lambda figure: figure[1][0])
    return f"{len(figures)} in all: {amounts(totals)}. The most pledged: {label}, ${values[0]:,.0f}."


RATING_HEIGHT = 124


@cached_by_content
def rating_chart(title: str, counts: dict[str, int], colors: tuple[str, ...]) -> str:
    """Schools on track / at risk / off track as one horizontal bar of segments in the counts'
    order (``colors``: the choices' colours), each count in the legend, a few round ticks below."""
    colours = [contrasting(colour) for colour in colors]
    total = sum(counts.values())
    scale_ticks = [
        tick for tick in ticks(0, total or 1, count=4, floor_at_zero=True) if tick <= total and tick % 1 == 0
    ]
    left, right, top, bar_h = 16, WIDTH - 16, 34, 30
    unit = (right - left) / max(total, 1)
    parts = [_text(WIDTH / 2, 22, title, size=TITLE_FONT, extra=' font-weight="700"')]
    for tick in scale_ticks:
        px = round(left + tick * unit, 1)
        parts.append(f'<line x1="{px}" x2="{px}" y1="{top}" y2="{top + bar_h + 6}" stroke="{GRID}"/>')
        parts.append(_text(px, top + bar_h + 20, _number(tick), fill=SUBTLE))
    start = 0
    for (_label, count), colour in zip(counts.items(), colours, strict=False):
        if count:
            parts.append(
                f'<rect x="{round(left + start * unit, 1)}" y="{top}" width="{round(count * unit - 1.5, 1)}" '
                f'height="{bar_h}" fill="{colour}"/>'
            )
        start += count
    legend = _swatch_legend(
        [(f"{label} {count}", colour) for (label, count), colour in zip(counts.items(), colours, strict=False)],
        RATING_HEIGHT - 10,
    )
    words = ", ".join(f"{label} {count}" for label, count in counts.items()) + f" ({total} in all)."
    return _finished_chart(parts, legend, title, words, height=RATING_HEIGHT)


LINE_LABELS = 12  # at most this many labels on a line chart's time axis


@cached_by_content
def line_chart(
    title: str, points: list[tuple[str, Decimal | None]], *, series_label: str, target=None, target_label="Target"
) -> str:
    """One figure over time (e.g. a match ratio at the end of each month) as a line, its latest
    value labelled, with a bold target line. ``points`` are (label, value) in time order, evenly
    spaced; a None value (nothing to show that time) breaks the line. The text alternative names
    the first and latest values and the target."""
    known = [float(value) for _label, value in points if value is not None]
    axis = _ValueAxis(
        [*known, *([float(target)] if target is not None else []), 0.0], floor_at_zero=min(known, default=0) >= 0
    )
    plot_w = WIDTH - LEFT - RIGHT
    step = plot_w / max(len(points) - 1, 1)

    def x(index: int) -> float:
        return round(LEFT + index * step, 1)

    y = axis.y
    parts = [_text(WIDTH / 2, 22, title, size=TITLE_FONT, extra=' font-weight="700"'), *axis.grid()]
    every = math.ceil(len(points) / LINE_LABELS) or 1
    shown = [(x(index), label) for index, (label, _value) in enumerate(points) if index % every == 0]
    if points and len(points) - 1 not in range(0, len(points), every):
        shown.append((x(len(points) - 1), points[-1][0]))
    parts += _time_labels(shown)
    if target is not None:
        parts += _target_line(axis, target, target_label)
    indexed = enumerate(value for _label, value in points)
    for known_run, run in itertools.groupby(indexed, key=lambda item: item[1] is not None):
        if known_run:
            line = " ".join(f"{x(index)},{y(value)}" for index, value in run)
            parts.append(f'<polyline points="{line}" fill="none" stroke="{MEASURED}" stroke-width="2.5"/>')
    latest = next(
        ((index, value) for index, (_label, value) in reversed(list(enumerate(points))) if value is not None), None
    )
    if latest is not None:
        parts.append(f'<circle cx="{x(latest[0])}" cy="{y(latest[1])}" r="3.5" fill="{MEASURED}"/>')
        parts.append(_latest_label(x(latest[0]), y(latest[1]), latest[1]))
    legend = [(series_label, MEASURED, "")] + ([(target_label, TARGET, "")] if target is not None else [])
    return _finished_chart(parts, _line_legend(legend), title, _line_words(points, series_label, target, target_label))


def _line_words(points, series_label, target, target_label) -> str:
    """The line chart in words: its first and latest values and its target."""
    words = []
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
