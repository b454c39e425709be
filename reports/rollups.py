"""The one state rollup: per state and per zone, how its schools stand and its money.

Every surface reads it: the portfolio page, its CSV and the portfolio API, the state and zone
pages, the progress reports, the commissioner brief and the portfolio PDF. The figures come from
their owners (``accountability.services.SchoolStanding`` for how each school stands,
``funding.services`` for the money, by its attribution rule); this module only groups them.

A state's schools are the schools of its zones (every zone, whatever its status); a zone's money
is its zone-level money, with state-level money spent in it shown apart. Oversight flags: ``late``
counts the requirements of the collection calendar (``accountability.calendar``) that are late,
``stale`` the schools whose status is stale (``SchoolStanding.stale``).

The counts come from one aggregate over the progress read model (``standing_tallies``), so a
rollup of every state costs the same few queries whatever the number of schools; each school's
standing (``ZoneRollup.schools``) is loaded only for the surfaces that list schools
(``schools=True``: the state and zone pages, the brief and the progress report).

It lives in ``reports`` (below ``portfolio`` in the app order) so that the reports rendered by
tasks and the composing pages read the same rollup.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import cached_property

from accountability.calendar import requirements
from accountability.choices import Standing, worst
from accountability.models import StatusUpdate
from accountability.services import (
    MISSING_BASELINES,
    MISSING_TARGETS,
    MISSING_UPDATES,
    SchoolStanding,
    StandingCounts,
    StandingTally,
    late_by_school,
    mark_late,
    school_standings,
    standing_tallies,
)
from funding.budgets import ZoneBudget
from funding.match import MatchStanding
from funding.models import Commitment, Expenditure
from funding.money import StateMoney, state_money
from funding.services import ZERO, FundingTotals, funding_totals_by, state_level_spent_by_zone
from schools.models import School
from zones.models import State, Zone


@dataclass
class ZoneRollup:
    """A zone: how its schools stand, its zone-level money and the state-level money spent in it.
    ``schools`` is None unless the rollup was asked for them (``state_rollups(schools=True)``)."""

    zone: Zone
    schools: list[SchoolStanding] | None = None
    tally: StandingTally = field(default_factory=StandingTally)
    late: int = 0  # requirements of the zone's schools that are late (past due, not submitted)
    funding: FundingTotals = field(default_factory=FundingTotals)
    state_level_spent: Decimal = ZERO
    money: StateMoney | None = None  # its state's (funding.money)

    @property
    def match(self) -> MatchStanding | None:
        """The zone's match: its zone-level money, against its state's rule."""
        return self.money.match.zones.get(self.zone.pk) if self.money else None

    @property
    def budget(self) -> ZoneBudget | None:
        return self.money.budgets.get(self.zone.pk) if self.money else None

    @property
    def counts(self) -> StandingCounts:
        return self.tally.counts

    @property
    def school_count(self) -> int:
        return self.counts.schools

    @property
    def late_requirements(self) -> dict:
        """{school id: its late requirements}, for the schools of the zone that have any."""
        return {school.school.pk: school.late for school in self.schools if school.late}

    @property
    def stale(self) -> int:
        """Schools of the zone whose status is stale."""
        return self.tally.stale

    @property
    def missing_data(self) -> dict[str, int]:
        """For an operating (launched or extended) zone: how many of its schools have no baselines,
        no targets, no status updates yet (``SchoolStanding.missing``), only what some lack; {} for
        a zone in planning or closed. The brief asks for a decision on each zone listed here."""
        if self.zone.status not in Zone.OPERATING_STATUSES:
            return {}
        counts = Counter(gap for school in self.schools for gap in school.missing)
        return {gap: counts[gap] for gap in (MISSING_BASELINES, MISSING_TARGETS, MISSING_UPDATES) if counts[gap]}

    @property
    def standing(self) -> Standing:
        """The zone stands as its worst school."""
        return worst(standing for standing, count in self.counts.items() if count)

    @property
    def latest_update(self) -> StatusUpdate | None:
        """The Lead Partner's most recent status update on any school of the zone."""
        updates = [school.latest_update for school in self.schools if school.latest_update]
        return max(updates, key=lambda u: (u.reported_on, u.created_at), default=None)


@dataclass
class StateRollup:
    """A state: its zones, how the schools of its zones stand and its money (state and zone level)."""

    state: State
    zones: list[ZoneRollup] = field(default_factory=list)
    funding: FundingTotals = field(default_factory=FundingTotals)
    money: StateMoney | None = None  # match, awards' outlooks, budgets, sustainability (funding.money)

    @property
    def match(self) -> MatchStanding | None:
        return self.money.match.standing if self.money else None

    @property
    def schools(self) -> list[SchoolStanding]:
        """Every school's standing (a rollup asked for them, ``state_rollups(schools=True)``)."""
        return [school for zone in self.zones for school in zone.schools]

    @cached_property
    def counts(self) -> StandingCounts:
        return sum((zone.counts for zone in self.zones), StandingCounts())

    @property
    def school_count(self) -> int:
        return self.counts.schools

    @property
    def late(self) -> int:
        return sum(zone.late for zone in self.zones)

    @property
    def stale(self) -> int:
        return sum(zone.stale for zone in self.zones)

    @property
    def late_requirements(self) -> dict:
        """{school id: its late requirements}, for the schools of every zone of the state."""
        return {school_id: items for zone in self.zones for school_id, items in zone.late_requirements.items()}

    @property
    def launch_year(self) -> str:
        """The earliest launch school year of its zones ("" before any is planned)."""
        return min((zone.zone.launch_school_year for zone in self.zones if zone.zone.launch_school_year), default="")

    @property
    def last_update(self) -> date | None:
        return max((zone.tally.rated_on for zone in self.zones if zone.tally.rated_on), default=None)

    @property
    def days_since_update(self) -> int | None:
        return (timezone.localdate() - self.last_update).days if self.last_update else None

    @property
    def needs_attention(self) -> bool:
        return bool(self.counts.off_track)

    @property
    def on_track_share(self):
        return self.counts.share(Standing.ON_TRACK)

    @property
    def at_risk_share(self):
        return self.counts.share(Standing.AT_RISK)

    @property
    def off_track_share(self):
        return self.counts.share(Standing.OFF_TRACK)


def _readable(queryset, reader):
    """The rows ``reader`` may read; everything in the current scope for ``reader=None`` (a task)."""
    return queryset.visible_to(reader) if reader is not None else queryset.all()


def state_rollups(reader=None, *, states=None, zones=None, today=None, schools=False) -> list[StateRollup]:
    """A rollup per state ``reader`` sees (optionally only ``states``, or only the given ``zones``
    and their states), by state name, everything counted within the reader's reach, late and stale
    as of ``today``; with ``schools``, each zone's schools' standings too. A bounded number of
    queries whatever the number of states.

    Restricted to ``zones``, a state's money is those zones' money.
    """
    state_rows = _readable(State.objects, reader).select_related("initiative").order_by("name")
    zone_rows = _readable(Zone.objects, reader).select_related("state", "lead_partner").order_by("name")
    commitments = _readable(Commitment.objects, reader)
    expenditures = _readable(Expenditure.objects, reader)
    if zones is not None:
        zone_rows = zone_rows.filter(pk__in=[zone.pk for zone in zones])
        state_rows = state_rows.filter(pk__in=[zone.state_id for zone in zones])
        commitments = commitments.filter(zone__in=zone_rows)
    elif states is not None:
        state_rows = state_rows.filter(pk__in=[state.pk for state in states])
        zone_rows = zone_rows.filter(state__in=state_rows)
    rollups = {state.pk: StateRollup(state) for state in state_rows}
    zone_rows = [zone for zone in zone_rows if zone.state_id in rollups]
    by_zone = {zone.pk: ZoneRollup(zone) for zone in zone_rows}
    readable_schools = _readable(School.objects, reader).filter(zone__in=zone_rows)
    tallies = standing_tallies(readable_schools, zone_rows, reader=reader, today=today)
    late = late_by_school(
        requirements(schools=readable_schools.values_list("pk", flat=True), today=today, entered=schools)
    )
    for rollup in by_zone.values():
        rollup.tally = tallies.get(rollup.zone.pk, StandingTally())
    for items in late.values():
        by_zone[items[0].school.zone_id].late += len(items)
    if schools:
        listed = readable_schools.select_related("zone", "district").order_by("name")
        for rollup in by_zone.values():
            rollup.schools = []
        for standing in school_standings(listed, _readable(StatusUpdate.objects, reader), today=today):
            by_zone[standing.school.zone_id].schools.append(standing)
        for rollup in by_zone.values():
            mark_late(rollup.schools, late)
    zone_funding = funding_totals_by("zone", commitments, expenditures)
    state_level = state_level_spent_by_zone(expenditures.filter(zone__in=zone_rows))
    for zone_id, rollup in by_zone.items():
        rollup.funding = zone_funding.get(zone_id, FundingTotals())
        rollup.state_level_spent = state_level.get(zone_id, ZERO)
        rollups[rollup.zone.state_id].zones.append(rollup)
    state_funding = funding_totals_by("state", commitments.filter(state__in=list(rollups)), expenditures)
    money = state_money(
        [rollup.state for rollup in rollups.values()],
        [rollup.zone for rollup in by_zone.values()],
        lambda queryset: _readable(queryset, reader),
        commitments=commitments,
        as_of=today,
    )
    for state_id, rollup in rollups.items():
        rollup.funding = state_funding.get(state_id, FundingTotals())
        rollup.money = money[state_id]
        for zone in rollup.zones:
            zone.money = rollup.money
    return list(rollups.values())


def state_rollup(state, reader=None, *, zone=None, schools=True) -> StateRollup:
    """The rollup of one state (or of one of its zones), by default with its schools' standings."""
    if zone is not None:
        return state_rollups(reader, zones=[zone], schools=schools)[0]
    return state_rollups(reader, states=[state], schools=schools)[0]
