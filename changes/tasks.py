"""Housekeeping of the deletes feed."""

from celery import shared_task

from .tombstones import purge_expired


@shared_task
def purge_expired_tombstones() -> int:
    """Delete tombstones past the retention period (beat)."""
    return purge_expired()
