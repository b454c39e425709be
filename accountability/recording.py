"""Recording results: posting a status update and recording measurements.

One use case each, called by every interface: the workspace forms, the API (one record, or the
bulk upload) and spreadsheet imports. Here the reporter is set, the permission table is asked about
each record as it will be saved, and the write (with its history) happens. The records arrive
validated by the model's own rules (``full_clean``), run by the form, serializer or import plan
that built them from the input, which also reports the problems in that interface's words.

A school's period that is submitted or approved (``PeriodSubmission``) is locked: every write of
its measurements locks the period's submission row and is refused with ``PeriodLocked``, so a
value cannot slip in while the state reviews or after it approved. The one way past the lock is a
correction the state lead approved (proposals.services.approve): ``record_measurements`` with the
approved proposal as ``correction`` writes that one measurement into its locked period.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.concurrency import lock_rows
from notifications.choices import EventKind
from notifications.events import emit
from schools.models import School

from . import progress
from .choices import Submission
from .models import Measurement, PeriodSubmission, StatusUpdate

WRITE_BATCH_SIZE = 500
MEASUREMENT_FIELDS = ["value", "source"]  # what recording a measurement again may change
LOCKED_STATUSES = (Submission.SUBMITTED, Submission.APPROVED)


class PeriodLocked(ValidationError):
    """A write into a school's period that is submitted or approved: pages show the message, the
    API answers 409, imports report the row."""

    def __init__(self, submission: PeriodSubmission):
        period = submission.reporting_period
        if submission.status == Submission.APPROVED:
            what = "approved and locked; a state lead must reopen it first"
        else:
            what = "submitted for review and locked until the state returns it"
        super().__init__(
            "%(period)s %(school_year)s for %(school)s is %(what)s.",
            code="locked",
            params={
                "period": period.get_period_display(),
                "school_year": period.school_year,
                "school": submission.school,
                "what": what,
                "submission": submission.pk,
            },
        )


def period_key(measurement: Measurement) -> tuple:
    """The school period a measurement belongs to: (school id, school year, period)."""
    return measurement.school_id, measurement.school_year, measurement.period


def submission_key(submission: PeriodSubmission) -> tuple:
    """The school period a submission is for, as ``period_key`` gives it for a measurement."""
    return submission.school_id, submission.reporting_period.school_year, submission.reporting_period.period


def locked_periods(schools) -> dict[tuple, PeriodSubmission]:
    """The submitted or approved periods of ``schools`` by ``period_key``: for a check that reports
    every refused row (an import's dry run) before the write checks again under the lock."""
    rows = PeriodSubmission.objects.filter(school__in=schools, status__in=LOCKED_STATUSES)
    return {submission_key(submission): submission for submission in rows.select_related("school", "reporting_period")}


def lock_open_periods(keys, *, corrected=None) -> None:
    """Lock the submissions of these school periods (``period_key``) until the transaction ends,
    so none is submitted meanwhile, and raise PeriodLocked if one is submitted or approved (but
    ``corrected``, the period of an approved correction). Locks every matching row, whatever its
    status: a submit waits for this write, then sees its values."""
    keys = set(keys)
    if not keys:
        return
    rows = (
        PeriodSubmission._base_manager.select_for_update(of=("self",))
        .filter(
            school_id__in={school_id for school_id, _year, _period in keys},
            reporting_period__school_year__in={year for _school_id, year, _period in keys},
            reporting_period__period__in={period for _school_id, _year, period in keys},
        )
        .select_related("school", "reporting_period")
        .order_by("pk")
    )
    for submission in rows:
        key = submission_key(submission)
        if key in keys and key != corrected and submission.status in LOCKED_STATUSES:
            raise PeriodLocked(submission)


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
    """Post ``update`` (validated, unsaved) as ``user``'s: its author is the user. The double-post
    check runs again on the school's locked row: of two identical posts at once, one is refused.
    Whoever watches the school, its zone or state and reads the update is told (an event)."""
    update.author = user
    _check(user, update)
    update.check_notes_on_held_autonomies()
    with transaction.atomic():
        lock_rows(School, [update.school_id])
        update.check_not_posted_twice()
        update.save()
        emit(
            EventKind.STATUS_UPDATE_POSTED,
            summary=f"{user} posted a status update on {update.school}: {update.get_rating_display()}",
            subject=update,
            school=update.school,
            link=reverse("portfolio:school_detail", kwargs={"school_pk": update.school_id}),
            actor=user,
        )
    return update


def record_measurements(
    user, measurements: list[Measurement], *, deleted: list[Measurement] = (), reason: str = "", correction=None
) -> list[Measurement]:
    """Save ``measurements`` (validated; new ones, or existing ones with a new value or source) and
    delete ``deleted`` in one transaction: all or none. New ones are recorded by ``user``; the
    history names the user and ``reason``. Raises PermissionDenied if any is not the user's to
    record or delete, PeriodLocked if any is in a submitted or approved period (nothing saved).
    Saving costs the same few statements however many there are; each deletion (a value
    cleared: rare) is a statement and a history row.

    ``correction``: an approved proposed correction (proposals.ChangeProposal) of the one
    measurement saved here; that measurement's period may be locked."""
    corrected = _corrected_period(correction, measurements, deleted)
    for measurement in measurements:
        if measurement.pk is None:
            measurement.recorded_by = user
        _check(user, measurement)
    for measurement in deleted:
        if not user.has_perm("accountability.delete_measurement", measurement):
            raise PermissionDenied(f"You may not delete measurements of {measurement.school}.")
    created = [measurement for measurement in measurements if measurement.pk is None]
    updated = [measurement for measurement in measurements if measurement.pk is not None]
    history = {"default_user": user, "default_change_reason": reason or None}
    with transaction.atomic(), progress.refreshing():
        lock_open_periods((period_key(measurement) for measurement in [*measurements, *deleted]), corrected=corrected)
        for measurement in deleted:
            measurement._history_user = user
            measurement._change_reason = reason or None
            measurement.delete()
        if created:
            try:
                with transaction.atomic():
                    bulk_create_with_history(created, Measurement, batch_size=WRITE_BATCH_SIZE, **history)
            except IntegrityError as error:
                raise RecordedMeanwhile(_recorded_meanwhile(created)) from error
        if updated:
            bulk_update_with_history(updated, Measurement, MEASUREMENT_FIELDS, batch_size=WRITE_BATCH_SIZE, **history)
        progress.touch(measurement.school_id for measurement in measurements)
    return measurements


def _corrected_period(correction, measurements, deleted) -> tuple | None:
    """The period an approved correction may write into while it is locked: only the period of
    the one existing measurement the correction names, nothing else in the same call."""
    if correction is None:
        return None
    approved = correction.status == "approved" and correction.decided_by_id is not None
    if not approved or deleted or [m.pk for m in measurements] != [correction.measurement_id]:
        raise PermissionDenied("Only an approved correction of this measurement passes the period lock.")
    return period_key(measurements[0])


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


def change_measurement(user, measurement: Measurement) -> Measurement:
    """Save an edited measurement whose key may have changed too (the admin, an API PUT or PATCH):
    the period it leaves and the one it lands in must both be open. The history names ``user``."""
    _check(user, measurement)
    with transaction.atomic():
        stored = (
            Measurement._base_manager.filter(pk=measurement.pk)
            .values_list("school_id", "school_year", "period")
            .first()
        )
        lock_open_periods({period_key(measurement), *([stored] if stored else [])})
        measurement._history_user = user
        measurement.save()
    return measurement
