"""Celery tasks that mail notifications: one immediate mail per notification (queued after the
commit by ``events.emit``, swept up by ``deliver_pending`` when the broker was down), and the daily
and weekly digests (beat, ``notifications.digests``). Each mail is claimed once (``mail.claim``), so
retries and a second worker send nothing twice."""

import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django_scopes import scopes_disabled

from .choices import Delivery
from .digests import send_digests, still_read
from .links import absolute_link
from .mail import claim, send
from .models import Notification

# An immediate notification not mailed this long after it was made missed its queued task (broker
# down, worker lost before it ran); one older than a week is news no longer: it stays in the inbox.
PENDING_AFTER = datetime.timedelta(minutes=2)
PENDING_UNTIL = datetime.timedelta(days=7)

RETRIED = {
    "acks_late": True,
    "ignore_result": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
}


@shared_task(**RETRIED)
def deliver(notification_id: int) -> bool:
    """Mail one immediate notification; False when it was already mailed (or its recipient has no
    address or no longer reads it, or the mail failed: it is then tried again by ``deliver_pending``)."""
    with scopes_disabled():
        notification = (
            Notification.objects.select_related("recipient", "event__state", "event__zone", "event__school")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.delivery != Delivery.IMMEDIATE or not notification.recipient.email:
            return False
        if not notification.recipient.is_active or not still_read(notification.recipient, [notification]):
            return False
        key = f"notification:{notification.pk}"
        delivery = claim(notification.recipient, Delivery.IMMEDIATE, key, [notification.pk])
        if delivery is None:
            return False
        event = notification.event
        context = {"notification": notification, "event": event, "link": absolute_link(event.link)}
        return send(delivery, "notifications/email/immediate", context)


@shared_task(**RETRIED)
def deliver_pending() -> int:
    """The outbox sweep (beat): mail the immediate notifications whose queued task never ran."""
    now = timezone.now()
    with scopes_disabled():
        pending = list(
            Notification.objects.filter(
                delivery=Delivery.IMMEDIATE,
                email__isnull=True,
                created_at__lt=now - PENDING_AFTER,
                created_at__gte=now - PENDING_UNTIL,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return sum(deliver(notification_id) for notification_id in pending)


def digest_day(day: str) -> datetime.date:
    return datetime.date.fromisoformat(day) if day else timezone.localdate()


@shared_task(**RETRIED)
def send_daily_digests(day: str = "") -> int:
    """Every recipient's daily digest of ``day`` (ISO date; default: today); how many went."""
    return send_digests(Delivery.DAILY, digest_day(day))


@shared_task(**RETRIED)
def send_weekly_digests(day: str = "") -> int:
    """Every recipient's weekly digest: on Mondays (the beat runs it then), or of the ``day`` given."""
    when = digest_day(day)
    if not day and when.weekday() != 0:
        return 0
    return send_digests(Delivery.WEEKLY, when)
