"""The money engine's one read per state: its match, its awards' outlooks, its zones' budgets and
its sustainability gap, each from its owner (``match``, ``availability``, ``budgets``,
``sustainability``). ``reports.rollups`` attaches it to every state rollup, so the portfolio, the
state and zone pages, the API, the CSV, the brief and the PDFs read the same figures.

``portfolio_money``: the initiative's money against its targets ($45M public, $30M private).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import cached_property

from .availability import AwardOutlook, award_outlooks
from .budgets import zone_budgets
from .match import StateMatch, initiative_match, state_matches
from .models import Award, Budget, Commitment, Expenditure, RecurringCost
from .services import ZERO, FundingTotals, funding_totals
from .sustainability import StateSustainability, state_sustainability


class _Later:
    """What ``state_money`` reads only when a page or report reads it, once for every state of the
    call: the zones' budgets and the states' sustainability (the portfolio reads neither)."""

    def __init__(self, zones, readable, commitments, expenditures, state_ids, as_of):
        self.zones, self.readable, self.commitments, self.expenditures = zones, readable, commitments, expenditures
        self.state_ids, self.as_of = state_ids, as_of

    @cached_property
    def budgets(self) -> dict:
        """{state id: {zone id: ZoneBudget}}."""
        budgets = zone_budgets(
            [zone.pk for zone in self.zones], self.readable(Budget.objects), self.expenditures, self.commitments
        )
        by_state = {state_id: {} for state_id in self.state_ids}
        for zone in self.zones:
            by_state[zone.state_id][zone.pk] = budgets[zone.pk]
        return by_state

    @cached_property
    def sustainability(self) -> dict:
        """{state id: StateSustainability}."""
        costs = self.readable(RecurringCost.objects).filter(
            state_id__in=self.state_ids, school__zone__in=[zone.pk for zone in self.zones]
        )
        return state_sustainability(costs, as_of=self.as_of)


@dataclass
class StateMoney:
    match: StateMatch
    awards: list = field(default_factory=list)  # AwardOutlook by obligation deadline
    state_id: int | None = None
    later: _Later | None = None

    @property
    def budgets(self) -> dict:
        """{zone id: funding.budgets.ZoneBudget} for the state's zones."""
        return self.later.budgets[self.state_id] if self.later else {}

    @property
    def sustainability(self) -> StateSustainability:
        found = self.later.sustainability.get(self.state_id) if self.later else None
        return StateSustainability() if found is None else found

    @property
    def awards_at_risk(self) -> list[AwardOutlook]:
        return [outlook for outlook in self.awards if outlook.flagged]

    @property
    def at_risk(self) -> Decimal:
        """Money projected to lapse (or lapsed) across the state's awards."""
        return sum((outlook.at_risk + outlook.lapsed for outlook in self.awards_at_risk), ZERO)

    @property
    def budgeted(self) -> Decimal:
        return sum((budget.budgeted for budget in self.budgets.values()), ZERO)

    @property
    def budget_actual(self) -> Decimal:
        return sum((budget.actual for budget in self.budgets.values()), ZERO)

    @property
    def over_budget_lines(self) -> int:
        return sum(len(budget.over_lines) for budget in self.budgets.values())


def state_money(states, zones, readable, *, commitments=None, as_of=None) -> dict:
    """{state id: StateMoney} for ``states`` and their ``zones``; ``readable(queryset)`` narrows a
    queryset to what the reader may read; ``commitments`` (default: every readable one) are the
    money counted, e.g. only some zones' for a zone's figures. A bounded number of queries whatever
    the number of states; the budgets and sustainability are read when first asked for."""
    as_of = as_of or timezone.localdate()
    states = list(states)
    state_ids = {state.pk for state in states}
    zones = [zone for zone in zones if zone.state_id in state_ids]
    commitments = (readable(Commitment.objects) if commitments is None else commitments).filter(state_id__in=state_ids)
    expenditures = readable(Expenditure.objects)
    matches = state_matches(states, commitments, zone_ids=[(zone.pk, zone.state_id) for zone in zones])
    later = _Later(zones, readable, commitments, expenditures, state_ids, as_of)
    money = {state_id: StateMoney(match, state_id=state_id, later=later) for state_id, match in matches.items()}
    for outlook in award_outlooks(readable(Award.objects).filter(state_id__in=state_ids), expenditures, as_of=as_of):
        money[outlook.award.state_id].awards.append(outlook)
    return money


@dataclass
class TargetProgress:
    """Money against one of the initiative's targets."""

    label: str
    target: Decimal
    pledged: Decimal
    committed: Decimal
    received: Decimal

    def share(self, amount: Decimal) -> Decimal | None:
        return (amount / self.target).quantize(Decimal("0.001")) if self.target else None

    @property
    def pledged_share(self):
        return self.share(self.pledged)

    @property
    def committed_share(self):
        return self.share(self.committed)

    @property
    def received_share(self):
        return self.share(self.received)

    @property
    def still_to_commit(self) -> Decimal:
        return max(self.target - self.committed, ZERO)


@dataclass
class PortfolioMoney:
    initiative: object
    totals: FundingTotals
    match: StateMatch

    @property
    def targets(self) -> list[TargetProgress]:
        """Public, private and total money (all levels) against the initiative's targets."""
        initiative, totals = self.initiative, self.totals
        return [
            TargetProgress(
                "Public",
                initiative.public_funding_target,
                totals.pledged_public,
                totals.committed_public,
                totals.received_public,
            ),
            TargetProgress(
                "Private",
                initiative.private_funding_target,
                totals.pledged_private,
                totals.committed_private,
                totals.received_private,
            ),
            TargetProgress("Total", initiative.total_funding_target, totals.pledged, totals.committed, totals.received),
        ]


def portfolio_money(initiative, readable) -> PortfolioMoney | None:
    """The initiative's money (every level) against its targets, and its match."""
    if initiative is None:
        return None
    commitments = readable(Commitment.objects).filter(initiative=initiative)
    totals = funding_totals(commitments, readable(Expenditure.objects))
    return PortfolioMoney(initiative, totals, initiative_match(initiative, commitments))
