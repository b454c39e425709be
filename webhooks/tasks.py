"""Celery tasks of webhooks: the dispatcher (beat, every minute) turns changes into deliveries and
queues each one's sending; the sweep (beat) sends what is due again (retries, and deliveries whose
queued task never ran)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction

from .dispatch import dispatch
from .sending import due_ids, send

RETRIED = {
    "acks_late": True,
    "ignore_result": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
}


def queue_sending(delivery_ids, manual: bool = False) -> None:
    """Send each delivery from a task, once the transaction that made it due has committed."""
    for delivery_id in delivery_ids:
        transaction.on_commit(lambda pk=delivery_id: send_delivery.delay(pk, manual=manual))


@shared_task(**RETRIED)
def dispatch_events() -> int:
    """Queue deliveries of what changed since the last run (beat)."""
    delivery_ids = dispatch()
    queue_sending(delivery_ids)
    return len(delivery_ids)


@shared_task(**RETRIED)
def send_delivery(delivery_id: int, manual: bool = False) -> None:
    send(delivery_id, manual=manual)


@shared_task(**RETRIED)
def send_due_deliveries() -> int:
    """Send the deliveries whose retry is due (beat)."""
    delivery_ids = due_ids()
    for delivery_id in delivery_ids:
        send(delivery_id)
    return len(delivery_ids)
