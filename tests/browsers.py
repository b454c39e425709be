"""Headless Debian Chromium driven by Playwright against pytest-django's live server (a plugin
registered from tests/conftest.py: tests/browser and any app's browser test use the same browser)."""

from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings

from tests.worlds import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # screenshots and reports of a run (gitignored)
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def allow_orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread; the ORM calls a test makes between
    browser steps are ordinary blocking calls, so Django's async-context guard does not apply.
    Only while the browser runs: the variable must not leak into other tests (or a deploy check)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def chromium(allow_orm_beside_playwright):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (`make test` installs it).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(chromium, live_server, viewport):
    """A page in a browser context of its own, of ``viewport``'s size, recording console errors."""
    context = chromium.new_context(base_url=live_server.url, viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.console_errors = []  # script errors and Content Security Policy violations

    def record(message):
        # A page answering 400 to a failed form, or a favicon, is logged as a failed load: not a script error.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            page.console_errors.append(message.text)

    page.on("console", record)
    return page


@pytest.fixture
def page(chromium, live_server):
    page = open_page(chromium, live_server, {"width": 1280, "height": 900})
    yield page
    page.context.close()


@pytest.fixture
def phone_page(chromium, live_server):
    """A page on a phone's screen (390×844 CSS pixels)."""
    page = open_page(chromium, live_server, PHONE)
    yield page
    page.context.close()


def scrolls_sideways(page) -> bool:
    """Whether the page is wider than the screen (the reader would scroll sideways)."""
    return page.evaluate("document.scrollingElement.scrollWidth > window.innerWidth")


@pytest.fixture
def screenshot(page):
    def save(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def log_in(page, user):
    """Log in through the real login form."""
    page.goto("/accounts/login/")
    form = page.locator("form:has(input[name=login])")
    form.locator("input[name=login]").fill(user.email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("[type=submit]").first.click()
    page.wait_for_load_state()


def switch_to(page, user):
    """Log the current user out and ``user`` in, on the same page."""
    page.get_by_role("button", name="Log out").click()
    log_in(page, user)


def force_log_in(page, client, user, base_url):
    """Start a session for ``user`` without the login form (admins must set up MFA first)."""
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
