"""axe-core over every page type each role is shown, on a desktop (1366×900) and a phone
(390×844): no serious or critical violation. The same page loads check the phone layout of the
pages people use on the move (no sideways scroll, a one-line header) and leave the README's
screenshots in tests/artifacts (axe-violations.txt lists what failed); with AXE_SCREENSHOTS=1 also
a full-page screenshot of each page type per role and viewport (a fifth of the test's time)."""

import hashlib
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import Role
from tests.browsers import ARTIFACTS, DESKTOP, PHONE
from tests.crawl import crawl
from tests.worlds import ROLES, build_two_states

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# axe-core 4.14.1 from the npm registry, vendored with its licence (tests/vendor/axe-core/README.md).
AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
FAILING_IMPACTS = {"serious", "critical"}
# The pages people use on the move: on a phone they fit the screen's width under a one-line header.
PHONE_PAGES = {
    "accountability:workspace",
    "portfolio:state_detail",
    "portfolio:zone_detail",
    "portfolio:school_detail",
}
PHONE_HEADER_MAX_PX = 64
# The screenshots README.md shows (docs/screenshots/), saved here as well, the screen's first view.
README_SHOTS = {
    ("initiative_admin", "desktop", "portfolio:portfolio"),
    ("lead_partner_staff", "phone", "accountability:workspace"),
    ("state_lead", "desktop", "portfolio:state_detail"),
}
EVERY_SCREENSHOT = os.environ.get("AXE_SCREENSHOTS") == "1"
HTMX_LOADED = "() => !document.querySelector('[hx-trigger=load]')"  # parts a page loads after itself
RUN_AXE = "axe.run(document, {resultTypes: ['violations']})"
PHONE_LAYOUT = """() => ({
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
    header: document.querySelector('header.topbar').getBoundingClientRect().height,
})"""


@pytest.fixture
def roles_world(transactional_db):
    """The two states with a user per role, built once for the whole check (the live server's
    transactional test cannot share the world built once per module)."""
    return build_two_states()


def role_user(world, role):
    return world.admin if role == Role.INITIATIVE_ADMIN else world.home.users[str(role)]


def serious_violations(result, where):
    return [
        f"{where}: {violation['id']} ({violation['impact']}) at {node['target']}"
        for violation in result["violations"]
        if violation["impact"] in FAILING_IMPACTS
        for node in violation["nodes"]
    ]


def test_every_page_type_of_every_role_passes_axe_on_desktop_and_phone(chromium, live_server, roles_world):
    axe_source = AXE.read_text()
    assert hashlib.sha256(axe_source.encode()).hexdigest() == AXE_SHA256, "tests/vendor/axe-core changed"
    ARTIFACTS.mkdir(exist_ok=True)
    started, visits = time.monotonic(), 0
    violations, layout = [], []
    for role in ROLES:
        client = Client()
        client.force_login(role_user(roles_world, role))
        pages = crawl(client).pages
        assert len(pages) > 10, f"{role} is shown only {sorted(pages)}"
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        for device, viewport in VIEWPORTS.items():
            context = chromium.new_context(base_url=live_server.url, viewport=viewport)
            context.set_default_timeout(15_000)
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
            context.add_init_script(script=axe_source)  # through the DevTools protocol: the CSP stays on
            page = context.new_page()
            for kind, url in sorted(pages.items()):
                where = f"{role} {device} {url} ({kind})"
                response = page.goto(url)
                assert response.status == 200, where
                page.wait_for_function(HTMX_LOADED)
                violations += serious_violations(page.evaluate(RUN_AXE), where)
                if device == "phone" and kind in PHONE_PAGES:
                    size = page.evaluate(PHONE_LAYOUT)
                    if size["scrollWidth"] > size["innerWidth"] or size["header"] > PHONE_HEADER_MAX_PX:
                        layout.append(f"{where}: {size}")
                name = f"{role}-{device}-{kind.replace(':', '-')}"
                if EVERY_SCREENSHOT:
                    page.screenshot(path=str(ARTIFACTS / f"{name}.jpeg"), full_page=True, quality=60)
                if (role, device, kind) in README_SHOTS:
                    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
                visits += 1
            context.close()
    report = violations + layout
    (ARTIFACTS / "axe-violations.txt").write_text("".join(f"{line}\n" for line in report))
    print(f"axe-core {visits} page loads ({len(ROLES)} roles, desktop and phone) in {time.monotonic() - started:.0f} s")
    assert violations == [], "Serious or critical axe-core violations:\n" + "\n".join(violations)
    assert layout == [], "Phone pages wider than the screen or under a tall header:\n" + "\n".join(layout)
