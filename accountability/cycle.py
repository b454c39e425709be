"""The accountability cycle's use cases: a Lead Partner saves a school's period of indicators and
submits it; the state approves it (it locks) or returns it with a comment; a state lead reopens
an approved period with a reason. One function per step, called by the pages, the API and the
demo alike.

Each step locks the school's ``PeriodSubmission`` row (creating it in progress the first time),
checks the transition on the locked row, and leaves a history row naming who did it and why.
Values are written through ``recording.record_measurements``, which refuses any write into a
submitted or approved period (``PeriodLocked``) on every path. Approving, returning and
reopening tell the school's Lead Partner staff and whoever submitted (a ``notifications`` event).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Membership
from core.validators import school_year_from_start, school_year_start, validate_reported_school_year
from notifications.choices import EventKind
from notifications.events import emit

from .calendar import indicators_for, owes
from .choices import Submission
from .models import Measurement, Metric, PeriodSubmission, ReportingPeriod, period_form_url
from .recording import LOCKED_STATUSES, PeriodLocked, record_measurements

__all__ = [
    "PeriodLocked",
    "WrongStep",
    "approve_period",
    "create_school_year_calendar",
    "reopen_period",
    "return_period",
    "save_period_values",
    "submit_period",
]

OPEN_STATUSES = (Submission.IN_PROGRESS, Submission.RETURNED)  # the Lead Partner may change values
REVIEW_EVENTS = {Submission.APPROVED: EventKind.PERIOD_APPROVED, Submission.RETURNED: EventKind.PERIOD_RETURNED}

# Default due dates: (month, day) and whether in the school year's second calendar year.
DEFAULT_DUE_DATES = {
    Measurement.Period.FALL: (11, 15, False),
    Measurement.Period.WINTER: (2, 15, True),
    Measurement.Period.SPRING: (5, 31, True),
    Measurement.Period.END_OF_YEAR: (8, 15, True),
}


class WrongStep(ValidationError):
    """A step the submission's status does not allow now (approving what is not submitted,
    submitting what is approved): pages show it, the API answers 409."""

    def __init__(self, submission: PeriodSubmission, allowed: str):
        super().__init__(
            "%(submission)s is %(status)s: %(allowed)s.",
            code="wrong_step",
            params={
                "submission": _label(submission),
                "status": submission.get_status_display().lower(),
                "allowed": allowed,
            },
        )


def _label(submission: PeriodSubmission) -> str:
    period = submission.reporting_period
    return f"{period.get_period_display()} {period.school_year} for {submission.school}"


def _require(user, permission: str, submission: PeriodSubmission) -> None:
    if not user.has_perm(f"accountability.{permission}_periodsubmission", submission):
        action = "review" if permission == "review" else "report on"
        raise PermissionDenied(f"You may not {action} {_label(submission)}.")


def _locked(submission: PeriodSubmission) -> PeriodSubmission:
    """``submission`` read again under a row lock held until the transaction ends."""
    return (
        PeriodSubmission._base_manager.select_for_update(of=("self",))
        .select_related("school__zone", "school__district", "reporting_period")
        .get(pk=submission.pk)
    )


def _locked_for(user, school, reporting_period) -> PeriodSubmission:
    """The school's submission for the period, locked; created in progress (by ``user``) the
    first time. Two first saves at once: the unique key lets one insert, the other locks it."""
    key = {"school": school, "reporting_period": reporting_period}
    existing = PeriodSubmission._base_manager.filter(**key).values_list("pk", flat=True).first()
    if existing is None:
        submission = PeriodSubmission(**key)
        _remember(submission, user, "Started")
        try:
            with transaction.atomic():
                submission.save()
        except IntegrityError:
            submission = PeriodSubmission._base_manager.get(**key)
        existing = submission.pk
    return _locked(PeriodSubmission(pk=existing))


def _remember(submission: PeriodSubmission, user, why: str) -> None:
    """Who and why, for the history row the next save writes."""
    submission._history_user = user
    submission._change_reason = why


def _check_requirement(school, reporting_period) -> None:
    """The school owes this period (``calendar.owes``)."""
    if not owes(school, reporting_period):
        raise ValidationError(
            "%(school)s reports no indicators for %(period)s: it is not in an operating zone of the state then.",
            code="not_required",
            params={"school": school, "period": reporting_period},
        )


def _value_errors(school, reporting_period, values: dict, indicators: dict) -> dict:
    """What is wrong with each value, by metric id (as a string); empty when all are good."""
    value_field = Measurement._meta.get_field("value")
    errors = {}
    others = {metric_id for metric_id in values if metric_id not in indicators}
    for metric in Metric.objects.filter(pk__in=others) if others else ():
        errors[str(metric.pk)] = metric.grade_error(school) or (
            f"{metric.name} is not collected in {reporting_period.get_period_display()} {reporting_period.school_year}."
        )
    for metric_id in others:
        errors.setdefault(str(metric_id), f"There is no indicator {metric_id}.")
    for metric_id, value in values.items():
        metric = indicators.get(metric_id)
        if metric is None or value is None:
            continue
        if not isinstance(value, Decimal) or not value.is_finite():
            errors[str(metric_id)] = f"{metric.name} needs a number."
            continue
        try:
            value_field.run_validators(value)
        except ValidationError as error:
            errors[str(metric_id)] = " ".join(error.messages)
            continue
        problem = metric.range_error(value)
        if problem:
            errors[str(metric_id)] = problem
    return errors


def save_period_values(user, school, reporting_period, values: dict, *, source: str = "") -> PeriodSubmission:
    """Save ``school``'s values for ``reporting_period`` (``{metric id: Decimal, or None to clear
    it}``) in one transaction, while the period is in progress or returned. Every bad value is
    reported at once (one ValidationError keyed by metric id) and nothing is saved."""
    _require(user, "change", PeriodSubmission(school=school, reporting_period=reporting_period))
    _check_requirement(school, reporting_period)
    validate_reported_school_year(reporting_period.school_year)
    indicators = {metric.pk: metric for metric in indicators_for(school, reporting_period)}
    errors = _value_errors(school, reporting_period, values, indicators)
    if errors:
        raise ValidationError(errors)
    key = {"school": school, "school_year": reporting_period.school_year, "period": reporting_period.period}
    with transaction.atomic():
        submission = _locked_for(user, school, reporting_period)
        if submission.status not in OPEN_STATUSES:
            raise PeriodLocked(submission)
        stored = {m.metric_id: m for m in Measurement.objects.filter(**key, metric_id__in=list(values))}
        for measurement in stored.values():
            measurement.school = school  # the permission check reads its zone: no query per row
        saved, cleared = [], []
        for metric_id, value in values.items():
            measurement = stored.get(metric_id)
            if value is None:
                if measurement is not None:
                    cleared.append(measurement)
            elif measurement is None:
                saved.append(Measurement(**key, metric=indicators[metric_id], value=value, source=source))
            elif measurement.value != value or (source and measurement.source != source):
                measurement.value, measurement.source = value, source or measurement.source
                saved.append(measurement)
        reason = f"{reporting_period.get_period_display()} {reporting_period.school_year} values"
        record_measurements(user, saved, deleted=cleared, reason=reason)
    return submission


def submit_period(user, submission: PeriodSubmission) -> PeriodSubmission:
    """Submit a period for the state's review once every indicator it owes has a value; from then
    on its values are locked until the state returns it."""
    with transaction.atomic():
        submission = _locked(submission)
        _require(user, "change", submission)
        if submission.status not in OPEN_STATUSES:
            raise WrongStep(submission, "only a period in progress or returned can be submitted")
        period = submission.reporting_period
        indicators = indicators_for(submission.school, period)
        entered = set(
            Measurement.objects.filter(
                school=submission.school, school_year=period.school_year, period=period.period
            ).values_list("metric_id", flat=True)
        )
        missing = [metric.name for metric in indicators if metric.pk not in entered]
        if missing:
            raise ValidationError(
                "Enter every indicator before submitting; missing: %(missing)s.",
                code="incomplete",
                params={"missing": ", ".join(missing)},
            )
        now = timezone.now()
        submission.status = Submission.SUBMITTED
        submission.submitted_at, submission.submitted_by = now, user
        submission.first_submitted_at = submission.first_submitted_at or now
        _remember(submission, user, "Submitted")
        submission.save()
    return submission


def _review(user, submission, *, status, comment, why, allowed_from, allowed) -> PeriodSubmission:
    with transaction.atomic():
        submission = _locked(submission)
        _require(user, "review", submission)
        if submission.status != allowed_from:
            raise WrongStep(submission, allowed)
        if status == Submission.RETURNED and allowed_from == Submission.SUBMITTED:
            submission.times_returned += 1  # a return, not a reopen: the submission record counts it
        submission.status, submission.comment = status, comment
        submission.reviewed_at, submission.reviewed_by = timezone.now(), user
        _remember(submission, user, f"{why}: {comment}" if comment else why)
        submission.save()
        _tell_partner(user, submission, why)
    return submission


def _tell_partner(user, submission: PeriodSubmission, why: str) -> None:
    """Tell the school's Lead Partner staff (those reaching it in the state) and whoever submitted
    that the state approved or returned (or reopened) the period: an event, in the transaction."""
    school, period = submission.school, submission.reporting_period
    staff = Membership.objects.lead_partner_staff(period.state_id, [school.zone.lead_partner_id]).active()
    comment = f": {submission.comment}" if submission.comment else ""
    emit(
        REVIEW_EVENTS[submission.status],
        summary=f"{why} by the state — {_label(submission)}{comment}",
        subject=submission,
        school=school,
        link=period_form_url(school.pk, period.pk),
        actor=user,
        recipients=[submission.submitted_by, *(membership.user for membership in staff.select_related("user"))],
    )


def _required_text(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: message}, code="required")
    return text


def approve_period(user, submission: PeriodSubmission, *, comment: str = "") -> PeriodSubmission:
    """Approve a submitted period: its values lock until a state lead reopens it."""
    return _review(
        user,
        submission,
        status=Submission.APPROVED,
        comment=(comment or "").strip(),
        why="Approved",
        allowed_from=Submission.SUBMITTED,
        allowed="only a submitted period can be approved",
    )


def return_period(user, submission: PeriodSubmission, *, comment: str) -> PeriodSubmission:
    """Return a submitted period to the Lead Partner with a comment saying what to correct."""
    _require(user, "review", submission)
    comment = _required_text(comment, "comment", "Say what to correct: a period is returned with a comment.")
    return _review(
        user,
        submission,
        status=Submission.RETURNED,
        comment=comment,
        why="Returned",
        allowed_from=Submission.SUBMITTED,
        allowed="only a submitted period can be returned",
    )


def reopen_period(user, submission: PeriodSubmission, *, reason: str) -> PeriodSubmission:
    """Reopen an approved period, with the reason: it goes back to the Lead Partner as returned
    (the reason its comment) to correct and submit again."""
    _require(user, "review", submission)
    reason = _required_text(reason, "reason", "Give the reason: an approved period is reopened with a reason.")
    return _review(
        user,
        submission,
        status=Submission.RETURNED,
        comment=reason,
        why="Reopened",
        allowed_from=Submission.APPROVED,
        allowed="only an approved period can be reopened",
    )


def default_due_on(school_year: str, period: int) -> datetime.date:
    """A period's default due date: Fall Nov 15, Winter Feb 15, Spring May 31, End of year Aug 15."""
    month, day, next_calendar_year = DEFAULT_DUE_DATES[period]
    return datetime.date(school_year_start(school_year) + next_calendar_year, month, day)


def create_school_year_calendar(
    user, state, school_year: str, due_dates: dict[int, datetime.date] | None = None
) -> list[ReportingPeriod]:
    """Create ``state``'s four reporting periods of ``school_year`` (due on ``due_dates`` by period,
    else the defaults), skipping those that exist; returns the ones created."""
    if not user.has_perm("accountability.add_reportingperiod", ReportingPeriod(state=state)):
        raise PermissionDenied(f"You may not set {state}'s collection calendar.")
    school_year = school_year_from_start(school_year_start(school_year))  # validates it
    due_dates = due_dates or {}
    with transaction.atomic():
        existing = set(
            ReportingPeriod._base_manager.filter(state=state, school_year=school_year).values_list("period", flat=True)
        )
        created = []
        for period in Measurement.Period:
            if period in existing:
                continue
            reporting_period = ReportingPeriod(
                state=state,
                school_year=school_year,
                period=period,
                due_on=due_dates.get(period) or default_due_on(school_year, period),
            )
            reporting_period._history_user = user
            reporting_period.full_clean()
            reporting_period.save()
            created.append(reporting_period)
    return created


def is_locked(submission: PeriodSubmission | None) -> bool:
    """Whether the period's values are locked (submitted or approved)."""
    return submission is not None and submission.status in LOCKED_STATUSES
