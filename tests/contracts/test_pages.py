"""The contract and review pages: who reads and writes what, the forms' labels and errors, draft
reviews never reaching the Lead Partner, the comparison with its CSV, bounded query counts."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from contracts import services
from contracts.forms import DOCUMENT_MAX_BYTES
from contracts.models import PerformanceContract
from tests.factories import AnnualReviewFactory, PerformanceContractFactory
from tests.worlds import grow_with_another_state, query_counts


def review_url(review, name="review_detail"):
    return reverse(f"contracts:{name}", kwargs={"annualreview_pk": review.pk})


def contract_url(contract, name="contract_detail"):
    return reverse(f"contracts:{name}", kwargs={"performancecontract_pk": contract.pk})


def test_the_contract_page_shows_term_badges_targets_and_conditions(colorado, login):
    response = login(colorado.users["state_viewer"]).get(contract_url(colorado.contract))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Staffing plan" in body and 'data-value="overdue"' in body  # due 2010-09-30, not delivered
    assert "ELA proficiency" in body and "Percent" in body
    assert colorado.contract.renewal_conditions in body
    assert "Edit contract" not in body


def test_the_zone_page_links_its_contracts(colorado, login):
    client = login(colorado.users["state_lead"])
    body = client.get(reverse("portfolio:zone_detail", kwargs={"zone_pk": colorado.zone.pk})).content.decode()
    assert reverse("contracts:zone_contracts", kwargs={"zone_pk": colorado.zone.pk}) in body


def test_the_state_lead_creates_a_contract_with_a_signed_pdf(colorado, login):
    client = login(colorado.users["state_lead"])
    url = reverse("contracts:contract_create", kwargs={"zone_pk": colorado.zone.pk})
    data = {
        "lead_partner": colorado.zone.lead_partner_id,
        "starts_on": "2013-07-01",
        "ends_on": "2016-06-30",
        "renewal_conditions": "Renewed when targets are met.",
    }
    not_pdf = SimpleUploadedFile("contract.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    response = client.post(url, {**data, "document": not_pdf})
    assert response.status_code == 400 and "Upload the signed document as a PDF." in response.content.decode()
    big = SimpleUploadedFile("contract.pdf", b"%PDF-" + b"0" * DOCUMENT_MAX_BYTES, content_type="application/pdf")
    assert "larger than" in client.post(url, {**data, "document": big}).content.decode()
    short = client.post(url, {**data, "ends_on": "2013-12-31"})
    assert "at least 1 year" in short.content.decode()
    pdf = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    response = client.post(url, {**data, "document": pdf})
    assert response.status_code == 302
    with scopes_disabled():
        contract = PerformanceContract.objects.get(starts_on=datetime.date(2013, 7, 1))
    assert contract.status == "draft"
    download = client.get(contract_url(contract, "contract_document"))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 signed"
    assert download["Cache-Control"] == "private, no-store"
    edit = client.get(contract_url(contract, "contract_edit")).content.decode()
    assert "On file: signed.pdf" in edit
    activate = client.post(contract_url(contract, "contract_step"), {"step": "activate"}, follow=True)
    assert "already has an active contract" in activate.content.decode()


def test_the_lead_partner_reads_its_contract_not_another_states(colorado, login):
    client = login(colorado.users["lead_partner_staff"])
    assert client.get(contract_url(colorado.contract)).status_code == 200
    assert client.get(contract_url(colorado.contract, "contract_edit")).status_code == 403
    with scopes_disabled():
        away = PerformanceContractFactory(zone=colorado.world.away.zone)
    assert client.get(contract_url(away)).status_code == 404


def test_a_draft_review_never_reaches_the_lead_partner(colorado, login):
    review = colorado.review
    client = login(colorado.users["lead_partner_staff"])
    assert client.get(review_url(review)).status_code == 404
    assert client.get(review_url(review, "review_respond")).status_code == 404
    assert client.get(f"/api/v1/annual-reviews/{review.pk}/").status_code == 404
    assert client.get("/api/v1/annual-reviews/").json()["results"] == []
    for url in (
        contract_url(colorado.contract),
        reverse("contracts:lead_partner", kwargs={"leadpartner_pk": colorado.zone.lead_partner_id}),
    ):
        assert "Draft academic narrative" not in client.get(url).content.decode()
    with scopes_disabled():
        services.issue_review(colorado.users["state_lead"], review)
    assert client.get(review_url(review)).status_code == 200


def test_the_state_lead_writes_and_issues_the_review_and_the_partner_responds(colorado, login):
    review = colorado.review
    client = login(colorado.users["state_lead"])
    page = client.get(review_url(review, "review_edit")).content.decode()
    for label in ("Academic rating", "Academic narrative", "Save review", "Issue review"):
        assert label in page
    data = {
        "version": review.version,
        "academic_rating": "exceeds",
        "academic_narrative": "Every school met its ELA target.",
        "operational_rating": "approaching",
        "operational_narrative": "Two periods were late.",
        "financial_rating": "",
        "financial_narrative": "",
    }
    saved = client.post(review_url(review, "review_edit"), {**data, "save": ""})
    assert saved.status_code == 302, saved.content.decode()[-3000:]
    refused = client.post(review_url(review, "review_edit"), {**data, "version": review.version + 1, "issue": ""})
    assert "Rate the financial part before the review is issued." in refused.content.decode()
    issued = client.post(
        review_url(review, "review_edit"),
        {**data, "version": review.version + 1, "financial_rating": "meets", "issue": ""},
    )
    assert issued.status_code == 302
    with scopes_disabled():
        review.refresh_from_db()
    assert review.status == "issued" and review.scorecard["school_year"] == "2010-11"
    detail = client.get(review_url(review)).content.decode()
    assert "Exceeds expectations" in detail and "Every school met its ELA target." in detail

    partner = login(colorado.users["lead_partner_staff"])
    form = partner.get(review_url(review, "review_respond")).content.decode()
    assert "Response" in form and "Send response" in form
    assert partner.post(review_url(review, "review_respond"), {"response": ""}).status_code == 400
    sent = partner.post(review_url(review, "review_respond"), {"response": "We will add tutoring."})
    assert sent.status_code == 302
    assert "We will add tutoring." in partner.get(review_url(review)).content.decode()
    viewer = login(colorado.users["state_viewer"])
    assert viewer.post(review_url(review, "review_respond"), {"response": "Not mine."}).status_code == 403


def test_a_states_reviews_and_the_comparison_with_its_csv(colorado, login):
    with scopes_disabled():
        AnnualReviewFactory(contract=colorado.contract, school_year="2011-12", academic_rating="does_not_meet")
    lead = login(colorado.users["state_lead"])
    listing = lead.get(reverse("contracts:state_reviews", kwargs={"state_pk": colorado.zone.state_id})).content.decode()
    assert "2010-11" in listing and "2011-12" in listing
    assert lead.get(reverse("contracts:review_compare")).status_code == 403
    admin = login(colorado.admin)
    page = admin.get(reverse("contracts:review_compare")).content.decode()
    assert colorado.zone.lead_partner.name in page and "Does not meet expectations" in page
    csv = admin.get(reverse("contracts:review_compare") + "?export=comparison")
    text = csv.content.decode()
    assert csv["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("Lead Partner,States,Zones,Latest review,Academic rating")
    row = next(line for line in text.splitlines() if colorado.zone.lead_partner.name in line)
    assert "2011-12" in row and "Does not meet expectations" in row and ",1,0," in row  # 1 deliverable due, 0 on time


@pytest.mark.parametrize("role", ["state_lead", "lead_partner_staff"])
def test_the_review_and_comparison_pages_cost_a_bounded_number_of_queries(colorado, login, role):
    with scopes_disabled():
        services.issue_review(colorado.users["state_lead"], colorado.review)
    client = login(colorado.users[role])
    urls = [review_url(colorado.review), contract_url(colorado.contract)]
    before = query_counts(client, urls)
    with scopes_disabled():
        grow_with_another_state(colorado.zone.state)
        for zone in colorado.zone.state.zones.exclude(pk=colorado.zone.pk):
            AnnualReviewFactory(contract=PerformanceContractFactory(zone=zone))
    assert query_counts(client, urls) == before
    admin = login(colorado.admin)
    compare = [reverse("contracts:review_compare")]
    first = query_counts(admin, compare)
    with scopes_disabled():
        grow_with_another_state(colorado.zone.state)
    assert query_counts(admin, compare) == first
