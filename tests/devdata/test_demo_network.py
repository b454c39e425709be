"""The demo's network: collaborators' activity reports, two monthly SDG calls with minutes and
action items, a site visit, the demo users' preferences and watches, and an inbox filled by the use
cases (seed_demo's idempotence, these rows included, is tests/devdata/test_seed_demo.py's)."""

import datetime

import pytest
from django.utils import timezone

from network.models import ActionItem, ActivityReport, Meeting
from notifications.choices import Delivery, EventKind
from notifications.models import Notification, Preference, Watch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_database")]

LEAD, PARTNER = "lead.co@demo.zoneportfolio.org", "partner@demo.zoneportfolio.org"


def test_collaborators_report_their_activity_across_states_and_service_areas():
    reports = ActivityReport.objects.select_related("engagement__collaborator", "engagement__state")
    assert len({report.engagement.collaborator.name for report in reports}) >= 4
    assert len({report.engagement.state.postal_code for report in reports}) >= 4
    assert len({report.engagement.service_area for report in reports}) >= 4
    for report in reports:
        report.full_clean()
        assert report.author is not None


def test_two_past_monthly_sdg_calls_with_minutes_decisions_and_action_items():
    now = timezone.now()
    calls = list(Meeting.objects.filter(kind=Meeting.Kind.SDG_CALL).order_by("starts_at"))
    assert len(calls) == 2
    assert (calls[1].starts_at - calls[0].starts_at) == datetime.timedelta(days=28)
    for call in calls:
        assert call.state is None and call.starts_at < now
        assert call.agenda and call.minutes and call.decisions and call.attendees.count() >= 3
        assert call.action_items.exists()
    visit = Meeting.objects.get(kind=Meeting.Kind.SITE_VISIT)
    assert visit.state.postal_code == "CO" and visit.zone is not None and visit.action_items.exists()

    items = ActionItem.objects.all()
    today = timezone.localdate()
    assert items.open().filter(due_on__gte=today).count() >= 2
    assert items.overdue(today).count() == 1
    (closed,) = items.exclude(status__in=[ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS])
    assert closed.closing_note and closed.closed_by is not None and closed.closed_at is not None


def test_preferences_and_watches_shape_the_inbox():
    assert Preference.objects.get(user__email=LEAD, kind=EventKind.STATUS_UPDATE_POSTED).delivery == Delivery.WEEKLY
    assert Preference.objects.get(user__email=PARTNER, kind=EventKind.PERIOD_RETURNED).delivery == Delivery.IMMEDIATE
    assert Watch.objects.filter(user__email=LEAD, zone__isnull=False).exists()
    assert Watch.objects.count() >= 2

    lead_inbox = Notification.objects.filter(recipient__email=LEAD).select_related("event")
    kinds = {(notification.event.kind, notification.delivery) for notification in lead_inbox}
    # the watched zone's status update in the weekly digest, as the lead chose; their items at once
    assert (EventKind.STATUS_UPDATE_POSTED, Delivery.WEEKLY) in kinds
    assert (EventKind.ACTION_ITEM_ASSIGNED, Delivery.IMMEDIATE) in kinds
    partner_inbox = Notification.objects.filter(recipient__email=PARTNER).values_list("event__kind", flat=True)
    assert {EventKind.ACTION_ITEM_ASSIGNED, EventKind.MEETING_SCHEDULED} <= set(partner_inbox)
