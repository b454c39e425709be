"""Deliveries signed per Standard Webhooks, checked on a real receiver; retries with backoff; a
subscription disabled after repeated failures with one mail to its owner; redelivery; SSRF."""

import datetime
import importlib.util
import socket
import threading
from http.server import ThreadingHTTPServer

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook

from tests.factories import WebhookDeliveryFactory, WebhookSubscriptionFactory
from tests.project import REPO
from webhooks import services
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery, WebhookSubscription
from webhooks.sending import BACKOFF, DISABLE_AFTER, RefusedTarget, pinned_target, send
from webhooks.tasks import send_due_deliveries

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription(receiver):
    return WebhookSubscriptionFactory(target_url=receiver.url)


def test_a_delivery_is_signed_and_verifies_with_the_subscriptions_secret(receiver, subscription):
    delivery = WebhookDeliveryFactory(subscription=subscription, payload={"type": "school.changed", "data": {"id": 7}})

    send(delivery.pk)

    ((headers, body),) = receiver.requests
    assert Webhook(subscription.secret).verify(body, headers) == {"type": "school.changed", "data": {"id": 7}}
    assert headers["webhook-id"] == delivery.message_id
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.SUCCEEDED, 1, 200)
    assert delivery.delivered_at is not None and delivery.duration_ms is not None
    with pytest.raises(Exception, match="signature"):
        Webhook(WebhookSubscriptionFactory().secret).verify(body, headers)


def test_a_500_is_retried_after_the_backoff_then_succeeds(receiver, subscription):
    receiver.statuses = [500]
    delivery = WebhookDeliveryFactory(subscription=subscription)
    before = timezone.now()

    send(delivery.pk)
    delivery.refresh_from_db()

    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.RETRYING, 1, 500)
    assert delivery.last_error == "HTTP 500 Internal Server Error"
    assert before + BACKOFF[0] <= delivery.next_retry_at <= timezone.now() + BACKOFF[0]
    assert send_due_deliveries() == 0  # not due yet: nothing sent
    assert len(receiver.requests) == 1

    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_retry_at=timezone.now())
    assert send_due_deliveries() == 1
    delivery.refresh_from_db()

    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.SUCCEEDED, 2, 200)
    first, second = receiver.requests
    assert first[0]["webhook-id"] == second[0]["webhook-id"] == delivery.message_id
    assert Webhook(subscription.secret).verify(second[1], second[0])


def test_repeated_failures_disable_the_subscription_and_mail_its_owner_once(
    receiver, subscription, django_capture_on_commit_callbacks
):
    receiver.statuses = [503] * (DISABLE_AFTER + 1)
    deliveries = WebhookDeliveryFactory.create_batch(DISABLE_AFTER + 1, subscription=subscription)

    with django_capture_on_commit_callbacks(execute=True):
        for delivery in deliveries[:DISABLE_AFTER]:
            send(delivery.pk)
    subscription.refresh_from_db()

    assert not subscription.active and subscription.consecutive_failures == DISABLE_AFTER
    assert "503" in subscription.disabled_reason
    assert [message.to for message in mail.outbox] == [[subscription.membership.user.email]]
    assert send(deliveries[-1].pk) is None  # a disabled subscription sends nothing more
    assert len(receiver.requests) == DISABLE_AFTER and len(mail.outbox) == 1


def test_a_success_resets_the_failure_count(receiver, subscription):
    receiver.statuses = [500, 500]
    for delivery in WebhookDeliveryFactory.create_batch(3, subscription=subscription):
        send(delivery.pk)

    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0 and subscription.active


def test_a_delivery_gives_up_after_its_last_retry(receiver, subscription):
    receiver.statuses = [500] * (len(BACKOFF) + 1)
    delivery = WebhookDeliveryFactory(subscription=subscription)

    for _attempt in range(len(BACKOFF) + 1):  # by hand: the subscription is disabled on the way
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_retry_at=None)
        send(delivery.pk, manual=True)
    delivery.refresh_from_db()

    assert (delivery.status, delivery.attempts, delivery.next_retry_at) == (
        DeliveryStatus.GAVE_UP,
        len(BACKOFF) + 1,
        None,
    )


def test_redeliver_sends_the_same_message_again(receiver, subscription, django_capture_on_commit_callbacks):
    delivery = WebhookDeliveryFactory(subscription=subscription)
    send(delivery.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.redeliver(delivery)
    delivery.refresh_from_db()

    first, second = receiver.requests
    assert first[0]["webhook-id"] == second[0]["webhook-id"] == delivery.message_id
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 2)


def test_a_claimed_delivery_is_not_sent_twice(receiver, subscription):
    delivery = WebhookDeliveryFactory(subscription=subscription)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_retry_at=timezone.now() + datetime.timedelta(seconds=30))

    assert send(delivery.pk) is None and receiver.requests == []


def test_private_targets_are_refused_unless_allowed(receiver, subscription, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    delivery = WebhookDeliveryFactory(subscription=subscription)

    send(delivery.pk)
    delivery.refresh_from_db()

    assert receiver.requests == []
    assert delivery.status == DeliveryStatus.RETRYING and delivery.last_status_code is None
    assert "127.0.0.1, a private or reserved address" in delivery.last_error


def test_the_secret_is_stored_encrypted(subscription):
    secret = subscription.secret
    stored = WebhookSubscription.objects.values_list("secret_encrypted", flat=True).get(pk=subscription.pk)

    assert secret.startswith("whsec_") and secret not in stored and secret[6:] not in stored


def test_plain_http_targets_need_the_setting(settings):
    settings.WEBHOOK_ALLOW_HTTP_TARGETS = False
    subscription = WebhookSubscriptionFactory.build(target_url="http://hooks.example.org/x")

    with pytest.raises(Exception, match="https"):
        subscription.clean_fields(exclude=["membership"])


def test_the_example_receiver_accepts_a_signed_delivery_and_refuses_a_forged_one(subscription):
    spec = importlib.util.spec_from_file_location("webhook_receiver", REPO / "examples/webhook_receiver.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    server = ThreadingHTTPServer(("127.0.0.1", 0), example.handler_for(Webhook(subscription.secret), set()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        WebhookSubscription.objects.filter(pk=subscription.pk).update(
            target_url=f"http://127.0.0.1:{server.server_port}/"
        )
        signed = WebhookDeliveryFactory(subscription=subscription)
        send(signed.pk)
        forged = WebhookDeliveryFactory(subscription=subscription)
        WebhookSubscription.objects.filter(pk=subscription.pk).update(
            secret_encrypted=WebhookSubscriptionFactory().secret_encrypted
        )
        send(forged.pk)
    finally:
        server.shutdown()
        server.server_close()

    signed.refresh_from_db()
    forged.refresh_from_db()
    assert (signed.status, signed.last_status_code) == (DeliveryStatus.SUCCEEDED, 204)
    assert (forged.status, forged.last_status_code) == (DeliveryStatus.RETRYING, 400)


def resolving_to(*addresses):
    def getaddrinfo(host, port, **kwargs):
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses
        ]

    return getaddrinfo


def test_a_public_target_is_pinned_to_the_address_checked(settings, monkeypatch):
    """The connection goes to the address that was checked (no second DNS answer), with the
    host's name in the Host header and TLS."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    monkeypatch.setattr(socket, "getaddrinfo", resolving_to("93.184.215.14"))

    assert pinned_target("https://hooks.example.org:8443/in?x=1") == (
        "https://93.184.215.14:8443/in?x=1",
        {"host": "hooks.example.org:8443"},
        {"sni_hostname": "hooks.example.org"},
    )


@pytest.mark.parametrize("private", ["10.0.0.5", "169.254.169.254", "::1", "::ffff:127.0.0.1", "100.64.0.1"])
def test_a_target_with_any_private_address_is_refused(settings, monkeypatch, private):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    monkeypatch.setattr(socket, "getaddrinfo", resolving_to("93.184.215.14", private))

    with pytest.raises(RefusedTarget, match="private or reserved"):
        pinned_target("https://hooks.example.org/in")
