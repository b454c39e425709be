"""Autonomy for accountability end to end in headless Chromium: a Lead Partner reports that a
granted term does not hold, the state lead records the term as contested with the check-in as its
cause, writes and issues the annual review, and the Lead Partner responds to it."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from autonomy.models import AutonomyTerm
from contracts.models import AnnualReview
from tests.browsers import log_in, switch_to, verified
from tests.factories import AutonomyTermFactory, PerformanceContractFactory
from tests.worlds import make_tenant, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_contested_term_after_a_check_in_then_the_review_and_the_lead_partners_response(page, screenshot):
    tenant = make_tenant("Colorado")
    zone = tenant.zone
    term = AutonomyTermFactory(zone=zone, power=AutonomyTerm.Power.HIRING, status=AutonomyTerm.Status.GRANTED)
    contract = PerformanceContractFactory(zone=zone, lead_partner=zone.lead_partner)
    partner = verified(member(Role.LEAD_PARTNER_STAFF, tenant))
    lead = verified(member(Role.STATE_LEAD, tenant))

    # The Lead Partner checks in: hiring authority was granted, but the district placed teachers.
    log_in(page, partner)
    page.goto(f"/zones/{zone.pk}/autonomy/")
    page.get_by_role("link", name="Record check-in on Hiring").click()
    page.get_by_label("Practice").select_option("does_not_hold")
    page.get_by_label("Note").fill("Granted hiring authority, but the district placed 4 teachers.")
    page.get_by_label("Observed on").fill("2010-10-01")
    page.get_by_role("button", name="Record check-in").click()
    expect(page.locator(f"#term-{term.pk}")).to_contain_text("the district placed 4 teachers")

    # The state lead records the term as contested, caused by that check-in; it now comes first.
    switch_to(page, lead)
    page.goto(f"/zones/{zone.pk}/autonomy/")
    page.get_by_role("link", name="Change status of Hiring").click()
    page.get_by_label("New status").select_option("contested")
    page.get_by_label("Reason").fill("The district's placements override the MOU's hiring clause.")
    page.get_by_label("Effective on").fill("2010-10-05")
    page.get_by_label("Caused by").select_option(f"check_in:{term.check_ins.get().pk}")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator(f"#term-{term.pk}")).to_contain_text("Contested")
    expect(page.locator(f"#term-{term.pk}")).to_contain_text("override the MOU's hiring clause")
    term.refresh_from_db()
    assert term.status == AutonomyTerm.Status.CONTESTED
    change = term.changes.get(to_status=AutonomyTerm.Status.CONTESTED)
    assert change.check_in is not None and change.changed_by == lead
    page.goto(f"/states/{tenant.state.pk}/")
    expect(page.locator("main")).to_contain_text("Contested")
    screenshot("state-lead-contested-term")

    # The state lead writes the annual review and issues it.
    page.goto(contract.get_absolute_url())
    page.get_by_label("School year reviewed").fill("2010-11")
    page.get_by_role("button", name="Start a review").click()
    for part, rating in (("Academic", "meets"), ("Operational", "approaching"), ("Financial", "meets")):
        page.get_by_label(f"{part} rating").select_option(rating)
        page.get_by_label(f"{part} narrative").fill(f"{part} narrative of the first year.")
    page.get_by_role("button", name="Save review").click()
    expect(page.locator("main")).to_contain_text("Academic narrative of the first year.")
    page.get_by_role("link", name="Edit review").click()
    page.get_by_role("button", name="Issue review").click()
    expect(page.locator("main")).to_contain_text("Issued")
    review = AnnualReview.objects.get(contract=contract)
    assert review.status == AnnualReview.Status.ISSUED and review.scorecard

    # The Lead Partner reads the issued review and responds.
    switch_to(page, partner)
    page.goto(f"/reviews/{review.pk}/")
    expect(page.locator("main")).to_contain_text("Operational narrative of the first year.")
    page.get_by_role("link", name="Respond").click()
    page.get_by_role("textbox", name="Response").fill(
        "We have asked the district to honor the hiring clause from January."
    )
    page.get_by_role("button", name="Send response").click()
    expect(page.locator("main")).to_contain_text("honor the hiring clause from January")
    review.refresh_from_db()
    assert review.responded_by == partner and review.responded_at <= timezone.now()
    screenshot("lead-partner-review-response")
    assert page.console_errors == []
