"""The accountability cycle's events: a status update posted (its watchers who read it), a period
returned, approved or reopened (the school's Lead Partner staff in the state and whoever
submitted), and the daily job's due and late periods (whoever the reminder digest goes to,
recorded once per requirement and status however often the job runs)."""

import datetime

import pytest
from django.urls import reverse

from accountability import cycle
from accountability.choices import Submission
from accountability.models import PeriodSubmission, StatusUpdate, period_form_url
from accountability.recording import post_status_update
from accountability.tasks import send_reminders
from accounts.models import Role
from notifications.choices import Delivery, EventKind
from tests.factories import PeriodSubmissionFactory, ReportingPeriodFactory, WatchFactory
from tests.worlds import member

from .told import events, told

pytestmark = pytest.mark.django_db

DUE = datetime.date(2011, 5, 31)


def watch(user, target):
    """``user`` watches ``target`` (a state, zone or school)."""
    where = {"state": None, target._meta.model_name: target}
    return WatchFactory(user=user, **where)


def test_a_status_update_reaches_the_watchers_who_read_it(world):
    home, away = world.home, world.away
    school = home.schools[0]
    staff = home.users[Role.LEAD_PARTNER_STAFF]
    lead, viewer, commissioner = (home.users[role] for role in (Role.STATE_LEAD, Role.STATE_VIEWER, Role.COMMISSIONER))
    watch(lead, home.state)
    watch(viewer, home.zone)
    watch(commissioner, school)
    watch(home.users[Role.COLLABORATOR], home.state)  # collaborators do not read status updates
    watch(away.users[Role.STATE_LEAD], away.state)
    watch(staff, school)  # the author is not told of their own update
    update = StatusUpdate(
        school=school, reported_on=datetime.date(2010, 11, 2), rating=StatusUpdate.Rating.AT_RISK, narrative="Slow"
    )

    post_status_update(staff, update)

    (event,) = events(EventKind.STATUS_UPDATE_POSTED)
    assert event.subject == update and event.actor == staff
    assert (event.school, event.zone, event.state) == (school, home.zone, home.state)
    assert event.link == reverse("portfolio:school_detail", kwargs={"school_pk": school.pk})
    assert told(event) == {lead, viewer, commissioner}
    assert {notification.delivery for notification in event.notifications.all()} == {Delivery.DAILY}


@pytest.fixture
def reviewed(world):
    """A submitted period of Colorado's first school, submitted by the initiative admin; and the
    people who must (``told``) and must not (``untold``) hear of its review."""
    home, away = world.home, world.away
    partner = home.zone.lead_partner
    submission = PeriodSubmissionFactory(school=home.schools[0], status=Submission.SUBMITTED, submitted_by=world.admin)
    told_ = {
        home.users[Role.LEAD_PARTNER_STAFF],  # reaches the partner in every state
        member(Role.LEAD_PARTNER_STAFF, lead_partner=partner, state=home.state),
        world.admin,  # submitted it
    }
    untold = {
        home.users[Role.STATE_LEAD],  # the reviewer
        member(Role.LEAD_PARTNER_STAFF, lead_partner=partner, state=away.state),  # the partner elsewhere only
        member(Role.LEAD_PARTNER_STAFF, lead_partner=away.zone.lead_partner),  # another Lead Partner
        *(home.users[role] for role in (Role.STATE_VIEWER, Role.COMMISSIONER, Role.COLLABORATOR)),
        *away.users.values(),
    }
    return submission, told_, untold


def test_a_returned_period_tells_its_lead_partner_and_submitter(world, reviewed):
    submission, told_, untold = reviewed
    lead = world.home.users[Role.STATE_LEAD]

    cycle.return_period(lead, submission, comment="Attendance is missing")

    (event,) = events(EventKind.PERIOD_RETURNED)
    assert event.subject == submission and event.actor == lead
    assert (event.school, event.state) == (submission.school, world.home.state)
    assert event.link == period_form_url(submission.school_id, submission.reporting_period_id)
    assert "Attendance is missing" in event.summary
    assert told(event) == told_ and not told(event) & untold
    assert {notification.delivery for notification in event.notifications.all()} == {Delivery.IMMEDIATE}


def test_an_approved_then_reopened_period_tells_the_same_people(world, reviewed):
    submission, told_, _untold = reviewed
    lead = world.home.users[Role.STATE_LEAD]

    cycle.approve_period(lead, submission)
    cycle.reopen_period(lead, PeriodSubmission.objects.get(pk=submission.pk), reason="A typo in attendance")

    (approved,) = events(EventKind.PERIOD_APPROVED)
    (reopened,) = events(EventKind.PERIOD_RETURNED)
    assert approved.subject == reopened.subject == submission
    assert told(approved) == told(reopened) == told_
    assert "A typo in attendance" in reopened.summary


def test_a_refused_review_records_nothing(world, reviewed):
    submission, _told, _untold = reviewed
    with pytest.raises(cycle.WrongStep):
        cycle.reopen_period(world.home.users[Role.STATE_LEAD], submission, reason="Not approved yet")
    assert events(EventKind.PERIOD_RETURNED) == []


def test_due_and_late_periods_are_recorded_once_each_for_the_digests_readers(world, mailoutbox):
    home, away = world.home, world.away
    home.state.escalate_after_days = 10
    home.state.save()
    period = ReportingPeriodFactory(state=home.state, due_on=DUE)
    away_period = ReportingPeriodFactory(state=away.state, due_on=DUE)
    PeriodSubmissionFactory(school=home.schools[0], reporting_period=period, status=Submission.APPROVED)
    PeriodSubmissionFactory(school=home.schools[1], reporting_period=period, status=Submission.SUBMITTED)
    school = home.schools[2]
    staff, lead = home.users[Role.LEAD_PARTNER_STAFF], home.users[Role.STATE_LEAD]
    key = f"{school.pk}:{period.pk}"

    for day in (DUE - datetime.timedelta(days=2), DUE - datetime.timedelta(days=2), DUE):  # a retried job, a day on
        send_reminders(day.isoformat())
    (due,) = events(EventKind.PERIOD_DUE, school=home.schools[2])
    assert due.key == f"period_due:{key}" and due.subject == school and told(due) == {staff}
    assert due.link == period_form_url(school.pk, period.pk)
    assert events(EventKind.PERIOD_DUE, school__in=home.schools[:2]) == []  # submitted and approved: not due
    assert {notification.delivery for notification in due.notifications.all()} == {Delivery.IN_APP}
    assert len(mailoutbox) == 4  # the digests still go: each state's staff, on each of the two days

    for days_late in (3, 4, 10, 11):  # late, still late, escalated, still escalated
        send_reminders((DUE + datetime.timedelta(days=days_late)).isoformat())
    late, escalated = events(EventKind.PERIOD_LATE, school=school)
    assert (late.key, escalated.key) == (f"period_late:{key}", f"period_late:{key}:escalated")
    assert told(late) == {staff} and told(escalated) == {staff, lead}
    assert "escalated" in escalated.summary

    away_events = events(EventKind.PERIOD_LATE, state=away.state)
    assert {event.school for event in away_events} == set(away.schools)
    assert all(told(event) == {away.users[Role.LEAD_PARTNER_STAFF]} for event in away_events)
    assert all(event.link.endswith(f"period={away_period.pk}") for event in away_events)
