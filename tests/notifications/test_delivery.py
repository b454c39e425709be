"""Mail: one immediate mail per notification and one digest per recipient and day, however often
the task runs (a retry, a second beat); a failed send releases its claim so the retry sends exactly
one; the digest groups by state (the network apart), then by kind; what the recipient no longer
reads is not mailed."""

import datetime
import smtplib
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Role
from notifications import tasks
from notifications.choices import Delivery, EventKind
from notifications.digests import send_digests
from notifications.models import EmailDelivery, Notification
from tests.factories import MembershipFactory
from tests.worlds import member

from .conftest import notify

pytestmark = pytest.mark.django_db

FAILING_SEND = mock.patch(
    "notifications.mail.EmailMultiAlternatives.send", side_effect=smtplib.SMTPException("connection lost")
)


def immediate(tenant, **event):
    lead = tenant.users["state_lead"]
    return notify(lead, state=tenant.state, delivery=Delivery.IMMEDIATE, link="/states/1/", **event)


def test_an_immediate_notification_is_mailed_once_however_often_delivered(tenant, mailoutbox):
    notification = immediate(tenant, summary="Period returned for Sunrise", actor=tenant.users["state_viewer"])
    assert tasks.deliver(notification.pk) is True
    assert tasks.deliver(notification.pk) is False
    tasks.deliver.apply(args=[notification.pk])  # a retried task
    (mail,) = mailoutbox
    assert mail.to == [tenant.users["state_lead"].email]
    assert mail.subject == "[Zone Portfolio] Period returned for Sunrise"
    site = settings.SITE_URL.rstrip("/")
    assert f"{site}/states/1/" in mail.body and f"{site}/notifications/preferences/" in mail.body
    assert str(tenant.users["state_viewer"]) in mail.body and tenant.state.name in mail.body
    with scopes_disabled():
        delivery = EmailDelivery.objects.get()
        assert delivery.sent_at is not None and list(delivery.notifications.all()) == [notification]


def test_a_failed_send_releases_the_claim_and_the_retry_sends_one(tenant, mailoutbox):
    notification = immediate(tenant)
    with FAILING_SEND:
        assert tasks.deliver(notification.pk) is False
    with scopes_disabled():
        assert not EmailDelivery.objects.exists()
        assert Notification.objects.get(pk=notification.pk).email is None
    assert tasks.deliver(notification.pk) is True
    tasks.deliver(notification.pk)
    assert len(mailoutbox) == 1


def test_an_immediate_mail_is_not_sent_to_someone_who_no_longer_reads_its_state(tenant, other_tenant, mailoutbox):
    notification = notify(tenant.users["state_lead"], state=other_tenant.state, delivery=Delivery.IMMEDIATE)
    assert tasks.deliver(notification.pk) is False
    assert mailoutbox == []


def test_the_sweep_mails_immediate_notifications_whose_task_never_ran(tenant, mailoutbox):
    now = timezone.now()
    missed = immediate(tenant, made=now - datetime.timedelta(minutes=10))
    immediate(tenant, made=now - datetime.timedelta(seconds=30))  # its task is still on its way
    immediate(tenant, made=now - datetime.timedelta(days=8))  # news no longer
    notify(tenant.users["state_lead"], state=tenant.state, made=now - datetime.timedelta(hours=1))  # in the app only
    assert tasks.deliver_pending() == 1
    assert tasks.deliver_pending() == 0
    (mail,) = mailoutbox
    assert missed.event.summary in mail.subject


@pytest.fixture
def reader(tenant, other_tenant):
    """A state viewer of both states."""
    user = member(Role.STATE_VIEWER, state=tenant.state)
    MembershipFactory(user=user, role=Role.STATE_VIEWER, state=other_tenant.state)
    return user


def test_a_daily_digest_groups_by_state_then_kind(tenant, other_tenant, reader, today, yesterday_noon, mailoutbox):
    daily = {"delivery": Delivery.DAILY, "made": yesterday_noon}
    notify(reader, state=None, kind=EventKind.MEETING_SCHEDULED, summary="SDG call on March 3", **daily)
    notify(reader, state=other_tenant.state, kind=EventKind.COMMITMENT_RECEIVED, summary="Gates received", **daily)
    notify(reader, state=tenant.state, kind=EventKind.PERIOD_APPROVED, summary="Q1 approved", **daily)
    notify(reader, state=tenant.state, summary="Update on Sunrise", link="/schools/7/", **daily)
    notify(reader, state=tenant.state, summary="Update on Vista", **daily)
    notify(reader, state=tenant.state, summary="Weekly news", delivery=Delivery.WEEKLY, made=yesterday_noon)
    notify(reader, state=tenant.state, summary="Made today", delivery=Delivery.DAILY)  # tomorrow's digest
    notify(tenant.users["state_lead"], state=tenant.state, summary="The lead's", **daily)

    assert send_digests(Delivery.DAILY, today) == 2
    (mail,) = [mail for mail in mailoutbox if mail.to == [reader.email]]
    assert mail.subject == "[Zone Portfolio] Your daily digest: 5 notifications"
    body = mail.body
    order = [
        "== Colorado (3) ==",
        "Status update posted",
        "Update on Sunrise",
        "Update on Vista",
        "Period approved",
        "Q1 approved",
        "== Louisiana (1) ==",
        "Commitment received",
        "Gates received",
        "== The network (1) ==",
        "Meeting scheduled",
        "SDG call on March 3",
    ]
    positions = [body.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Weekly news" not in body and "Made today" not in body and "The lead's" not in body
    assert f"{settings.SITE_URL.rstrip('/')}/schools/7/" in body
    html = mail.alternatives[0][0]
    assert "<h2>Colorado (3)</h2>" in html and "<h3>Status update posted</h3>" in html


def test_a_digest_is_sent_once_however_often_the_task_runs(tenant, reader, today, yesterday_noon, mailoutbox):
    notify(reader, state=tenant.state, delivery=Delivery.DAILY, made=yesterday_noon)
    assert send_digests(Delivery.DAILY, today) == 1
    assert send_digests(Delivery.DAILY, today) == 0
    assert tasks.send_daily_digests(today.isoformat()) == 0  # a second beat
    assert len(mailoutbox) == 1
    with scopes_disabled():
        assert EmailDelivery.objects.get().key == f"digest:daily:{reader.pk}:{today.isoformat()}"


def test_a_failed_digest_is_sent_whole_by_the_retry(tenant, reader, today, yesterday_noon, mailoutbox):
    for summary in ("First", "Second"):
        notify(reader, state=tenant.state, summary=summary, delivery=Delivery.DAILY, made=yesterday_noon)
    with FAILING_SEND:
        assert send_digests(Delivery.DAILY, today) == 0
    with scopes_disabled():
        assert not EmailDelivery.objects.exists()
    assert send_digests(Delivery.DAILY, today) == 1
    assert send_digests(Delivery.DAILY, today) == 0
    (mail,) = mailoutbox
    assert "First" in mail.body and "Second" in mail.body


def test_a_digest_leaves_out_what_the_recipient_no_longer_reads(
    tenant, other_tenant, today, yesterday_noon, mailoutbox
):
    viewer = tenant.users["state_viewer"]
    daily = {"delivery": Delivery.DAILY, "made": yesterday_noon}
    notify(viewer, state=tenant.state, summary="Still theirs", **daily)
    notify(viewer, state=other_tenant.state, summary="A state they left", **daily)
    lone = other_tenant.users["state_viewer"]
    notify(lone, state=tenant.state, summary="Never theirs", **daily)
    assert send_digests(Delivery.DAILY, today) == 1
    (mail,) = mailoutbox
    assert mail.to == [viewer.email]
    assert "Still theirs" in mail.body and "A state they left" not in mail.body


def test_the_weekly_digest_goes_on_mondays(tenant, reader, mailoutbox):
    made = timezone.make_aware(datetime.datetime(2026, 11, 25, 9))
    notify(reader, state=tenant.state, delivery=Delivery.WEEKLY, made=made)
    tuesday, monday = datetime.date(2026, 12, 1), datetime.date(2026, 11, 30)
    with mock.patch("notifications.tasks.timezone.localdate", return_value=tuesday):
        assert tasks.send_weekly_digests() == 0
    with mock.patch("notifications.tasks.timezone.localdate", return_value=monday):
        assert tasks.send_weekly_digests() == 1
    (mail,) = mailoutbox
    assert mail.subject == "[Zone Portfolio] Your weekly digest: 1 notification"
