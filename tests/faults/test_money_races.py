"""The money guards under concurrent clients: commitments on one award never take more than the
award, a zone's budgets never exceed the money committed to it, and a withdrawal racing new
spending never leaves a withdrawn commitment with money spent from it.

As in test_invariants: CONCURRENT_CLIENTS real HTTP clients against the live server, TRIALS trials."""

from decimal import Decimal

from django.db.models import Sum

from funding.models import Award, Budget, Commitment, Expenditure, Funder
from tests.factories import AwardFactory, CommitmentFactory, LaunchedZoneFactory

from .conftest import CONCURRENT_CLIENTS, TRIALS, concurrently
from .test_invariants import answers, api_call, state_lead_keys


def test_parallel_commitments_never_take_more_than_their_award(live_server):
    award = AwardFactory(amount=Decimal("100000.00"))
    keys = state_lead_keys(award.state)
    body = {
        "funder": award.funder_id,
        "award": award.pk,
        "initiative": award.state.initiative_id,
        "recipient_level": "state",
        "state": award.state_id,
        "amount": "40000.00",
        "status": "committed",
        "pledged_on": "2010-07-01",
        "committed_on": "2010-07-15",
        "period_start": "2010-07-01",
        "period_end": "2012-06-30",
    }
    for _trial in range(TRIALS):
        codes = answers(
            concurrently([api_call(live_server.url, key, "POST", "/api/v1/commitments/", body) for key in keys])
        )
        taken = Commitment._base_manager.filter(award=award)
        assert taken.count() == codes.count(201) == 2, codes
        assert taken.aggregate(total=Sum("amount"))["total"] <= Award._base_manager.get(pk=award.pk).amount
        taken.delete()


def test_parallel_budgets_never_exceed_the_money_committed_to_the_zone(live_server):
    zone = LaunchedZoneFactory()
    CommitmentFactory(
        state=zone.state,
        zone=zone,
        recipient_level=Commitment.RecipientLevel.ZONE,
        status=Commitment.Status.COMMITTED,
        amount=Decimal("100000.00"),
    )
    keys = state_lead_keys(zone.state)
    for _trial in range(TRIALS):
        calls = [
            api_call(
                live_server.url,
                key,
                "POST",
                "/api/v1/budgets/",
                {"zone": zone.pk, "fiscal_year": 2011 + n, "category": "partner_services", "amount": "40000.00"},
            )
            for n, key in enumerate(keys)
        ]
        codes = answers(concurrently(calls))
        budgets = Budget._base_manager.filter(zone=zone)
        assert budgets.count() == codes.count(201) == 2, codes
        budgets.delete()


def test_a_withdrawal_racing_new_spending_never_leaves_spending_on_a_withdrawn_commitment(live_server):
    zone = LaunchedZoneFactory()
    funder = Funder.objects.create(name="Racing Foundation", kind=Funder.Kind.PRIVATE_FOUNDATION)
    keys = state_lead_keys(zone.state)
    outcomes = set()
    for trial in range(TRIALS):
        commitment = CommitmentFactory(
            state=zone.state, funder=funder, status=Commitment.Status.RECEIVED, amount=Decimal("100000.00")
        )
        spend = {
            "commitment": commitment.pk,
            "zone": zone.pk,
            "category": "partner_services",
            "amount": "1000.00",
            "spent_on": "2010-09-15",
        }
        withdraw = {"withdrawn_on": "2011-01-10", "reason": f"Trial {trial}: the foundation withdrew."}
        calls = [api_call(live_server.url, keys[0], "POST", f"/api/v1/commitments/{commitment.pk}/withdraw/", withdraw)]
        calls += [api_call(live_server.url, key, "POST", "/api/v1/expenditures/", spend) for key in keys[1:]]
        answers(concurrently(calls))
        commitment = Commitment._base_manager.get(pk=commitment.pk)
        live = Expenditure._base_manager.filter(Expenditure.LIVE, commitment=commitment).count()
        assert not (commitment.is_withdrawn and live), f"withdrawn with {live} live expenditures"
        outcomes.add("withdrawn" if commitment.is_withdrawn else "spent")
    assert len(keys) == CONCURRENT_CLIENTS
    assert outcomes, outcomes
