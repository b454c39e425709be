"""The demo's autonomy ledger: each zone's autonomy agreement as granted terms (what the demo zones
held as four booleans before the ledger), a Lead Partner's check-in that led the state to contest
a term, a Lead Partner's request, and earned autonomy granted on the renewal decision (and on an
issued annual review, when the contracts demo made one). Written through ``autonomy.ledger``, so
the demo's rows obey the ledger's rules; idempotent: what exists is left as it is."""

import datetime

from accounts.models import User
from autonomy import ledger
from autonomy.choices import LegalSource, Power, Practice, TermStatus
from autonomy.models import AutonomyCheckIn, AutonomyTerm
from contracts.choices import ReviewStatus
from contracts.models import AnnualReview
from zones.models import Zone

D = datetime.date

# What each demo zone's autonomy agreement grants (the StatusUpdate notes name the same areas).
AGREEMENTS = {
    "Front Range Valley Zone": ("staffing", "scheduling", "curriculum", "budget"),
    "Arkansas Basin Zone": ("staffing", "scheduling"),
    "Brandywine Creek Partnership Zone": ("staffing", "scheduling", "curriculum", "budget"),
    "Prairie River Zone": ("scheduling", "curriculum"),
    "Kaskaskia Valley Zone": ("staffing", "scheduling", "budget"),
    "Bayou Teche Zone": ("staffing", "scheduling", "curriculum", "budget"),
    "Merrimack-Pioneer Zone": ("staffing", "scheduling", "curriculum"),
    "Merrimack Mills Middle Grades Zone": ("scheduling",),  # planning: asked for, no agreement yet
    "Hudson Harbor Zone": ("staffing", "scheduling", "curriculum", "budget"),
    "Mohawk Falls Zone": ("scheduling", "curriculum"),
}
POWERS = {
    "staffing": Power.STAFFING,
    "scheduling": Power.SCHEDULE,
    "curriculum": Power.CURRICULUM,
    "budget": Power.BUDGET,
}
CLAUSES = {Power.STAFFING: "§3.1", Power.SCHEDULE: "§3.2", Power.CURRICULUM: "§3.3", Power.BUDGET: "§3.4"}
DESCRIPTIONS = {
    Power.STAFFING: "The zone selects, assigns and releases its schools' staff.",
    Power.SCHEDULE: "The zone sets its schools' calendar and daily schedule.",
    Power.CURRICULUM: "The zone chooses its schools' curriculum and assessments.",
    Power.BUDGET: "The zone allocates its schools' budgets.",
}
PLACEMENT_NOTE = (
    "Granted staffing authority, but the district placed 4 teachers at Cottonwood Middle School in August "
    "under the seniority transfer rules, without the zone's interviews."
)
CONTESTED_REASON = (
    "The district's placements override the zone's staffing authority (MOU §3.1); raised with the "
    "superintendent, the term is contested until the transfer rules exempt the zone."
)


def load(loader) -> None:
    """Add the demo's autonomy to what ``loader`` (a devdata.demo.DemoLoader) has loaded."""
    from .demo import demo_email  # the loader's module imports this one

    admin = User.objects.get(email=demo_email("admin"))
    colorado_lead = User.objects.get(email=demo_email("lead.co"))

    def state_lead(zone):
        return colorado_lead if zone.state.postal_code == "CO" else admin

    for zone, _schools in loader.operating_zones:
        for area in AGREEMENTS[zone.name]:
            power = POWERS[area]
            term = AutonomyTerm(
                zone=zone,
                area=power.area,
                power=power,
                description=DESCRIPTIONS[power],
                source=LegalSource.MOU_CLAUSE,
                source_reference=f"Autonomy agreement {CLAUSES[power]}",
                status=TermStatus.GRANTED,
                effective_from=zone.autonomy_agreement_date,
                evidence_url=zone.autonomy_agreement_url,
            )
            _term(loader, term, by=state_lead(zone), reason="Granted in the signed autonomy agreement.")
    planning = Zone.objects.filter(name="Merrimack Mills Middle Grades Zone").select_related("lead_partner").first()
    if planning is not None:
        for area in AGREEMENTS[planning.name]:
            power = POWERS[area]
            term = AutonomyTerm(zone=planning, area=power.area, power=power, description=DESCRIPTIONS[power])
            staff = loader.partner_staff[planning.lead_partner.name]
            _term(loader, term, by=staff, reason="Asked for in the zone's draft autonomy agreement.")
    zone, _schools = loader.operating_zones[0]  # Colorado's Front Range Valley Zone
    _contested_after_check_in(loader, zone, colorado_lead)
    _earned_autonomy(loader, zone, colorado_lead)


def _term(loader, term: AutonomyTerm, *, by, reason: str) -> AutonomyTerm:
    """The zone's term of that power, recorded through the ledger the first time."""
    existing = AutonomyTerm.objects.filter(zone=term.zone, power=term.power).first()
    if existing is not None:
        loader.counts["unchanged"] += 1
        return existing
    loader.counts["created"] += 1
    return ledger.create_term(term, by=by, reason=reason)


def _contested_after_check_in(loader, zone, lead) -> None:
    """The Lead Partner reports that the staffing term does not hold; the state contests it."""
    term = AutonomyTerm.objects.get(zone=zone, power=Power.STAFFING)
    staff = loader.partner_staff[zone.lead_partner.name]
    observed_on = D(zone.launch_year_start, 9, 10)
    check_in = AutonomyCheckIn.objects.filter(term=term, observed_on=observed_on).first()
    if check_in is None:
        check_in = ledger.record_check_in(
            term, practice=Practice.DOES_NOT_HOLD, note=PLACEMENT_NOTE, observed_on=observed_on, by=staff
        )
        loader.counts["created"] += 1
    if term.status == TermStatus.GRANTED:
        ledger.change_term_status(
            term,
            TermStatus.CONTESTED,
            reason=CONTESTED_REASON,
            by=lead,
            effective_on=D(zone.launch_year_start, 9, 20),
            check_in=check_in,
        )
        loader.counts["created"] += 1
    schedule = AutonomyTerm.objects.get(zone=zone, power=Power.SCHEDULE)
    observed_on = D(zone.launch_year_start, 10, 1)
    if not AutonomyCheckIn.objects.filter(term=schedule, observed_on=observed_on).exists():
        ledger.record_check_in(
            schedule,
            practice=Practice.HOLDS,
            note="The extended day runs to 4:30pm in all four schools.",
            observed_on=observed_on,
            by=staff,
        )
        loader.counts["created"] += 1


def _earned_autonomy(loader, zone, lead) -> None:
    """Earned autonomy: the Lead Partner asks for control of extended learning time; the state grants
    it on the renewal decision to continue (and on the zone's issued annual review, if any)."""
    staff = loader.partner_staff[zone.lead_partner.name]
    request = AutonomyTerm(
        zone=zone,
        area=Power.EXTENDED_LEARNING_TIME.area,
        power=Power.EXTENDED_LEARNING_TIME,
        description="The zone sets the length and staffing of its extended learning time.",
        source=LegalSource.STATE_WAIVER,
        source_reference="Waiver of the 6.5-hour instructional day rule",
    )
    term = _term(loader, request, by=staff, reason="The extended day works; the zone asks to run it itself.")
    decision = zone.renewal_decisions.order_by("-decided_on").first()
    if term.status == TermStatus.REQUESTED and decision is not None:
        ledger.change_term_status(
            term,
            TermStatus.GRANTED,
            reason="Earned autonomy: the state continues the zone after two years of met targets.",
            by=lead,
            effective_on=decision.decided_on,
            renewal_decision=decision,
        )
        loader.counts["created"] += 1
    review = (
        AnnualReview.objects.filter(contract__zone=zone, status=ReviewStatus.ISSUED).order_by("-school_year").first()
    )
    instruction = AutonomyTerm.objects.filter(zone=zone, power=Power.INSTRUCTION).first()
    if review is None or instruction is not None:
        return  # no review to earn it on yet, or earned already
    asked = AutonomyTerm(
        zone=zone,
        area=Power.INSTRUCTION.area,
        power=Power.INSTRUCTION,
        description="The zone sets its instructional model and coaching.",
        source=LegalSource.BOARD_POLICY,
        source_reference="Board policy on autonomous schools",
    )
    instruction = _term(loader, asked, by=staff, reason="Asked for with the Lead Partner's annual review response.")
    issued_on = review.issued_at.date() if review.issued_at else zone.renewal_on
    ledger.change_term_status(
        instruction,
        TermStatus.GRANTED,
        reason=f"Earned autonomy: granted on the {review.school_year} annual review.",
        by=lead,
        effective_on=issued_on,
        annual_review=review,
    )
    loader.counts["created"] += 1
