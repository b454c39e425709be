"""Removing a school's results: one use case each, called by the pages and the API.

A, target or measurement is deleted with a reason, kept in its history; a measurement's
delete passes the period lock (``recording.record_measurements``): a value of a submitted or
approved period is corrected by a proposal instead.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.reasons import required_reason

from . import recording
from .models import Baseline, Measurement, Target


def delete_school_value(value: Baseline | Target, *, reason: str, user) -> None:
    """Delete a school's baseline or target, for ``reason`` (its history keeps both)."""
    what = value._meta.verbose_name
    if not user.has_perm(f"accountability.delete_{value._meta.model_name}", value):
        raise PermissionDenied(f"You may not delete {what}s of {value.school}.")
    reason = required_reason(reason, f"the {what} is deleted")
    with transaction.atomic():
        value._history_user, value._change_reason = user, reason
        value.delete()


def delete_measurement(measurement: Measurement, *, reason: str, user) -> None:
    """Delete a measurement recorded by mistake, for ``reason``; refused (``PeriodLocked``) when its
    period is submitted or approved."""
    recording.record_measurements(
        user, [], deleted=[measurement], reason=required_reason(reason, "the measurement is deleted")
    )
