"""accountability/services.py: gain, share of target, linear projection and status, against
numbers worked out by hand. Zone launched 2010-11; baseline 2009-10 (sits at 2010.0); target
2011-12 (sits at 2012.0); a measurement in period p of 2010-11 sits at 2010 + p/4."""

from decimal import Decimal

import pytest

from accountability.services import overall_status, progress_for_schools
from tests.factories import BaselineFactory, LaunchedZoneFactory, MeasurementFactory, MetricFactory, TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def zone():
    return LaunchedZoneFactory(schools=4, launch_school_year="2010-11")


def series(school, metric, baseline, target, *measurements):
    BaselineFactory(school=school, metric=metric, school_year="2009-10", value=Decimal(baseline))
    TargetFactory(school=school, metric=metric, target_school_year="2011-12", value=Decimal(target))
    for school_year, period, value in measurements:
        MeasurementFactory(school=school, metric=metric, school_year=school_year, period=period, value=Decimal(value))


def progress_of(school, metric):
    return next(item for item in progress_for_schools([school])[school.pk] if item.metric == metric)


@pytest.mark.parametrize(
    ("latest", "gain", "share", "projected", "status"),
    [
        # winter 2010-11 (2010.5): slope (45-40)/0.5 = 10 a year -> 40 + 10*2 = 60, the target
        (("2010-11", 2, "45"), "5", "0.250", "60.00", "on_track"),
        # end of 2010-11 (2011.0): slope 6 -> 52: 12 of the 20 needed = 0.6
        (("2010-11", 4, "46"), "6", "0.300", "52.00", "at_risk"),
        # end of 2010-11: slope 2 -> 44: 4 of 20 = 0.2
        (("2010-11", 4, "42"), "2", "0.100", "44.00", "off_track"),
        # fall 2011-12 (2011.25): slope -2/1.25 = -1.6 -> 36.80: it got worse
        (("2011-12", 1, "38"), "-2", "-0.100", "36.80", "off_track"),
    ],
)
def test_higher_is_better(zone, latest, gain, share, projected, status):
    metric = MetricFactory(direction="higher")
    school = zone.schools.first()
    series(school, metric, "40", "60", latest)
    item = progress_of(school, metric)
    assert (item.baseline, item.target, item.latest) == (Decimal("40"), Decimal("60"), Decimal(latest[2]))
    assert item.gain == Decimal(gain)
    assert item.needed_gain == Decimal("20")
    assert item.share_of_target == Decimal(share)
    assert item.projected == Decimal(projected)
    assert item.status == status


def test_lower_is_better(zone):
    # absenteeism 30 -> target 20; end of 2010-11 at 26: slope -4 -> 22; projected gain 8 of 10 = 0.8
    metric = MetricFactory(direction="lower")
    school = zone.schools.first()
    series(school, metric, "30", "20", ("2010-11", 4, "26"))
    item = progress_of(school, metric)
    assert (item.gain, item.needed_gain, item.share_of_target) == (Decimal("4"), Decimal("10"), Decimal("0.400"))
    assert item.projected == Decimal("22.00")
    assert item.status == "at_risk"


def test_the_latest_measurement_is_the_latest_period_of_the_latest_year(zone):
    metric = MetricFactory()
    school = zone.schools.first()
    series(school, metric, "40", "60", ("2010-11", 4, "99"), ("2011-12", 1, "50"), ("2010-11", 3, "10"))
    item = progress_of(school, metric)
    assert (item.latest, item.latest_year, item.latest_period) == (Decimal("50"), "2011-12", 1)
    # The least-squares line through the baseline and all three measurements (not only the latest):
    # x̄ = 2010.75, ȳ = 49.75, Sxx = 0.875, Sxy = 19.75 -> slope 22.571; at 2012: 49.75 + 22.571 * 1.25
    # = 77.96, 37.96 of 20 -> on track
    assert (item.projected, item.status) == (Decimal("77.96"), "on_track")


def test_no_measurement_after_the_baseline_means_no_data(zone):
    metric = MetricFactory()
    school = zone.schools.first()
    series(school, metric, "40", "60")
    item = progress_of(school, metric)
    assert (item.latest, item.gain, item.projected, item.status) == (None, None, None, "no_data")
    MeasurementFactory(school=school, metric=metric, school_year="2009-10", period=4, value=Decimal("41"))
    assert progress_of(school, metric).status == "no_data"  # sits at the baseline itself: no trend yet


def test_a_school_is_as_good_as_its_weakest_metric(zone):
    school = zone.schools.first()
    on_track, at_risk, no_data = MetricFactory(), MetricFactory(), MetricFactory()
    series(school, on_track, "40", "60", ("2010-11", 2, "45"))
    series(school, at_risk, "40", "60", ("2010-11", 4, "46"))
    series(school, no_data, "40", "60")
    progress = progress_for_schools([school])[school.pk]
    assert [item.metric for item in progress] == sorted([on_track, at_risk, no_data], key=lambda m: m.name)
    assert overall_status(progress) == "at_risk"
    assert overall_status([item for item in progress if item.metric == no_data]) == "no_data"
    assert overall_status([]) == "no_data"


def test_progress_for_many_schools_takes_three_queries(zone, django_assert_num_queries):
    metrics = [MetricFactory(), MetricFactory()]
    for school in zone.schools.all():
        for metric in metrics:
            series(school, metric, "40", "60", ("2010-11", 1, "42"), ("2010-11", 2, "44"))
    with django_assert_num_queries(3):
        progress = progress_for_schools(zone.schools.all())
    assert len(progress) == 4
    assert all(len(items) == 2 and items[0].latest == Decimal("44") for items in progress.values())


def test_status_label(zone):
    metric = MetricFactory()
    school = zone.schools.first()
    series(school, metric, "40", "60", ("2010-11", 4, "42"))
    assert progress_of(school, metric).status_label == "Off track"
