"""The three everyday flows, end to end in headless Chromium."""

import pytest
from playwright.sync_api import expect

from accountability.models import StatusUpdate
from accounts.models import Role
from tests.browsers import force_log_in, log_in, verified
from tests.factories import AutonomyTermFactory, DistrictFactory, SchoolFactory, UserFactory, enable_totp
from tests.worlds import make_tenant, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_partner_posts_a_status_update_stays_on_the_workspace_and_sees_it_on_the_zone_page(page, screenshot):
    tenant = make_tenant("Colorado")
    AutonomyTermFactory(zone=tenant.zone, area="time", power="schedule")  # so its notes are asked for
    school = tenant.schools[1]
    log_in(page, verified(member(Role.LEAD_PARTNER_STAFF, tenant)))
    expect(page.get_by_role("heading", name="Your schools")).to_be_visible()

    page.get_by_role("link", name=f"Post update for {school.name}").click()
    form = page.locator("#status-form form")
    expect(form.get_by_label("School")).to_have_value(str(school.pk))
    form.get_by_label("At risk").check()
    form.get_by_label("Narrative").fill("Attendance dipped after the schedule change; family outreach starts Monday.")
    form.get_by_label("Scheduling autonomy notes").fill("Extended day moves to 4:30pm.")
    form.get_by_role("button", name="Post status update").click()

    expect(page.locator(".messages")).to_contain_text(f"Status update for {school.name} posted: At risk.")
    expect(page.get_by_role("heading", name="Your schools")).to_be_visible()  # still on the workspace
    expect(page.locator("#status-form").get_by_label("School")).to_have_value(str(school.pk))
    page.get_by_role("link", name=tenant.zone.name).first.click()
    expect(page.get_by_role("heading", name=tenant.zone.name)).to_be_visible()
    updates = page.locator("#status-updates")
    expect(updates).to_contain_text("family outreach starts Monday")
    expect(updates).to_contain_text("Extended day moves to 4:30pm.")
    assert StatusUpdate.objects.filter(school=school, rating="at_risk").exists()
    screenshot("lead-partner-status-update")
    assert page.console_errors == []


def test_state_lead_creating_a_launched_zone_with_two_schools_sees_the_error(page, screenshot):
    tenant = make_tenant("Colorado")
    district = DistrictFactory(state=tenant.state, name="Pueblo City Schools")
    schools = SchoolFactory.create_batch(2, district=district)
    log_in(page, verified(member(Role.STATE_LEAD, tenant)))
    expect(page.get_by_role("heading", name="Colorado")).to_be_visible()

    page.get_by_role("link", name="New zone").click()
    page.get_by_label("Name").fill("Pueblo Zone")
    page.get_by_label("Lead partner").select_option(str(tenant.zone.lead_partner.pk))
    page.get_by_label("Launch school year").fill("2011-12")
    page.get_by_label("Status").select_option("launched")
    page.get_by_label("Pueblo City Schools", exact=True).check()
    for school in schools:
        page.get_by_label(f"{school.name} · {district.name}").check()
    page.get_by_role("button", name="Save").click()

    error = page.locator("#id_schools_error")
    expect(error).to_have_text("A launched zone holds 3 to 5 schools; you chose 2.")
    expect(page.get_by_label("Name")).to_have_value("Pueblo Zone")  # nothing lost
    expect(page.get_by_label(f"{schools[0].name} · {district.name}")).to_be_checked()
    screenshot("state-lead-zone-validation")
    assert page.console_errors == []


def test_admin_opens_the_portfolio_and_drills_down_to_a_state(page, screenshot, client, live_server):
    make_tenant("Colorado")
    make_tenant("Louisiana")
    admin = verified(UserFactory(email="admin@example.org", is_staff=True, is_superuser=True))
    enable_totp(admin)
    force_log_in(page, client, admin, live_server.url)
    page.goto("/")

    expect(page.get_by_role("heading", name="Portfolio", exact=True)).to_be_visible()
    rows = page.locator("#portfolio-table tbody tr")
    expect(rows).to_have_count(2)
    page.locator("#portfolio-table thead th").first.get_by_role("link").click()  # by state, now descending
    expect(rows.first).to_contain_text("Louisiana")
    screenshot("admin-portfolio")
    page.get_by_role("link", name="Colorado").click()
    expect(page.get_by_role("heading", name="Schools off track")).to_be_visible()
    assert page.console_errors == []  # no blocked script or style, no missing file
