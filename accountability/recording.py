"""Recording results: posting a status update and recording measurements.

One use case each, called by every interface: the workspace forms, the API (one record, or the
bulk upload) and spreadsheet imports. Here the reporter is set, the permission table is asked about
each record as it will be saved, and the write (with its history) happens. The records arrive
validated by the model's own rules (``full_clean``), run by the form, serializer or import plan
that built them from the input, which also reports the problems in that interface's words.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import Measurement, StatusUpdate

WRITE_BATCH_SIZE = 500
MEASUREMENT_FIELDS = ["value", "source"]  # what recording a measurement again may change


class RecordedMeanwhile(ValidationError):
    """New measurements someone else recorded at the same time: checked as new, refused by the
    unique key. Its message names the record that now exists; a caller that can check its rows
    again (an import) does so instead of failing."""


def may_record(user, report) -> bool:
    """May ``user`` save ``report`` (a measurement or status update, new or changed) as it is now?"""
    action = "change" if report.pk else "add"
    return user.has_perm(f"accountability.{action}_{report._meta.model_name}", report)


def _check(user, report) -> None:
    if not may_record(user, report):
        raise PermissionDenied(f"You may not record {report._meta.verbose_name_plural} for {report.school}.")


def post_status_update(user, update: StatusUpdate) -> StatusUpdate:
    """Post ``update`` (validated, unsaved) as ``user``'s: its author is the user."""
    update.author = user
    _check(user, update)
    update.save()
    return update


def record_measurements(user, measurements: list[Measurement], *, reason: str = "") -> list[Measurement]:
    """Save ``measurements`` (validated; new ones, or existing ones with a new value or source) in
    one transaction: all or none. New ones are recorded by ``user``; the history names the user
    and ``reason``. Raises PermissionDenied (nothing saved) if any is not the user's to record."""
    for measurement in measurements:
        if measurement.pk is None:
            measurement.recorded_by = user
        _check(user, measurement)
    created = [measurement for measurement in measurements if measurement.pk is None]
    updated = [measurement for measurement in measurements if measurement.pk is not None]
    history = {"default_user": user, "default_change_reason": reason[:100] or None}
    with transaction.atomic():
        if created:
            try:
                with transaction.atomic():
                    bulk_create_with_history(created, Measurement, batch_size=WRITE_BATCH_SIZE, **history)
            except IntegrityError as error:
                raise RecordedMeanwhile(_recorded_meanwhile(created)) from error
        if updated:
            bulk_update_with_history(updated, Measurement, MEASUREMENT_FIELDS, batch_size=WRITE_BATCH_SIZE, **history)
    return measurements


def _recorded_meanwhile(created: list[Measurement]) -> ValidationError:
    """The error for new measurements that someone recorded at the same time (validated as new, then
    refused by the unique key): the duplicate's own message, naming the record that now exists."""
    for measurement in created:
        measurement.pk = None
        try:
            measurement.validate_constraints()
        except ValidationError as error:
            return error
    return ValidationError("These measurements were recorded by someone else at the same time; reload and check them.")
