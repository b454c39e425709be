"""The accountability cycle's rules hold under concurrent clients (issue #14): an identical status
update posted by many clients at once is stored once, and of state leads reviewing one submitted
period at once (some approving, some returning it) exactly one step wins; the others get a 409.

As in test_invariants: CONCURRENT_CLIENTS real HTTP clients against the live server, TRIALS trials."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django_scopes import scopes_disabled

from accountability.choices import Submission
from accountability.cycle import save_period_values, submit_period
from accountability.models import Measurement, PeriodSubmission, StatusUpdate
from accountability.recording import record_measurements
from accounts.models import Role
from accounts.tokens import issue_token
from tests.accountability.test_cycle import Cycle
from tests.factories import LaunchedZoneFactory, MembershipFactory, MetricFactory, ReportingPeriodFactory

from .conftest import CONCURRENT_CLIENTS, TRIALS, concurrently
from .test_invariants import answers, api_call, state_lead_keys


def test_an_identical_status_update_posted_at_once_is_stored_once(live_server):
    zone = LaunchedZoneFactory()
    school = zone.schools.first()
    keys = [
        issue_token(
            MembershipFactory(role=Role.LEAD_PARTNER_STAFF, lead_partner=zone.lead_partner, state=zone.state),
            f"client {n}",
        )[1]
        for n in range(CONCURRENT_CLIENTS)
    ]
    stored = []
    for trial in range(TRIALS):
        body = {
            "school": school.pk,
            "reported_on": datetime.date(2010, 11, 1).isoformat(),
            "rating": "at_risk",
            "narrative": f"Attendance dipped after the fall break (trial {trial}).",
        }
        codes = answers(
            concurrently([api_call(live_server.url, key, "POST", "/api/v1/status-updates/", body) for key in keys])
        )
        stored.append(StatusUpdate._base_manager.filter(school=school, narrative=body["narrative"]).count())
        assert sorted(codes) == [201] + [400] * (CONCURRENT_CLIENTS - 1), codes
    assert stored == [1] * TRIALS


def test_of_state_leads_reviewing_one_period_at_once_exactly_one_step_wins(live_server):
    zone = LaunchedZoneFactory()
    school = zone.schools.first()
    period = ReportingPeriodFactory(state=zone.state, school_year="2010-11", period=Measurement.Period.FALL)
    metric = MetricFactory()
    period.indicators.set([metric])
    Measurement._base_manager.create(school=school, metric=metric, school_year="2010-11", period=1, value=40)
    submission = PeriodSubmission._base_manager.create(
        school=school, reporting_period=period, status=Submission.SUBMITTED
    )
    keys = state_lead_keys(zone.state)
    url = f"/api/v1/period-submissions/{submission.pk}"
    outcomes = []
    for _trial in range(TRIALS):
        calls = [
            api_call(live_server.url, key, "POST", f"{url}/approve/", {})
            if n % 2
            else api_call(live_server.url, key, "POST", f"{url}/return/", {"comment": "Check the fall value."})
            for n, key in enumerate(keys)
        ]
        codes = answers(concurrently(calls))
        submission.refresh_from_db()
        outcomes.append(submission.status)
        assert sorted(codes) == [200] + [409] * (CONCURRENT_CLIENTS - 1), codes
        assert submission.status in (Submission.APPROVED, Submission.RETURNED)
        PeriodSubmission._base_manager.filter(pk=submission.pk).update(status=Submission.SUBMITTED)
    steps = submission.history.exclude(status=Submission.SUBMITTED).count()
    assert steps == TRIALS, (steps, outcomes)


@pytest.mark.django_db(transaction=True)
def test_a_submit_waits_for_a_write_holding_the_periods_lock_then_sees_its_value():
    """The write locks the period's submission row: a concurrent submit waits for it to commit and
    then counts the value it wrote (a read-then-write check would have let it submit without)."""
    c = Cycle()
    submission = save_period_values(c.staff, c.school, c.period, c.values(40, 50, 60))
    last = Measurement.objects.get(school=c.school, metric=c.metrics[2])
    record_measurements(c.staff, [], deleted=[last])
    outcome = []

    def submit_meanwhile():
        try:
            with scopes_disabled():
                outcome.append(submit_period(c.staff, submission).status)
        except ValidationError as error:
            outcome.append(error.messages[0])
        finally:
            connection.close()

    with transaction.atomic():
        again = Measurement(
            school=c.school, metric=c.metrics[2], school_year="2010-11", period=Measurement.Period.FALL, value=60
        )
        record_measurements(c.staff, [again])
        submitter = threading.Thread(target=submit_meanwhile)
        submitter.start()
        submitter.join(0.5)
        assert submitter.is_alive()  # waiting for the write's lock
    submitter.join(10)

    assert outcome == [Submission.SUBMITTED]
