"""The projection's band and the state's thresholds (accountability/services.py), against numbers
worked out by hand. Zone launched 2010-11; baseline 2009-10 (sits at 2010.0); target 2011-12
(sits at 2012.0); a measurement in period p of school year Y-(Y+1) sits at Y + p/4."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accountability.services import progress_for_schools, t_90
from tests.factories import (
    BaselineFactory,
    LaunchedZoneFactory,
    MeasurementFactory,
    MetricFactory,
    StateFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal


def zone_in(state=None):
    return LaunchedZoneFactory(schools=3, launch_school_year="2010-11", **({"state": state} if state else {}))


def series(school, metric, baseline, target, *measurements):
    BaselineFactory(school=school, metric=metric, school_year="2009-10", value=D(baseline))
    TargetFactory(school=school, metric=metric, target_school_year="2011-12", value=D(target))
    for school_year, period, value in measurements:
        MeasurementFactory(school=school, metric=metric, school_year=school_year, period=period, value=D(value))


def progress_of(school, metric):
    return next(item for item in progress_for_schools([school])[school.pk] if item.metric == metric)


# x̄ = 2010.75, ȳ = 46, Sxx = 1.25, Sxy = 10.5: slope 8.4, center at 2012 = 46 + 8.4 * 1.25 = 56.5.
# Residuals 0.3, 0.1, -1.1, 0.7: SSE 1.8, s = √0.9; √(1 + 1/4 + 1.5625/1.25) = √2.5, so
# s · √2.5 = √2.25 = 1.5 and the half-width is t(0.90, 2) · 1.5 = 1.886 · 1.5 = 2.829.
FOUR_POINTS = (("2010-11", 2, "44"), ("2010-11", 4, "47"), ("2011-12", 2, "53"))


def test_two_points_the_line_of_old_with_the_documented_prior_spread():
    metric = MetricFactory(direction="higher")
    school = zone_in().schools.first()
    # 40 at 2010 → 46 at 2011: slope 6, 52 at 2012 (as before). Needed gain 20; prior half-width
    # 10% of it at the measurement (2), widened by (2012 - 2010) / (2011 - 2010) = 2: 4.
    series(school, metric, "40", "60", ("2010-11", 4, "46"))
    item = progress_of(school, metric)
    assert (item.projected, item.band_low, item.band_high) == (D("52.00"), D("48.00"), D("56.00"))
    assert item.band_is_prior
    assert item.status == "at_risk"  # 12 of 20 = 0.6; the band's best (56) is still short of 60


def test_four_points_least_squares_with_the_prediction_interval():
    metric = MetricFactory(direction="higher")
    school = zone_in().schools.first()
    series(school, metric, "40", "60", *FOUR_POINTS)
    item = progress_of(school, metric)
    assert t_90(2) == D("1.886")
    assert (item.projected, item.band_low, item.band_high) == (D("56.50"), D("53.67"), D("59.33"))
    assert not item.band_is_prior
    assert (item.latest, item.latest_year, item.latest_period) == (D("53"), "2011-12", 2)
    assert item.status == "at_risk"  # 16.5 of 20 = 0.825; the best edge 19.33 of 20 stays short


def test_a_noisy_series_has_a_wider_band_than_a_clean_one():
    metric = MetricFactory()
    clean_school, noisy_school, _ = zone_in().schools.all()
    series(clean_school, metric, "40", "60", ("2010-11", 2, "44"), ("2010-11", 4, "48"), ("2011-12", 2, "52"))
    series(noisy_school, metric, "40", "60", ("2010-11", 2, "47"), ("2010-11", 4, "45"), ("2011-12", 2, "52"))
    clean, noisy = progress_of(clean_school, metric), progress_of(noisy_school, metric)
    assert clean.projected == clean.band_low == clean.band_high == D("56.00")  # on a line: no scatter
    assert noisy.band_high - noisy.band_low > D("5")


def test_the_band_keeps_an_early_uncertain_projection_at_risk():
    # Fall of the first year (2010.25): slope 4 → 48 at 2012, 8 of 20 = 0.4 (off track by its
    # center); prior half-width 2 * (2 / 0.25) = 16: the best edge 64 reaches the target.
    metric = MetricFactory(direction="higher")
    school = zone_in().schools.first()
    series(school, metric, "40", "60", ("2010-11", 1, "41"))
    item = progress_of(school, metric)
    assert (item.projected, item.band_low, item.band_high) == (D("48.00"), D("32.00"), D("64.00"))
    assert item.status == "at_risk"


def test_lower_is_better_judges_the_low_edge():
    # Absence 30 → target 20 (needs 10); 29.5 at 2010.25: slope -2 → 26 (gain 4 = 0.4); prior
    # half-width 1 * 8 = 8: the optimistic edge is the low one, 18 (gain 12).
    metric = MetricFactory(direction="lower")
    school = zone_in().schools.first()
    series(school, metric, "30", "20", ("2010-11", 1, "29.5"))
    item = progress_of(school, metric)
    assert (item.projected, item.band_low, item.band_high) == (D("26.00"), D("18.00"), D("34.00"))
    assert item.status == "at_risk"


@pytest.mark.parametrize(
    ("on_track_share", "at_risk_share", "status"),
    [
        ("1.00", "0.50", "at_risk"),  # the defaults: 0.825 of the needed gain
        ("0.80", "0.50", "on_track"),  # a state content with 80% of the target
        ("1.00", "0.90", "off_track"),  # center 0.825 < 0.9 and the best edge 0.9665 < 1
    ],
)
def test_the_states_thresholds_decide_the_status(on_track_share, at_risk_share, status):
    state = StateFactory(on_track_share=D(on_track_share), at_risk_share=D(at_risk_share))
    metric = MetricFactory(direction="higher")
    school = zone_in(state).schools.first()
    series(school, metric, "40", "60", *FOUR_POINTS)
    assert progress_of(school, metric).status == status


def test_each_school_is_judged_with_its_own_states_thresholds_in_constant_queries():
    metric = MetricFactory()
    strict = zone_in(StateFactory(on_track_share=D("1.00"))).schools.first()
    lenient = zone_in(StateFactory(on_track_share=D("0.80"))).schools.first()
    for school in (strict, lenient):
        series(school, metric, "40", "60", *FOUR_POINTS)
    with CaptureQueriesContext(connection) as one:
        progress_for_schools([strict])
    with CaptureQueriesContext(connection) as both:
        progress = progress_for_schools([strict, lenient])
    assert len(one) == len(both) == 3
    assert [progress[school.pk][0].status for school in (strict, lenient)] == ["at_risk", "on_track"]


def test_the_school_page_shows_the_band_in_its_table_chart_and_csv(world, login):
    school = world.home.schools[0]
    metric = MetricFactory(name="Reading fluency")
    series(school, metric, "40", "60", *FOUR_POINTS)
    client = login(world.home.users["state_lead"])
    url = reverse("portfolio:school_detail", kwargs={"school_pk": school.pk})

    page = client.get(url).content.decode()
    assert "53.67 – 59.33" in page
    assert "80% band 53.67 to 59.33" in page  # the chart's text alternative

    rows = list(csv.DictReader(io.StringIO(client.get(url, {"export": "progress"}).content.decode())))
    row = next(row for row in rows if row["Metric"] == "Reading fluency")
    assert (row["Projected"], row["Band low (80%)"], row["Band high (80%)"]) == ("56.50", "53.67", "59.33")


def test_the_projection_and_its_band_stay_within_the_metrics_valid_range():
    metric = MetricFactory(direction="higher", min_value=0, max_value=100)
    school = zone_in().schools.first()
    # 60 at 2010 → 90 at 2011: the line reaches 120 at 2012, its band 114–126: a percentage stops at 100.
    series(school, metric, "60", "95", ("2010-11", 4, "90"))
    item = progress_of(school, metric)
    assert (item.projected, item.band_low, item.band_high) == (D("100"), D("100"), D("100"))
    assert item.status == "on_track"
