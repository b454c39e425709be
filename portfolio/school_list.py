"""The cross-portfolio school list: every school of every state the reader sees, in one table.

Each row is the school's standing (``accountability.services.SchoolStanding``: rating, projection,
stale), its late requirements (the collection calendar, marked by ``mark_late`` as on the other
pages) and its zone's renewal, read in a fixed number of queries whatever the number of schools.

A renewal is due (``accountability.renewal.awaits_decision``) when its date is within the next
``RENEWAL_DUE_DAYS``, or has passed with no decision recorded on or after it: an overdue decision
is what the admin is looking for.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from accountability import renewal
from accountability.calendar import requirements
from accountability.models import RenewalDecision, StatusUpdate
from accountability.services import SchoolStanding, late_by_school, mark_late, school_standings


@dataclass
class SchoolRow:
    """A school as the list shows it."""

    standing: SchoolStanding
    decision: RenewalDecision | None  # the zone's latest renewal decision
    renewal_due: bool

    @property
    def school(self):
        return self.standing.school

    @property
    def zone(self):
        return self.school.zone

    @property
    def state(self):
        return self.school.district.state

    @property
    def lead_partner(self):
        return self.zone.lead_partner if self.zone else None

    @property
    def late(self) -> int:
        return len(self.standing.late)


def listed(schools):
    """The schools with what a row shows of them joined in (their state, zone and Lead Partner)."""
    return schools.select_related("district__state", "zone__lead_partner")


def school_rows(schools, today: date | None = None) -> list[SchoolRow]:
    """A row per school of ``schools`` (``listed(...)``, or a page of it), in its order."""
    today = today or timezone.localdate()
    schools = list(schools)
    standings = school_standings(schools, StatusUpdate.objects.all(), today=today)
    mark_late(standings, late_by_school(requirements(schools=schools, today=today)))
    zones = {school.zone_id for school in schools if school.zone_id}
    decisions = renewal.latest_decisions(zones) if zones else {}
    return [
        SchoolRow(
            row,
            decisions.get(row.school.zone_id),
            renewal.awaits_decision(row.school.zone, decisions.get(row.school.zone_id), today),
        )
        for row in standings
    ]
