"""Managing the directory and removing things in the app, end to end in headless Chromium: an
initiative admin adds a funder and a metric; a state lead withdraws a commitment with a reason and
revokes an invitation."""

import datetime

import pytest
from playwright.sync_api import expect

from accountability.models import Metric
from accounts.models import Invitation, Role
from funding.models import Commitment, Funder
from tests.browsers import force_log_in, log_in, verified
from tests.factories import CommitmentFactory, FunderFactory, InvitationFactory, UserFactory, enable_totp
from tests.worlds import make_tenant, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_adds_a_funder_and_a_metric_in_the_app(page, screenshot, client, live_server):
    make_tenant("Colorado")
    admin = verified(UserFactory(email="admin@example.org", is_staff=True, is_superuser=True))
    enable_totp(admin)
    force_log_in(page, client, admin, live_server.url)
    page.goto("/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Directory").click()
    page.get_by_role("link", name="Funders").click()
    page.get_by_role("link", name="Add").click()
    page.get_by_label("Name").fill("Walton Family Foundation")
    page.get_by_label("Kind").select_option("private_foundation")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved Walton Family Foundation.")
    expect(page.get_by_role("row", name="Walton Family Foundation")).to_contain_text("Private foundation")
    screenshot("admin-directory-funders")

    page.get_by_role("link", name="Directory").first.click()
    page.get_by_role("link", name="Metrics").click()
    page.get_by_role("link", name="Add").click()
    page.get_by_label("Code").fill("chronic-absence")
    page.get_by_label("Name").fill("Chronic absenteeism")
    page.get_by_label("Kind").select_option("leading")
    page.get_by_label("Unit").select_option("percent")
    page.get_by_label("Direction").select_option("lower")
    page.get_by_label("Code").fill("bad code!")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".form-errors")).to_contain_text("Code")  # the server's check, in the summary
    page.get_by_label("Code").fill("chronic-absence")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved Chronic absenteeism.")
    expect(page.get_by_role("row", name="Chronic absenteeism")).to_contain_text("Leading indicator")
    assert Funder.objects.get(name="Walton Family Foundation").is_private
    assert Metric.objects.get(code="chronic-absence").state is None
    assert page.console_errors == []


def test_state_lead_withdraws_a_commitment_with_a_reason_and_revokes_an_invitation(page, screenshot):
    tenant = make_tenant("Colorado")
    funder = FunderFactory(name="Daniels Fund", kind="private_foundation")
    commitment = CommitmentFactory(funder=funder, state=tenant.state, status=Commitment.Status.COMMITTED)
    lead = verified(member(Role.STATE_LEAD, tenant))
    invitation = InvitationFactory(email="viewer@example.org", state=tenant.state, invited_by=lead)
    log_in(page, lead)

    page.get_by_role("link", name="Withdraw Daniels Fund commitment").click()
    page.get_by_label("Withdrawn on").fill("2011-02-01")
    page.get_by_label("Reason").fill("The foundation moved its money to early childhood.")
    page.get_by_role("button", name="Withdraw commitment").click()
    expect(page.locator(".messages")).to_contain_text("Withdrew Daniels Fund's commitment")
    withdrawn = Commitment.objects.get(pk=commitment.pk)
    assert withdrawn.status == Commitment.Status.WITHDRAWN and withdrawn.withdrawn_on == datetime.date(2011, 2, 1)
    assert withdrawn.history.first().history_change_reason == "The foundation moved its money to early childhood."

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Invitations").click()
    row = page.get_by_role("row", name="viewer@example.org")
    expect(row).to_contain_text("Pending")
    row.get_by_role("link", name="Revoke").click()
    page.get_by_role("button", name="Revoke invitation").click()
    expect(page.locator(".messages")).to_contain_text("Revoked the invitation for viewer@example.org")
    expect(page.get_by_role("row", name="viewer@example.org")).to_contain_text("Revoked")
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    screenshot("state-lead-invitations")
    assert page.console_errors == []
