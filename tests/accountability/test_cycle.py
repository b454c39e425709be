"""The accountability cycle's use cases: save a period's values, submit, return, resubmit, approve,
the lock on every write of measurements, reopen with a reason; who may do each, and the history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accountability import cycle
from accountability.calendar import requirements
from accountability.choices import Collection, Submission
from accountability.cycle import (
    PeriodLocked,
    WrongStep,
    approve_period,
    create_school_year_calendar,
    reopen_period,
    return_period,
    save_period_values,
    submit_period,
)
from accountability.models import Measurement, ReportingPeriod
from accountability.recording import record_measurements
from accounts.models import Role
from tests.factories import (
    LaunchedZoneFactory,
    MembershipFactory,
    MetricFactory,
    PeriodSubmissionFactory,
    ReportingPeriodFactory,
    StateFactory,
)

pytestmark = pytest.mark.django_db


class Cycle:
    """A launched zone's first school, its fall period collecting three indicators, and the people."""

    def __init__(self):
        self.zone = LaunchedZoneFactory()
        self.school = self.zone.schools.first()
        self.period = ReportingPeriodFactory(
            state=self.zone.state,
            school_year="2010-11",
            period=Measurement.Period.FALL,
            due_on=datetime.date(2010, 11, 15),
        )
        self.metrics = [MetricFactory(min_value=0, max_value=100) for _ in range(3)]
        self.period.indicators.set(self.metrics)
        self.staff = MembershipFactory(role=Role.LEAD_PARTNER_STAFF, lead_partner=self.zone.lead_partner).user
        self.lead = MembershipFactory(role=Role.STATE_LEAD, state=self.zone.state).user
        self.viewer = MembershipFactory(role=Role.STATE_VIEWER, state=self.zone.state).user
        self.other_staff = MembershipFactory(role=Role.LEAD_PARTNER_STAFF).user

    def values(self, *numbers):
        return {metric.pk: Decimal(number) for metric, number in zip(self.metrics, numbers, strict=True)}

    def stored(self) -> dict:
        rows = Measurement.objects.filter(school=self.school, school_year="2010-11", period=Measurement.Period.FALL)
        return {row.metric_id: row.value for row in rows}

    def submitted(self):
        submission = save_period_values(self.staff, self.school, self.period, self.values(40, 50, 60))
        return submit_period(self.staff, submission)


@pytest.fixture
def c():
    return Cycle()


def test_the_whole_cycle_submit_return_resubmit_approve_lock_reopen(c):
    submission = save_period_values(c.staff, c.school, c.period, c.values(40, 50, 60), source="Attendance file")
    assert submission.status == Submission.IN_PROGRESS
    assert c.stored() == c.values(40, 50, 60)

    submission = submit_period(c.staff, submission)
    assert (submission.status, submission.submitted_by, submission.times_returned) == (Submission.SUBMITTED, c.staff, 0)
    first = submission.first_submitted_at
    with pytest.raises(PeriodLocked):
        save_period_values(c.staff, c.school, c.period, c.values(41, 50, 60))

    submission = return_period(c.lead, submission, comment="Attendance looks too high; check the October file.")
    assert (submission.status, submission.times_returned) == (Submission.RETURNED, 1)
    submission = save_period_values(c.staff, c.school, c.period, {c.metrics[0].pk: Decimal("38.5")})
    submission = submit_period(c.staff, submission)
    assert submission.first_submitted_at == first and submission.submitted_at > first

    submission = approve_period(c.lead, submission)
    assert (submission.status, submission.reviewed_by) == (Submission.APPROVED, c.lead)
    with pytest.raises(PeriodLocked) as locked:
        save_period_values(c.lead, c.school, c.period, {c.metrics[0].pk: Decimal("39")})
    assert locked.value.code == "locked"
    assert "approved and locked; a state lead must reopen it first" in locked.value.messages[0]
    assert str(c.school) in locked.value.messages[0] and "Fall 2010-11" in locked.value.messages[0]
    assert c.stored()[c.metrics[0].pk] == Decimal("38.5")

    submission = reopen_period(c.lead, submission, reason="The district corrected its attendance count.")
    assert (submission.status, submission.comment, submission.times_returned) == (
        Submission.RETURNED,
        "The district corrected its attendance count.",
        1,  # the return, not the reopen
    )
    save_period_values(c.staff, c.school, c.period, {c.metrics[0].pk: Decimal("39")})
    assert c.stored()[c.metrics[0].pk] == Decimal("39")


def test_every_step_leaves_a_history_row_naming_who_and_why(c):
    submission = c.submitted()
    submission = return_period(c.lead, submission, comment="Check attendance.")
    submission = submit_period(c.staff, submission)
    submission = approve_period(c.lead, submission)
    reopen_period(c.lead, submission, reason="Audit found a typo.")

    steps = [
        (row.history_user, row.history_change_reason, row.status)
        for row in submission.history.order_by("history_date", "history_id")
    ]
    assert steps == [
        (c.staff, "Started", Submission.IN_PROGRESS),
        (c.staff, "Submitted", Submission.SUBMITTED),
        (c.lead, "Returned: Check attendance.", Submission.RETURNED),
        (c.staff, "Submitted", Submission.SUBMITTED),
        (c.lead, "Approved", Submission.APPROVED),
        (c.lead, "Reopened: Audit found a typo.", Submission.RETURNED),
    ]
    value_history = Measurement.history.filter(school_id=c.school.pk).first()
    assert value_history.history_user == c.staff and "Fall 2010-11" in value_history.history_change_reason


def test_submitting_needs_every_indicator_and_names_the_missing_ones(c):
    submission = save_period_values(c.staff, c.school, c.period, {c.metrics[0].pk: Decimal("40")})

    with pytest.raises(ValidationError) as refused:
        submit_period(c.staff, submission)

    message = refused.value.messages[0]
    assert c.metrics[1].name in message and c.metrics[2].name in message and c.metrics[0].name not in message
    submission.refresh_from_db()
    assert submission.status == Submission.IN_PROGRESS


def test_every_bad_value_is_reported_at_once_and_nothing_is_saved(c):
    high_school = MetricFactory(lowest_grade="12", highest_grade="12")
    not_collected = MetricFactory()
    values = {
        c.metrics[0].pk: Decimal("40"),
        c.metrics[1].pk: Decimal("140"),
        c.metrics[2].pk: Decimal("1.234"),
        high_school.pk: Decimal("80"),
        not_collected.pk: Decimal("10"),
    }

    with pytest.raises(ValidationError) as refused:
        save_period_values(c.staff, c.school, c.period, values)

    errors = refused.value.message_dict
    assert set(errors) == {str(c.metrics[1].pk), str(c.metrics[2].pk), str(high_school.pk), str(not_collected.pk)}
    assert "out of range" in errors[str(c.metrics[1].pk)][0]
    assert "grade 12" in errors[str(high_school.pk)][0]
    assert "not collected" in errors[str(not_collected.pk)][0]
    assert c.stored() == {}


def test_none_clears_a_value_and_unchanged_values_are_left_alone(c):
    save_period_values(c.staff, c.school, c.period, c.values(40, 50, 60))
    save_period_values(c.staff, c.school, c.period, {c.metrics[0].pk: None, c.metrics[1].pk: Decimal("50")})

    assert c.stored() == {c.metrics[1].pk: Decimal("50"), c.metrics[2].pk: Decimal("60")}
    assert Measurement.history.filter(metric=c.metrics[1], history_type="~").count() == 0
    assert Measurement.history.filter(metric=c.metrics[0], history_type="-").get().history_user == c.staff


def test_saving_a_period_makes_the_same_queries_for_many_indicators():
    small, large = Cycle(), Cycle()
    large.metrics += [MetricFactory() for _ in range(9)]
    large.period.indicators.set(large.metrics)

    def queries(setup: Cycle, value) -> int:
        values = {metric.pk: Decimal(value) for metric in setup.metrics}
        with CaptureQueriesContext(connection) as captured:
            save_period_values(setup.staff, setup.school, setup.period, values)
        return len(captured)

    assert queries(small, 40) == queries(large, 40)  # created
    assert queries(small, 41) == queries(large, 41)  # updated
    assert len(large.stored()) == 12


@pytest.mark.parametrize("who", ["viewer", "other_staff"])
def test_only_the_lead_partner_and_the_state_save_and_submit(c, who):
    with pytest.raises(PermissionDenied):
        save_period_values(getattr(c, who), c.school, c.period, c.values(40, 50, 60))
    submission = save_period_values(c.staff, c.school, c.period, c.values(40, 50, 60))
    with pytest.raises(PermissionDenied):
        submit_period(getattr(c, who), submission)


def test_only_the_state_lead_reviews(c):
    submission = c.submitted()
    for step, text in ((approve_period, {}), (return_period, {"comment": "No."})):
        with pytest.raises(PermissionDenied):
            step(c.staff, submission, **text)
    approved = approve_period(c.lead, submission)
    with pytest.raises(PermissionDenied):
        reopen_period(c.staff, approved, reason="Mine to fix.")
    with pytest.raises(PermissionDenied):
        reopen_period(c.viewer, approved, reason="Mine to fix.")


def test_wrong_transitions_are_refused(c):
    submission = save_period_values(c.staff, c.school, c.period, c.values(40, 50, 60))
    with pytest.raises(WrongStep):
        approve_period(c.lead, submission)
    with pytest.raises(WrongStep):
        return_period(c.lead, submission, comment="Not yet.")
    with pytest.raises(WrongStep):
        reopen_period(c.lead, submission, reason="Not approved.")
    submission = submit_period(c.staff, submission)
    with pytest.raises(WrongStep):
        submit_period(c.staff, submission)
    submission = approve_period(c.lead, submission)
    with pytest.raises(WrongStep):
        approve_period(c.lead, submission)
    with pytest.raises(WrongStep):
        submit_period(c.staff, submission)


def test_return_needs_a_comment_and_reopen_a_reason(c):
    submission = c.submitted()
    with pytest.raises(ValidationError) as refused:
        return_period(c.lead, submission, comment="  ")
    assert "comment" in refused.value.message_dict
    submission = approve_period(c.lead, submission)
    with pytest.raises(ValidationError) as refused:
        reopen_period(c.lead, submission, reason="")
    assert "reason" in refused.value.message_dict
    submission.refresh_from_db()
    assert submission.status == Submission.APPROVED


def test_a_stale_copy_of_the_submission_is_read_again_under_the_lock(c):
    stale = c.submitted()
    approve_period(c.lead, stale)

    with pytest.raises(WrongStep):
        return_period(c.lead, stale, comment="Too late: it was approved meanwhile.")


def test_every_write_path_of_measurements_refuses_a_locked_period(c):
    c.submitted()
    new = Measurement(school=c.school, metric=MetricFactory(), school_year="2010-11", period=Measurement.Period.FALL)
    new.value = Decimal("10")
    existing = Measurement.objects.get(school=c.school, metric=c.metrics[0])
    existing.value = Decimal("12")
    other_period = Measurement(
        school=c.school, metric=c.metrics[0], school_year="2010-11", period=Measurement.Period.WINTER, value=1
    )

    for refused in ([new], [existing]):
        with pytest.raises(PeriodLocked):
            record_measurements(c.staff, refused)
    with pytest.raises(PeriodLocked):
        record_measurements(c.staff, [], deleted=[existing])
    record_measurements(c.staff, [other_period])
    assert c.stored() == c.values(40, 50, 60)


def test_a_returned_period_is_open_to_every_write_path(c):
    submission = c.submitted()
    return_period(c.lead, submission, comment="Fix it.")
    existing = Measurement.objects.get(school=c.school, metric=c.metrics[0])
    existing.value = Decimal("12")

    record_measurements(c.staff, [existing])

    assert c.stored()[c.metrics[0].pk] == Decimal("12")


def test_a_school_outside_the_periods_state_reports_nothing(c):
    elsewhere = LaunchedZoneFactory().schools.first()
    with pytest.raises(ValidationError):
        save_period_values(MembershipFactory(role=Role.INITIATIVE_ADMIN).user, elsewhere, c.period, {})


def test_the_school_year_calendar_has_four_periods_due_on_the_default_dates(c):
    state = StateFactory()
    lead = MembershipFactory(role=Role.STATE_LEAD, state=state).user
    ReportingPeriodFactory(state=state, school_year="2011-12", period=Measurement.Period.SPRING)
    winter_due = datetime.date(2012, 2, 20)

    created = create_school_year_calendar(lead, state, "2011-12", {Measurement.Period.WINTER: winter_due})

    assert [(p.period, p.due_on) for p in created] == [
        (Measurement.Period.FALL, datetime.date(2011, 11, 15)),
        (Measurement.Period.WINTER, winter_due),
        (Measurement.Period.END_OF_YEAR, datetime.date(2012, 8, 15)),
    ]
    assert ReportingPeriod.objects.filter(state=state, school_year="2011-12").count() == 4
    assert create_school_year_calendar(lead, state, "2011-12") == []
    for outsider in (c.lead, c.staff):
        with pytest.raises(PermissionDenied):
            create_school_year_calendar(outsider, state, "2012-13")


def test_the_calendar_reads_the_cycle(c):
    late = c.period.due_on + datetime.timedelta(days=1)
    save_period_values(c.staff, c.school, c.period, c.values(40, 50, 60))
    (requirement,) = requirements(schools=[c.school], today=late)
    assert (requirement.status, requirement.entered) == (Collection.LATE, 3)
    submission = submit_period(c.staff, requirement.submission)
    (requirement,) = requirements(schools=[c.school], today=late)
    assert requirement.status == Collection.SUBMITTED
    assert cycle.is_locked(requirement.submission)
    assert submission.first_submitted_at.date() == timezone.now().date()


def test_saving_values_reuses_the_schools_submission_for_the_period(c):
    PeriodSubmissionFactory(school=c.school, reporting_period=c.period)
    submission = save_period_values(c.staff, c.school, c.period, c.values(40, 50, 60))
    assert submission.school.period_submissions.count() == 1


def test_the_admin_refuses_to_change_or_delete_a_measurement_of_a_locked_period(c, admin_client):
    c.submitted()
    measurement = Measurement.objects.get(school=c.school, metric=c.metrics[0])
    change = reverse("admin:accountability_measurement_change", args=[measurement.pk])
    form = {
        "school": c.school.pk,
        "metric": measurement.metric_id,
        "school_year": "2010-11",
        "period": Measurement.Period.WINTER,  # moving it out of the locked period is a change of it too
        "value": "12",
        "source": "",
    }

    changed = admin_client.post(change, form, follow=True)
    deleted = admin_client.post(
        reverse("admin:accountability_measurement_delete", args=[measurement.pk]), {"post": "yes"}, follow=True
    )

    for response in (changed, deleted):
        assert "submitted for review and locked" in response.content.decode()
    measurement.refresh_from_db()
    assert (measurement.value, measurement.period) == (Decimal("40"), Measurement.Period.FALL)
