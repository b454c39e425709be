"""Baselines come before launch, targets are gains due within two years, values fit their metric."""

from decimal import Decimal

import pytest

from accountability.models import Metric
from tests.factories import (
    BaselineFactory,
    LaunchedZoneFactory,
    MeasurementFactory,
    MetricFactory,
    SchoolFactory,
    TargetFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    """A school in a zone launched in 2010-11."""
    return LaunchedZoneFactory(launch_school_year="2010-11").schools.first()


@pytest.mark.parametrize("year", ["2010-11", "2011-12"])
def test_a_target_is_due_in_the_first_or_second_year_after_launch(school, year):
    TargetFactory.build(school=school, metric=MetricFactory(), target_school_year=year).full_clean()


@pytest.mark.parametrize("year", ["2009-10", "2012-13"])
def test_a_target_outside_two_years_of_launch_is_refused(invalid, school, year):
    errors = invalid(
        TargetFactory.build(school=school, metric=MetricFactory(), target_school_year=year), "target_school_year"
    )
    assert "2010-11" in errors["target_school_year"][0]


@pytest.mark.parametrize(
    ("direction", "baseline", "good", "bad"),
    [("higher", "30.00", "30.10", "30.00"), ("lower", "30.00", "29.90", "30.00"), ("lower", "30.00", "29.90", "35.00")],
)
def test_a_target_improves_on_the_baseline(invalid, school, direction, baseline, good, bad):
    metric = MetricFactory(direction=direction)
    BaselineFactory(school=school, metric=metric, value=Decimal(baseline))
    TargetFactory.build(school=school, metric=metric, value=Decimal(good)).full_clean()
    errors = invalid(TargetFactory.build(school=school, metric=metric, value=Decimal(bad)), "value")
    assert ("below" if direction == "lower" else "above") in errors["value"][0]


@pytest.mark.parametrize("year", ["2010-11", "2011-12"])
def test_a_baseline_is_measured_before_launch(invalid, school, year):
    BaselineFactory.build(school=school, metric=MetricFactory(), school_year="2009-10").full_clean()
    invalid(BaselineFactory.build(school=school, metric=MetricFactory(), school_year=year), "school_year")


def test_a_school_outside_a_zone_has_no_launch_to_check():
    school = SchoolFactory()
    BaselineFactory.build(school=school, metric=MetricFactory(), school_year="2015-16").full_clean()


@pytest.mark.parametrize(("value", "ok"), [("0", True), ("100", True), ("100.01", False), ("-0.01", False)])
def test_percent_values_stay_between_0_and_100(invalid, school, value, ok):
    measurement = MeasurementFactory.build(school=school, metric=MetricFactory(), value=Decimal(value))
    if ok:
        measurement.full_clean()
    else:
        assert "out of range" in invalid(measurement, "value")["value"][0]


def test_a_rate_without_upper_bound_takes_any_non_negative_value(invalid, school):
    metric = MetricFactory(unit=Metric.Unit.PER_100, max_value=None)
    MeasurementFactory.build(school=school, metric=metric, value=Decimal("450")).full_clean()
    invalid(MeasurementFactory.build(school=school, metric=metric, value=Decimal("-1")), "value")


def test_metric_range(invalid):
    percent = Metric(code="ela", name="ELA", unit=Metric.Unit.PERCENT, min_value=0, max_value=None)
    percent.full_clean()
    assert percent.max_value == 100
    invalid(Metric(code="x", name="X", unit=Metric.Unit.COUNT, min_value=10, max_value=10), "max_value")


def test_one_measurement_per_school_metric_and_period(invalid, school):
    first = MeasurementFactory(school=school)
    duplicate = MeasurementFactory.build(
        school=school, metric=first.metric, school_year=first.school_year, period=first.period
    )
    invalid(duplicate, "__all__")
    duplicate.period = 1
    duplicate.full_clean()


def test_measurements_use_school_year_format(invalid, school):
    invalid(MeasurementFactory.build(school=school, metric=MetricFactory(), school_year="2010"), "school_year")


def test_measurement_time_index():
    assert MeasurementFactory.build(school_year="2010-11", period=2).time_index == 2010.5
