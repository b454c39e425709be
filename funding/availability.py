"""Periods of availability: how each public award's spending stands against the day its money
lapses, projected at the burn rate so far.

Burn rate: the award's live spending (expenditures of its live commitments) per day since its
period of availability began. Projection: spending so far plus that rate until the obligation
deadline, at most the award. Money at risk: the award less the projection, flagged when it is at
least ``TOLERANCE`` of the award (a projection is not exact to the dollar). After the obligation
deadline, what is unspent has lapsed.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from .choices import Outlook
from .models import Award, Commitment, Expenditure
from .services import _sum

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
TOLERANCE = Decimal("0.01")  # 1% of the award


@dataclass
class AwardOutlook:
    award: Award
    committed: Decimal  # what its live commitments take of it
    spent: Decimal  # live spending from those commitments
    as_of: date

    @property
    def amount(self) -> Decimal:
        return self.award.amount

    @property
    def unspent(self) -> Decimal:
        return max(self.amount - self.spent, ZERO)

    @property
    def uncommitted(self) -> Decimal:
        """What is left of the award for new commitments."""
        return max(self.amount - self.committed, ZERO)

    @property
    def days_elapsed(self) -> int:
        end = min(self.as_of, self.award.obligation_deadline)
        return max((end - self.award.period_start).days + 1, 0)

    @property
    def days_left(self) -> int:
        return max((self.award.obligation_deadline - self.as_of).days, 0)

    @property
    def burn_rate(self) -> Decimal | None:
        """Dollars spent per day so far (None before the period starts)."""
        if self.days_elapsed <= 0:
            return None
        return self.spent / self.days_elapsed

    @property
    def projected_spent(self) -> Decimal:
        """What will have been spent by the obligation deadline at the burn rate so far."""
        rate = self.burn_rate
        if rate is None:
            return self.spent
        projected = self.spent + rate * self.days_left
        return min(projected, self.amount).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def at_risk(self) -> Decimal:
        """Money projected to be unspent at the obligation deadline (0 once it has passed: lapsed)."""
        if self.outlook == Outlook.LAPSED:
            return ZERO
        return max(self.amount - self.projected_spent, ZERO)

    @property
    def lapsed(self) -> Decimal:
        return self.unspent if self.as_of > self.award.obligation_deadline else ZERO

    @property
    def lapse_date(self) -> date:
        return self.award.obligation_deadline

    @property
    def spent_out_on(self) -> date | None:
        """The day the award would be spent at the burn rate so far (None without spending)."""
        rate = self.burn_rate
        if not rate or self.unspent == 0:
            return None
        return self.as_of + timedelta(days=int(self.unspent / rate) + 1)

    @property
    def outlook(self) -> Outlook:
        if self.unspent == 0:
            return Outlook.SPENT
        if self.as_of > self.award.obligation_deadline:
            return Outlook.LAPSED
        if self.as_of < self.award.period_start:
            return Outlook.NOT_STARTED
        shortfall = self.amount - self.projected_spent
        return Outlook.AT_RISK if shortfall >= self.amount * TOLERANCE else Outlook.ON_PACE

    @property
    def flagged(self) -> bool:
        return self.outlook.flagged

    def as_dict(self) -> dict:
        award = self.award
        return {
            "award": award.pk,
            "name": award.name,
            "amount": self.amount,
            "period_start": award.period_start,
            "obligation_deadline": award.obligation_deadline,
            "liquidation_deadline": award.liquidation_deadline,
            "committed": self.committed,
            "spent": self.spent,
            "burn_rate_per_day": self.burn_rate.quantize(CENT) if self.burn_rate is not None else None,
            "projected_spent": self.projected_spent,
            "outlook": self.outlook.value,
            "at_risk": self.at_risk,
            "lapsed": self.lapsed,
            "lapse_date": self.lapse_date,
        }


def award_outlooks(awards, expenditures, *, as_of: date | None = None) -> list[AwardOutlook]:
    """An outlook per award of ``awards`` (the reader's queryset), spending read from
    ``expenditures`` (the reader's). Three queries."""
    as_of = as_of or timezone.localdate()
    awards = list(awards.select_related("funder", "state").order_by("obligation_deadline", "name"))
    ids = [award.pk for award in awards]
    committed = dict(
        Commitment._base_manager.filter(award_id__in=ids, status__in=Commitment.LIVE_STATUSES)
        .order_by()
        .values("award_id")
        .annotate(total=_sum())
        .values_list("award_id", "total")
    )
    spent = dict(
        expenditures.filter(Expenditure.LIVE, commitment__award_id__in=ids, spent_on__lte=as_of)
        .order_by()
        .values("commitment__award_id")
        .annotate(total=_sum())
        .values_list("commitment__award_id", "total")
    )

    def money(totals, award):
        return Decimal(totals.get(award.pk, ZERO)).quantize(CENT)

    return [AwardOutlook(award, money(committed, award), money(spent, award), as_of) for award in awards]
