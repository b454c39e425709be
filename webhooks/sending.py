"""Sending one delivery: signed per Standard Webhooks, POSTed with httpx (no redirects followed),
only to a public address unless ``WEBHOOK_ALLOW_PRIVATE_TARGETS``; the answer recorded on the
delivery; a failure retried with backoff, and a subscription whose target failed
``DISABLE_AFTER`` times in a row disabled, its owner mailed once.

A delivery is claimed before it is sent (its ``next_retry_at`` pushed past the attempt's timeout in
one UPDATE), so a retried task or a second worker never sends it twice at once.
"""

import ipaddress
import json
import socket
import time
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from .choices import DeliveryStatus
from .models import WebhookDelivery, WebhookSubscription
from .signing import signed_headers

# The wait before each retry: 1 min, 5 min, 30 min, 2 h, 8 h; then the delivery gives up.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=8))
DISABLE_AFTER = 5  # failed attempts in a row (any deliveries) that disable a subscription
TIMEOUT = 10.0  # seconds, per attempt
LEASE = timedelta(seconds=60)  # a claimed attempt is not claimed again before this (> TIMEOUT)
SENDABLE = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


class RefusedTarget(Exception):
    """The target resolves to an address deliveries may not go to (private, loopback, ...)."""


def pinned_target(url: str) -> tuple[str, dict, dict]:
    """(URL to connect to, extra headers, request extensions): with private targets refused, the
    host is resolved once, every address checked, and the connection pinned to the first one (the
    Host header and TLS name stay the host's), so a DNS answer cannot change between the check and
    the connection."""
    if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return url, {}, {}
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedTarget(f"The target's host name does not resolve ({error}).") from error
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        mapped = getattr(address, "ipv4_mapped", None) or address
        if not mapped.is_global or mapped.is_multicast:
            raise RefusedTarget(f"The target resolves to {address}, a private or reserved address.")
    address = addresses[0]
    host = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{host}:{parts.port}" if parts.port else host
    headers = {"host": parts.netloc}
    return urlunsplit(parts._replace(netloc=netloc)), headers, {"sni_hostname": parts.hostname}


def one_line(text: str, limit: int = 300) -> str:
    return " ".join(str(text).split())[:limit]


def claim(delivery_id: int, manual: bool) -> WebhookDelivery | None:
    """The delivery, claimed for one attempt, or None: not due, already claimed, finished, or (for
    an automatic attempt) its subscription disabled."""
    now = timezone.now()
    delivery = WebhookDelivery._base_manager.select_related("subscription__membership__user").filter(pk=delivery_id)
    delivery = delivery.first()
    if delivery is None or not (manual or delivery.subscription.active):
        return None
    # One statement on the delivery's own columns: a concurrent claim re-reads them and finds it taken.
    due = Q(next_retry_at__isnull=True) | Q(next_retry_at__lte=now)
    taken = WebhookDelivery._base_manager.filter(due, pk=delivery_id, status__in=SENDABLE)
    if not taken.update(next_retry_at=now + LEASE):
        return None
    delivery.refresh_from_db(fields=["attempts", "status", "next_retry_at"])
    return delivery


def post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """One signed POST of the delivery's payload: (status code or None, error or "")."""
    subscription = delivery.subscription
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    try:
        url, headers, extensions = pinned_target(subscription.target_url)
        headers |= signed_headers(subscription.secret, delivery.message_id, timezone.now(), body)
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False) as client:
            response = client.post(url, content=body, headers=headers, extensions=extensions)
    except RefusedTarget as error:
        return None, one_line(error)
    except httpx.HTTPError as error:
        return None, one_line(f"{type(error).__name__}: {error}")
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, one_line(f"HTTP {response.status_code} {response.reason_phrase}")


def send(delivery_id: int, manual: bool = False) -> WebhookDelivery | None:
    """Attempt the delivery if it is due (or asked for by hand); record and return it."""
    delivery = claim(delivery_id, manual)
    if delivery is None:
        return None
    started = time.monotonic()
    code, error = post(delivery)
    duration_ms = round((time.monotonic() - started) * 1000)
    record(delivery, code, error, duration_ms)
    return delivery


@transaction.atomic
def record(delivery: WebhookDelivery, code: int | None, error: str, duration_ms: int) -> None:
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status_code, delivery.duration_ms, delivery.last_error = code, duration_ms, error
    subscriptions = WebhookSubscription._base_manager.filter(pk=delivery.subscription_id)
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_retry_at = DeliveryStatus.SUCCEEDED, now, None
        subscriptions.update(consecutive_failures=0)
    else:
        retry = delivery.attempts <= len(BACKOFF)
        delivery.status = DeliveryStatus.RETRYING if retry else DeliveryStatus.GAVE_UP
        delivery.next_retry_at = now + BACKOFF[delivery.attempts - 1] if retry else None
        subscriptions.update(consecutive_failures=F("consecutive_failures") + 1)
        reason = f"Disabled after {DISABLE_AFTER} failed deliveries in a row; last: {error}"[:200]
        if subscriptions.filter(active=True, consecutive_failures__gte=DISABLE_AFTER).update(
            active=False, disabled_at=now, disabled_reason=reason
        ):
            subscription = delivery.subscription
            transaction.on_commit(lambda: tell_owner_disabled(subscription, reason))
    delivery.save(
        update_fields=[
            "attempts",
            "last_status_code",
            "duration_ms",
            "last_error",
            "status",
            "delivered_at",
            "next_retry_at",
        ]
    )


def tell_owner_disabled(subscription: WebhookSubscription, reason: str) -> None:
    """The one mail of a disabled subscription (sent by whoever disabled it: one UPDATE wins)."""
    link = settings.SITE_URL.rstrip("/") + reverse("webhooks:detail", args=[subscription.pk])
    send_mail(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Webhook “{subscription.name}” was disabled",
        message=(
            f"Your webhook “{subscription.name}” ({subscription.target_url}) was disabled.\n\n{reason}\n\n"
            f"Fix the receiver, then enable it again and redeliver what it missed: {link}\n"
        ),
        from_email=None,
        recipient_list=[subscription.membership.user.email],
    )


def due_ids(limit: int = 500) -> list[int]:
    """Deliveries of active subscriptions waiting for a (first or next) attempt now."""
    now = timezone.now()
    return list(
        WebhookDelivery._base_manager.filter(status__in=SENDABLE, subscription__active=True)
        .filter(Q(next_retry_at__isnull=True) | Q(next_retry_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
