"""Read models the composing pages share: a state's timeline, who reads a state's money and its
match by funder month by month. (The portfolio of states is the state rollup,
``reports.rollups``, which the reports read too.)"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from core.tenancy import reads_state_rows
from core.validators import school_year_start
from funding.match import ZERO, MatchPoint
from funding.models import Commitment
from zones.models import State

FUNDER_MONTHS = 12  # months of the match by funder on the state money page


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


def reads_state_money(user, state: State) -> bool:
    """Whether a state's money reaches the user, as the money models' ``TenantScope`` opens it:
    its state roles and the collaborators engaged there; Lead Partner staff, who read the state,
    never do: its money page and API refuse them, the state and zone pages leave it out."""
    return reads_state_rows(user, Commitment, state.pk)


@dataclass(frozen=True)
class FunderMonths:
    """What one private funder's money added to the match at the end of each month shown."""

    name: str
    amounts: list


def funders_by_month(points: list[MatchPoint], months: int = FUNDER_MONTHS) -> tuple[list, list[FunderMonths]]:
    """The last ``months`` points of a match series and, per private funder counted in any of
    them (by name), its money counted as match at each: the series' own figures, arranged."""
    shown = points[-months:]
    names = sorted({name for point in shown for name in point.funders})
    return shown, [FunderMonths(name, [point.funders.get(name, ZERO) for point in shown]) for name in names]
