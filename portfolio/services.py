"""Read models the composing pages share: the portfolio of states at a glance and a state's timeline."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from accountability.models import StatusUpdate
from accountability.services import latest_status_update
from core.validators import school_year_start
from funding.models import Commitment, Expenditure
from funding.services import FundingTotals, funding_totals_by
from schools.models import School
from zones.models import State, Zone


@dataclass
class StateSummary:
    """One state's row in the portfolio: its zones, schools, money and latest Lead Partner ratings."""

    state: State
    zones: int = 0
    schools: int = 0
    launch_year: str = ""
    funding: FundingTotals = field(default_factory=FundingTotals)
    ratings: Counter = field(default_factory=Counter)
    last_update: date | None = None

    @property
    def rated_schools(self) -> int:
        return sum(self.ratings.values())

    def share(self, rating: str) -> Decimal | None:
        """Share of the state's rated schools whose latest status update has ``rating``."""
        if not self.rated_schools:
            return None
        return (Decimal(self.ratings[rating]) / self.rated_schools).quantize(Decimal("0.001"))

    @property
    def on_track_share(self):
        return self.share(StatusUpdate.Rating.ON_TRACK)

    @property
    def at_risk_share(self):
        return self.share(StatusUpdate.Rating.AT_RISK)

    @property
    def off_track_share(self):
        return self.share(StatusUpdate.Rating.OFF_TRACK)

    @property
    def days_since_update(self) -> int | None:
        return (timezone.localdate() - self.last_update).days if self.last_update else None


def portfolio(user) -> list[StateSummary]:
    """A summary per state the user sees, everything counted within their scope. Five queries.

    Schools and their latest ratings are counted in one query: each school's latest status update
    is a subquery that reads the (school, reported on, created at) index, not a window over every
    update in scope.
    """
    summaries = {state.pk: StateSummary(state) for state in State.objects.visible_to(user).select_related("initiative")}
    zones = (
        Zone.objects.visible_to(user)
        .order_by()
        .values("state_id")
        .annotate(count=Count("pk"), first_launch=Min("launch_school_year", filter=~Q(launch_school_year="")))
    )
    for row in zones:
        if row["state_id"] in summaries:
            summary = summaries[row["state_id"]]
            summary.zones, summary.launch_year = row["count"], row["first_launch"] or ""
    updates = StatusUpdate.objects.visible_to(user)
    schools = (
        School.objects.visible_to(user)
        .filter(zone__isnull=False)
        .order_by()
        .annotate(
            rating=latest_status_update(updates, "rating"), reported_on=latest_status_update(updates, "reported_on")
        )
        .values("district__state_id", "rating")
        .annotate(count=Count("pk"), last_update=Max("reported_on"))
    )
    for row in schools:
        summary = summaries.get(row["district__state_id"])
        if summary is not None:
            summary.schools += row["count"]
            if row["rating"]:
                summary.ratings[row["rating"]] += row["count"]
                summary.last_update = max(filter(None, [summary.last_update, row["last_update"]]))
    funding = funding_totals_by("state", Commitment.objects.visible_to(user), Expenditure.objects.visible_to(user))
    for state_id, totals in funding.items():
        if state_id in summaries:
            summaries[state_id].funding = totals
    return list(summaries.values())


@dataclass(frozen=True)
class Milestone:
    when: date
    label: str
    detail: str = ""

    @property
    def is_past(self) -> bool:
        return self.when <= timezone.localdate()


def state_timeline(state: State, zones) -> list[Milestone]:
    """The initiative's terms, the state's planned launch and each zone's launch, in date order."""

    def school_year(value: str) -> date:
        return date(school_year_start(value), 8, 1)

    initiative = state.initiative
    milestones = [
        Milestone(initiative.initial_term_start, "Initiative begins", str(initiative)),
        Milestone(initiative.initial_term_end, "Initial term ends"),
    ]
    if initiative.extension_term_end:
        milestones.append(Milestone(initiative.extension_term_end, "Extension term ends"))
    if state.planned_launch_school_year:
        milestones.append(
            Milestone(
                school_year(state.planned_launch_school_year),
                f"Planned launch ({state.planned_launch_school_year})",
                f"{state.name} plans to launch its first zones",
            )
        )
    for zone in zones:
        if zone.launch_school_year:
            milestones.append(
                Milestone(
                    school_year(zone.launch_school_year),
                    f"{zone.name} launch ({zone.launch_school_year})",
                    zone.get_status_display(),
                )
            )
    return sorted(milestones, key=lambda milestone: milestone.when)
