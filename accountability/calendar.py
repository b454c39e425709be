"""The collection calendar: what each school owes each reporting period, and where it stands.

A requirement is one school in one of its state's reporting periods: the schools of the state's
operating zones launched by that school year, each owing the period's indicators (those chosen
for the period, else the catalog and the state's own indicators) that apply to its grades. Its
status (``choices.Collection``) comes from the school's submission and the due date. This is the
one place the calendar is worked out: the calendar page and CSV, the workspace, the API, the
reminders, the flags and the renewal dossier read it.

Reads happen inside the caller's scope (a request's viewer, a task's state scope), so a Lead
Partner's calendar holds their own schools only. Each call makes the same few queries however
many schools and periods it covers.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from core.validators import school_year_start
from schools.models import School
from zones.models import Zone

from .choices import Collection, Submission
from .models import Measurement, Metric, PeriodSubmission, ReportingPeriod

SUBMITTED_STATUSES = {
    Submission.SUBMITTED: Collection.SUBMITTED,
    Submission.RETURNED: Collection.RETURNED,
    Submission.APPROVED: Collection.APPROVED,
}


@dataclass
class Requirement:
    """One school's report for one reporting period."""

    school: School
    reporting_period: ReportingPeriod
    indicators: list[Metric]
    submission: PeriodSubmission | None
    entered: int | None  # indicators with a value for the period (None: not read, see ``requirements``)
    status: Collection
    days_late: int  # days past the due date while late, else 0

    @property
    def missing(self) -> int:
        return len(self.indicators) - self.entered


@dataclass
class SubmissionRecord:
    """A school's record over its requirements so far: how many came due, are late now, were
    submitted (at least once), returned (every return counts), approved, and first submitted after
    the due date."""

    due: int = 0
    late: int = 0
    submitted: int = 0
    returned: int = 0
    approved: int = 0
    submitted_late: int = 0


def status_of(submission: PeriodSubmission | None, due_on: datetime.date, today: datetime.date) -> Collection:
    """A requirement's status: as submitted, returned or approved; else due until ``due_on``, late after."""
    if submission is not None and submission.status in SUBMITTED_STATUSES:
        return SUBMITTED_STATUSES[submission.status]
    return Collection.LATE if today > due_on else Collection.DUE


def owes(school, reporting_period) -> bool:
    """Whether ``school`` owes ``reporting_period``: its zone operates in the period's state and
    launched by the period's school year. The one rule of who reports; the use cases check it too."""
    zone = school.zone
    return (
        zone is not None
        and zone.state_id == reporting_period.state_id
        and zone.status in Zone.OPERATING_STATUSES
        and zone.launch_year_start is not None
        and zone.launch_year_start <= school_year_start(reporting_period.school_year)
    )


def _applicable(metrics, school) -> list[Metric]:
    return [metric for metric in metrics if metric.applies_to_grades(school.lowest_grade, school.highest_grade)]


def _candidate_indicators(reporting_period, own_by_state, catalog) -> list[Metric]:
    """The indicators a period collects before the grade fit: those chosen, else every one of the state's."""
    chosen = list(reporting_period.indicators.all())  # prefetched
    if chosen:
        return chosen
    return sorted(catalog + own_by_state.get(reporting_period.state_id, []), key=lambda metric: metric.name)


def _indicator_sources(state_ids) -> tuple[list[Metric], dict[int, list[Metric]]]:
    """The catalog and each state's own indicators, in one query."""
    catalog, own_by_state = [], defaultdict(list)
    for metric in Metric.objects.filter(Q(state__isnull=True) | Q(state_id__in=state_ids)).order_by("name"):
        if metric.state_id is None:
            catalog.append(metric)
        else:
            own_by_state[metric.state_id].append(metric)
    return catalog, own_by_state


def indicators_for(school, reporting_period) -> list[Metric]:
    """The indicators ``school`` owes in ``reporting_period`` (the grid's rows)."""
    catalog, own_by_state = _indicator_sources([reporting_period.state_id])
    return _applicable(_candidate_indicators(reporting_period, own_by_state, catalog), school)


def requirements(
    *, states=None, zones=None, lead_partner=None, schools=None, periods=None, today=None, entered=True
) -> list[Requirement]:
    """Every requirement the caller's scope sees, optionally only of these states, zones, Lead
    Partner, schools or reporting periods (instances or ids), with its status on ``today``
    (default: today). Ordered by due date, then state and school. ``entered=False`` leaves out how
    many indicators have a value (``Requirement.entered`` None): the statuses do not need the
    measurements, which a rollup of every state would otherwise read."""
    today = today or timezone.localdate()
    period_rows = ReportingPeriod.objects.select_related("state").prefetch_related("indicators")
    school_rows = School.objects.filter(zone__status__in=Zone.OPERATING_STATUSES).select_related(
        "zone__lead_partner", "district"
    )
    if states is not None:
        period_rows = period_rows.filter(state__in=states)
    if periods is not None:
        period_rows = period_rows.filter(pk__in=[getattr(period, "pk", period) for period in periods])
    if zones is not None:
        school_rows = school_rows.filter(zone__in=zones)
    if lead_partner is not None:
        school_rows = school_rows.filter(zone__lead_partner=lead_partner)
    if schools is not None:
        school_rows = school_rows.filter(pk__in=[getattr(school, "pk", school) for school in schools])
    period_list = list(period_rows)
    if not period_list:
        return []
    state_ids = {period.state_id for period in period_list}
    school_list = list(school_rows.filter(zone__state_id__in=state_ids).order_by("name", "pk"))
    if not school_list:
        return []
    school_ids = [school.pk for school in school_list]
    period_ids = [period.pk for period in period_list]
    submissions = {
        (submission.school_id, submission.reporting_period_id): submission
        for submission in PeriodSubmission.objects.filter(school_id__in=school_ids, reporting_period_id__in=period_ids)
    }
    with_value = defaultdict(set)
    measurements = Measurement.objects.filter(
        school_id__in=school_ids,
        school_year__in={period.school_year for period in period_list},
        period__in={period.period for period in period_list},
    )
    for school_id, school_year, period, metric_id in (
        measurements.values_list("school_id", "school_year", "period", "metric_id") if entered else ()
    ):
        with_value[school_id, school_year, period].add(metric_id)
    catalog, own_by_state = _indicator_sources(state_ids)
    schools_by_state = defaultdict(list)
    for school in school_list:
        schools_by_state[school.zone.state_id].append(school)

    found = []
    for reporting_period in sorted(period_list, key=lambda period: (period.due_on, period.state.name, period.pk)):
        candidates = _candidate_indicators(reporting_period, own_by_state, catalog)
        for school in schools_by_state[reporting_period.state_id]:
            if not owes(school, reporting_period):
                continue
            indicators = _applicable(candidates, school)
            values = with_value[school.pk, reporting_period.school_year, reporting_period.period]
            submission = submissions.get((school.pk, reporting_period.pk))
            status = status_of(submission, reporting_period.due_on, today)
            found.append(
                Requirement(
                    school=school,
                    reporting_period=reporting_period,
                    indicators=indicators,
                    submission=submission,
                    entered=sum(1 for metric in indicators if metric.pk in values) if entered else None,
                    status=status,
                    days_late=(today - reporting_period.due_on).days if status == Collection.LATE else 0,
                )
            )
    return found


def submission_records(schools, today=None, periods=None) -> dict[int, SubmissionRecord]:
    """Each school's submission record (by school id) over all its requirements (or those of
    ``periods``, e.g. one school year's): ``due`` counts those whose due date has come by
    ``today``; the others count submissions as they stand."""
    today = today or timezone.localdate()
    school_ids = [getattr(school, "pk", school) for school in schools]
    records = {school_id: SubmissionRecord() for school_id in school_ids}
    for requirement in requirements(schools=school_ids, periods=periods, today=today):
        record = records[requirement.school.pk]
        submission = requirement.submission
        if requirement.reporting_period.due_on <= today:
            record.due += 1
        if requirement.status == Collection.LATE:
            record.late += 1
        if requirement.status == Collection.APPROVED:
            record.approved += 1
        if submission is None:
            continue
        record.returned += submission.times_returned
        if submission.first_submitted_at is not None:
            record.submitted += 1
            if timezone.localdate(submission.first_submitted_at) > requirement.reporting_period.due_on:
                record.submitted_late += 1
    return records
