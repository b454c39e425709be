"""API v1 ``notifications``, ``notification-preferences`` and ``watches``: the requester's own rows
only (another user's is a 404), one preference per kind (a duplicate is a 400), a watch of exactly
one target the requester reads (400 otherwise, saying nothing of other states)."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from notifications.choices import Delivery, EventKind
from notifications.models import Notification, Preference, Watch
from tests.factories import PreferenceFactory, WatchFactory
from tests.problems import field_errors

from .conftest import notify

pytestmark = pytest.mark.django_db

NOTIFICATIONS = reverse("api:notification-list")
PREFERENCES = reverse("api:preference-list")
WATCHES = reverse("api:watch-list")


def test_notifications_lists_the_requesters_own_and_the_unread(tenant, login):
    lead = tenant.users["state_lead"]
    unread = notify(lead, state=tenant.state, summary="Unread", link="/states/1/")
    read = notify(lead, state=tenant.state, summary="Read")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    notify(tenant.users["state_viewer"], state=tenant.state, summary="Not the lead's")
    client = login(lead)
    rows = client.get(NOTIFICATIONS).json()["results"]
    assert [row["summary"] for row in rows] == ["Read", "Unread"]
    rows = client.get(NOTIFICATIONS, {"unread": "true"}).json()["results"]
    assert [(row["id"], row["link"], row["kind"]) for row in rows] == [
        (unread.pk, "/states/1/", EventKind.STATUS_UPDATE_POSTED)
    ]


def test_read_and_read_all_mark_only_the_requesters_own(tenant, login):
    lead, viewer = tenant.users["state_lead"], tenant.users["state_viewer"]
    own = [notify(lead, state=tenant.state) for _ in range(2)]
    other = notify(viewer, state=tenant.state)
    client = login(lead)
    assert client.post(reverse("api:notification-read", kwargs={"pk": other.pk})).status_code == 404
    assert client.get(reverse("api:notification-detail", kwargs={"pk": other.pk})).status_code == 404
    response = client.post(reverse("api:notification-read", kwargs={"pk": own[0].pk}))
    assert response.status_code == 200 and response.json()["read_at"] is not None
    assert client.post(reverse("api:notification-read-all")).json() == {"marked": 1}
    with scopes_disabled():
        assert Notification.objects.filter(recipient=lead, read_at__isnull=True).count() == 0
        assert Notification.objects.get(pk=other.pk).read_at is None


def test_preferences_are_the_requesters_own_one_per_kind(tenant, login):
    lead, viewer = tenant.users["state_lead"], tenant.users["state_viewer"]
    others = PreferenceFactory(user=viewer, kind=EventKind.BRIEF_READY, delivery=Delivery.OFF)
    client = login(lead)
    made = client.post(PREFERENCES, {"kind": EventKind.BRIEF_READY, "delivery": Delivery.DAILY}, "application/json")
    assert made.status_code == 201, made.json()
    duplicate = client.post(PREFERENCES, {"kind": EventKind.BRIEF_READY, "delivery": Delivery.OFF}, "application/json")
    assert duplicate.status_code == 400
    assert [row["id"] for row in client.get(PREFERENCES).json()["results"]] == [made.json()["id"]]
    own = reverse("api:preference-detail", kwargs={"pk": made.json()["id"]})
    changed = client.patch(own, {"delivery": Delivery.WEEKLY}, "application/json")
    assert changed.status_code == 200 and changed.json()["delivery_label"] == Delivery.WEEKLY.label
    theirs = reverse("api:preference-detail", kwargs={"pk": others.pk})
    assert client.patch(theirs, {"delivery": Delivery.DAILY}, "application/json").status_code == 404
    assert client.delete(theirs).status_code == 404
    assert client.delete(own).status_code == 204
    with scopes_disabled():
        assert list(Preference.objects.values_list("user", "delivery")) == [(viewer.pk, Delivery.OFF)]
    bad = client.post(PREFERENCES, {"kind": "everything", "delivery": Delivery.DAILY}, "application/json")
    assert bad.status_code == 400 and "kind" in field_errors(bad)


def test_watches_are_of_exactly_one_target_the_requester_reads(tenant, other_tenant, login):
    viewer = tenant.users["state_viewer"]
    client = login(viewer)
    made = client.post(WATCHES, {"zone": tenant.zone.pk}, "application/json")
    assert made.status_code == 201, made.json()
    assert client.post(WATCHES, {"zone": tenant.zone.pk}, "application/json").status_code == 400  # again
    both = client.post(WATCHES, {"state": tenant.state.pk, "school": tenant.schools[0].pk}, "application/json")
    assert both.status_code == 400
    assert client.post(WATCHES, {}, "application/json").status_code == 400
    elsewhere = client.post(WATCHES, {"state": other_tenant.state.pk}, "application/json")
    nowhere = client.post(WATCHES, {"state": 10**12}, "application/json")
    assert elsewhere.status_code == nowhere.status_code == 400
    assert field_errors(elsewhere)["state"] == [
        message.replace(str(10**12), str(other_tenant.state.pk)) for message in field_errors(nowhere)["state"]
    ]
    theirs = WatchFactory(user=tenant.users["state_lead"], state=tenant.state)
    assert client.delete(reverse("api:watch-detail", kwargs={"pk": theirs.pk})).status_code == 404
    assert [row["zone"] for row in client.get(WATCHES).json()["results"]] == [tenant.zone.pk]
    assert client.delete(reverse("api:watch-detail", kwargs={"pk": made.json()["id"]})).status_code == 204
    with scopes_disabled():
        assert list(Watch.objects.values_list("pk", flat=True)) == [theirs.pk]
