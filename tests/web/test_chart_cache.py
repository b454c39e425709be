"""A chart drawn once is read back for the same inputs (a school page drawn again draws nothing),
and drawn anew when any input changes."""

from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache

from web import charts

POINTS = [(2010.25, "2010-11 Fall", Decimal("41.5")), (2010.75, "2010-11 Spring", Decimal("44.0"))]
BAND = charts.Band(start=(2010.75, 44.0), end_time=2012.75, end_label="2012-13", center=52.0, low=48.0, high=56.0)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_same_chart_is_drawn_once():
    with mock.patch.object(charts, "_finished_chart", wraps=charts._finished_chart) as drawn:
        first = charts.progress_chart("Math", POINTS, baseline=Decimal("40"), target=Decimal("55"), band=BAND)
        again = charts.progress_chart("Math", POINTS, baseline=Decimal("40"), target=Decimal("55"), band=BAND)
    assert again == first and drawn.call_count == 1
    assert hasattr(again, "__html__")  # still safe markup


@pytest.mark.parametrize(
    "changed",
    [
        {"title": "Reading"},
        {"points": POINTS[:1]},
        {"target": Decimal("56")},
        {"band": None},
    ],
)
def test_any_changed_input_draws_anew(changed):
    inputs = {"title": "Math", "points": POINTS, "baseline": Decimal("40"), "target": Decimal("55"), "band": BAND}
    first = charts.progress_chart(**inputs)
    with mock.patch.object(charts, "_finished_chart", wraps=charts._finished_chart) as drawn:
        other = charts.progress_chart(**{**inputs, **changed})
    assert drawn.call_count == 1 and other != first


def test_line_and_rating_charts_are_kept_too():
    with mock.patch.object(charts, "_finished_chart", wraps=charts._finished_chart) as drawn:
        for _ in range(2):
            charts.line_chart("Match", [("Jan", Decimal("1.2")), ("Feb", None)], series_label="Ratio", target=1)
            charts.rating_chart("Ratings", {"On track": 3, "Off track": 1}, ("#2e7d32", "#c62828"))
    assert drawn.call_count == 2
