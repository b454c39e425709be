"""The network's beat tasks."""

from celery import shared_task
from django.utils import timezone

from .actions import flag_overdue_action_items


@shared_task(ignore_result=True)
def flag_overdue() -> int:
    """Daily: tell owners and creators of the action items that went overdue (once per item)."""
    return flag_overdue_action_items(timezone.localdate())
