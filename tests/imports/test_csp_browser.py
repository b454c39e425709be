"""In real Chromium, the import pages work under the CSP: the stylesheet applies, the upload form
posts, and the browser reports no CSP violation."""

import pytest
from django.test import Client

from .conftest import DATA, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    """This test's own world: the live server's transactional test cannot share the one built once."""
    return build_world()


@pytest.fixture
def browser_page(chromium, live_server):
    """A page of the shared browser (tests/browsers.py) that collects the CSP violations it reports."""
    page = chromium.new_page()
    page.violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and page.violations.append(message.text),
    )
    yield page
    page.close()


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_upload_and_preview_under_the_csp(browser_page, live_server, world):
    page = browser_page
    sign_in(page, live_server, world.users.lead)

    page.goto(f"{live_server.url}/imports/new/")
    assert page.eval_on_selector(".topbar", "el => getComputedStyle(el).display") == "flex"  # app.css applied
    page.select_option("#id_kind", "measurements")
    page.set_input_files("#id_file", str(DATA / "measurements_mixed.csv"))
    page.get_by_role("button", name="Preview").click()

    page.wait_for_selector("table.errors")
    assert "130 is out of range for ELA proficiency" in page.inner_text("table.errors")
    assert page.violations == []
