"""The annual review's scorecard: the figures a state reviews a Lead Partner on, in three parts.

Every figure is read from the model that owns it, never recomputed here:

- academic: the zone's school standings (``accountability.services.school_standings``, the one
  standing rule) and the contract's targets against each school's value of that school year
  (``accountability.renewal.year_values`` and ``meets``);
- operational: the collection calendar's submission records of the year's reporting periods due
  so far (``accountability.calendar.submission_records``: late, returned, submitted late) and the
  regularity of status updates (updates in the school year; days since the latest one, from the
  standing);
- financial: the zone's money (``funding.services.funding_totals`` over its commitments, and
  ``state_level_spent_by_zone`` shown apart).

A scorecard is read for the whole state (``state_scope``), whoever asks: it is the state's
document, and a Lead Partner only sees it frozen in an issued review (``as_dict``, stored on the
review when issued), so a later correction does not rewrite what was reviewed.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from accountability.calendar import SubmissionRecord, submission_records
from accountability.models import Measurement, ReportingPeriod, StatusUpdate
from accountability.renewal import meets, year_values
from accountability.services import SchoolStanding, StandingCounts, school_standings
from core.tenancy import state_scope
from funding.models import Commitment, Expenditure
from funding.services import ZERO, FundingTotals, funding_totals, state_level_spent_by_zone

from .choices import ReviewPart
from .models import school_year_span

SHARE = Decimal("0.001")


@dataclass
class TargetCheck:
    """One contract target across the zone's schools: each school's value of the target's year
    and whether it reaches the level."""

    target: object  # ContractTarget
    results: list = field(default_factory=list)  # (school, value or None, met or None)

    @property
    def measured(self) -> int:
        return sum(1 for _school, value, _met in self.results if value is not None)

    @property
    def met(self) -> int:
        return sum(1 for _school, _value, met in self.results if met)


@dataclass
class SchoolRegularity:
    """How regularly a school's status updates came: how many in the school year, and days since
    the latest (None: never)."""

    standing: SchoolStanding
    updates: int
    record: SubmissionRecord


@dataclass
class Scorecard:
    contract: object
    school_year: str
    as_of: date
    standings: list[SchoolStanding]
    targets: list[TargetCheck]
    schools: list[SchoolRegularity]
    funding: FundingTotals
    state_level_spent: Decimal

    @property
    def counts(self) -> StandingCounts:
        return StandingCounts.of(self.standings)

    @property
    def record(self) -> SubmissionRecord:
        """The zone's submission record: its schools' records added up."""
        total = SubmissionRecord()
        for row in self.schools:
            for name in ("due", "late", "submitted", "returned", "approved", "submitted_late"):
                setattr(total, name, getattr(total, name) + getattr(row.record, name))
        return total

    @property
    def on_time(self) -> int:
        record = self.record
        return record.submitted - record.submitted_late

    @property
    def on_time_share(self) -> Decimal | None:
        """Reporting periods due so far that were submitted by their due date."""
        due = self.record.due
        return (Decimal(self.on_time) / due).quantize(SHARE) if due else None

    @property
    def updates_per_school(self) -> Decimal | None:
        if not self.schools:
            return None
        return (Decimal(sum(row.updates for row in self.schools)) / len(self.schools)).quantize(Decimal("0.1"))

    @property
    def spent_share(self) -> Decimal | None:
        """What was spent from the zone's commitments, as a share of what was committed."""
        committed = self.funding.committed
        return (self.funding.spent / committed).quantize(SHARE) if committed else None

    def as_dict(self) -> dict:
        """The scorecard as JSON with its labels: what an issued review keeps, and what the review
        page, its PDF and the API show (live before issue, frozen after)."""
        record = self.record
        return {
            "school_year": self.school_year,
            "as_of": self.as_of.isoformat(),
            "academic": {
                "standings": [
                    {"value": standing.value, "label": standing.label, "colour": standing.colour, "schools": count}
                    for standing, count in self.counts.items()
                ],
                "schools": [
                    {"school": row.school.name, "standing": row.standing.value, "label": row.standing.label}
                    for row in self.standings
                ],
                "targets": [
                    {
                        "indicator": check.target.metric.name,
                        "unit": check.target.metric.get_unit_display(),
                        "higher_is_better": check.target.metric.higher_is_better,
                        "level": _text(check.target.level),
                        "school_year": check.target.school_year,
                        "met": check.met,
                        "measured": check.measured,
                        "schools": len(check.results),
                        "results": [
                            {"school": school.name, "value": _text(value), "met": met}
                            for school, value, met in check.results
                        ],
                    }
                    for check in self.targets
                ],
            },
            "operational": {
                "due": record.due,
                "late": record.late,
                "returned": record.returned,
                "submitted_late": record.submitted_late,
                "on_time": self.on_time,
                "on_time_share": _text(self.on_time_share),
                "updates_per_school": _text(self.updates_per_school),
                "schools": [
                    {
                        "school": row.standing.school.name,
                        "updates": row.updates,
                        "days_since_update": row.standing.days_since_update,
                        "late": row.record.late,
                        "returned": row.record.returned,
                    }
                    for row in self.schools
                ],
            },
            "financial": {
                "pledged": _text(self.funding.pledged),
                "committed": _text(self.funding.committed),
                "received": _text(self.funding.received),
                "spent": _text(self.funding.spent),
                "spent_share": _text(self.spent_share),
                "state_level_spent": _text(self.state_level_spent),
            },
        }


def _text(value) -> str | None:
    return None if value is None else str(value)


def review_scorecard(contract, school_year: str, *, as_of: date | None = None) -> Scorecard:
    """The scorecard of ``contract``'s zone for ``school_year`` as of ``as_of`` (default today),
    read for the zone's whole state."""
    as_of = as_of or timezone.localdate()
    zone = contract.zone
    first_day, last_day = school_year_span(school_year)
    with state_scope(zone.state_id):
        schools = list(zone.schools.select_related("district__state", "zone").order_by("name", "pk"))
        standings = school_standings(schools, StatusUpdate.objects.all(), today=as_of)
        targets = list(contract.targets.select_related("metric").filter(school_year=school_year))
        values = year_values(
            Measurement.objects.filter(school__in=schools, metric__in=[target.metric_id for target in targets])
        )
        checks = []
        for target in targets:
            check = TargetCheck(target)
            for school in schools:
                value = values.get((school.pk, target.metric_id), {}).get(school_year)
                check.results.append((school, value, None if value is None else meets(target, value)))
            checks.append(check)
        periods = ReportingPeriod.objects.filter(state_id=zone.state_id, school_year=school_year, due_on__lte=as_of)
        records = submission_records(schools, today=as_of, periods=periods)
        updates = dict(
            StatusUpdate.objects.filter(school__in=schools, reported_on__range=(first_day, last_day))
            .order_by()
            .values_list("school")
            .annotate(count=Count("pk"))
        )
        commitments = Commitment.objects.filter(zone=zone)
        return Scorecard(
            contract=contract,
            school_year=school_year,
            as_of=as_of,
            standings=standings,
            targets=checks,
            schools=[SchoolRegularity(row, updates.get(row.school.pk, 0), records[row.school.pk]) for row in standings],
            funding=funding_totals(commitments, Expenditure.objects.all()),
            state_level_spent=state_level_spent_by_zone(Expenditure.objects.filter(zone=zone)).get(zone.pk, ZERO),
        )


def review_figures(review) -> dict:
    """What a review shows (page, PDF, API): the frozen scorecard of an issued review, the live
    one of a draft."""
    if review.is_issued and review.scorecard:
        return review.scorecard
    return review_scorecard(review.contract, review.school_year).as_dict()


def review_parts(review) -> list[dict]:
    """Per part: its rating (or None), narrative and evidence links."""
    evidence = list(review.evidence.all())
    return [
        {
            "part": part,
            "rating": review.rating_of(part),
            "narrative": review.narrative_of(part),
            "evidence": [item for item in evidence if item.part == part],
        }
        for part in ReviewPart
    ]
