"""Funding totals, computed from commitments and expenditures.

A commitment counts at every stage it has reached: a received commitment is also committed and
pledged. A withdrawn commitment and a voided expenditure are kept but never counted. The match
(which private money counts for which public money, against which ratio) is ``funding.match``.

The attribution rule: every figure of a place counts the same money. Pledged, committed and
received count the commitments made to it (a state: its state- and zone-level commitments; a
zone: its zone-level commitments); ``spent`` is what was spent *from those commitments*. So a
zone never shows spent above received because state-level money was spent in it: that money is
shown on its own, labelled, as ``state_level_spent_by_zone``.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from .models import Commitment, Expenditure, Source

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
STAGES = ("pledged", "committed", "received")
SOURCES = tuple(Source.values)  # read per totals object (thousands per rollup); the enum rebuilds it per call
STAGE_FILTERS = {
    "pledged": Q(status__in=Commitment.LIVE_STATUSES),  # a withdrawn commitment never counts
    "committed": Q(status__in=[Commitment.Status.COMMITTED, Commitment.Status.RECEIVED]),
    "received": Q(status=Commitment.Status.RECEIVED),
}


def _sum(expression="amount", condition=None):
    return Coalesce(
        Sum(expression, filter=condition), Value(ZERO), output_field=DecimalField(max_digits=16, decimal_places=2)
    )


def _commitment_aggregates():
    """Sums of amount per stage and source, named like ``committed_private``."""
    aggregates = {}
    for stage, stage_filter in STAGE_FILTERS.items():
        for source in SOURCES:
            aggregates[f"{stage}_{source}"] = _sum(condition=stage_filter & Q(source=source))
    return aggregates


@dataclass
class FundingTotals:
    pledged_public: Decimal = ZERO
    pledged_private: Decimal = ZERO
    committed_public: Decimal = ZERO
    committed_private: Decimal = ZERO
    received_public: Decimal = ZERO
    received_private: Decimal = ZERO
    spent: Decimal = ZERO
    spent_by_category: dict = field(default_factory=dict)

    def __post_init__(self):
        # Databases differ in the scale they return sums with; money always has two places.
        for stage in STAGES:
            for source in SOURCES:
                name = f"{stage}_{source}"
                setattr(self, name, Decimal(getattr(self, name)).quantize(CENT))
        self.spent = Decimal(self.spent).quantize(CENT)

    @property
    def pledged(self) -> Decimal:
        return self.pledged_public + self.pledged_private

    @property
    def committed(self) -> Decimal:
        return self.committed_public + self.committed_private

    @property
    def received(self) -> Decimal:
        return self.received_public + self.received_private

    @property
    def teacher_compensation(self) -> Decimal:
        return sum((self.spent_by_category.get(c, ZERO) for c in Expenditure.TEACHER_COMPENSATION), ZERO)

    def as_dict(self) -> dict:
        return {
            "pledged": self.pledged,
            "committed": self.committed,
            "received": self.received,
            "spent": self.spent,
            "public": {
                "pledged": self.pledged_public,
                "committed": self.committed_public,
                "received": self.received_public,
            },
            "private": {
                "pledged": self.pledged_private,
                "committed": self.committed_private,
                "received": self.received_private,
            },
            "spent_by_category": dict(self.spent_by_category),
        }


def funding_totals(commitments=None, expenditures=None) -> FundingTotals:
    """Totals over the given commitments (default: all), ``spent`` from the given expenditures
    of those commitments only (the attribution rule). Two queries."""
    commitments = Commitment.objects.all() if commitments is None else commitments
    expenditures = Expenditure.objects.all() if expenditures is None else expenditures
    totals = FundingTotals(**commitments.order_by().aggregate(**_commitment_aggregates()))
    spending = expenditures.filter(Expenditure.LIVE, commitment__in=commitments.order_by().values("pk"))
    for row in spending.order_by().values("category").annotate(total=_sum()):
        totals.spent_by_category[row["category"]] = row["total"].quantize(CENT)
    totals.spent = sum(totals.spent_by_category.values(), ZERO)
    return totals


# How an expenditure reaches each grouping key: through its commitment (the attribution rule).
SPENDING_PATHS = {"state": "commitment__state", "zone": "commitment__zone", "funder": "commitment__funder"}


def funding_totals_by(key: str, commitments=None, expenditures=None) -> dict:
    """Totals grouped by ``"state"``, ``"zone"`` or ``"funder"``: {id: FundingTotals}, each
    place's spending counted from the commitments made to it. Two queries."""
    if key not in SPENDING_PATHS:
        raise ValueError("Funding is grouped by state, zone or funder.")
    spending_key = SPENDING_PATHS[key]
    commitments = Commitment.objects.all() if commitments is None else commitments
    expenditures = Expenditure.objects.all() if expenditures is None else expenditures
    grouped = defaultdict(FundingTotals)
    rows = commitments.order_by().filter(**{f"{key}__isnull": False}).values(key).annotate(**_commitment_aggregates())
    for row in rows:
        group_id = row.pop(key)
        grouped[group_id] = FundingTotals(**row)
    spending = (
        expenditures.order_by()
        .filter(Expenditure.LIVE, commitment__in=commitments.order_by().values("pk"))
        .filter(**{f"{spending_key}__isnull": False})
        .values(spending_key, "category")
        .annotate(total=_sum())
    )
    for row in spending:
        totals = grouped[row[spending_key]]
        totals.spent_by_category[row["category"]] = row["total"].quantize(CENT)
        totals.spent += row["total"].quantize(CENT)
    return dict(grouped)


def state_level_spent_by_zone(expenditures) -> dict:
    """{zone id: money spent in the zone from commitments not made to the zone} (state- or
    initiative-level funds): shown beside, never inside, a zone's own figures. One query."""
    rows = (
        expenditures.order_by()
        .filter(Expenditure.LIVE, zone__isnull=False, commitment__zone__isnull=True)
        .values("zone")
        .annotate(total=_sum())
    )
    return {row["zone"]: row["total"].quantize(CENT) for row in rows}


def spending_by_use(totals: FundingTotals) -> list[tuple[str, Decimal, bool]]:
    """(label, amount spent, is teacher compensation) per expenditure category, every category listed."""
    return [
        (label, totals.spent_by_category.get(value, ZERO), value in Expenditure.TEACHER_COMPENSATION)
        for value, label in Expenditure.Category.choices
    ]
