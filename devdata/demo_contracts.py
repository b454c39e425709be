"""The demo's performance contracts and annual reviews: an active five-year contract per operating
zone (with its deliverables and targets), and per Lead Partner one issued review of its first
zone's launch year, its scorecard frozen as of the August after, the first one answered."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from contracts.models import AnnualReview, ContractDeliverable, ContractTarget, PerformanceContract
from contracts.scorecard import review_scorecard
from core.validators import school_year_from_start, school_year_start

TERM_YEARS = 5
RATINGS = [  # (academic, operational, financial), one per Lead Partner in turn
    ("meets", "approaching", "meets"),
    ("approaching", "meets", "exceeds"),
    ("does_not_meet", "approaching", "meets"),
]
RESPONSE = (
    "We accept the operational finding: two periods were submitted late while the data lead post "
    "was vacant. It is filled since August, and every fall period has been submitted on time."
)


def load(loader) -> None:
    """Add the demo's contracts to what ``loader`` (a devdata.demo.DemoLoader) has loaded."""
    from .demo import demo_email  # here: demo.py imports this module

    reviewer = get_user_model().objects.get(email=demo_email("admin"))
    reviewed = set()
    for zone, _schools in loader.operating_zones:
        start = school_year_start(zone.launch_school_year)
        contract = loader.upsert(
            PerformanceContract,
            {"zone": zone, "starts_on": datetime.date(start, 7, 1)},
            lead_partner=zone.lead_partner,
            status=PerformanceContract.Status.ACTIVE,
            ends_on=datetime.date(start + TERM_YEARS, 6, 30),
            signed_on=datetime.date(start, 6, 15),
            renewal_conditions="Renewed for three years when every school meets its year-two targets "
            "and no annual review rates a part below 'approaching expectations'.",
            termination_conditions="Terminated when two consecutive annual reviews do not meet expectations "
            "academically, or on a material breach of the MOU.",
        )
        load_deliverables(loader, contract, start)
        load_targets(loader, contract, start)
        if zone.lead_partner_id not in reviewed:
            load_review(loader, contract, start, reviewer, RATINGS[len(reviewed) % len(RATINGS)], first=not reviewed)
            reviewed.add(zone.lead_partner_id)


def load_deliverables(loader, contract, start: int) -> None:
    for title, due_on, delivered_on in (
        ("90-day launch plan", datetime.date(start, 9, 30), datetime.date(start, 9, 20)),
        ("Year-one staffing report", datetime.date(start + 1, 6, 30), datetime.date(start + 1, 7, 21)),
        ("Extended learning time schedule", datetime.date(start + 1, 8, 15), None),
    ):
        loader.upsert(
            ContractDeliverable,
            {"contract": contract, "title": title},
            due_on=due_on,
            delivered_on=delivered_on,
            evidence_url="https://example.org/demo/deliverables" if delivered_on else "",
        )


def load_targets(loader, contract, start: int) -> None:
    for code, level, year in (
        ("ela-proficiency", "35.00", start),
        ("ela-proficiency", "45.00", start + 1),
        ("attendance-rate", "92.00", start),
        ("chronic-absenteeism", "20.00", start + 1),
    ):
        loader.upsert(
            ContractTarget,
            {"contract": contract, "metric": loader.metrics[code], "school_year": school_year_from_start(year)},
            level=Decimal(level),
        )


def load_review(loader, contract, start: int, reviewer, ratings, *, first: bool) -> None:
    school_year = school_year_from_start(start)
    academic, operational, financial = ratings
    scorecard = review_scorecard(contract, school_year, as_of=datetime.date(start + 1, 8, 31)).as_dict()
    response = {}
    if first:
        staff = loader.partner_staff[contract.lead_partner.name]
        when = datetime.datetime(start + 1, 9, 30, 15, tzinfo=datetime.UTC)
        response = {"response": RESPONSE, "responded_by": staff, "responded_at": when}
    loader.upsert(
        AnnualReview,
        {"contract": contract, "school_year": school_year},
        status=AnnualReview.Status.ISSUED,
        reviewer=reviewer,
        academic_rating=academic,
        academic_narrative=f"Contract targets for {school_year}: see the figures; the zone's schools stand as shown.",
        operational_rating=operational,
        operational_narrative="Status updates came regularly; some reporting periods came in late.",
        financial_rating=financial,
        financial_narrative="Spending followed the zone's commitments.",
        scorecard=scorecard,
        issued_at=datetime.datetime(start + 1, 9, 15, 15, tzinfo=datetime.UTC),
        **response,
    )
