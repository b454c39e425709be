"""Reminders and escalation: the daily beat task sends one digest per person and state, linking
each due or late period straight to its grid, copies the state lead on long-late periods, and
never reminds of submitted or approved periods nor mails anyone outside the schools' reach."""

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from accountability.choices import Submission
from accountability.models import ReminderDigest
from accountability.tasks import send_reminders
from accounts.models import Role
from tests.factories import PeriodSubmissionFactory, ReportingPeriodFactory, UserFactory
from tests.worlds import member

pytestmark = pytest.mark.django_db

DUE = datetime.date(2011, 5, 31)
SITE = "https://zones.example"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE + "/"


def grid_link(school, period) -> str:
    return f"{SITE}{reverse('accountability:period_form')}?{urlencode({'school': school.pk, 'period': period.pk})}"


def run(today: datetime.date) -> int:
    return send_reminders(today.isoformat())


def mails_to(outbox, user) -> list:
    return [mail for mail in outbox if user.email in mail.to]


def periods(world, due=DUE):
    """The spring period of both states; Colorado's first school approved, its second submitted,
    its third (and every Louisiana school) not yet submitted."""
    home, away = world.home, world.away
    period = ReportingPeriodFactory(state=home.state, due_on=due)
    ReportingPeriodFactory(state=away.state, due_on=due)
    PeriodSubmissionFactory(school=home.schools[0], reporting_period=period, status=Submission.APPROVED)
    PeriodSubmissionFactory(school=home.schools[1], reporting_period=period, status=Submission.SUBMITTED)
    return period


def test_a_late_period_is_reminded_in_one_digest_linking_to_its_grid(world, mailoutbox):
    period = periods(world)
    staff = world.home.users[Role.LEAD_PARTNER_STAFF]
    approved, submitted, late = world.home.schools

    assert run(DUE + datetime.timedelta(days=3)) == 2  # Colorado's and Louisiana's Lead Partner staff

    (mail,) = mails_to(mailoutbox, staff)
    assert mail.to == [staff.email] and not mail.cc
    assert late.name in mail.body and "Late by 3 days" in mail.body
    assert grid_link(late, period) in mail.body
    html, _type = mail.alternatives[0]
    assert grid_link(late, period).replace("&", "&amp;") in html
    assert approved.name not in mail.body and submitted.name not in mail.body
    assert not any(school.name in mail.body for school in world.away.schools)
    assert "state lead copied" not in mail.body
    assert not mails_to(mailoutbox, world.home.users[Role.STATE_LEAD])  # not escalated yet
    (away_mail,) = mails_to(mailoutbox, world.away.users[Role.LEAD_PARTNER_STAFF])
    assert late.name not in away_mail.body
    digest = ReminderDigest.objects.get(recipient=staff)
    assert (digest.state, digest.sent_on, digest.items, digest.escalated) == (
        period.state,
        DUE + datetime.timedelta(days=3),
        1,
        False,
    )


def test_the_digest_lists_every_item_once_in_one_mail(world, mailoutbox):
    home = world.home
    spring = ReportingPeriodFactory(state=home.state, due_on=DUE)
    winter = ReportingPeriodFactory(state=home.state, period=2, due_on=DUE - datetime.timedelta(days=60))
    staff = home.users[Role.LEAD_PARTNER_STAFF]

    run(DUE + datetime.timedelta(days=1))

    (mail,) = mails_to(mailoutbox, staff)
    links = re.findall(re.escape(SITE) + r"\S+", mail.body)
    assert sorted(links) == sorted(grid_link(school, period) for school in home.schools for period in (spring, winter))
    assert mail.body.index("Late by 61 days") < mail.body.index("Late by 1 day")  # longest late first


def test_two_beats_or_a_retried_task_send_each_digest_once(world, mailoutbox):
    periods(world)
    today = DUE + datetime.timedelta(days=3)

    first = run(today)
    again = run(today)

    assert (first, again) == (2, 0)
    assert len(mailoutbox) == 2
    assert ReminderDigest.objects.count() == 2
    run(today + datetime.timedelta(days=1))  # the next day: reminded again
    assert len(mailoutbox) == 4


def test_after_the_states_escalation_days_the_state_lead_is_copied(world, mailoutbox):
    state = world.home.state
    state.escalate_after_days = 10
    state.save()
    late = world.home.schools[2]
    periods(world)
    lead, staff = world.home.users[Role.STATE_LEAD], world.home.users[Role.LEAD_PARTNER_STAFF]

    run(DUE + datetime.timedelta(days=9))
    assert not mails_to(mailoutbox, lead)

    mailoutbox.clear()
    run(DUE + datetime.timedelta(days=10))
    (copy,) = mails_to(mailoutbox, lead)
    assert late.name in copy.body and "Late by 10 days" in copy.body and "you are copied" in copy.body
    assert "(state lead copied)" in mails_to(mailoutbox, staff)[0].body
    assert ReminderDigest.objects.get(recipient=lead).escalated
    assert not mails_to(mailoutbox, world.away.users[Role.STATE_LEAD])  # Louisiana escalates after 14 days


def test_periods_due_within_the_reminder_days_are_reminded_before_the_due_date(world, mailoutbox):
    state = world.home.state
    state.remind_days_before = 7
    state.save()
    periods(world)
    staff = world.home.users[Role.LEAD_PARTNER_STAFF]

    run(DUE - datetime.timedelta(days=8))
    assert not mailoutbox

    run(DUE - datetime.timedelta(days=7))
    (mail,) = mails_to(mailoutbox, staff)
    assert world.home.schools[2].name in mail.body and "Due" in mail.body and "Late" not in mail.body


def test_nothing_is_sent_for_submitted_or_approved_periods(world, mailoutbox):
    period = ReportingPeriodFactory(state=world.home.state, due_on=DUE)
    statuses = [Submission.APPROVED, Submission.SUBMITTED, Submission.APPROVED]
    for school, status in zip(world.home.schools, statuses, strict=True):
        PeriodSubmissionFactory(school=school, reporting_period=period, status=status)

    assert run(DUE + datetime.timedelta(days=30)) == 0
    assert not mailoutbox and not ReminderDigest.objects.exists()


def test_only_staff_who_reach_the_zones_lead_partner_in_the_state_are_reminded(world, mailoutbox):
    periods(world)
    partner = world.home.zone.lead_partner
    bound_here = member(Role.LEAD_PARTNER_STAFF, lead_partner=partner, state=world.home.state)
    bound_elsewhere = member(Role.LEAD_PARTNER_STAFF, lead_partner=partner, state=world.away.state)
    gone = member(Role.LEAD_PARTNER_STAFF, world.home)
    gone.is_active = False
    gone.save()
    UserFactory()  # no membership

    run(DUE + datetime.timedelta(days=3))

    assert len(mails_to(mailoutbox, bound_here)) == 1
    assert not mails_to(mailoutbox, bound_elsewhere) and not mails_to(mailoutbox, gone)
    for role in (Role.STATE_VIEWER, Role.COMMISSIONER, Role.COLLABORATOR):
        assert not mails_to(mailoutbox, world.home.users[role])


def test_a_failed_send_releases_the_claim_for_the_next_beat(world, mailoutbox, monkeypatch):
    periods(world)
    staff = world.home.users[Role.LEAD_PARTNER_STAFF]
    today = DUE + datetime.timedelta(days=3)

    def broken(self, *args, **kwargs):
        raise ConnectionRefusedError("the mail server is down")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
        assert run(today) == 0
    assert not ReminderDigest.objects.exists()

    assert run(today) == 2
    assert len(mails_to(mailoutbox, staff)) == 1


def test_a_returned_period_is_reminded_until_it_is_submitted_again(world, mailoutbox):
    period = ReportingPeriodFactory(state=world.home.state, due_on=DUE)
    returned, *others = world.home.schools
    submission = PeriodSubmissionFactory(school=returned, reporting_period=period, status=Submission.RETURNED)
    for school in others:
        PeriodSubmissionFactory(school=school, reporting_period=period, status=Submission.APPROVED)
    staff = world.home.users[Role.LEAD_PARTNER_STAFF]

    run(DUE + datetime.timedelta(days=20))
    (mail,) = mails_to(mailoutbox, staff)
    assert returned.name in mail.body and "Returned" in mail.body and grid_link(returned, period) in mail.body
    assert not mails_to(mailoutbox, world.home.users[Role.STATE_LEAD])  # returned is not late: no escalation

    submission.status = Submission.SUBMITTED
    submission.save()
    assert run(DUE + datetime.timedelta(days=21)) == 0


def test_the_beat_runs_the_reminders_daily(settings):
    (entry,) = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == send_reminders.name]
    assert entry["schedule"].hour == {6} and entry["schedule"].minute == {0}
