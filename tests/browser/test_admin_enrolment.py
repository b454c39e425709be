"""An initiative admin's first login in one pass: the password typed once, the authenticator app set
up from the key shown, the recovery codes saved, Continue to the portfolio (issue 20)."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from tests.factories import totp_code
from tests.worlds import PASSWORD, login_member, make_tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SETUP = "/accounts/2fa/totp/activate/"
CODES = "/accounts/2fa/recovery-codes/"


def test_admin_first_login_enrols_in_two_factor_in_one_pass(page, screenshot, settings):
    settings.MFA_TOTP_TOLERANCE = 1  # a code typed at a 30-second boundary still counts
    make_tenant("Colorado")
    admin = login_member("first-admin@example.org", Role.INITIATIVE_ADMIN)  # no authenticator yet
    documents = []  # every page the browser loaded or was redirected through: (method, path, status)
    page.on(
        "response",
        lambda response: (
            response.request.resource_type == "document"
            and documents.append((response.request.method, urlsplit(response.url).path, response.status))
        ),
    )
    password_forms = []  # every page that showed a password field
    page.on("load", lambda loaded: loaded.locator("input[type=password]").count() and password_forms.append(loaded.url))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)  # the one time the password is typed
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(page.locator("[aria-current=step]")).to_contain_text("Set up authenticator app")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_count(1)  # only the enrolment: no link that bounces back here
    expect(nav.get_by_role("link")).to_have_text("Two-factor setup")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    screenshot("admin-two-factor-setup")
    secret = page.locator("#totp-secret").inner_text()  # what the admin types into the app instead of scanning
    page.get_by_role("button", name="Copy key").click()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate and continue").click()

    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    expect(page.locator("[aria-current=step]")).to_contain_text("Save recovery codes")
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    shown = codes.all_inner_texts()
    page.get_by_role("button", name="Copy codes").click()
    assert page.evaluate("navigator.clipboard.readText()").split() == shown
    with page.expect_download() as download:
        page.get_by_role("link", name="Download codes").click()
    assert Path(download.value.path()).read_text().split() == shown
    screenshot("admin-recovery-codes")
    page.get_by_role("link", name="Continue").click()

    expect(page.get_by_role("heading", name="Portfolio", exact=True)).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("Two-factor authentication is on")
    expect(nav.get_by_role("link", name="Portfolio")).to_be_visible()  # the full nav, now that it works
    expect(nav.get_by_role("link", name="Two-factor setup")).to_have_count(0)
    assert [urlsplit(url).path for url in password_forms] == ["/accounts/login/"]
    assert documents == [
        ("GET", "/accounts/login/", 200),
        ("POST", "/accounts/login/", 302),  # the password, once
        ("GET", "/", 302),  # where the admin was going, kept for Continue
        ("GET", SETUP, 200),
        ("POST", SETUP, 302),
        ("GET", CODES, 200),
        ("GET", "/", 302),  # Continue
        ("GET", "/portfolio/", 200),
    ]
    assert page.console_errors == []
