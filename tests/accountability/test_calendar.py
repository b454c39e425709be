"""The collection calendar: who owes what in each reporting period, and its status on a given day."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accountability.calendar import indicators_for, requirements, submission_records
from accountability.choices import Collection, Submission
from accountability.models import Measurement
from accounts.models import Role
from core.tenancy import reach_scope
from tests.factories import (
    LaunchedZoneFactory,
    MeasurementFactory,
    MembershipFactory,
    MetricFactory,
    PeriodSubmissionFactory,
    ReportingPeriodFactory,
    StateFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db

FALL_DUE = datetime.date(2010, 11, 15)


@pytest.fixture
def zone():
    return LaunchedZoneFactory(state=StateFactory(name="Colorado"))


@pytest.fixture
def fall(zone):
    return ReportingPeriodFactory(
        state=zone.state, school_year="2010-11", period=Measurement.Period.FALL, due_on=FALL_DUE
    )


def chosen(period, *metrics):
    period.indicators.set(metrics)
    return list(metrics)


def test_each_school_of_an_operating_zone_launched_by_the_year_owes_each_period(zone, fall):
    winter = ReportingPeriodFactory(
        state=zone.state, period=Measurement.Period.WINTER, due_on=datetime.date(2011, 2, 15)
    )
    ZoneFactory(state=zone.state)  # planning: not collected
    later = LaunchedZoneFactory(state=zone.state, launch_school_year="2011-12")
    elsewhere = LaunchedZoneFactory()
    ReportingPeriodFactory(state=elsewhere.state, period=Measurement.Period.FALL, due_on=FALL_DUE)

    found = requirements(states=[zone.state], today=FALL_DUE)

    schools = sorted(zone.schools.all(), key=lambda school: school.name)
    assert [(r.reporting_period, r.school) for r in found] == [(fall, s) for s in schools] + [
        (winter, s) for s in schools
    ]
    next_year = ReportingPeriodFactory(state=zone.state, school_year="2011-12", period=Measurement.Period.FALL)
    in_next_year = {r.school for r in requirements(periods=[next_year], today=FALL_DUE)}
    assert in_next_year == set(zone.schools.all()) | set(later.schools.all())
    assert {r.school.zone for r in requirements(today=FALL_DUE)} == {zone, later, elsewhere}


def test_indicators_are_the_catalog_and_the_states_own_that_fit_the_grades(zone, fall):
    school = zone.schools.first()
    catalog = MetricFactory(lowest_grade="3", highest_grade="8")
    high_school_only = MetricFactory(lowest_grade="12", highest_grade="12")
    own = MetricFactory(state=zone.state)
    other_states = MetricFactory(state=StateFactory())

    indicators = indicators_for(school, fall)

    assert {catalog, own} <= set(indicators)
    assert not {high_school_only, other_states} & set(indicators)
    assert [r.indicators for r in requirements(schools=[school], today=FALL_DUE)] == [indicators]


def test_indicators_chosen_for_a_period_replace_the_catalog(zone, fall):
    school = zone.schools.first()
    attendance, truancy = MetricFactory(), MetricFactory()
    chosen(fall, attendance, truancy, MetricFactory(lowest_grade="12", highest_grade="12"))
    MetricFactory()

    assert set(indicators_for(school, fall)) == {attendance, truancy}


def test_entered_counts_the_indicators_with_a_value_for_the_period(zone, fall):
    school = zone.schools.first()
    attendance, truancy, discipline = chosen(fall, MetricFactory(), MetricFactory(), MetricFactory())
    for metric in (attendance, truancy):
        MeasurementFactory(school=school, metric=metric, school_year="2010-11", period=Measurement.Period.FALL)
    MeasurementFactory(school=school, metric=discipline, school_year="2010-11", period=Measurement.Period.WINTER)
    MeasurementFactory(school=school, metric=MetricFactory(), school_year="2010-11", period=Measurement.Period.FALL)

    (requirement,) = requirements(schools=[school], today=FALL_DUE)

    assert (requirement.entered, requirement.missing) == (2, 1)


@pytest.mark.parametrize(
    ("submitted", "today", "status", "days_late"),
    [
        (None, FALL_DUE, Collection.DUE, 0),
        (None, FALL_DUE + datetime.timedelta(days=3), Collection.LATE, 3),
        (Submission.IN_PROGRESS, FALL_DUE - datetime.timedelta(days=1), Collection.DUE, 0),
        (Submission.IN_PROGRESS, FALL_DUE + datetime.timedelta(days=10), Collection.LATE, 10),
        (Submission.SUBMITTED, FALL_DUE + datetime.timedelta(days=10), Collection.SUBMITTED, 0),
        (Submission.RETURNED, FALL_DUE + datetime.timedelta(days=10), Collection.RETURNED, 0),
        (Submission.APPROVED, FALL_DUE + datetime.timedelta(days=10), Collection.APPROVED, 0),
    ],
)
def test_the_status_on_a_day_follows_the_submission_and_the_due_date(zone, fall, submitted, today, status, days_late):
    school = zone.schools.first()
    if submitted:
        PeriodSubmissionFactory(school=school, reporting_period=fall, status=submitted)

    (requirement,) = requirements(schools=[school], today=today)

    assert (requirement.status, requirement.days_late) == (status, days_late)


def test_a_submission_record_counts_due_late_returns_approvals_and_late_submissions(zone, fall):
    school, other = zone.schools.all()[:2]
    winter = ReportingPeriodFactory(
        state=zone.state, period=Measurement.Period.WINTER, due_on=datetime.date(2011, 2, 15)
    )
    spring = ReportingPeriodFactory(
        state=zone.state, period=Measurement.Period.SPRING, due_on=datetime.date(2011, 5, 31)
    )
    late_by_two_days = timezone.make_aware(datetime.datetime(2010, 11, 17, 12))
    PeriodSubmissionFactory(
        school=school,
        reporting_period=fall,
        status=Submission.APPROVED,
        first_submitted_at=late_by_two_days,
        times_returned=2,
    )
    PeriodSubmissionFactory(
        school=school,
        reporting_period=spring,
        status=Submission.SUBMITTED,
        first_submitted_at=timezone.make_aware(datetime.datetime(2011, 3, 1, 12)),
    )

    records = submission_records([school, other], today=datetime.date(2011, 3, 1))

    assert vars(records[school.pk]) == {
        "due": 2,  # fall and winter
        "late": 1,  # winter, never submitted
        "submitted": 2,
        "returned": 2,
        "approved": 1,
        "submitted_late": 1,
    }
    assert vars(records[other.pk]) == {
        "due": 2,
        "late": 2,
        "submitted": 0,
        "returned": 0,
        "approved": 0,
        "submitted_late": 0,
    }
    assert winter.pk  # a period nobody reported on still counts


def grow_calendar(state, zones: int, metrics: list) -> None:
    """``zones`` more launched zones in ``state``, with a value and a submission for each school."""
    fall = ReportingPeriodFactory(state=state, period=Measurement.Period.FALL, due_on=FALL_DUE)
    ReportingPeriodFactory(state=state, period=Measurement.Period.WINTER, due_on=datetime.date(2011, 2, 15))
    for _ in range(zones):
        for school in LaunchedZoneFactory(state=state).schools.all():
            MeasurementFactory(school=school, metric=metrics[0], period=Measurement.Period.FALL)
            PeriodSubmissionFactory(school=school, reporting_period=fall, status=Submission.SUBMITTED)


def test_the_calendar_makes_the_same_queries_for_many_schools_and_periods():
    state = StateFactory()
    metrics = [MetricFactory(), MetricFactory(state=state)]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            found = requirements(states=[state], today=FALL_DUE)
            submission_records([r.school for r in found], today=FALL_DUE)
        return len(captured)

    grow_calendar(state, 1, metrics)
    few = queries()
    grow_calendar(state, 3, metrics)
    ReportingPeriodFactory(state=state, period=Measurement.Period.SPRING, due_on=datetime.date(2011, 5, 31))
    assert queries() == few


def test_a_lead_partner_sees_the_requirements_of_their_own_schools_only(zone, fall):
    other_zone = LaunchedZoneFactory(state=zone.state)
    staff = MembershipFactory(role=Role.LEAD_PARTNER_STAFF, lead_partner=zone.lead_partner).user
    lead = MembershipFactory(role=Role.STATE_LEAD, state=zone.state).user
    MeasurementFactory(school=zone.schools.first(), metric=MetricFactory(), value=Decimal("40"))

    with reach_scope(staff):
        theirs = {r.school for r in requirements(today=FALL_DUE)}
    with reach_scope(lead):
        states = {r.school for r in requirements(today=FALL_DUE)}

    assert theirs == set(zone.schools.all())
    assert states == set(zone.schools.all()) | set(other_zone.schools.all())
