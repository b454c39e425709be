"""The money's lifecycle through the API: awards (create with the law's deadlines, no amount or
deadline change but by amend/, amendments listed), a commitment's withdraw/ and delete, an
expenditure's void/; the guards' messages as 400 or 409 problems, and who may do what."""

import datetime
from decimal import Decimal

import pytest

from funding.models import Award, AwardAmendment, Commitment, Expenditure, Funder
from funding.services import funding_totals
from tests.factories import AwardFactory, CommitmentFactory, ExpenditureFactory, FunderFactory
from tests.problems import field_errors

pytestmark = pytest.mark.django_db
D = datetime.date
PROBLEM = "application/problem+json"


@pytest.fixture
def lead(clients):
    return clients["state_lead"]


@pytest.fixture
def award(world):
    return AwardFactory(state=world.state, amount=Decimal("1000000.00"))


@pytest.fixture
def received(world):
    """A received private commitment of 10,000 to the state, 4,000 of it spent in its zone."""
    commitment = CommitmentFactory(state=world.state, amount=Decimal("10000.00"), status=Commitment.Status.RECEIVED)
    ExpenditureFactory(commitment=commitment, zone=world.zone, amount=Decimal("4000.00"))
    return commitment


def test_an_award_is_created_with_the_laws_deadlines_and_its_outlook(world, lead):
    funder = FunderFactory(kind=Funder.Kind.FEDERAL_FORMULA)
    data = {
        "state": world.state.pk,
        "funder": funder.pk,
        "name": "FY2011 SIG",
        "amount": "2000000.00",
        "awarded_on": "2011-06-01",
        "period_start": "2011-07-01",
    }
    response = lead.post("/api/v1/awards/", data, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["obligation_deadline"], body["liquidation_deadline"]) == ("2013-09-30", "2014-01-28")
    assert body["outlook"]["outlook"] == "lapsed"  # the deadline passed long ago, nothing spent
    assert Decimal(body["outlook"]["lapsed"]) == Decimal("2000000.00")

    competitive = {**data, "name": "RTTT", "funder": FunderFactory(kind=Funder.Kind.FEDERAL_COMPETITIVE).pk}
    response = lead.post("/api/v1/awards/", competitive, format="json")
    assert response.status_code == 400
    assert set(field_errors(response)) == {"obligation_deadline", "liquidation_deadline"}


def test_an_awards_amount_and_deadlines_change_only_by_amendment(award, lead):
    detail = f"/api/v1/awards/{award.pk}/"
    response = lead.patch(detail, {"amount": "5.00"}, format="json")
    assert response.status_code == 400
    assert "amend/" in field_errors(response)["amount"][0]
    assert lead.patch(detail, {"reference": "S377A100006"}, format="json").status_code == 200

    amend = {"amount": "1100000.00", "effective_on": "2011-02-01", "reason": "Second allocation."}
    response = lead.post(f"{detail}amend/", amend, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["amount"] == "1100000.00"
    rows = lead.get(f"/api/v1/award-amendments/?award={award.pk}").json()["results"]
    assert [(row["previous_amount"], row["amount"], row["reason"]) for row in rows] == [
        ("1000000.00", "1100000.00", "Second allocation.")
    ]
    assert rows[0]["obligation_deadline"] == rows[0]["previous_obligation_deadline"] == "2012-09-30"


def test_an_amendment_below_the_commitments_or_without_a_reason_is_refused(award, world, lead):
    CommitmentFactory(state=world.state, funder=award.funder, award=award, amount=Decimal("700000.00"))
    amend = f"/api/v1/awards/{award.pk}/amend/"
    response = lead.post(amend, {"amount": "600000.00", "effective_on": "2011-02-01", "reason": "Cut"}, format="json")
    assert response.status_code == 400
    assert field_errors(response)["amount"] == ["$700,000.00 of this award is committed; it cannot be less."]
    response = lead.post(amend, {"amount": "800000.00", "effective_on": "2011-02-01"}, format="json")
    assert response.status_code == 400 and "reason" in field_errors(response)
    response = lead.post(amend, {"effective_on": "2011-02-01", "reason": "Nothing"}, format="json")
    assert response.status_code == 400 and "changes nothing" in field_errors(response)[""][0]
    assert not AwardAmendment.objects.exists()


def test_a_commitment_beyond_its_awards_money_is_refused_with_the_message(award, world, lead):
    CommitmentFactory(state=world.state, funder=award.funder, award=award, amount=Decimal("950000.00"))
    data = {
        "funder": award.funder.pk,
        "award": award.pk,
        "initiative": world.state.initiative.pk,
        "recipient_level": "state",
        "state": world.state.pk,
        "amount": "50000.01",
        "status": "pledged",
        "pledged_on": "2011-01-10",
        "period_start": "2011-07-01",
        "period_end": "2013-06-30",
    }
    response = lead.post("/api/v1/commitments/", data, format="json")
    assert response.status_code == 400
    assert "$50,000.00 is left to commit; this commitment asks for $50,000.01." in field_errors(response)["amount"][0]
    assert lead.post("/api/v1/commitments/", {**data, "amount": "50000.00"}, format="json").status_code == 201
    withdrawn = {**data, "amount": "1.00", "status": "withdrawn", "withdrawn_on": "2011-02-01"}
    response = lead.post("/api/v1/commitments/", withdrawn, format="json")
    assert response.status_code == 400 and "withdraw/" in field_errors(response)["status"][0]


def test_spending_beyond_what_was_received_is_refused_with_the_message(received, world, lead):
    data = {"commitment": received.pk, "zone": world.zone.pk, "category": "other", "spent_on": "2011-03-01"}
    response = lead.post("/api/v1/expenditures/", {**data, "amount": "6000.01"}, format="json")
    assert response.status_code == 400
    assert field_errors(response)["amount"] == ["Only $6,000.00 of this commitment's received money is left to spend."]


def test_withdrawing_a_commitment(world, lead):
    commitment = CommitmentFactory(state=world.state, status=Commitment.Status.COMMITTED, amount=Decimal("300.00"))
    before = funding_totals(Commitment.objects.filter(state=world.state)).committed
    url = f"/api/v1/commitments/{commitment.pk}/withdraw/"
    response = lead.post(url, {"withdrawn_on": "2011-04-01", "reason": "Pulled out."}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["withdrawn_on"]) == ("withdrawn", "2011-04-01")
    assert funding_totals(Commitment.objects.filter(state=world.state)).committed == before - Decimal("300.00")

    again = lead.post(url, {"withdrawn_on": "2011-05-01", "reason": "Again"}, format="json")
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM
    back = lead.patch(f"/api/v1/commitments/{commitment.pk}/", {"status": "committed", "reason": "Back"}, format="json")
    assert back.status_code == 400 and "stays withdrawn" in field_errors(back)["status"][0]


def test_withdrawing_a_commitment_being_spent_is_a_conflict(received, lead):
    url = f"/api/v1/commitments/{received.pk}/withdraw/"
    response = lead.post(url, {"withdrawn_on": "2011-04-01", "reason": "Pulled out."}, format="json")
    assert response.status_code == 409 and response["Content-Type"] == PROBLEM
    assert "$4,000.00 of this commitment is spent; it cannot be withdrawn." in response.json()["detail"]


def test_deleting_a_commitment(received, world, lead):
    response = lead.delete(f"/api/v1/commitments/{received.pk}/")
    assert response.status_code == 409 and "withdraw it instead" in response.json()["detail"]
    mistaken = CommitmentFactory(state=world.state)
    assert lead.delete(f"/api/v1/commitments/{mistaken.pk}/").status_code == 204
    assert not Commitment.objects.filter(pk=mistaken.pk).exists()


def test_voiding_an_expenditure(received, lead):
    expenditure = Expenditure.objects.get(commitment=received)
    url = f"/api/v1/expenditures/{expenditure.pk}/"
    deleted = lead.delete(url)
    assert deleted.status_code == 409 and "void it" in deleted.json()["detail"]
    assert lead.post(f"{url}void/", {"reason": ""}, format="json").status_code == 400

    response = lead.post(f"{url}void/", {"reason": "Entered twice."}, format="json")
    assert response.status_code == 200
    assert response.json()["void_reason"] == "Entered twice." and response.json()["voided_on"]
    assert funding_totals(Commitment.objects.filter(pk=received.pk)).spent == Decimal("0.00")

    changed = lead.patch(url, {"amount": "1.00"}, format="json")
    assert changed.status_code == 409 and "cannot be changed" in changed.json()["detail"]
    assert lead.post(f"{url}void/", {"reason": "Again"}, format="json").status_code == 409
    assert Expenditure.objects.get(pk=expenditure.pk).amount == Decimal("4000.00")


def test_readers_and_other_states_change_nothing(award, received, world, clients):
    viewer = clients["state_viewer"]
    assert viewer.get(f"/api/v1/awards/{award.pk}/").status_code == 200
    expenditure = Expenditure.objects.get(commitment=received)
    for url, data in [
        (f"/api/v1/awards/{award.pk}/amend/", {"amount": "1.00", "effective_on": "2011-01-01", "reason": "x"}),
        (f"/api/v1/commitments/{received.pk}/withdraw/", {"withdrawn_on": "2011-01-01", "reason": "x"}),
        (f"/api/v1/expenditures/{expenditure.pk}/void/", {"reason": "x"}),
    ]:
        assert viewer.post(url, data, format="json").status_code == 403, url
    assert viewer.delete(f"/api/v1/commitments/{received.pk}/").status_code == 403
    assert clients["lead_partner_staff"].get(f"/api/v1/awards/{award.pk}/").status_code == 404

    foreign = AwardFactory(state=world.other_state)
    lead = clients["state_lead"]
    assert lead.get(f"/api/v1/awards/{foreign.pk}/").status_code == 404
    amend = {"amount": "1.00", "effective_on": "2011-01-01", "reason": "x"}
    assert lead.post(f"/api/v1/awards/{foreign.pk}/amend/", amend, format="json").status_code == 404
    assert Award.objects.get(pk=award.pk).amount == Decimal("1000000.00")
    assert not Expenditure.objects.get(pk=expenditure.pk).is_voided
