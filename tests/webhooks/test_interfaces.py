"""The API and the pages: a member manages their own subscriptions (the secret shown once, at
creation), reads their own deliveries and redelivers them; anyone else's are 404s."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.api.conftest import token_client
from tests.factories import MembershipFactory, StateFactory, WebhookDeliveryFactory, WebhookSubscriptionFactory
from webhooks.choices import DeliveryStatus, EventType
from webhooks.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db
SUBSCRIPTIONS = "/api/v1/webhook-subscriptions/"
DELIVERIES = "/api/v1/webhook-deliveries/"


@pytest.fixture
def viewer():
    return MembershipFactory(role=Role.STATE_VIEWER, state=StateFactory())


def body(membership, **extra):
    return {
        "membership": membership.pk,
        "name": "Warehouse",
        "target_url": "https://hooks.example.org/in",
        "event_types": [EventType.SCHOOL_CHANGED, EventType.ZONE_DELETED],
        **extra,
    }


def test_a_read_only_member_subscribes_and_sees_the_secret_once(viewer):
    client = token_client(viewer)

    created = client.post(SUBSCRIPTIONS, body(viewer), format="json")

    assert created.status_code == 201, created.content
    secret = created.json()["secret"]
    subscription = WebhookSubscription.objects.get(pk=created.json()["id"])
    assert secret.startswith("whsec_") and subscription.secret == secret
    assert secret not in subscription.secret_encrypted
    assert created.json()["event_types"] == ["school.changed", "zone.deleted"]
    again = client.get(f"{SUBSCRIPTIONS}{subscription.pk}/")
    assert again.status_code == 200 and "secret" not in again.json() and secret not in again.content.decode()

    rotated = client.post(f"{SUBSCRIPTIONS}{subscription.pk}/rotate-secret/")
    subscription.refresh_from_db()
    assert rotated.json()["secret"] == subscription.secret != secret


def test_a_token_subscribes_only_with_its_own_membership(viewer):
    wider = MembershipFactory(user=viewer.user, role=Role.STATE_LEAD, state=StateFactory())

    refused = token_client(viewer).post(SUBSCRIPTIONS, body(wider), format="json")

    assert refused.status_code == 400 and [e["field"] for e in refused.json()["errors"]] == ["membership"]
    assert not WebhookSubscription.objects.exists()


def test_unknown_event_types_and_plain_http_are_refused(viewer, settings):
    settings.WEBHOOK_ALLOW_HTTP_TARGETS = False
    client = token_client(viewer)

    unknown = client.post(SUBSCRIPTIONS, body(viewer, event_types=["school.exploded"]), format="json")
    plain = client.post(SUBSCRIPTIONS, body(viewer, target_url="http://hooks.example.org/in"), format="json")

    assert unknown.status_code == plain.status_code == 400
    assert not WebhookSubscription.objects.exists()


def test_another_users_subscriptions_and_deliveries_are_not_found(viewer):
    theirs = WebhookDeliveryFactory()
    client = token_client(viewer)
    subscription = f"{SUBSCRIPTIONS}{theirs.subscription.pk}/"

    assert client.get(SUBSCRIPTIONS).json()["count"] == 0
    assert client.get(subscription).status_code == 404
    assert client.patch(subscription, {"name": "Mine"}, format="json").status_code == 404
    assert client.delete(subscription).status_code == 404
    assert client.get(f"{DELIVERIES}{theirs.pk}/").status_code == 404
    assert client.post(f"{DELIVERIES}{theirs.pk}/redeliver/").status_code == 404
    assert WebhookSubscription.objects.get(pk=theirs.subscription.pk).name == theirs.subscription.name


def test_the_owner_reads_and_redelivers_a_delivery(viewer):
    delivery = WebhookDeliveryFactory(
        subscription=WebhookSubscriptionFactory(membership=viewer),
        status=DeliveryStatus.GAVE_UP,
        attempts=6,
    )
    client = token_client(viewer)

    listed = client.get(DELIVERIES)
    redelivered = client.post(f"{DELIVERIES}{delivery.pk}/redeliver/")

    assert [row["message_id"] for row in listed.json()["results"]] == [delivery.message_id]
    assert redelivered.status_code == 202 and redelivered.json()["status"] == DeliveryStatus.PENDING
    assert WebhookDelivery.objects.get(pk=delivery.pk).message_id == delivery.message_id


def test_pages_create_show_the_secret_once_and_keep_others_out(client, viewer):
    client.force_login(viewer.user)
    theirs = WebhookDeliveryFactory()

    created = client.post(
        reverse("webhooks:list"),
        {
            "name": "Warehouse",
            "membership": viewer.pk,
            "target_url": "https://hooks.example.org/in",
            "event_types": [EventType.SCHOOL_CHANGED],
        },
    )
    subscription = WebhookSubscription.objects.get(membership=viewer)
    assert subscription.secret in created.content.decode()
    detail = client.get(reverse("webhooks:detail", args=[subscription.pk]))
    assert detail.status_code == 200 and subscription.secret not in detail.content.decode()
    assert "Webhooks" in client.get(reverse("tokens:list")).content.decode()

    client.post(reverse("webhooks:toggle", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert not subscription.active and subscription.disabled_reason == "Disabled by its owner."

    assert client.get(reverse("webhooks:detail", args=[theirs.subscription.pk])).status_code == 404
    assert client.post(reverse("webhooks:toggle", args=[theirs.subscription.pk])).status_code == 404
    assert (
        client.post(reverse("webhooks:delete", args=[theirs.subscription.pk]), {"confirm": "delete"}).status_code == 404
    )
    assert client.post(reverse("webhooks:redeliver", args=[theirs.pk])).status_code == 404
    assert WebhookSubscription.objects.get(pk=theirs.subscription.pk).active


def test_the_delete_page_asks_before_it_deletes(client, viewer):
    client.force_login(viewer.user)
    subscription = WebhookDeliveryFactory(subscription=WebhookSubscriptionFactory(membership=viewer)).subscription
    url = reverse("webhooks:delete", args=[subscription.pk])

    asked = client.post(url)
    assert asked.status_code == 200 and WebhookSubscription.objects.filter(pk=subscription.pk).exists()

    deleted = client.post(url, {"confirm": "delete"})
    assert deleted["Location"] == reverse("webhooks:list")
    assert not WebhookSubscription.objects.filter(pk=subscription.pk).exists()
    assert not WebhookDelivery.objects.filter(subscription=subscription.pk).exists()
