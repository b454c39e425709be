"""On a phone (390×844): the header folds its menu behind a button, and a Lead Partner posts a
status update from the workspace without ever scrolling sideways."""

import pytest
from playwright.sync_api import expect

from accountability.models import StatusUpdate
from accounts.models import Role
from tests.browsers import ARTIFACTS, DESKTOP, PHONE, log_in, scrolls_sideways, verified
from tests.worlds import make_tenant, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_partner_posts_a_status_update_on_a_phone_without_scrolling_sideways(phone_page):
    page = phone_page
    tenant = make_tenant("Colorado")
    school = tenant.schools[1]
    log_in(page, verified(member(Role.LEAD_PARTNER_STAFF, tenant)))
    expect(page.get_by_role("heading", name="Your schools")).to_be_visible()

    # A one-line header: the menu is behind its button, a disclosure.
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    assert page.locator("header.topbar").bounding_box()["height"] <= 64
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Workspace")).to_be_visible()
    menu.click()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()

    # The school's row is a card: its "Post update" lies within the screen's width.
    assert not scrolls_sideways(page)
    post = page.get_by_role("link", name=f"Post update for {school.name}")
    box = post.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    post.click()
    form = page.locator("#status-form form")
    expect(form.get_by_label("School")).to_have_value(str(school.pk))
    expect(form).to_be_in_viewport()
    form.get_by_label("On track").check()
    form.get_by_label("Narrative").fill("Attendance is back above 94% after the family outreach.")
    assert not scrolls_sideways(page)
    form.get_by_role("button", name="Post status update").click()

    expect(page.locator(".messages")).to_contain_text(f"Status update for {school.name} posted: On track.")
    assert not scrolls_sideways(page)
    assert StatusUpdate.objects.filter(school=school, rating="on_track", narrative__startswith="Attendance").exists()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lead-partner-phone-status-update.png"), full_page=True)
    assert page.console_errors == []


def test_the_menu_button_shows_its_focus_and_on_a_wide_screen_hides_with_the_menu_open(phone_page):
    page = phone_page
    tenant = make_tenant("Colorado")
    log_in(page, verified(member(Role.LEAD_PARTNER_STAFF, tenant)))
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    for _ in range(3):  # the skip link, the brand, the menu button
        page.keyboard.press("Tab")
    expect(menu).to_be_focused()
    ring = menu.evaluate("el => ((s) => [s.outlineStyle, s.outlineWidth, s.outlineColor])(getComputedStyle(el))")
    assert ring == ["solid", "3px", "rgb(255, 255, 255)"]  # white on the header's #164766: 9.9:1
    page.set_viewport_size(DESKTOP)  # a phone turned, a window widened
    expect(menu).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Workspace")).to_be_visible()
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    assert page.console_errors == []
