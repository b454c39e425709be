"""Server-side SVG charts (pygal) shared by the pages and the PDF briefs.

Each chart is an SVG document (pygal's script removed) embedded as an ``<img>`` with a data URI:
no inline script or style reaches the page, so charts work under a strict Content Security
Policy (``img-src data:``) and in WeasyPrint alike. Each function returns safe ``<img>`` markup.
"""

import base64
import copy
import functools
import re
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
    colors=("#1f5f8b", "#9aa5b1", "#2e8540", "#e07b00", "#b3261e", "#6f42c1"),
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
    svg = SCRIPT_RE.sub("", chart.render(is_unicode=True))
    data = base64.b64encode(svg.encode()).decode()
    alt = escape(chart.config.title or "Chart")
    return mark_safe(f'<img class="chart" alt="{alt}" src="data:image/svg+xml;base64,{data}">')


def progress_chart(title: str, points: list[tuple[str, Decimal]], baseline=None, target=None) -> str:
    """A metric over time for one school: measurements, with flat baseline and target lines.

    ``points`` are (label, value) pairs in time order, e.g. ("2010-11 Fall", Decimal("41.5")).
    """
    chart = _config(pygal.Line, title, x_label_rotation=30, show_minor_x_labels=True, dots_size=3)
    chart.x_labels = [label for label, _value in points]
    chart.add("Measured", [float(value) for _label, value in points])
    if baseline is not None:
        chart.add("Baseline", [float(baseline)] * len(points), show_dots=False, stroke_style={"dasharray": "4, 4"})
    if target is not None:
        chart.add("Target", [float(target)] * len(points), show_dots=False, stroke_style={"dasharray": "8, 4"})
    return _render(chart)


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
