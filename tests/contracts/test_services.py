"""The use cases: permission first, the model's rules, history naming who; the one-active rule
as a friendly error; issuing freezes the scorecard; the Lead Partner's response keeps its versions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scopes_disabled

from accountability.models import Measurement
from contracts import services
from contracts.models import AnnualReview, PerformanceContract
from tests.factories import PerformanceContractFactory


def draft_contract(zone):
    return PerformanceContractFactory(
        zone=zone, status="draft", starts_on=datetime.date(2013, 7, 1), ends_on=datetime.date(2016, 6, 30)
    )


def test_activating_a_second_contract_is_refused_until_the_first_ends(colorado):
    lead = colorado.users["state_lead"]
    with scopes_disabled():
        second = draft_contract(colorado.zone)
        with pytest.raises(ValidationError) as caught:
            services.activate_contract(lead, second)
        assert "already has an active contract" in " ".join(caught.value.messages)
        services.end_contract(lead, colorado.contract)
        services.activate_contract(lead, second)
        assert PerformanceContract.objects.get(pk=second.pk).status == "active"
        assert second.history.first().history_user == lead


def test_only_an_active_contract_ends_and_a_termination_needs_its_reason(colorado):
    lead = colorado.users["state_lead"]
    with scopes_disabled():
        with pytest.raises(ValidationError):
            services.terminate_contract(lead, colorado.contract, reason=" ")
        services.terminate_contract(lead, colorado.contract, reason="Two reviews below expectations.")
        assert colorado.contract.history.first().history_change_reason.startswith("Terminated: Two reviews")
        with pytest.raises(ValidationError) as caught:
            services.end_contract(lead, colorado.contract)
        assert caught.value.code == "wrong_step"


@pytest.mark.parametrize("role", ["state_viewer", "commissioner", "lead_partner_staff", "collaborator"])
def test_only_the_state_lead_writes_contracts(colorado, role):
    with scopes_disabled(), pytest.raises(PermissionDenied):
        services.save_contract(colorado.users[role], colorado.contract)


def test_issuing_needs_every_part_rated(colorado):
    lead = colorado.users["state_lead"]
    review = colorado.review
    review.operational_rating = ""
    with scopes_disabled():
        review.save()
        with pytest.raises(ValidationError) as caught:
            services.issue_review(lead, review)
        assert "operational_rating" in caught.value.message_dict
        assert AnnualReview.objects.get(pk=review.pk).status == "draft"


def test_issuing_freezes_the_scorecard_and_the_review(colorado):
    lead = colorado.users["state_lead"]
    with scopes_disabled():
        review = services.issue_review(lead, colorado.review)
        frozen = AnnualReview.objects.get(pk=review.pk).scorecard
        assert frozen["academic"]["targets"][0]["met"] == 3
        Measurement.objects.filter(school__zone=colorado.zone).update(value=10)  # a later correction
        assert AnnualReview.objects.get(pk=review.pk).scorecard == frozen
        with pytest.raises(ValidationError) as caught:
            services.issue_review(lead, review)
        assert caught.value.code == "wrong_step"
        with pytest.raises(ValidationError):
            services.save_review(lead, review)


def test_the_lead_partner_responds_to_an_issued_review_only_and_every_version_is_kept(colorado):
    lead, partner = colorado.users["state_lead"], colorado.users["lead_partner_staff"]
    with scopes_disabled():
        with pytest.raises(PermissionDenied):
            services.respond_to_review(lead, colorado.review, "Not ours to write.")
        with pytest.raises(ValidationError):
            services.respond_to_review(partner, colorado.review, "Too early: a draft.")
        review = services.issue_review(lead, colorado.review)
        services.respond_to_review(partner, review, "First answer.")
        services.respond_to_review(partner, review, "Second answer.")
        stored = AnnualReview.objects.get(pk=review.pk)
        assert (stored.response, stored.responded_by) == ("Second answer.", partner)
        versions = [row.response for row in stored.history.filter(history_change_reason="Responded")]
        assert versions == ["Second answer.", "First answer."]
