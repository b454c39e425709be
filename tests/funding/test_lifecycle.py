"""funding.lifecycle: withdraw a commitment, void an expenditure, delete a commitment nobody moved
money on, save and amend an award. Totals and the match are checked against sums worked out here."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from core.concurrency import StaleRecord
from funding import lifecycle
from funding.match import state_matches
from funding.models import Award, AwardAmendment, Commitment, Expenditure, Funder
from funding.services import funding_totals
from tests.factories import AwardFactory, CommitmentFactory, ExpenditureFactory, FunderFactory, LaunchedZoneFactory
from tests.worlds import member

pytestmark = pytest.mark.django_db
D = datetime.date
PRIVATE, FORMULA = Funder.Kind.PRIVATE_FOUNDATION, Funder.Kind.FEDERAL_FORMULA


@pytest.fixture
def zone():
    return LaunchedZoneFactory()


@pytest.fixture
def lead(zone):
    return member(Role.STATE_LEAD, state=zone.state)


def commit(zone, kind, amount, status=Commitment.Status.COMMITTED, **kwargs):
    return CommitmentFactory(
        funder=kwargs.pop("funder", None) or FunderFactory(kind=kind),
        state=zone.state,
        amount=Decimal(amount),
        status=status,
        **kwargs,
    )


def refused_code(error: ValidationError) -> set:
    return {item.code for item in error.error_list}


# --- withdraw -------------------------------------------------------------------------------------


def test_a_withdrawn_commitment_leaves_the_totals_and_the_match(zone, lead):
    public = commit(zone, FORMULA, "200000")
    private = commit(zone, PRIVATE, "50000")
    commit(zone, PRIVATE, "30000")
    lifecycle.withdraw_commitment(private, on=D(2011, 2, 1), reason="The foundation changed its priorities.", user=lead)

    in_state = Commitment.objects.filter(state=zone.state)
    totals = funding_totals(in_state)
    assert totals.committed == Decimal("230000.00")  # 200,000 + 30,000
    assert totals.committed_private == Decimal("30000.00")
    standing = state_matches([zone.state], in_state)[zone.state.pk].standing
    assert (standing.public, standing.private) == (Decimal("200000.00"), Decimal("30000.00"))
    assert public.status == Commitment.Status.COMMITTED

    private.refresh_from_db()
    assert (private.status, private.withdrawn_on) == (Commitment.Status.WITHDRAWN, D(2011, 2, 1))
    latest = private.history.first()
    assert latest.history_change_reason == "The foundation changed its priorities."
    assert latest.history_user == lead


def test_withdrawal_is_refused_while_live_spending_draws_on_it(zone, lead):
    commitment = commit(zone, PRIVATE, "50000", Commitment.Status.RECEIVED)
    expenditure = ExpenditureFactory(commitment=commitment, zone=zone, amount=Decimal("1500.00"))
    with pytest.raises(ValidationError) as refused:
        lifecycle.withdraw_commitment(commitment, on=D(2011, 2, 1), reason="Withdrawn", user=lead)
    assert "$1,500.00 of this commitment is spent; it cannot be withdrawn" in refused.value.messages[0]
    assert refused_code(refused.value) == {"wrong_step"}
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.RECEIVED

    lifecycle.void_expenditure(expenditure, reason="Entered twice.", user=lead)
    lifecycle.withdraw_commitment(commitment, on=D(2011, 2, 1), reason="Withdrawn", user=lead)
    assert Commitment.objects.get(pk=commitment.pk).is_withdrawn


def test_a_withdrawn_commitment_stays_withdrawn(zone, lead):
    commitment = commit(zone, PRIVATE, "50000")
    lifecycle.withdraw_commitment(commitment, on=D(2011, 2, 1), reason="Withdrawn", user=lead)
    with pytest.raises(ValidationError, match="stays withdrawn"):
        lifecycle.withdraw_commitment(commitment, on=D(2011, 3, 1), reason="Again", user=lead)
    stored = Commitment.objects.get(pk=commitment.pk)
    stored.status, stored.withdrawn_on, stored._change_reason = Commitment.Status.COMMITTED, None, "Back"
    with pytest.raises(ValidationError, match="stays withdrawn"):
        stored.save()


def test_withdrawal_needs_a_reason_a_date_and_the_permission(zone, lead):
    commitment = commit(zone, PRIVATE, "50000")
    with pytest.raises(ValidationError) as missing:
        lifecycle.withdraw_commitment(commitment, on=D(2011, 2, 1), reason="  ", user=lead)
    assert "reason" in missing.value.message_dict
    with pytest.raises(ValidationError) as undated:
        lifecycle.withdraw_commitment(commitment, on=None, reason="Withdrawn", user=lead)
    assert "withdrawn_on" in undated.value.message_dict
    with pytest.raises(PermissionDenied):
        lifecycle.withdraw_commitment(
            commitment, on=D(2011, 2, 1), reason="Withdrawn", user=member(Role.STATE_VIEWER, state=zone.state)
        )
    assert Commitment.objects.get(pk=commitment.pk).status == Commitment.Status.COMMITTED


def test_withdrawal_from_an_older_copy_is_refused(zone, lead):
    commitment = commit(zone, PRIVATE, "50000")
    other = Commitment.objects.get(pk=commitment.pk)
    other.description = "Changed meanwhile"
    other.save()
    with pytest.raises(StaleRecord):
        lifecycle.withdraw_commitment(commitment, on=D(2011, 2, 1), reason="Withdrawn", user=lead)


# --- void -------------------------------------------------------------------------------------------


def test_a_voided_expenditure_is_kept_but_not_counted(zone, lead):
    commitment = commit(zone, PRIVATE, "10000", Commitment.Status.RECEIVED)
    mistaken = ExpenditureFactory(commitment=commitment, zone=zone, amount=Decimal("10000.00"))
    with pytest.raises(ValidationError, match=r"Only \$0\.00"):
        ExpenditureFactory(commitment=commitment, zone=zone, amount=Decimal("1.00"))

    lifecycle.void_expenditure(mistaken, reason="Booked on the wrong grant.", user=lead, on=D(2011, 1, 5))

    assert funding_totals(Commitment.objects.filter(pk=commitment.pk)).spent == Decimal("0.00")
    # The voided row no longer takes the commitment's money: the whole amount may be spent again.
    ExpenditureFactory(commitment=commitment, zone=zone, amount=Decimal("10000.00"))
    assert funding_totals(Commitment.objects.filter(pk=commitment.pk)).spent == Decimal("10000.00")
    stored = Expenditure.objects.get(pk=mistaken.pk)
    assert (stored.voided_on, stored.void_reason) == (D(2011, 1, 5), "Booked on the wrong grant.")
    assert stored.history.first().history_change_reason == "Booked on the wrong grant."


def test_a_voided_expenditure_cannot_be_changed_or_voided_again(zone, lead):
    expenditure = ExpenditureFactory(commitment=commit(zone, PRIVATE, "10000", Commitment.Status.RECEIVED), zone=zone)
    lifecycle.void_expenditure(expenditure, reason="Mistake", user=lead)
    with pytest.raises(ValidationError, match="was voided on"):
        lifecycle.void_expenditure(expenditure, reason="Again", user=lead)
    stored = Expenditure.objects.get(pk=expenditure.pk)
    stored.amount = Decimal("5.00")
    with pytest.raises(ValidationError, match="cannot be changed"):
        stored.save()
    assert Expenditure.objects.get(pk=expenditure.pk).amount == expenditure.amount


def test_voiding_needs_a_reason(zone, lead):
    expenditure = ExpenditureFactory(commitment=commit(zone, PRIVATE, "10000", Commitment.Status.RECEIVED), zone=zone)
    with pytest.raises(ValidationError) as missing:
        lifecycle.void_expenditure(expenditure, reason="", user=lead)
    assert "reason" in missing.value.message_dict
    assert not Expenditure.objects.get(pk=expenditure.pk).is_voided


# --- delete ------------------------------------------------------------------------------------------


def test_a_commitment_without_money_moved_may_be_deleted(zone, lead):
    commitment = commit(zone, PRIVATE, "50000")
    lifecycle.delete_commitment(commitment, user=lead)
    assert not Commitment.objects.filter(pk=commitment.pk).exists()


@pytest.mark.parametrize("voided", [False, True])
def test_a_commitment_money_moved_on_is_withdrawn_not_deleted(zone, lead, voided):
    commitment = commit(zone, PRIVATE, "50000", Commitment.Status.RECEIVED)
    if voided:  # spent from, even if the spending was voided since
        lifecycle.void_expenditure(ExpenditureFactory(commitment=commitment, zone=zone), reason="Mistake", user=lead)
    with pytest.raises(ValidationError, match="withdraw it instead") as refused:
        lifecycle.delete_commitment(commitment, user=lead)
    assert refused_code(refused.value) == {"wrong_step"}
    assert Commitment.objects.filter(pk=commitment.pk).exists()


def test_deleting_needs_the_permission(zone):
    commitment = commit(zone, PRIVATE, "50000")
    with pytest.raises(PermissionDenied):
        lifecycle.delete_commitment(commitment, user=member(Role.COMMISSIONER, state=zone.state))
    assert Commitment.objects.filter(pk=commitment.pk).exists()


# --- awards --------------------------------------------------------------------------------------------


@pytest.fixture
def award(zone):
    return AwardFactory(state=zone.state, amount=Decimal("1000000.00"))


def test_amendments_make_the_awards_timeline(award, lead):
    first = lifecycle.amend_award(
        award, amount=Decimal("1200000.00"), effective_on=D(2011, 1, 1), reason="Second allocation.", user=lead
    )
    second = lifecycle.amend_award(
        award,
        obligation_deadline=D(2012, 12, 31),
        liquidation_deadline=D(2013, 4, 30),
        effective_on=D(2011, 6, 1),
        reason="Extension granted.",
        user=lead,
    )
    timeline = list(AwardAmendment.objects.filter(award=award))
    assert timeline == [first, second]
    assert (first.previous_amount, first.amount) == (Decimal("1000000.00"), Decimal("1200000.00"))
    assert first.previous_obligation_deadline == first.obligation_deadline == D(2012, 9, 30)
    assert (second.previous_amount, second.amount) == (Decimal("1200000.00"), Decimal("1200000.00"))
    assert (second.previous_obligation_deadline, second.obligation_deadline) == (D(2012, 9, 30), D(2012, 12, 31))
    assert (second.previous_liquidation_deadline, second.liquidation_deadline) == (D(2013, 1, 28), D(2013, 4, 30))
    assert (second.recorded_by, second.reason) == (lead, "Extension granted.")
    stored = Award.objects.get(pk=award.pk)
    assert (stored.amount, stored.obligation_deadline) == (Decimal("1200000.00"), D(2012, 12, 31))
    assert stored.history.first().history_change_reason == "Extension granted."


def test_an_award_is_not_amended_below_what_its_commitments_take(award, zone, lead):
    commit(zone, FORMULA, "600000", funder=award.funder, award=award)
    commit(zone, FORMULA, "300000", funder=award.funder, award=award)
    withdrawn = commit(zone, FORMULA, "100000", funder=award.funder, award=award)
    lifecycle.withdraw_commitment(withdrawn, on=D(2011, 1, 1), reason="Returned", user=lead)
    with pytest.raises(ValidationError) as refused:
        lifecycle.amend_award(award, amount=Decimal("899999.99"), effective_on=D(2011, 2, 1), reason="Cut", user=lead)
    assert refused.value.message_dict["amount"] == ["$900,000.00 of this award is committed; it cannot be less."]
    lifecycle.amend_award(award, amount=Decimal("900000.00"), effective_on=D(2011, 2, 1), reason="Cut", user=lead)
    assert Award.objects.get(pk=award.pk).amount == Decimal("900000.00")


def test_an_amendment_changes_something_for_a_reason_within_the_rules(award, lead):
    def amend(**kwargs):
        with pytest.raises(ValidationError) as refused:
            lifecycle.amend_award(award, **{"effective_on": D(2011, 1, 1), "reason": "Why", "user": lead, **kwargs})
        return refused.value

    assert "changes nothing" in amend(amount=award.amount).messages[0]
    assert "reason" in amend(amount=Decimal("5.00"), reason=" ").message_dict
    assert "effective_on" in amend(amount=Decimal("5.00"), effective_on=None).message_dict
    assert "liquidation_deadline" in amend(liquidation_deadline=D(2012, 9, 1)).message_dict
    assert "obligation_deadline" in amend(obligation_deadline=D(2010, 6, 1)).message_dict
    assert not AwardAmendment.objects.filter(award=award).exists()
    with pytest.raises(PermissionDenied):
        lifecycle.amend_award(
            award,
            amount=Decimal("5.00"),
            effective_on=D(2011, 1, 1),
            reason="Why",
            user=member(Role.STATE_VIEWER, state=award.state),
        )


def test_a_commitment_stays_within_its_award(award, zone):
    commit(zone, FORMULA, "700000", funder=award.funder, award=award)
    with pytest.raises(ValidationError) as refused:
        commit(zone, FORMULA, "300000.01", funder=award.funder, award=award)
    assert "$300,000.00 is left to commit" in refused.value.message_dict["amount"][0]


def test_a_formula_awards_deadlines_default_to_the_laws(zone, lead):
    funder = FunderFactory(kind=FORMULA)
    award = Award(state=zone.state, funder=funder, name="FY2011 SIG", amount=Decimal("5.00"), awarded_on=D(2011, 6, 1))
    award.period_start = D(2011, 7, 1)
    lifecycle.save_award(award, user=lead)
    # 15 months + 12 of carryover from July 1, 2011: the last day is Sept 30, 2013; then 120 days.
    assert (award.obligation_deadline, award.liquidation_deadline) == (D(2013, 9, 30), D(2014, 1, 28))

    competitive = Award(
        state=zone.state,
        funder=FunderFactory(kind=Funder.Kind.FEDERAL_COMPETITIVE),
        name="Race to the Top",
        amount=Decimal("5.00"),
        awarded_on=D(2011, 6, 1),
        period_start=D(2011, 7, 1),
    )
    with pytest.raises(ValidationError) as refused:
        lifecycle.save_award(competitive, user=lead)
    assert set(refused.value.message_dict) == {"obligation_deadline", "liquidation_deadline"}


def test_an_awards_funder_stays_that_of_its_commitments(award, zone, lead):
    commit(zone, FORMULA, "1000", funder=award.funder, award=award)
    award.funder = FunderFactory(kind=FORMULA)
    with pytest.raises(ValidationError) as refused:
        lifecycle.save_award(award, user=lead)
    assert "funder" in refused.value.message_dict


def test_commitments_racing_for_one_award_cannot_overdraw_it(award, zone, lead):
    """What a race does: both commitments pass their clean() before either is saved; the second
    save is refused on the locked award, and so is one that an amendment cut below in between."""

    def validated(amount):
        commitment = CommitmentFactory.build(
            funder=award.funder, award=award, state=zone.state, initiative=zone.state.initiative, amount=Decimal(amount)
        )
        commitment.full_clean()
        return commitment

    first, second, third = validated("600000"), validated("600000"), validated("300000")
    first.save()
    with pytest.raises(ValidationError) as refused:
        second.save()
    assert "$400,000.00 is left to commit" in refused.value.message_dict["amount"][0]
    lifecycle.amend_award(award, amount=Decimal("800000.00"), effective_on=D(2011, 1, 1), reason="Cut", user=lead)
    with pytest.raises(ValidationError, match=r"\$200,000\.00 is left to commit"):
        third.save()
    assert Award.objects.get(pk=award.pk).committed_amount() == Decimal("600000.00")
