"""An initiative admin's first login: two-factor enrolment with one password (a sign-in counts as
recent for allauth's re-authentication window), a nav that offers only the enrolment until it is
done, the recovery codes with a "Continue" to where the admin was going."""

import re

import pytest
from allauth.account import app_settings as account_settings
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts import enrolment
from accounts.models import Role
from tests.factories import totp_code

from .conftest import PASSWORD, make_member

SETUP = reverse("mfa_activate_totp")
CODES = reverse("mfa_view_recovery_codes")


@pytest.fixture(autouse=True)
def _totp_tolerance(settings):
    """Accept the neighbouring 30-second window so a code made at a boundary stays valid."""
    settings.MFA_TOTP_TOLERANCE = 1


@pytest.fixture
def admin(db):
    return make_member("new-admin@example.org", Role.INITIATIVE_ADMIN)  # no authenticator yet


def log_in(client, user, then=""):
    response = client.post(f"{reverse('account_login')}{then}", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def activate(client):
    client.get(SETUP)
    return client.post(SETUP, {"code": totp_code(client.session["mfa.totp.secret"])})


def header_links(response) -> set[str]:
    header = re.search(r"<header\b.*?</header>", response.content.decode(), re.S).group()
    return set(re.findall(r'<a [^>]*href="([^"]*)"', header))


def test_right_after_login_the_admin_sets_up_two_factor_without_a_second_password(client, admin):
    log_in(client, admin)
    landing = client.get("/", follow=True)
    assert [url for url, _status in landing.redirect_chain] == [SETUP]
    assert landing.status_code == 200 and "totp-secret" in landing.content.decode()
    response = activate(client)
    assert response.status_code == 302 and response["Location"] == CODES
    assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists()
    codes = client.get(CODES)
    assert codes.status_code == 200
    unused = Authenticator.objects.get(user=admin, type=Authenticator.Type.RECOVERY_CODES).wrap().get_unused_codes()
    assert unused and all(code in codes.content.decode() for code in unused)


def test_past_allauths_window_after_login_two_factor_changes_ask_for_the_password_again(client, admin):
    log_in(client, admin)
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] -= account_settings.REAUTHENTICATION_TIMEOUT + 1
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))


@pytest.mark.parametrize(("then", "destination"), [("", "/"), ("?next=/invitations/", "/invitations/")])
def test_continue_after_the_recovery_codes_leads_where_the_admin_was_going(client, admin, then, destination):
    log_in(client, admin, then)
    client.get(destination)  # sent to the set-up, the destination kept
    activate(client)
    page = client.get(CODES)
    assert page.context["nav"]["enrolling"].destination == destination
    assert f'href="{destination}">Continue</a>' in page.content.decode()
    arrived = client.get(destination, follow=True)
    assert arrived.status_code == 200
    assert all(not url.startswith("/accounts/") for url, _status in arrived.redirect_chain)
    assert "Two-factor authentication is on" in arrived.content.decode()  # the steps' "Done"
    assert enrolment.DESTINATION not in client.session  # the enrolment is over
    assert "Continue</a>" not in client.get(CODES).content.decode()
    settings_page = client.get(reverse("mfa_index")).content.decode()  # where the codes are found later
    assert f'href="{CODES}"' in settings_page and f'href="{reverse("mfa_deactivate_totp")}"' in settings_page


def test_while_enrolling_the_nav_offers_only_the_enrolment_then_everything(client, admin):
    log_in(client, admin)
    setup = client.get("/", follow=True)
    assert header_links(setup) == {SETUP}  # the set-up (and the brand leading there), log out
    assert 'action="/accounts/logout/"' in setup.content.decode()
    activate(client)
    assert header_links(client.get(CODES)) == {CODES}
    portfolio = client.get("/", follow=True)
    links = header_links(portfolio)
    assert {reverse("portfolio:portfolio"), reverse("reports:index"), reverse("notifications:inbox")} <= links
    assert SETUP not in links and CODES not in links


def test_an_enrolled_admin_and_other_roles_never_see_the_enrolment_nav(client, world):
    for role in ("initiative_admin", "state_lead"):
        client.force_login(world.users[role])
        page = client.get("/", follow=True)
        assert page.status_code == 200
        assert "enrolling" not in page.context["nav"]
        assert SETUP not in header_links(page)
