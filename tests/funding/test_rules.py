"""Money is a positive Decimal with two places; commitments move forward only; spending stays
within a commitment's amount and scope."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from funding.models import Commitment, Expenditure
from tests.factories import (
    CommitmentFactory,
    ExpenditureFactory,
    FunderFactory,
    InitiativeFactory,
    LaunchedZoneFactory,
    StateFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def unsaved_commitment(**kwargs):
    """An unsaved commitment (its funder saved), to validate."""
    return CommitmentFactory.build(funder=FunderFactory(), **kwargs)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("100.005"), "2 decimal places"),
        (Decimal("0.00"), "greater than or equal to 0.01"),
        (Decimal("-5.00"), "greater than or equal to 0.01"),
        (Decimal("1000000000000.00"), "14 digits"),
    ],
)
def test_commitment_amounts_are_positive_money(invalid, amount, message):
    errors = invalid(unsaved_commitment(state=StateFactory(), amount=amount), "amount")
    assert message in errors["amount"][0]


def test_money_keeps_two_places():
    commitment = CommitmentFactory(amount=Decimal("1234.5"))
    commitment.refresh_from_db()
    assert str(commitment.amount) == "1234.50"


def test_the_database_refuses_non_positive_amounts():
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentFactory(amount=Decimal("0"))


def test_initiative_targets_are_not_negative(invalid):
    invalid(InitiativeFactory.build(name="Other", public_funding_target=Decimal("-1.00")), "public_funding_target")


def test_initiative_target_match_ratio():
    initiative = InitiativeFactory()
    assert initiative.total_funding_target == Decimal("75000000.00")
    assert initiative.target_match_ratio.quantize(Decimal("0.01")) == Decimal("0.67")


def test_a_commitment_advances_forward_and_dates_each_step():
    commitment = CommitmentFactory()
    commitment.advance(Commitment.Status.COMMITTED, D(2010, 5, 1), reason="Funder letter")
    commitment.advance(Commitment.Status.RECEIVED, D(2010, 9, 1), reason="Funder letter")
    commitment.refresh_from_db()
    assert (commitment.status, commitment.committed_on, commitment.received_on) == (
        "received",
        D(2010, 5, 1),
        D(2010, 9, 1),
    )


def test_advancing_straight_to_received_dates_both_steps():
    commitment = CommitmentFactory()
    commitment.advance(Commitment.Status.RECEIVED, D(2010, 9, 1), reason="Funder letter")
    assert (commitment.committed_on, commitment.received_on) == (D(2010, 9, 1), D(2010, 9, 1))


def test_advance_refuses_to_stand_still_or_go_back():
    commitment = CommitmentFactory(status=Commitment.Status.COMMITTED)
    for status in (Commitment.Status.COMMITTED, Commitment.Status.PLEDGED):
        with pytest.raises(ValidationError):
            commitment.advance(status, D(2011, 1, 1), reason="Funder letter")


@pytest.mark.parametrize(
    ("previous", "new"),
    [("committed", "pledged"), ("received", "committed"), ("received", "pledged")],
)
def test_a_saved_commitment_never_moves_back(invalid, previous, new):
    commitment = CommitmentFactory(status=previous)
    commitment.status = new
    errors = invalid(commitment, "status")
    assert "forward only" in errors["status"][0]


def test_status_dates_are_required_and_in_order(invalid):
    state = StateFactory()
    invalid(unsaved_commitment(state=state, status="committed", committed_on=None), "committed_on")
    invalid(unsaved_commitment(state=state, status="received", received_on=None), "received_on")
    invalid(
        unsaved_commitment(state=state, status="committed", pledged_on=D(2010, 5, 1), committed_on=D(2010, 4, 1)),
        "committed_on",
    )
    invalid(
        unsaved_commitment(state=state, status="received", committed_on=D(2010, 5, 1), received_on=D(2010, 4, 1)),
        "received_on",
    )
    invalid(unsaved_commitment(state=state, period_start=D(2011, 1, 1), period_end=D(2010, 1, 1)), "period_end")


def test_recipient_level_names_the_right_recipient(invalid):
    state = StateFactory()
    zone = ZoneFactory(state=state)
    level = Commitment.RecipientLevel
    invalid(unsaved_commitment(state=state, recipient_level=level.ZONE), "zone")
    invalid(unsaved_commitment(state=state, zone=zone, recipient_level=level.STATE), "zone")
    invalid(unsaved_commitment(state=state, recipient_level=level.INITIATIVE), "recipient_level")
    zone_commitment = unsaved_commitment(state=None, initiative=state.initiative, zone=zone, recipient_level="zone")
    zone_commitment.full_clean()
    assert zone_commitment.state == state


def test_a_commitment_stays_within_its_initiative(invalid):
    state = StateFactory()
    other = InitiativeFactory(name="Another initiative")
    invalid(unsaved_commitment(state=state, initiative=other), "state")


def test_spending_stays_within_the_commitment_amount(invalid):
    commitment = CommitmentFactory(amount=Decimal("1000.00"), status="received")
    zone = ZoneFactory(state=commitment.state)
    ExpenditureFactory(commitment=commitment, zone=zone, amount=Decimal("600.00"))
    errors = invalid(ExpenditureFactory.build(commitment=commitment, zone=zone, amount=Decimal("400.01")), "amount")
    assert "$400.00" in errors["amount"][0]
    ExpenditureFactory.build(commitment=commitment, zone=zone, amount=Decimal("400.00")).full_clean()


@pytest.mark.parametrize("status", ["pledged", "committed"])
def test_money_not_yet_received_cannot_be_spent(invalid, status):
    commitment = CommitmentFactory(amount=Decimal("1000.00"), status=status)
    zone = ZoneFactory(state=commitment.state)
    errors = invalid(ExpenditureFactory.build(commitment=commitment, zone=zone, amount=Decimal("1.00")), "amount")
    assert errors["amount"] == [
        f"This commitment is {status}, not yet received; record its money as received before spending it."
    ]
    commitment.advance("received", D(2010, 9, 1), reason="Funder letter")
    ExpenditureFactory.build(commitment=commitment, zone=zone, amount=Decimal("1000.00")).full_clean()


def test_editing_an_expenditure_does_not_count_it_twice():
    commitment = CommitmentFactory(amount=Decimal("1000.00"), status="received")
    expenditure = ExpenditureFactory(commitment=commitment, amount=Decimal("900.00"))
    expenditure.amount = Decimal("1000.00")
    expenditure.full_clean()


def test_spending_stays_within_the_commitment_scope(invalid):
    state_commitment = CommitmentFactory(status="received")
    invalid(ExpenditureFactory.build(commitment=state_commitment, zone=ZoneFactory()), "commitment")
    zone = ZoneFactory(state=state_commitment.state)
    zone_commitment = CommitmentFactory(state=zone.state, zone=zone, recipient_level="zone", status="received")
    sibling = ZoneFactory(state=zone.state)
    invalid(ExpenditureFactory.build(commitment=zone_commitment, zone=sibling), "commitment")
    ExpenditureFactory.build(commitment=zone_commitment, zone=zone).full_clean()


def test_a_school_expenditure_counts_for_its_zone_and_state():
    zone = LaunchedZoneFactory()
    school = zone.schools.first()
    commitment = CommitmentFactory(state=zone.state, status="received")
    expenditure = Expenditure(
        commitment=commitment, school=school, category="incentive_pay", amount=Decimal("10.00"), spent_on=D(2010, 9, 1)
    )
    expenditure.full_clean()
    expenditure.save()
    assert (expenditure.zone, expenditure.state) == (zone, zone.state)


def test_an_expenditure_is_made_somewhere_and_not_before_the_pledge(invalid):
    commitment = CommitmentFactory(pledged_on=D(2010, 3, 1), status="received")
    invalid(ExpenditureFactory.build(commitment=commitment, zone=None), "zone")
    zone = LaunchedZoneFactory(state=commitment.state)
    invalid(ExpenditureFactory.build(commitment=commitment, zone=zone, spent_on=D(2010, 2, 28)), "spent_on")
    outsider = LaunchedZoneFactory(state=commitment.state).schools.first()
    invalid(ExpenditureFactory.build(commitment=commitment, zone=zone, school=outsider), "school")
