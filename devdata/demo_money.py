"""The demo's money engine: each state's 1003(g) SIG award (and its Race to the Top award where
that money arrived), their commitments attached and spent down within their period of
availability; New York's FY2025 SIG continuation, its period extended by an amendment and spent
slowly, at risk of lapsing for years; zone budgets for each zone's first fiscal year against what
was spent (some lines over); recurring costs in Colorado's Front Range Valley Zone with a gap after
the grant (a plan at one school); a withdrawn pledge and a voided expenditure, each with its reason.

Every state stays below the initiative's match (little private money reached the states).
Withdrawal, voiding and the amendment go through ``funding.lifecycle`` (as the initiative admin),
once: a second load finds them done.
"""

import datetime
from decimal import Decimal

from django.db.models import Sum

from accounts.models import User
from funding import lifecycle
from funding.models import Award, AwardAmendment, Budget, Commitment, Expenditure, RecurringCost

D = datetime.date
Category = Expenditure.Category
DRAWDOWN = "Drawdown"  # the description's start of the spending that spends an award down

# (funder, state, commitment description, period start; deadlines: None = the law's for formula funds).
# An award is named by the federal fiscal year of its funds: FY2010 money is available from July 2010.
AWARDS = [
    ("SIG", "CO", "1003(g) for zone schools", D(2010, 7, 1), None),
    ("SIG", "DE", "1003(g) for zone schools", D(2010, 7, 1), None),
    ("SIG", "LA", "1003(g) for zone schools", D(2010, 7, 1), None),
    ("SIG", "NY", "1003(g) for zone schools", D(2010, 7, 1), None),
    ("SIG", "IL", "1003(g) for zone schools", D(2011, 7, 1), None),
    ("SIG", "MA", "1003(g) for zone schools", D(2011, 7, 1), None),
    # Race to the Top sets its own deadlines: four years, then 120 days. Phase 3 money (CO, IL, LA)
    # never arrived in the demo, so it has no award.
    ("RTTT", "DE", "Partnership Zone (Round 1)", D(2010, 7, 1), (D(2014, 9, 30), D(2015, 1, 28))),
    ("RTTT", "MA", "Turnaround (Round 2)", D(2010, 10, 1), (D(2014, 9, 30), D(2015, 1, 28))),
    ("RTTT", "NY", "Turnaround (Round 2)", D(2010, 10, 1), (D(2014, 9, 30), D(2015, 1, 28))),
]
AWARD_NAMES = {"SIG": "FY{year} 1003(g) SIG", "RTTT": "Race to the Top (FY{year})"}

# New York's continuation: available from July 2025, the obligation deadline extended by two years.
CONTINUATION = {
    "name": "FY2025 1003(g) SIG continuation",
    "amount": Decimal("2000000.00"),
    "awarded_on": D(2025, 6, 20),
    "period_start": D(2025, 7, 1),
    "extended_to": (D(2029, 9, 30), D(2030, 1, 28)),
    "extended_on": D(2026, 6, 15),
    "reason": "Waiver of the period of availability: the district's zone schools start their extended day a year late.",
    "committed": Decimal("1500000.00"),
    "spending": [(D(2025, 10, 31), Decimal("40000.00")), (D(2026, 3, 31), Decimal("35000.00"))],
}

# Budgets of a zone's first fiscal year (within the zone's own committed money).
FIRST_YEAR_BUDGET = [
    (Category.PARTNER_SERVICES, Decimal("150000.00")),
    (Category.INCENTIVE_PAY, Decimal("120000.00")),
    (Category.OTHER, Decimal("80000.00")),
]

WITHDRAWN = {
    "description": "Extended-day match for Bayou Teche",
    "amount": Decimal("250000.00"),
    "pledged_on": D(2011, 1, 10),
    "withdrawn_on": D(2011, 9, 30),
    "reason": "The foundation redirected the grant when the zone's Lead Partner dropped its extended-day model.",
}
VOIDED = {
    "description": "Partner services invoice 2011-014",
    "amount": Decimal("18000.00"),
    "spent_on": D(2011, 2, 28),
    "voided_on": D(2011, 3, 15),
    "void_reason": "Entered twice: the same invoice is recorded on Feb 28 with the partner services of the zone.",
}
SUSTAINABILITY_PLAN = (
    "The district moves the extended day into its general fund from FY2014, half in the first year, "
    "the rest once the state's turnaround office funding is renewed."
)


def load(loader) -> None:
    """Add the money engine's rows to what ``loader`` (a devdata.demo.DemoLoader) has loaded."""
    from .demo import GATES, RTTT, SIG  # devdata.demo imports this module

    funders = {"SIG": loader.funders[SIG], "RTTT": loader.funders[RTTT]}
    zones = {}
    for zone, schools in loader.operating_zones:
        zones.setdefault(zone.state.postal_code, []).append((zone, schools))
    load_voided(loader, zones["CO"][0][0])  # before the drawdowns, which spend what is left
    for funder, postal_code, description, start, deadlines in AWARDS:
        commitment = Commitment.objects.get(
            funder=funders[funder], state=loader.states[postal_code], zone=None, description=description
        )
        award = load_award(loader, AWARD_NAMES[funder].format(year=start.year), commitment, start, deadlines)
        loader.upsert(Commitment, {"pk": commitment.pk}, award=award)
        spend_down(loader, commitment, award, [zone for zone, _schools in zones[postal_code]])
    load_continuation(loader, funders["SIG"], zones["NY"][0][0])
    for zone, _schools in loader.operating_zones:
        load_budgets(loader, zone)
    load_recurring_costs(loader, zones["CO"][0][1])
    load_withdrawn(loader, loader.funders[GATES], loader.states["LA"])


def load_award(loader, name, commitment, start, deadlines) -> Award:
    funder = commitment.funder
    obligation, liquidation = deadlines or Award.default_deadlines(funder.kind, start)
    return loader.upsert(
        Award,
        {"state": commitment.state, "name": name},
        funder=funder,
        amount=commitment.amount,
        awarded_on=commitment.committed_on,
        period_start=start,
        obligation_deadline=obligation,
        liquidation_deadline=liquidation,
    )


def spend_down(loader, commitment, award, zones) -> None:
    """Spend what the demo's other spending leaves of the award in its zones, in the award's second
    school year: the award ends spent, not lapsed."""
    other = commitment.expenditures.live().exclude(description__startswith=DRAWDOWN).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal("0.00")
    left = award.amount - other
    share = (left / len(zones)).quantize(Decimal("0.01"))
    for index, zone in enumerate(zones):
        amount = left - share * (len(zones) - 1) if index == len(zones) - 1 else share
        loader.upsert(
            Expenditure,
            {"commitment": commitment, "zone": zone, "description": f"{DRAWDOWN}: {award} in {zone}"},
            school=None,
            category=Category.ELT_COMPENSATION,
            amount=amount,
            spent_on=D(award.period_start.year + 1, 11, 30),
        )


def load_continuation(loader, sig, zone) -> None:
    """New York's FY2025 SIG: its deadlines extended by an amendment, $75,000 spent in 17 months."""
    spec = CONTINUATION
    state = zone.state
    default_obligation, default_liquidation = Award.default_deadlines(sig.kind, spec["period_start"])
    award = Award.objects.filter(state=state, name=spec["name"]).first() or loader.upsert(
        Award,
        {"state": state, "name": spec["name"]},
        funder=sig,
        amount=spec["amount"],
        awarded_on=spec["awarded_on"],
        period_start=spec["period_start"],
        obligation_deadline=default_obligation,
        liquidation_deadline=default_liquidation,
    )
    if not AwardAmendment.objects.filter(award=award).exists():
        obligation, liquidation = spec["extended_to"]
        lifecycle.amend_award(
            award,
            obligation_deadline=obligation,
            liquidation_deadline=liquidation,
            effective_on=spec["extended_on"],
            reason=spec["reason"],
            user=demo_admin(),
        )
    commitment = loader.upsert(
        Commitment,
        {"funder": sig, "initiative": loader.initiative, "state": state, "zone": None, "description": spec["name"]},
        award=award,
        recipient_level=Commitment.RecipientLevel.STATE,
        amount=spec["committed"],
        period_start=spec["period_start"],
        period_end=D(2029, 6, 30),
        status=Commitment.Status.RECEIVED,
        pledged_on=spec["awarded_on"],
        committed_on=D(2025, 7, 1),
        received_on=D(2025, 8, 15),
    )
    for spent_on, amount in spec["spending"]:
        loader.upsert(
            Expenditure,
            {"commitment": commitment, "zone": zone, "school": None, "category": Category.OTHER, "spent_on": spent_on},
            amount=amount,
            description=f"Extended-day planning — {zone}",
        )


def load_budgets(loader, zone) -> None:
    """The zone's first fiscal year, where the zone has money committed to it."""
    committed = Commitment.objects.filter(zone=zone, status__in=Budget.AVAILABLE_STATUSES).exists()
    if not committed:
        return
    for category, amount in FIRST_YEAR_BUDGET:
        loader.upsert(
            Budget, {"zone": zone, "fiscal_year": zone.launch_year_start + 1, "category": category}, amount=amount
        )


def load_recurring_costs(loader, schools) -> None:
    """Extended learning time (60 minutes a day) and incentive pay at each school, paid by the
    state's SIG until June 2013; the state pays half the extended day of the first two schools after."""
    state = schools[0].district.state
    sig = Commitment.objects.get(state=state, zone=None, description="1003(g) for zone schools")
    state_funds = next(funder for funder in loader.funders.values() if funder.state_id == state.pk)
    for index, school in enumerate(schools):
        elt = Decimal(school.enrollment * 350)
        after = (elt / 2).quantize(Decimal("0.01")) if index < 2 else Decimal("0.00")
        loader.upsert(
            RecurringCost,
            {"school": school, "category": Category.ELT_COMPENSATION},
            annual_cost=elt,
            added_minutes_per_day=60,
            paid_by=sig,
            funder_after_grant=state_funds if after else None,
            amount_after_grant=after,
            plan=SUSTAINABILITY_PLAN if index == 0 else "",
        )
        loader.upsert(
            RecurringCost,
            {"school": school, "category": Category.INCENTIVE_PAY},
            annual_cost=Decimal("25000.00"),
            added_minutes_per_day=None,
            paid_by=sig,
            plan=SUSTAINABILITY_PLAN if index == 0 else "",
        )


def load_withdrawn(loader, funder, state) -> None:
    """A private pledge to Louisiana, withdrawn with its reason (kept, never counted)."""
    spec = WITHDRAWN
    commitment = loader.upsert(
        Commitment,
        {"funder": funder, "initiative": loader.initiative, "state": state, "description": spec["description"]},
        recipient_level=Commitment.RecipientLevel.STATE,
        amount=spec["amount"],
        period_start=D(2011, 7, 1),
        period_end=D(2013, 6, 30),
        pledged_on=spec["pledged_on"],
    )
    if not commitment.is_withdrawn:
        lifecycle.withdraw_commitment(commitment, on=spec["withdrawn_on"], reason=spec["reason"], user=demo_admin())


def load_voided(loader, zone) -> None:
    """An invoice entered twice in Colorado, voided with its reason (kept, never counted)."""
    sig = Commitment.objects.get(state=zone.state, zone=None, description="1003(g) for zone schools")
    spec = VOIDED
    expenditure = Expenditure.objects.filter(commitment=sig, zone=zone, description=spec["description"]).first()
    if expenditure is None:
        expenditure = loader.upsert(
            Expenditure,
            {"commitment": sig, "zone": zone, "description": spec["description"]},
            school=None,
            category=Category.PARTNER_SERVICES,
            amount=spec["amount"],
            spent_on=spec["spent_on"],
        )
    if not expenditure.is_voided:
        lifecycle.void_expenditure(expenditure, reason=spec["void_reason"], on=spec["voided_on"], user=demo_admin())


def demo_admin():
    """The initiative admin who records the demo's lifecycle steps."""
    from .demo import demo_email  # devdata.demo imports this module

    return User.objects.get(email=demo_email("admin"))
