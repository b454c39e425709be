"""Removing the directory's metrics and a school's results: one use case each, called by the pages,
the API and the admin.

A metric is deleted only while no result, target or contract names it (``core.deletion``). A
baseline, target or measurement is deleted with a reason, kept in its history; a measurement's
delete passes the period lock (``recording.record_measurements``): a value of a submitted or
approved period is corrected by a proposal instead.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.deletion import delete_unused

from . import recording
from .models import Baseline, Measurement, Metric, Target


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Say why the {what} is deleted."})
    return reason


def delete_metric(metric: Metric, *, user) -> None:
    """Delete an indicator entered by mistake, while nothing names it (refused, saying what does)."""
    if not user.has_perm("accountability.delete_metric", metric):
        raise PermissionDenied(f"You may not delete {metric}.")
    delete_unused(metric, history_user=user)


def delete_school_value(value: Baseline | Target, *, reason: str, user) -> None:
    """Delete a school's baseline or target, for ``reason`` (its history keeps both)."""
    what = value._meta.verbose_name
    if not user.has_perm(f"accountability.delete_{value._meta.model_name}", value):
        raise PermissionDenied(f"You may not delete {what}s of {value.school}.")
    reason = _reason(reason, what)
    with transaction.atomic():
        value._history_user, value._change_reason = user, reason
        value.delete()


def delete_measurement(measurement: Measurement, *, reason: str, user) -> None:
    """Delete a measurement recorded by mistake, for ``reason``; refused (``PeriodLocked``) when its
    period is submitted or approved."""
    recording.record_measurements(user, [], deleted=[measurement], reason=_reason(reason, "measurement"))
