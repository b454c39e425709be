"""The API: writes through the same use cases and model rules, problem JSON on refusals, drafts
hidden from the Lead Partner."""

from django_scopes import scopes_disabled

from contracts.models import AnnualReview, PerformanceContract
from tests.factories import PerformanceContractFactory
from tests.problems import field_errors

PROBLEM = "application/problem+json"


def test_the_state_lead_creates_a_draft_and_a_second_activation_is_a_clear_400(colorado, login):
    client = login(colorado.users["state_lead"])
    data = {
        "zone": colorado.zone.pk,
        "lead_partner": colorado.zone.lead_partner_id,
        "starts_on": "2013-07-01",
        "ends_on": "2013-12-31",
    }
    short = client.post("/api/v1/contracts/", data, content_type="application/json")
    assert short.status_code == 400 and "at least 1 year" in field_errors(short)["ends_on"][0]
    created = client.post("/api/v1/contracts/", {**data, "ends_on": "2016-06-30"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    pk = created.json()["id"]
    activate = client.post(f"/api/v1/contracts/{pk}/activate/")
    assert activate.status_code == 400
    assert "already has an active contract" in field_errors(activate)["status"][0]
    assert client.post(f"/api/v1/contracts/{colorado.contract.pk}/end/").status_code == 200
    assert client.post(f"/api/v1/contracts/{pk}/activate/").json()["status"] == "active"
    again = client.post(f"/api/v1/contracts/{pk}/activate/")
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM


def test_readers_may_not_write_contracts(colorado, login):
    viewer = login(colorado.users["state_viewer"])
    response = viewer.patch(
        f"/api/v1/contracts/{colorado.contract.pk}/", {"renewal_conditions": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    partner = login(colorado.users["lead_partner_staff"])
    assert partner.post(f"/api/v1/contracts/{colorado.contract.pk}/end/").status_code == 403
    with scopes_disabled():
        assert PerformanceContract.objects.get(pk=colorado.contract.pk).status == "active"


def test_a_target_on_another_states_indicator_is_refused(colorado, login):
    client = login(colorado.users["state_lead"])
    with scopes_disabled():
        away = PerformanceContractFactory(zone=colorado.world.away.zone)
    data = {"contract": colorado.contract.pk, "metric": colorado.ela.pk, "level": "55", "school_year": "2011-12"}
    assert client.post("/api/v1/contract-targets/", data, content_type="application/json").status_code == 201
    foreign = client.post("/api/v1/contract-targets/", {**data, "contract": away.pk}, content_type="application/json")
    assert foreign.status_code == 400  # another state's contract is "does not exist"


def test_issue_then_respond_and_the_draft_stays_hidden_until_issued(colorado, login):
    review = colorado.review
    partner = login(colorado.users["lead_partner_staff"])
    assert partner.get(f"/api/v1/annual-reviews/{review.pk}/").status_code == 404
    assert partner.post(f"/api/v1/annual-reviews/{review.pk}/respond/", {"response": "x"}).status_code == 404

    lead = login(colorado.users["state_lead"])
    issued = lead.post(f"/api/v1/annual-reviews/{review.pk}/issue/")
    assert issued.status_code == 200 and issued.json()["status"] == "issued"
    assert issued.json()["scorecard"]["academic"]["targets"][0]["indicator"] == "ELA proficiency"
    twice = lead.post(f"/api/v1/annual-reviews/{review.pk}/issue/")
    assert twice.status_code == 409 and twice["Content-Type"] == PROBLEM
    edit = lead.patch(
        f"/api/v1/annual-reviews/{review.pk}/", {"academic_narrative": "Rewritten."}, content_type="application/json"
    )
    assert edit.status_code == 409
    assert lead.post(f"/api/v1/annual-reviews/{review.pk}/respond/", {"response": "x"}).status_code == 403

    partner = login(colorado.users["lead_partner_staff"])
    empty = partner.post(f"/api/v1/annual-reviews/{review.pk}/respond/", {}, content_type="application/json")
    assert empty.status_code == 400, empty.content
    answered = partner.post(
        f"/api/v1/annual-reviews/{review.pk}/respond/", {"response": "We accept."}, content_type="application/json"
    )
    assert answered.status_code == 200 and answered.json()["response"] == "We accept."
    assert answered.json()["responded_by"]


def test_the_state_lead_writes_a_draft_review_through_the_api(colorado, login):
    client = login(colorado.users["state_lead"])
    data = {"contract": colorado.contract.pk, "school_year": "2011-12", "academic_rating": "meets"}
    created = client.post("/api/v1/annual-reviews/", data, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    duplicate = client.post("/api/v1/annual-reviews/", data, content_type="application/json")
    assert duplicate.status_code == 400
    outside = client.post(
        "/api/v1/annual-reviews/", {**data, "school_year": "2015-16"}, content_type="application/json"
    )
    assert outside.status_code == 400 and "school_year" in field_errors(outside)
    with scopes_disabled():
        assert AnnualReview.objects.get(pk=created.json()["id"]).reviewer == colorado.users["state_lead"]
    evidence = client.post(
        "/api/v1/review-evidence/",
        {"review": created.json()["id"], "part": "academic", "title": "Results", "url": "https://example.org/r"},
        content_type="application/json",
    )
    assert evidence.status_code == 201
