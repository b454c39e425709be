"""funding/services.py totals and the private:public match, against sums worked out by hand."""

from decimal import Decimal

import pytest

from funding.models import Commitment, Expenditure, Funder
from funding.services import funding_totals, funding_totals_by, state_level_spent_by_zone
from tests.factories import CommitmentFactory, ExpenditureFactory, FunderFactory, LaunchedZoneFactory, StateFactory

pytestmark = pytest.mark.django_db
PRIVATE, FORMULA, COMPETITIVE = "private_foundation", "federal_formula", "federal_competitive"


@pytest.fixture
def funding():
    """State A: private 100,000 received and 50,000 committed to its zone; public 300,000 committed and
    200,000 pledged; 35,000 of the received money spent in the zone (15,000 of it teacher compensation).
    State B: public 80,000 received; 1,000 spent."""
    funders = {kind: FunderFactory(kind=kind) for kind in (PRIVATE, FORMULA, COMPETITIVE)}
    zone = LaunchedZoneFactory()
    state_a, state_b = zone.state, StateFactory()

    def commit(kind, amount, status, state=state_a, zone=None):
        level = Commitment.RecipientLevel.ZONE if zone else Commitment.RecipientLevel.STATE
        return CommitmentFactory(
            funder=funders[kind], state=state, zone=zone, recipient_level=level, amount=Decimal(amount), status=status
        )

    private_received = commit(PRIVATE, "100000", "received")
    commit(PRIVATE, "50000", "committed", zone=zone)
    commit(FORMULA, "300000", "committed")
    commit(COMPETITIVE, "200000", "pledged")
    public_b = commit(FORMULA, "80000", "received", state=state_b)
    school = zone.schools.first()
    spend = Expenditure.Category
    ExpenditureFactory(commitment=private_received, zone=zone, category=spend.ELT_COMPENSATION, amount=Decimal(10000))
    ExpenditureFactory(
        commitment=private_received, school=school, zone=None, category=spend.INCENTIVE_PAY, amount=Decimal(5000)
    )
    ExpenditureFactory(commitment=private_received, zone=zone, category=spend.PARTNER_SERVICES, amount=Decimal("20000"))
    ExpenditureFactory(
        commitment=public_b, zone=LaunchedZoneFactory(state=state_b), category=spend.OTHER, amount=Decimal("1000")
    )
    return {"zone": zone, "state_a": state_a, "state_b": state_b}


def money(value):
    return Decimal(value).quantize(Decimal("0.01"))


def test_totals_count_each_commitment_at_every_stage_it_reached(funding):
    totals = funding_totals(Commitment.objects.filter(state=funding["state_a"]))
    assert (totals.pledged_public, totals.pledged_private) == (money(500000), money(150000))
    assert (totals.committed_public, totals.committed_private) == (money(300000), money(150000))
    assert (totals.received_public, totals.received_private) == (money(0), money(100000))
    assert (totals.pledged, totals.committed, totals.received) == (money(650000), money(450000), money(100000))


def test_totals_over_everything(funding):
    totals = funding_totals()
    assert totals.committed_public == money(380000)
    assert totals.spent == money(36000)
    assert totals.teacher_compensation == money(15000)
    assert totals.spent_by_category == {
        "elt_compensation": money(10000),
        "incentive_pay": money(5000),
        "partner_services": money(20000),
        "other": money(1000),
    }
    assert str(totals.spent) == "36000.00"


def test_totals_by_state(funding):
    by_state = funding_totals_by("state")
    a, b = by_state[funding["state_a"].pk], by_state[funding["state_b"].pk]
    assert (a.committed, a.spent, a.teacher_compensation) == (money(450000), money(35000), money(15000))
    assert (b.received_public, b.spent) == (money(80000), money(1000))


def test_totals_by_zone_count_only_zone_commitments(funding):
    zone = funding_totals_by("zone")[funding["zone"].pk]
    assert (zone.committed_private, zone.committed_public) == (money(50000), money(0))
    # Everything spent in the zone came from state-level commitments: not the zone's spending
    # (it would show spent above received), but shown apart, the school's incentive pay included.
    assert zone.spent == money(0)
    assert state_level_spent_by_zone(Expenditure.objects.all()) == {
        funding["zone"].pk: money(35000),
        Expenditure.objects.get(category="other").zone_id: money(1000),
    }


def test_no_commitments_means_no_money():
    assert funding_totals().pledged == money(0)


def test_totals_are_grouped_by_state_or_zone_only():
    with pytest.raises(ValueError):
        funding_totals_by("district")


def test_as_dict_groups_by_source(funding):
    data = funding_totals(Commitment.objects.filter(state=funding["state_a"])).as_dict()
    assert data["private"] == {"pledged": money(150000), "committed": money(150000), "received": money(100000)}
    assert data["public"]["pledged"] == money(500000)
    assert data["pledged"] == money(650000)


def test_funder_kind_decides_private(funding):
    assert Funder.objects.get(kind=PRIVATE).is_private
    assert not Funder.objects.get(kind=COMPETITIVE).is_private


def test_commitment_spent(funding):
    received = Commitment.objects.get(funder__kind=PRIVATE, status="received")
    assert received.spent == money(35000)
    assert Commitment.objects.get(funder__kind=COMPETITIVE).spent == money(0)
