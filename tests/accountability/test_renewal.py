"""Renewal (accountability.renewal): exit criteria evaluated on known data, the decision use case,
each zone's latest decision, renewals due.

The zone: three schools, Reading (higher is better) baseline 30, target 50 by 2011-12; Absence
(lower is better) baseline 20, target 10 at the first school only."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accountability.models import ExitCriterion, Measurement, Metric, RenewalDecision, StatusUpdate
from accountability.renewal import evaluate_exit_criteria, latest_decisions, record_decision, renewals_due
from accountability.services import school_standings
from accounts.models import Role
from tests.factories import (
    BaselineFactory,
    ExitCriterionFactory,
    LaunchedZoneFactory,
    MeasurementFactory,
    MetricFactory,
    RenewalDecisionFactory,
    StateFactory,
    StatusUpdateFactory,
    TargetFactory,
)
from tests.worlds import member

END, SPRING, FALL = Measurement.Period.END_OF_YEAR, Measurement.Period.SPRING, Measurement.Period.FALL


@pytest.fixture
def zone(db):
    zone = LaunchedZoneFactory()
    zone.reading = MetricFactory(code="reading", name="Reading")
    zone.absence = MetricFactory(code="absence", name="Absence", direction=Metric.Direction.LOWER)
    zone.ordered = list(zone.schools.order_by("pk"))
    for school in zone.ordered:
        BaselineFactory(school=school, metric=zone.reading, value=Decimal("30"))
        TargetFactory(school=school, metric=zone.reading, value=Decimal("50"))
    first = zone.ordered[0]
    BaselineFactory(school=first, metric=zone.absence, value=Decimal("20"))
    TargetFactory(school=first, metric=zone.absence, value=Decimal("10"))
    return zone


def reading(zone, values: dict):
    """Reading measurements: {(school index, school year, period): value}."""
    for (index, year, period), value in values.items():
        MeasurementFactory(
            school=zone.ordered[index], metric=zone.reading, school_year=year, period=period, value=Decimal(value)
        )


YEARS = [("2010-11", END, "52"), ("2011-12", SPRING, "55")]


def all_met(zone, changes=None):
    """Every school at 52 at the end of 2010-11 and 55 in spring 2011-12 (no end of year yet),
    changed by ``changes`` ({(index, year, period): value, or None to leave it out})."""
    values = {(index, year, period): value for index in range(3) for year, period, value in YEARS}
    values.update(changes or {})
    reading(zone, {key: value for key, value in values.items() if value is not None})


def check(zone, criterion):
    standings = school_standings(zone.ordered, StatusUpdate.objects.all())
    measurements = Measurement.objects.filter(school__zone=zone)
    (result,) = evaluate_exit_criteria(zone, standings, measurements, criteria=[criterion])
    return result


def targets_met(zone, years=2, metric=None):
    return ExitCriterionFactory(state=zone.state, kind=ExitCriterion.Kind.TARGETS_MET, years=years, metric=metric)


def test_targets_met_in_the_last_two_years(zone):
    """A year's value is its end-of-year measurement, else its latest period: a fall value below
    target does not count once the year has a later one."""
    all_met(zone, {(0, "2010-11", FALL): "35"})
    result = check(zone, targets_met(zone, metric=zone.reading))
    assert result.met is True
    assert "2010-11 and 2011-12" in result.detail and "All 3 schools" in result.detail


def test_a_school_below_target_in_one_year_is_not_met(zone):
    all_met(zone, {(1, "2010-11", END): "45"})
    result = check(zone, targets_met(zone, metric=zone.reading))
    assert result.met is False
    assert f"{zone.ordered[1]} Reading 45.00 in 2010-11 (target 50.00)" in result.detail


def test_a_missing_year_is_not_yet_known(zone):
    all_met(zone, {(2, "2010-11", END): None})
    result = check(zone, targets_met(zone, metric=zone.reading))
    assert result.met is None
    assert f"{zone.ordered[2]} has no Reading value in 2010-11" in result.detail


def test_a_known_miss_outweighs_a_missing_value(zone):
    all_met(zone, {(2, "2010-11", END): None, (1, "2011-12", SPRING): "49"})
    assert check(zone, targets_met(zone, metric=zone.reading)).met is False


def test_the_years_end_with_the_latest_year_with_a_value(zone):
    """One year asked: only 2011-12 counts, so a miss in 2010-11 no longer matters."""
    all_met(zone, {(1, "2010-11", END): "45"})
    assert check(zone, targets_met(zone, years=1, metric=zone.reading)).met is True


def test_without_a_metric_every_targeted_metric_counts_in_its_direction(zone):
    all_met(zone)
    criterion = targets_met(zone)
    first = zone.ordered[0]
    MeasurementFactory(school=first, metric=zone.absence, school_year="2010-11", value=Decimal("9"))
    MeasurementFactory(school=first, metric=zone.absence, school_year="2011-12", period=SPRING, value=Decimal("10"))
    assert check(zone, criterion).met is True  # lower is better: 9 and 10 reach the target of 10
    Measurement.objects.filter(metric=zone.absence, school_year="2011-12").update(value=Decimal("11"))
    result = check(zone, criterion)
    assert result.met is False and "Absence 11.00 in 2011-12 (target 10.00)" in result.detail


def test_no_values_at_all_is_not_yet_known(zone):
    result = check(zone, targets_met(zone))
    assert result.met is None and "No school of the zone has a value" in result.detail


def test_a_school_without_a_target_is_not_yet_known(zone):
    all_met(zone)
    criterion = targets_met(zone, metric=zone.absence)
    MeasurementFactory(school=zone.ordered[0], metric=zone.absence, school_year="2010-11", value=Decimal("9"))
    MeasurementFactory(school=zone.ordered[0], metric=zone.absence, school_year="2011-12", value=Decimal("9"))
    result = check(zone, criterion)
    assert result.met is None and f"{zone.ordered[1]} has no target on Absence" in result.detail


def rate(zone, *ratings):
    for school, rating in zip(zone.ordered, ratings, strict=True):
        if rating:
            StatusUpdateFactory(school=school, rating=rating, reported_on=datetime.date(2011, 3, 1))


def test_on_track_reads_each_schools_standing(zone):
    criterion = ExitCriterionFactory(state=zone.state, kind=ExitCriterion.Kind.ON_TRACK)
    rate(zone, "on_track", "on_track", "on_track")
    assert check(zone, criterion).met is True


def test_on_track_not_met_when_a_school_is_behind(zone):
    criterion = ExitCriterionFactory(state=zone.state, kind=ExitCriterion.Kind.ON_TRACK)
    rate(zone, "on_track", "at_risk", "on_track")
    result = check(zone, criterion)
    assert result.met is False and f"{zone.ordered[1]} at risk" in result.detail


def test_on_track_not_yet_known_without_data(zone):
    criterion = ExitCriterionFactory(state=zone.state, kind=ExitCriterion.Kind.ON_TRACK)
    rate(zone, "on_track", "on_track", None)
    result = check(zone, criterion)
    assert result.met is None and f"{zone.ordered[2]} has no data" in result.detail


def test_criteria_default_to_the_zones_states(zone):
    mine = targets_met(zone)
    ExitCriterionFactory(kind=ExitCriterion.Kind.ON_TRACK)  # another state's
    standings = school_standings(zone.ordered, StatusUpdate.objects.all())
    assert [c.criterion for c in evaluate_exit_criteria(zone, standings, [])] == [mine]


# --- The decision ---


def decision_for(zone, decided_on=datetime.date(2012, 6, 1)):
    return RenewalDecision(
        zone=zone, decision=RenewalDecision.Decision.INTENSIFY, reasons="Attendance fell.", decided_on=decided_on
    )


def test_the_state_lead_records_a_decision_with_history(zone):
    lead = member(Role.STATE_LEAD, state=zone.state)
    decision = record_decision(lead, decision_for(zone))
    decision.refresh_from_db()
    assert decision.decided_by == lead and decision.decision == "intensify"
    assert decision.history.get().history_user == lead


@pytest.mark.parametrize("role", ["lead_partner", "other_state_lead", "state_viewer"])
def test_others_may_not_decide(zone, role):
    user = {
        "lead_partner": lambda: member(Role.LEAD_PARTNER_STAFF, lead_partner=zone.lead_partner),
        "other_state_lead": lambda: member(Role.STATE_LEAD, state=LaunchedZoneFactory().state),
        "state_viewer": lambda: member(Role.STATE_VIEWER, state=zone.state),
    }[role]()
    with pytest.raises(PermissionDenied):
        record_decision(user, decision_for(zone))
    assert not RenewalDecision.objects.exists()


def test_a_decision_is_validated_by_the_model(zone):
    lead = member(Role.STATE_LEAD, state=zone.state)
    with pytest.raises(ValidationError) as caught:
        record_decision(lead, decision_for(zone, decided_on=timezone.localdate() + datetime.timedelta(days=3)))
    assert "decided_on" in caught.value.message_dict
    assert not RenewalDecision.objects.exists()


def test_latest_decisions_in_one_query(zone):
    other = LaunchedZoneFactory()
    RenewalDecisionFactory(zone=zone, decided_on=datetime.date(2012, 6, 1), decision="continue")
    latest = RenewalDecisionFactory(zone=zone, decided_on=datetime.date(2012, 6, 20), decision="exit")
    RenewalDecisionFactory(zone=zone, decided_on=datetime.date(2012, 5, 1), decision="intensify")
    same_day = RenewalDecisionFactory(zone=other, decided_on=datetime.date(2012, 6, 1))
    later_same_day = RenewalDecisionFactory(zone=other, decided_on=datetime.date(2012, 6, 1), decision="exit")
    with CaptureQueriesContext(connection) as queries:
        decisions = latest_decisions([zone, other, LaunchedZoneFactory.build(pk=10**6)])
    assert len(queries) == 1
    assert decisions == {zone.pk: latest, other.pk: later_same_day} and same_day.pk < later_same_day.pk


def test_renewals_due_within_ninety_days(zone):
    today = datetime.date(2012, 4, 1)
    zone.renewal_on = datetime.date(2012, 6, 30)  # in 90 days
    later = LaunchedZoneFactory(renewal_on=datetime.date(2012, 7, 1))  # in 91 days
    past = LaunchedZoneFactory(renewal_on=datetime.date(2012, 3, 31))
    decision = RenewalDecisionFactory(zone=zone)
    due = renewals_due([zone, later, past, LaunchedZoneFactory()], today=today)
    assert [(item.zone, item.latest_decision) for item in due] == [(zone, decision)]


@pytest.mark.django_db
def test_an_exit_criterion_names_a_catalog_indicator_or_its_own_states():
    state, other = StateFactory(), StateFactory()
    own = MetricFactory(state=state)
    ExitCriterion(state=state, kind=ExitCriterion.Kind.TARGETS_MET, metric=own).full_clean()
    with pytest.raises(ValidationError) as refused:
        ExitCriterion(state=other, kind=ExitCriterion.Kind.TARGETS_MET, metric=own).full_clean()
    assert "another state's own indicator" in str(refused.value)
