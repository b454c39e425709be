"""The contract rules live in the models: every write path (pages, API, admin, use cases) runs them."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from contracts.models import AnnualReview, PerformanceContract
from tests.factories import (
    ContractDeliverableFactory,
    ContractTargetFactory,
    LeadPartnerFactory,
    MetricFactory,
    PerformanceContractFactory,
    StateFactory,
)


@pytest.mark.parametrize(
    ("ends_on", "message"),
    [
        (datetime.date(2010, 7, 1), "ends after it starts"),
        (datetime.date(2011, 3, 31), "at least 1 year"),
        (datetime.date(2016, 7, 2), "at most 6 years"),
    ],
)
def test_a_term_ends_after_it_starts_and_lasts_one_to_six_years(world, ends_on, message):
    contract = PerformanceContract(
        zone=world.home.zone,
        lead_partner=world.home.zone.lead_partner,
        starts_on=datetime.date(2010, 7, 1),
        ends_on=ends_on,
    )
    with pytest.raises(ValidationError) as caught:
        contract.full_clean()
    assert set(caught.value.message_dict) == {"ends_on"}
    assert message in caught.value.message_dict["ends_on"][0]


def test_a_three_year_term_is_valid(world):
    contract = PerformanceContract(
        zone=world.home.zone,
        lead_partner=world.home.zone.lead_partner,
        starts_on=datetime.date(2010, 7, 1),
        ends_on=datetime.date(2013, 6, 30),
    )
    contract.full_clean()


def test_an_active_contract_binds_the_zones_lead_partner(world, invalid):
    other = LeadPartnerFactory(name="Another Partner")
    draft = PerformanceContractFactory.build(zone=world.home.zone, lead_partner=other, status="draft")
    draft.full_clean()  # a draft may name a partner the zone has not chosen yet
    draft.status = PerformanceContract.Status.ACTIVE
    errors = invalid(draft, "lead_partner")
    assert str(world.home.zone.lead_partner) in errors["lead_partner"][0]


def test_a_second_active_contract_in_a_zone_is_a_friendly_error(colorado, invalid):
    second = PerformanceContractFactory.build(zone=colorado.zone, starts_on=datetime.date(2013, 7, 1))
    second.ends_on = datetime.date(2016, 6, 30)
    errors = invalid(second, "status")
    assert "already has an active contract" in errors["status"][0]
    assert "end or terminate it first" in errors["status"][0]


def test_a_deliverable_falls_due_within_the_term(colorado, invalid):
    late = ContractDeliverableFactory.build(contract=colorado.contract, due_on=datetime.date(2014, 1, 1))
    assert "within the contract's term" in invalid(late, "due_on")["due_on"][0]
    future = ContractDeliverableFactory.build(
        contract=colorado.contract, delivered_on=datetime.date.today() + datetime.timedelta(days=3)
    )
    invalid(future, "delivered_on")


def test_a_target_is_on_an_indicator_of_the_zones_state_and_within_the_term(colorado, invalid):
    foreign = MetricFactory(code="kansas-own", name="Kansas's own", state=StateFactory(name="Kansas"))
    errors = invalid(ContractTargetFactory.build(contract=colorado.contract, metric=foreign), "metric")
    assert "another state's own indicator" in errors["metric"][0]
    own = MetricFactory(code="colorado-own", name="Colorado's own", state=colorado.zone.state)
    ContractTargetFactory.build(contract=colorado.contract, metric=own, school_year="2011-12").full_clean()
    outside = ContractTargetFactory.build(contract=colorado.contract, metric=own, school_year="2015-16")
    invalid(outside, "school_year")


def test_an_issued_review_has_every_part_rated(colorado, invalid):
    review = colorado.review
    review.status, review.financial_rating = AnnualReview.Status.ISSUED, ""
    assert "Rate the financial part" in invalid(review, "financial_rating")["financial_rating"][0]


def test_only_an_issued_review_carries_a_response(colorado, invalid):
    colorado.review.response = "We disagree."
    invalid(colorado.review, "response")
