"""Housekeeping of the API plumbing's records."""

from celery import shared_task
from django.utils import timezone

from .models import IdempotencyRecord


@shared_task
def purge_expired_idempotency_keys() -> int:
    """Delete the Idempotency-Key records past their expiry (beat); they are never replayed anyway."""
    deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
