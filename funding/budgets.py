"""Budgets by fiscal year and category against what was spent (budget vs actual) per zone.

Actual: the live expenditures made in the zone (at the zone or at one of its schools), whatever
money they came from, in the fiscal year of their date. Available to budget (``Room``): what the
zone may draw on, the money committed to it and its state's state-level money (such as its 1003(g)
SIG) that the state's other zones do not already budget; ``Budget.available_error`` guards it on
every write path, on the state's locked row.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models.functions import ExtractMonth, ExtractYear

from zones.models import Zone

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


@dataclass(frozen=True)
class Room:
    """The money a zone's budgets may use."""

    own: Decimal = ZERO  # committed to the zone
    state_level: Decimal = ZERO  # committed to its state as a whole
    drawn_by_others: Decimal = ZERO  # of that, what the state's other zones' budgets need beyond their own money
    budgeted: Decimal = ZERO  # the zone's budgets

    @property
    def state_level_left(self) -> Decimal:
        return max(self.state_level - self.drawn_by_others, ZERO)

    @property
    def available(self) -> Decimal:
        return self.own + self.state_level_left


def _totals(rows, key) -> dict:
    totals = defaultdict(lambda: ZERO)
    for row in rows:
        totals[row[key]] += row["total"]
    return totals


def budget_rooms(zone_ids, commitments, budgets, *, leaving_out=None) -> dict:
    """{zone id: Room} from ``commitments`` and ``budgets`` (querysets), ``leaving_out`` one budget
    (the one being saved). A zone draws on state-level money for what its budgets need beyond its
    own money; what the other zones of its state draw is not its to budget. Three queries."""
    zone_states = dict(Zone._base_manager.filter(pk__in=list(zone_ids)).values_list("pk", "state_id"))
    states = set(zone_states.values())
    money = (
        commitments.filter(state_id__in=states, status__in=Budget.AVAILABLE_STATUSES)
        .order_by()
        .values("state_id", "zone_id")
        .annotate(total=_sum())
    )
    own = _totals((row for row in money if row["zone_id"]), "zone_id")
    state_level = _totals((row for row in money if not row["zone_id"]), "state_id")
    lines = budgets.filter(state_id__in=states).exclude(pk=leaving_out).order_by()
    budgeted = defaultdict(lambda: ZERO)
    drawn = defaultdict(lambda: ZERO)
    for row in lines.values("state_id", "zone_id").annotate(total=_sum()):
        budgeted[row["zone_id"]] = row["total"]
        drawn[row["state_id"]] += max(row["total"] - own[row["zone_id"]], ZERO)
    rooms = {}
    for zone_id, state_id in zone_states.items():
        draws = max(budgeted[zone_id] - own[zone_id], ZERO)
        rooms[zone_id] = Room(own[zone_id], state_level[state_id], drawn[state_id] - draws, budgeted[zone_id])
    return rooms


@dataclass
class ZoneBudget(LineTotals):
    zone_id: int
    room: Room = field(default_factory=Room)
    lines: list = field(default_factory=list)  # BudgetLine by fiscal year, then category order

    @property
    def available(self) -> Decimal:
        """What the zone may budget: its own money and the state-level money left to it."""
        return self.room.available

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
    """{zone id: ZoneBudget} for ``zone_ids`` from the reader's querysets. Five queries."""
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
    for zone_id, room in budget_rooms(zone_ids, commitments, budgets).items():
        result[zone_id].room = room
    for zone_id, zone_lines in lines.items():
        result[zone_id].lines = sorted(
            zone_lines.values(), key=lambda line: (line.fiscal_year, CATEGORY_ORDER[line.category])
        )
    return result
