"""Sustainability: what extended learning time and incentive pay will cost each year after the
grants paying for them end, who pays then, and the gap.

Per recurring cost: the grant ends on its commitment's ``period_end``; from the first fiscal year
after that, the gap per year is the annual cost less what the funder after the grant pays, and
per pupil that gap over the school's enrollment. Per school and per state, the gaps of the costs
whose grant has ended by that fiscal year are added. A gap is flagged from the second school year
of the school's zone (the first is for starting up), whether or not a plan to close it is written.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from core.validators import school_year_start

from .models import RecurringCost, fiscal_year_of

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
YEARS_PROJECTED = 3  # fiscal years shown after each grant ends


@dataclass
class CostOutlook:
    cost: RecurringCost

    @property
    def grant_ends(self) -> date:
        return self.cost.paid_by.period_end

    @property
    def first_year_after(self) -> int:
        """The first fiscal year the grant no longer pays for."""
        return fiscal_year_of(self.grant_ends) + 1

    @property
    def gap(self) -> Decimal:
        """Each year after the grant: the cost nobody has committed to pay."""
        return max(self.cost.annual_cost - self.cost.amount_after_grant, ZERO)

    @property
    def gap_per_pupil(self) -> Decimal | None:
        enrollment = self.cost.school.enrollment
        return (self.gap / enrollment).quantize(CENT) if enrollment else None

    def gap_in(self, fiscal_year: int) -> Decimal:
        return self.gap if fiscal_year >= self.first_year_after else ZERO


@dataclass
class SchoolSustainability:
    school: object
    costs: list = field(default_factory=list)  # CostOutlook
    as_of: date | None = None

    @property
    def annual_cost(self) -> Decimal:
        return sum((c.cost.annual_cost for c in self.costs), ZERO)

    @property
    def gap(self) -> Decimal:
        """The yearly gap once every grant paying for these costs has ended."""
        return sum((c.gap for c in self.costs), ZERO)

    @property
    def gap_per_pupil(self) -> Decimal | None:
        enrollment = self.school.enrollment
        return (self.gap / enrollment).quantize(CENT) if enrollment else None

    def gap_in(self, fiscal_year: int) -> Decimal:
        return sum((c.gap_in(fiscal_year) for c in self.costs), ZERO)

    @property
    def has_plan(self) -> bool:
        return all(c.cost.plan.strip() for c in self.costs if c.gap)

    @property
    def in_second_year(self) -> bool:
        """Whether the school's zone is in its second school year or later."""
        zone = self.school.zone
        if zone is None or not zone.launch_school_year:
            return False
        second_year_starts = date(school_year_start(zone.launch_school_year) + 1, 7, 1)
        return (self.as_of or timezone.localdate()) >= second_year_starts

    @property
    def flagged(self) -> bool:
        return self.gap > 0 and self.in_second_year


@dataclass
class StateSustainability:
    schools: list = field(default_factory=list)  # SchoolSustainability, by school name
    as_of: date | None = None

    @property
    def years(self) -> list[int]:
        """The fiscal years from the first after a grant ends, ``YEARS_PROJECTED`` after the last."""
        firsts = [c.first_year_after for school in self.schools for c in school.costs]
        if not firsts:
            return []
        return list(range(min(firsts), max(firsts) + YEARS_PROJECTED))

    def gap_in(self, fiscal_year: int) -> Decimal:
        return sum((school.gap_in(fiscal_year) for school in self.schools), ZERO)

    def pupils_in(self, fiscal_year: int) -> int:
        return sum(school.school.enrollment for school in self.schools if school.gap_in(fiscal_year))

    def per_pupil_in(self, fiscal_year: int) -> Decimal | None:
        pupils = self.pupils_in(fiscal_year)
        return (self.gap_in(fiscal_year) / pupils).quantize(CENT) if pupils else None

    def by_year(self) -> list[tuple[int, Decimal, Decimal | None]]:
        """(fiscal year, gap, gap per pupil) for each projected fiscal year."""
        return [(year, self.gap_in(year), self.per_pupil_in(year)) for year in self.years]

    @property
    def annual_cost(self) -> Decimal:
        return sum((school.annual_cost for school in self.schools), ZERO)

    @property
    def gap(self) -> Decimal:
        return sum((school.gap for school in self.schools), ZERO)

    @property
    def flagged_schools(self) -> list:
        return [school for school in self.schools if school.flagged]

    @property
    def without_plan(self) -> list:
        return [school for school in self.schools if school.gap and not school.has_plan]


def state_sustainability(costs, *, as_of: date | None = None) -> dict:
    """{state id: StateSustainability} from the reader's ``costs`` queryset. One query."""
    costs = costs.select_related("school__zone", "paid_by__funder", "funder_after_grant").order_by(
        "school__name", "category"
    )
    schools = defaultdict(dict)
    for cost in costs:
        school = schools[cost.state_id].setdefault(cost.school_id, SchoolSustainability(cost.school, as_of=as_of))
        school.costs.append(CostOutlook(cost))
    return {state_id: StateSustainability(list(by_school.values()), as_of) for state_id, by_school in schools.items()}
