"""A zone's renewal: the state's decision (continue, intensify, replace the Lead Partner, exit) and
the exit criteria it set, evaluated on the one read model of how schools stand.

- ``record_decision`` is the one use case behind the renewal page's form and the API.
- ``latest_decisions`` reads each zone's latest decision in one query (the zone page, the
  portfolio, the zone API, the cross-portfolio school list).
- ``renewal_due`` / ``renewals_due``: a renewal is *due* when its date falls within the next
  ``RENEWAL_DUE_DAYS`` (the portfolio's renewal column); ``awaits_decision`` adds a past date with
  no decision since (the school list's "renewal due" filter).
- ``evaluate_exit_criteria`` checks a state's criteria on a zone's standings
  (``services.SchoolStanding``, never recomputed here) and its measurements. Each check is met,
  not met, or not yet known (None) with the data it lacks.

A year's value on a metric is its end-of-year measurement, else its latest period that year.
"Targets met in N consecutive school years" looks at the N school years ending with the latest
year in which any school of the zone has a value on the criterion's metrics: every school must
meet its target on each of them in each of those years.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from core.validators import school_year_from_start, school_year_start

from .choices import Standing
from .models import ExitCriterion, RenewalDecision

RENEWAL_DUE_DAYS = 90
BEHIND = (Standing.OFF_TRACK, Standing.AT_RISK)


def record_decision(user, decision: RenewalDecision) -> RenewalDecision:
    """Record ``decision`` (unsaved, its zone set) as decided by ``user``: asked of the permission
    table first, then validated by the model, then saved with its history naming the user.

    Raises PermissionDenied (not the user's zone to decide) or ValidationError (the model's rules)."""
    decision.decided_by = user
    if not user.has_perm("accountability.add_renewaldecision", decision):
        raise PermissionDenied(f"You may not record a renewal decision for {decision.zone}.")
    decision.full_clean()
    decision._history_user = user
    with transaction.atomic():
        decision.save()
    return decision


def latest_decisions(zones) -> dict[int, RenewalDecision]:
    """{zone id: its latest renewal decision} for the zones that have one, in one query."""
    ranked = (
        RenewalDecision.objects.filter(zone__in=zones)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("zone_id")],
                order_by=[F("decided_on").desc(), F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank=1)
        .select_related("decided_by")
        .order_by()
    )
    return {decision.zone_id: decision for decision in ranked}


def renewal_due(zone, today: date | None = None) -> bool:
    """Whether the zone's renewal date falls within the next ``RENEWAL_DUE_DAYS`` (today included)."""
    today = today or timezone.localdate()
    return zone.renewal_on is not None and today <= zone.renewal_on <= today + timedelta(days=RENEWAL_DUE_DAYS)


def awaits_decision(zone, decision: RenewalDecision | None, today: date) -> bool:
    """Whether the zone's renewal needs the state's attention: due soon (``renewal_due``), or past
    with no decision recorded on or after its date (``decision``: the zone's latest)."""
    if zone is None or zone.renewal_on is None:
        return False
    if zone.renewal_on < today:
        return decision is None or decision.decided_on < zone.renewal_on
    return renewal_due(zone, today)


@dataclass(frozen=True)
class RenewalDue:
    """A zone whose renewal is due, with the latest decision recorded on it (if any)."""

    zone: object
    latest_decision: RenewalDecision | None


def renewals_due(zones, today: date | None = None) -> list[RenewalDue]:
    """The zones among ``zones`` whose renewal is due, soonest first, with their latest decisions."""
    due = sorted((zone for zone in zones if renewal_due(zone, today)), key=lambda zone: (zone.renewal_on, zone.name))
    decisions = latest_decisions([zone.pk for zone in due]) if due else {}
    return [RenewalDue(zone, decisions.get(zone.pk)) for zone in due]


# --- Exit criteria ---


@dataclass(frozen=True)
class ExitCheck:
    """One exit criterion on one zone: met, not met, or None (not yet known), and why."""

    criterion: ExitCriterion
    met: bool | None
    detail: str

    @property
    def verdict(self) -> str:
        return {True: "Met", False: "Not met", None: "Not yet known"}[self.met]


def year_values(measurements) -> dict[tuple[int, int], dict[str, object]]:
    """{(school id, metric id): {school year: its value}}: the end-of-year measurement, else the
    latest period of that year (the end of year is the last period, so the latest wins)."""
    values: dict[tuple[int, int], dict[str, tuple[int, object]]] = {}
    for row in measurements:
        years = values.setdefault((row.school_id, row.metric_id), {})
        if row.school_year not in years or years[row.school_year][0] < row.period:
            years[row.school_year] = (row.period, row.value)
    return {key: {year: value for year, (_period, value) in years.items()} for key, years in values.items()}


def meets(item, value) -> bool:
    """Whether ``value`` reaches the target of ``item`` (a MetricProgress) in its good direction."""
    return value >= item.target if item.metric.higher_is_better else value <= item.target


def _listed(problems: list[str], limit: int = 4) -> str:
    shown = "; ".join(problems[:limit])
    return shown + (f"; and {len(problems) - limit} more" if len(problems) > limit else "")


def _targets_met(criterion, standings, values) -> ExitCheck:
    targeted = {
        row.school.pk: [
            item
            for item in row.progress
            if item.target is not None and (criterion.metric_id is None or item.metric.pk == criterion.metric_id)
        ]
        for row in standings
    }
    on = f" on {criterion.metric}" if criterion.metric_id else ""
    unknown = [f"{row.school} has no target{on}" for row in standings if not targeted[row.school.pk]]
    years_seen = [
        year
        for row in standings
        for item in targeted[row.school.pk]
        for year in values.get((row.school.pk, item.metric.pk), {})
    ]
    if not years_seen:
        return ExitCheck(criterion, None, _listed(unknown or [f"No school of the zone has a value{on} yet"]))
    last = max(school_year_start(year) for year in years_seen)
    years = [school_year_from_start(start) for start in range(last - criterion.years + 1, last + 1)]
    failed = []
    for row in standings:
        for item in targeted[row.school.pk]:
            by_year = values.get((row.school.pk, item.metric.pk), {})
            for year in years:
                if year not in by_year:
                    unknown.append(f"{row.school} has no {item.metric} value in {year}")
                elif not meets(item, by_year[year]):
                    failed.append(f"{row.school} {item.metric} {by_year[year]} in {year} (target {item.target})")
    span = " and ".join([", ".join(years[:-1]), years[-1]]) if len(years) > 1 else years[0]
    if failed:
        return ExitCheck(criterion, False, "Below target: " + _listed(failed))
    if unknown:
        return ExitCheck(criterion, None, "Not yet known: " + _listed(unknown))
    count = len(standings)
    return ExitCheck(criterion, True, f"All {count} school{'s' if count != 1 else ''} met their targets{on} in {span}.")


def _on_track(criterion, standings) -> ExitCheck:
    def standing_of(row) -> Standing:
        if criterion.metric_id is None:
            return row.standing
        item = next((item for item in row.progress if item.metric.pk == criterion.metric_id), None)
        return item.status if item is not None else Standing.NO_DATA

    judged = [(row, standing_of(row)) for row in standings]
    on = f" on {criterion.metric}" if criterion.metric_id else ""
    behind = [f"{row.school} {standing.label.lower()}" for row, standing in judged if standing in BEHIND]
    if behind:
        return ExitCheck(criterion, False, "Not on track: " + _listed(behind))
    unknown = [f"{row.school} has no data{on}" for row, standing in judged if standing == Standing.NO_DATA]
    if unknown:
        return ExitCheck(criterion, None, "Not yet known: " + _listed(unknown))
    count = len(standings)
    return ExitCheck(criterion, True, f"All {count} school{'s' if count != 1 else ''} are on track{on}.")


def evaluate_exit_criteria(zone, standings, measurements, criteria=None) -> list[ExitCheck]:
    """Each exit criterion of the zone's state (or ``criteria``) checked on the zone's schools:
    ``standings`` are their ``SchoolStanding`` rows (from the state rollup), ``measurements`` every
    measurement of those schools."""
    if criteria is None:
        criteria = ExitCriterion.objects.filter(state_id=zone.state_id).select_related("metric")
    standings = list(standings)
    values = year_values(measurements)
    checks = []
    for criterion in criteria:
        if not standings:
            checks.append(ExitCheck(criterion, None, f"{zone} has no schools."))
        elif criterion.kind == ExitCriterion.Kind.TARGETS_MET:
            checks.append(_targets_met(criterion, standings, values))
        else:
            checks.append(_on_track(criterion, standings))
    return checks
