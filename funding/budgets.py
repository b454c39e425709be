"""Budgets by fiscal year and category against what was spent (budget vs actual) per zone.

Actual: the live expenditures made in the zone (at the zone or at one of its schools), whatever
money they came from, in the fiscal year of their date. Available to budget: the zone-level
money committed to the zone (``Budget.available_error`` guards it on every write path).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models.functions import ExtractMonth, ExtractYear

from .models import Budget, Expenditure, fiscal_year_of
from .services import _sum

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass
class BudgetLine:
    fiscal_year: int
    category: str
    budget: Decimal | None  # None: nothing budgeted, yet money was spent
    actual: Decimal = ZERO
    budget_id: int | None = None  # the Budget row (None without a budget), for edit links

    @property
    def category_label(self) -> str:
        return Expenditure.Category(self.category).label

    @property
    def remaining(self) -> Decimal | None:
        return self.budget - self.actual if self.budget is not None else None

    @property
    def over(self) -> bool:
        """Spent more than budgeted (or spent without a budget)."""
        return self.actual > (self.budget or ZERO)

    @property
    def used_share(self) -> Decimal | None:
        return (self.actual / self.budget).quantize(Decimal("0.001")) if self.budget else None

    @property
    def flag(self) -> str:
        """The line's standing in words: what the page colours and the CSV writes ("" when within)."""
        if self.budget is None:
            return "Spent without a budget"
        return "Over budget" if self.over else ""


class LineTotals:
    """What budget lines (``self.lines``) add up to: a zone's, all years, or one fiscal year's."""

    lines: list

    @property
    def budgeted(self) -> Decimal:
        return sum((line.budget or ZERO for line in self.lines), ZERO)

    @property
    def actual(self) -> Decimal:
        return sum((line.actual for line in self.lines), ZERO)

    @property
    def over_lines(self) -> list:
        return [line for line in self.lines if line.over]


@dataclass
class ZoneBudget(LineTotals):
    zone_id: int
    available: Decimal = ZERO  # money committed to the zone
    lines: list = field(default_factory=list)  # BudgetLine by fiscal year, then category order

    @property
    def left_to_budget(self) -> Decimal:
        return self.available - self.budgeted

    def years(self) -> dict:
        """{fiscal year: [BudgetLine]}."""
        years = defaultdict(list)
        for line in self.lines:
            years[line.fiscal_year].append(line)
        return dict(years)

    def year_totals(self) -> list["YearTotal"]:
        """Each fiscal year's lines with their totals, by fiscal year (the page's table and its CSV)."""
        return [YearTotal(year, lines) for year, lines in self.years().items()]


@dataclass
class YearTotal(LineTotals):
    """A fiscal year of a zone's budget: its lines and what they add up to."""

    fiscal_year: int
    lines: list  # BudgetLine, in category order

    @property
    def remaining(self) -> Decimal:
        """Budgeted less spent, over the year's lines (spending without a budget lowers it)."""
        return self.budgeted - self.actual


CATEGORY_ORDER = {value: index for index, value in enumerate(Expenditure.Category.values)}


def zone_budgets(zone_ids, budgets, expenditures, commitments) -> dict:
    """{zone id: ZoneBudget} for ``zone_ids`` from the reader's querysets. Three queries."""
    zone_ids = list(zone_ids)
    result = {zone_id: ZoneBudget(zone_id) for zone_id in zone_ids}
    lines = defaultdict(dict)
    for budget in (
        budgets.filter(zone_id__in=zone_ids).order_by().values("pk", "zone_id", "fiscal_year", "category", "amount")
    ):
        key = (budget["fiscal_year"], budget["category"])
        lines[budget["zone_id"]][key] = BudgetLine(*key, budget=budget["amount"], budget_id=budget["pk"])
    spending = (
        expenditures.filter(Expenditure.LIVE, zone_id__in=zone_ids)
        .order_by()
        .annotate(year=ExtractYear("spent_on"), month=ExtractMonth("spent_on"))
        .values("zone_id", "category", "year", "month")
        .annotate(total=_sum())
    )
    for row in spending:
        fiscal_year = fiscal_year_of(date(row["year"], row["month"], 1))
        key = (fiscal_year, row["category"])
        line = lines[row["zone_id"]].setdefault(key, BudgetLine(*key, budget=None))
        line.actual = (line.actual + row["total"]).quantize(CENT)
    available = (
        commitments.filter(zone_id__in=zone_ids, status__in=Budget.AVAILABLE_STATUSES)
        .order_by()
        .values("zone_id")
        .annotate(total=_sum())
    )
    for row in available:
        result[row["zone_id"]].available = row["total"].quantize(CENT)
    for zone_id, zone_lines in lines.items():
        result[zone_id].lines = sorted(
            zone_lines.values(), key=lambda line: (line.fiscal_year, CATEGORY_ORDER[line.category])
        )
    return result
