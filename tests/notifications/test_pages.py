"""The inbox (the user's own, unread marked, filters, read and read-all), preferences, watches
(only of what the user reads; idempotent), the watch buttons and the log of mails sent."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from notifications.choices import Delivery, EventKind
from notifications.models import Notification, Preference, Watch
from tests.factories import EmailDeliveryFactory, WatchFactory
from tests.worlds import query_counts

from .conftest import notify

pytestmark = pytest.mark.django_db

INBOX = reverse("notifications:inbox")
WATCH = reverse("notifications:watch")


def read_url(notification):
    return reverse("notifications:read", kwargs={"notification_pk": notification.pk})


def fresh(notification):
    with scopes_disabled():
        return Notification.objects.get(pk=notification.pk)


def test_the_inbox_shows_only_the_users_own_newest_first_unread_marked(tenant, login):
    lead, viewer = tenant.users["state_lead"], tenant.users["state_viewer"]
    notify(lead, state=tenant.state, summary="Older news")
    read = notify(lead, state=tenant.state, summary="Newer news")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    notify(viewer, state=tenant.state, summary="The viewer's news")
    page = login(lead).get(INBOX).content.decode()
    assert "Older news" in page and "Newer news" in page and "The viewer's news" not in page
    assert page.index("Newer news") < page.index("Older news")
    assert page.count('class="notification-unread"') == 1 and page.count('class="notification-read"') == 1
    assert 'data-unread="1"' in page  # the header's count


def test_the_inbox_filters_unread_and_by_kind(tenant, login):
    lead = tenant.users["state_lead"]
    notify(lead, state=tenant.state, summary="A status update")
    notify(lead, state=tenant.state, kind=EventKind.PERIOD_APPROVED, summary="An approval")
    client = login(lead)
    page = client.get(INBOX, {"kind": EventKind.PERIOD_APPROVED}).content.decode()
    assert "An approval" in page and "A status update" not in page
    client.post(reverse("notifications:read_all"))
    assert "An approval" not in client.get(INBOX, {"show": "unread"}).content.decode()
    assert client.get(INBOX, {"kind": "nonsense", "page": "x"}).status_code == 200


def test_read_marks_read_and_goes_to_the_events_page(tenant, login):
    lead = tenant.users["state_lead"]
    notification = notify(lead, state=tenant.state, link=f"/states/{tenant.state.pk}/")
    response = login(lead).post(read_url(notification))
    assert response.status_code == 302 and response.url == f"/states/{tenant.state.pk}/"
    assert fresh(notification).read_at is not None


def test_read_refuses_someone_elses_notification(tenant, login):
    notification = notify(tenant.users["state_viewer"], state=tenant.state)
    assert login(tenant.users["state_lead"]).post(read_url(notification)).status_code == 404
    assert fresh(notification).read_at is None


@pytest.mark.parametrize("link", ["https://evil.example/phish", "//evil.example/phish", "/\\evil.example", ""])
def test_read_never_redirects_off_the_site(tenant, login, link):
    lead = tenant.users["state_lead"]
    notification = notify(lead, state=tenant.state, link=link)
    response = login(lead).post(read_url(notification))
    assert response.status_code == 302 and response.url == INBOX


def test_read_all_marks_only_the_users_own(tenant, login):
    lead, viewer = tenant.users["state_lead"], tenant.users["state_viewer"]
    own = [notify(lead, state=tenant.state) for _ in range(2)]
    other = notify(viewer, state=tenant.state)
    login(lead).post(reverse("notifications:read_all"))
    assert all(fresh(n).read_at for n in own) and fresh(other).read_at is None


def test_preferences_show_every_kind_with_its_default_and_save_the_choices(tenant, login):
    lead = tenant.users["state_lead"]
    client = login(lead)
    page = client.get(reverse("notifications:preferences")).content.decode()
    for kind in EventKind:
        assert kind.label in page and kind.description in page
    data = {kind.value: kind.default_delivery.value for kind in EventKind}
    data[EventKind.STATUS_UPDATE_POSTED] = Delivery.WEEKLY
    data[EventKind.BRIEF_READY] = Delivery.OFF
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    with scopes_disabled():
        saved = dict(Preference.objects.filter(user=lead).values_list("kind", "delivery"))
    assert saved == {EventKind.STATUS_UPDATE_POSTED: Delivery.WEEKLY, EventKind.BRIEF_READY: Delivery.OFF}
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert '<option value="weekly" selected>' in page
    data[EventKind.BRIEF_READY] = "sometimes"
    assert client.post(reverse("notifications:preferences"), data).status_code == 400


def watches(user):
    with scopes_disabled():
        return list(Watch.objects.filter(user=user).values_list("state_id", "zone_id", "school_id"))


def test_watching_is_idempotent_and_the_button_toggles(tenant, login):
    viewer = tenant.users["state_viewer"]
    client = login(viewer)
    state_page = reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk})
    assert 'aria-pressed="false"' in client.get(state_page).content.decode()
    for _ in range(2):  # a double click
        response = client.post(WATCH, {"target": "state", "pk": tenant.state.pk, "watch": "1", "next": state_page})
        assert response.status_code == 302 and response.url == state_page
    assert watches(viewer) == [(tenant.state.pk, None, None)]
    assert 'aria-pressed="true"' in client.get(state_page).content.decode()
    client.post(WATCH, {"target": "state", "pk": tenant.state.pk})  # no wanted state: toggles
    assert watches(viewer) == []


def test_a_zone_and_a_school_are_watched_from_their_pages(tenant, login):
    viewer = tenant.users["state_viewer"]
    client = login(viewer)
    school = tenant.schools[0]
    response = client.post(WATCH, {"target": "school", "pk": school.pk, "next": "https://evil.example/"})
    assert response.url == reverse("portfolio:school_detail", kwargs={"school_pk": school.pk})
    client.post(WATCH, {"target": "zone", "pk": tenant.zone.pk, "watch": "1"})
    assert sorted(watches(viewer), key=str) == sorted([(None, None, school.pk), (None, tenant.zone.pk, None)], key=str)
    assert 'aria-pressed="true"' in client.get(response.url).content.decode()
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert school.name in page and tenant.zone.name in page


@pytest.mark.parametrize("target", ["state", "zone", "school"])
def test_another_states_target_cannot_be_watched(tenant, other_tenant, login, target):
    pk = {"state": other_tenant.state, "zone": other_tenant.zone, "school": other_tenant.schools[0]}[target].pk
    viewer = tenant.users["state_viewer"]
    assert login(viewer).post(WATCH, {"target": target, "pk": pk, "watch": "1"}).status_code == 404
    assert watches(viewer) == []


@pytest.mark.parametrize("data", [{"target": "district", "pk": 1}, {"target": "state", "pk": "x"}, {}])
def test_a_malformed_watch_is_a_404(tenant, login, data):
    assert login(tenant.users["state_viewer"]).post(WATCH, data).status_code == 404


def test_the_sent_page_lists_the_users_mails(tenant, login):
    lead = tenant.users["state_lead"]
    delivery = EmailDeliveryFactory(recipient=lead, cadence=Delivery.DAILY, subject="Your daily digest: 2")
    for _ in range(2):
        notification = notify(lead, state=tenant.state, delivery=Delivery.DAILY)
        Notification.objects.filter(pk=notification.pk).update(email=delivery)
    EmailDeliveryFactory(recipient=tenant.users["state_viewer"], subject="The viewer's mail")
    page = login(lead).get(reverse("notifications:sent")).content.decode()
    assert "Your daily digest: 2" in page and "The viewer&#x27;s mail" not in page and "The viewer's mail" not in page
    assert "<td>2</td>" in page and "Unconfirmed" in page and "Daily digest" in page


def test_the_watch_buttons_cost_the_same_queries_whatever_is_watched(tenant, login):
    viewer = tenant.users["state_viewer"]
    WatchFactory(user=viewer, state=tenant.state)
    client = login(viewer)
    url = reverse("notifications:preferences")
    (one,) = query_counts(client, [url]).values()
    for school in tenant.schools:
        WatchFactory(user=viewer, state=None, school=school)
    (many,) = query_counts(client, [url]).values()
    assert many == one
