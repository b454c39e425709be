"""Read models the composing pages share: a state's timeline. (The portfolio of states is the
state rollup, ``reports.rollups``, which the reports read too.)"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from core.validators import school_year_start
from zones.models import State


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
