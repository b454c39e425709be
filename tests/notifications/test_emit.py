"""Who ``emit`` tells: the named recipients and the watchers, never the actor or an inactive user,
only those who read the subject (a Louisiana event never reaches Colorado, a state-only comment
never reaches Lead Partner staff), each with their preference (or the kind's default)."""

import pytest
from django_scopes import scopes_disabled

from comments.models import Comment
from notifications.choices import Delivery, EventKind
from notifications.events import emit
from notifications.models import Notification
from tests.factories import CommentFactory, PreferenceFactory, WatchFactory

pytestmark = pytest.mark.django_db


def told(event) -> dict:
    """{recipient: delivery} of the event's notifications."""
    with scopes_disabled():
        return {n.recipient: n.delivery for n in Notification.objects.filter(event=event).select_related("recipient")}


def status_update(tenant, *, actor=None, recipients=(), **places):
    school = tenant.schools[0]
    return emit(
        EventKind.STATUS_UPDATE_POSTED,
        summary=f"Status update posted on {school}",
        subject=school,
        school=school,
        link=f"/schools/{school.pk}/",
        actor=actor,
        recipients=recipients,
        **places,
    )


def test_named_recipients_and_watchers_are_told_but_not_the_actor(tenant):
    lead, viewer, commissioner = (tenant.users[role] for role in ("state_lead", "state_viewer", "commissioner"))
    WatchFactory(user=viewer, state=tenant.state)
    WatchFactory(user=lead, state=None, zone=tenant.zone)  # the actor watches too
    event = status_update(tenant, actor=lead, recipients=[commissioner, lead])
    assert set(told(event)) == {viewer, commissioner}
    assert event.zone == tenant.zone and event.state == tenant.state  # from the school


def test_an_inactive_user_is_not_told(tenant):
    viewer = tenant.users["state_viewer"]
    viewer.is_active = False
    viewer.save()
    assert told(status_update(tenant, recipients=[viewer])) == {}


def test_off_makes_no_notification_and_a_kind_without_preference_uses_its_default(tenant):
    viewer, commissioner, lead = (tenant.users[role] for role in ("state_viewer", "commissioner", "state_lead"))
    PreferenceFactory(user=viewer, kind=EventKind.STATUS_UPDATE_POSTED, delivery=Delivery.OFF)
    PreferenceFactory(user=lead, kind=EventKind.STATUS_UPDATE_POSTED, delivery=Delivery.WEEKLY)
    PreferenceFactory(user=commissioner, kind=EventKind.PERIOD_APPROVED, delivery=Delivery.OFF)  # another kind
    event = status_update(tenant, recipients=[viewer, commissioner, lead])
    assert told(event) == {commissioner: EventKind.STATUS_UPDATE_POSTED.default_delivery, lead: Delivery.WEEKLY}


def test_a_key_records_the_event_once(tenant):
    viewer = tenant.users["state_viewer"]
    first = status_update(tenant, recipients=[viewer], key="status:1")
    assert status_update(tenant, recipients=[viewer], key="status:1") is None
    assert list(told(first)) == [viewer]


def test_a_louisiana_event_never_reaches_colorado_even_through_a_watch(tenant, other_tenant):
    colorado_lead = tenant.users["state_lead"]
    WatchFactory(user=colorado_lead, state=other_tenant.state)  # the pages refuse this watch (404)
    WatchFactory(user=colorado_lead, state=None, school=other_tenant.schools[0])
    louisiana_viewer = other_tenant.users["state_viewer"]
    WatchFactory(user=louisiana_viewer, state=other_tenant.state)
    event = status_update(other_tenant, recipients=[colorado_lead])
    assert set(told(event)) == {louisiana_viewer}


def test_a_state_only_comment_never_reaches_lead_partner_staff(tenant):
    school = tenant.schools[0]
    staff, viewer = tenant.users["lead_partner_staff"], tenant.users["state_viewer"]
    WatchFactory(user=staff, state=None, school=school)
    comment = CommentFactory(
        school=school, zone=tenant.zone, state=tenant.state, visibility=Comment.Visibility.STATE_STAFF, body="Budget"
    )
    event = emit(
        EventKind.COMMENT_REPLY,
        summary="Reply on a school",
        subject=comment,
        school=school,
        recipients=[staff, viewer],
    )
    assert set(told(event)) == {viewer}
    open_comment = CommentFactory(
        school=school, zone=tenant.zone, state=tenant.state, visibility=Comment.Visibility.EVERYONE, body="Hello"
    )
    event = emit(EventKind.COMMENT_REPLY, summary="Reply", subject=open_comment, school=school, recipients=[viewer])
    assert set(told(event)) == {staff, viewer}  # the same watcher, a comment they read
