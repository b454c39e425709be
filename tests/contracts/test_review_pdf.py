"""A review's PDF: a report run requested from the review page by state roles (and by the
Lead Partner once issued), its text the review's figures and words, never its comments."""

import io

from django.urls import reverse
from django_scopes import scopes_disabled
from pypdf import PdfReader

from comments.models import Comment
from contracts import services
from reports import services as reports
from reports.models import ReportRun
from tests.factories import CommentFactory


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_holds_the_review_and_no_comment(colorado):
    with scopes_disabled():
        review = services.issue_review(colorado.users["state_lead"], colorado.review)
        services.respond_to_review(colorado.users["lead_partner_staff"], review, "We will add tutoring.")
        CommentFactory(
            state=colorado.zone.state,
            zone=colorado.zone,
            school=None,
            subject="annual_review",
            annual_review=review,
            visibility=Comment.Visibility.EVERYONE,
            body="A comment that stays on the page",
        )
        text = pdf_text(reports.annual_review_pdf(review))
    assert colorado.zone.lead_partner.name in text
    assert "Academic: Meets expectations" in text and "Operational: Approaching expectations" in text
    assert "Draft academic narrative" in text  # the narrative as issued
    assert "ELA proficiency" in text and "3 of 3" in text
    assert "We will add tutoring." in text
    assert "A comment that stays on the page" not in text


def test_state_roles_request_a_drafts_pdf_the_lead_partner_only_an_issued_ones(colorado, login):
    review = colorado.review
    request = {"kind": ReportRun.Kind.ANNUAL_REVIEW, "review": review.pk}
    viewer = login(colorado.users["state_viewer"])
    response = viewer.post(reverse("reports:request"), request)
    assert response.status_code == 302
    with scopes_disabled():
        draft_run = ReportRun.objects.get(review=review)
    assert draft_run.scope_key == f"review:{review.pk}:draft"
    partner = login(colorado.users["lead_partner_staff"])
    assert partner.post(reverse("reports:request"), request).status_code == 400  # no such review for them
    with scopes_disabled():
        services.issue_review(colorado.users["state_lead"], review)
    assert partner.get(draft_run.get_absolute_url()).status_code == 404  # the draft's PDF stays the state's
    assert partner.post(reverse("reports:request"), request).status_code == 302
    with scopes_disabled():
        issued_run = ReportRun.objects.get(review=review, scope_key=f"review:{review.pk}:issued")
    assert partner.get(issued_run.get_absolute_url()).status_code == 200
