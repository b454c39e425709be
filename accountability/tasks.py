"""Celery tasks of the accountability cycle: the daily reminder digests (beat, ``CELERY_BEAT_SCHEDULE``).

Each state's reminders are worked out and sent in that state's scope (``core.tenancy.state_scope``),
as ``reports.tasks`` does for a report run. Two beats, or a retried task, send each digest once:
``accountability.reminders`` claims the day's ``ReminderDigest`` row before mailing.
"""

from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django_scopes import scopes_disabled

from core.tenancy import state_scope
from zones.models import State

from .reminders import send_state_reminders


@shared_task(acks_late=True, ignore_result=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True)
def send_reminders(today: str = "") -> int:
    """Send every state's reminder digests for ``today`` (ISO date; default: today); how many went."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    with scopes_disabled():  # which states collect: every state's reminders are due, no one user's wall applies
        state_ids = list(State.objects.filter(reporting_periods__isnull=False).distinct().values_list("pk", flat=True))
    sent = 0
    for state_id in state_ids:
        with state_scope(state_id):
            sent += send_state_reminders(State.objects.get(pk=state_id), day)
    return sent
