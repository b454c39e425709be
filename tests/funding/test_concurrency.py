"""Spending and the commitment's status checked on the locked commitment; stale edits refused."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from core.concurrency import STALE_MESSAGE
from funding.models import Commitment, Expenditure
from tests.factories import CommitmentFactory, ExpenditureFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_an_expenditure_saved_past_its_clean_cannot_overspend_the_commitment():
    """What a concurrent expenditure does: its clean() summed before the other was written."""
    first = ExpenditureFactory(commitment__amount=Decimal("100000.00"), amount=Decimal("60000.00"))
    second = Expenditure(
        commitment=first.commitment,
        zone=first.zone,
        category=first.category,
        amount=Decimal("60000.00"),
        spent_on=first.spent_on,
    )
    with pytest.raises(ValidationError) as refused:
        second.save()
    assert refused.value.message_dict == {
        "amount": ["Only $40,000.00 of this commitment's received money is left to spend."]
    }
    assert Expenditure.objects.filter(commitment=first.commitment).count() == 1


def test_a_commitment_saved_past_its_clean_cannot_move_back():
    commitment = CommitmentFactory(status=Commitment.Status.RECEIVED)
    stale = Commitment.objects.get(pk=commitment.pk)
    stale.status = Commitment.Status.COMMITTED
    with pytest.raises(ValidationError, match="cannot go back from received to committed"):
        stale.save()


def test_a_commitment_cannot_be_cut_below_what_was_spent():
    spent = ExpenditureFactory(commitment__amount=Decimal("100000.00"), amount=Decimal("60000.00"))
    commitment = spent.commitment
    commitment.amount = Decimal("50000.00")
    with pytest.raises(ValidationError, match=r"\$60,000.00 of this commitment is spent"):
        commitment.save()
    commitment.amount = Decimal("60000.00")
    commitment.save()


def lead_api(state):
    api = APIClient()
    api.force_authenticate(MembershipFactory(role=Role.STATE_LEAD, state=state).user)
    return api


def test_a_stale_if_match_on_a_commitment_is_a_412_and_changes_nothing():
    commitment = CommitmentFactory(status=Commitment.Status.COMMITTED)
    api = lead_api(commitment.state)
    url = f"/api/v1/commitments/{commitment.pk}/"
    etag = api.get(url)["ETag"]
    assert api.patch(url, {"description": "Year two"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = api.patch(url, {"status": "received", "received_on": "2010-09-01"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["detail"] == STALE_MESSAGE
    commitment.refresh_from_db()
    assert (commitment.status, commitment.description) == ("committed", "Year two")


def test_a_patch_without_a_version_changes_only_what_it_sends():
    commitment = CommitmentFactory(status=Commitment.Status.COMMITTED, description="")
    api = lead_api(commitment.state)
    url = f"/api/v1/commitments/{commitment.pk}/"
    assert api.patch(url, {"description": "Year two"}, format="json").status_code == 200
    answer = api.patch(url, {"status": "received", "received_on": "2010-09-01", "reason": "Wire"}, format="json")
    assert answer.status_code == 200 and answer.json()["description"] == "Year two"
    assert answer["ETag"] == f'"{commitment.version + 2}"'


def test_the_commitment_form_refuses_a_stale_version(client):
    commitment = CommitmentFactory(status=Commitment.Status.PLEDGED)
    client.force_login(MembershipFactory(role=Role.STATE_LEAD, state=commitment.state).user)
    url = reverse("funding:commitment_edit", kwargs={"commitment_pk": commitment.pk})
    opened = client.get(url).context["form"]["version"].value()
    Commitment.objects.get(pk=commitment.pk).advance(
        Commitment.Status.COMMITTED, datetime.date(2010, 5, 1), reason="Board vote"
    )
    data = {
        "funder": commitment.funder.pk,
        "recipient_level": "state",
        "amount": "90000.00",
        "status": "pledged",
        "pledged_on": "2010-03-01",
        "period_start": "2010-07-01",
        "period_end": "2012-06-30",
        "version": opened,
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [STALE_MESSAGE]
    commitment.refresh_from_db()
    assert (commitment.status, commitment.amount) == ("committed", Decimal("100000.00"))


def test_a_database_conflict_that_escapes_a_write_is_a_409_problem_not_a_500(monkeypatch):
    """E.g. a unique key or a deadlock that a concurrent write caused: the client may retry."""
    commitment = CommitmentFactory(status=Commitment.Status.COMMITTED)
    api = lead_api(commitment.state)

    def collide(self, *args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(Commitment, "save", collide)
    answer = api.patch(f"/api/v1/commitments/{commitment.pk}/", {"description": "Year two"}, format="json")
    assert answer.status_code == 409
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == "write_conflict" and "reload and try again" in answer.json()["detail"]
