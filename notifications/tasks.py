"""Celery tasks that mail notifications: one immediate mail per notification (queued after the
commit by ``events.emit``), and the daily and weekly digests (beat). Each mail is claimed once
(``mail.claim``), so retries and a second worker send nothing twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .choices import Delivery
from .mail import claim, send
from .models import Notification


@shared_task(acks_late=True, ignore_result=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True)
def deliver(notification_id: int) -> bool:
    """Mail one immediate notification; False when it was already mailed (or its recipient has no
    address, or the mail failed: it is then tried again by ``deliver_pending``)."""
    notification = Notification._base_manager.select_related("recipient", "event").filter(pk=notification_id).first()
    if notification is None or notification.delivery != Delivery.IMMEDIATE or not notification.recipient.email:
        return False
    delivery = claim(notification.recipient, Delivery.IMMEDIATE, f"notification:{notification.pk}", [notification.pk])
    if delivery is None:
        return False
    return send(delivery, "notifications/email/immediate", {"notification": notification, "event": notification.event})
