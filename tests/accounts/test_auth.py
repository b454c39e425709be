"""Signing in: email login, each role's landing page, admins' mandatory two-factor, closed sign-up,
the failed-login rate limit, password reset and session expiry."""

import os
import re
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from accounts.models import Membership, Role, User
from tests.factories import enable_totp, totp_code

from .conftest import PASSWORD, ROLES, make_member

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _totp_tolerance(settings):
    """Accept the neighbouring 30-second window so a code made at a boundary stays valid."""
    settings.MFA_TOTP_TOLERANCE = 1


def log_in(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def reaches_the_app(client) -> bool:
    """Home (and the role's landing page it may redirect to) opens, without a detour to MFA setup."""
    landing = client.get("/", follow=True)
    detours = [url for url, _status in landing.redirect_chain if url.startswith("/accounts/")]
    return landing.status_code == 200 and not detours


@pytest.mark.parametrize("role", [role for role in ROLES if role != "initiative_admin"])
def test_each_role_lands_on_a_home_page_showing_only_its_scope(client, world, role):
    response = log_in(client, world.users[role].email)
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/", follow=True)
    assert home.status_code == 200
    body = home.content.decode()
    assert "Arcadia" in body  # its state, zone or schools, whichever page the role lands on
    assert "Borealis" not in body


def test_the_login_is_the_email_address_not_a_username(client, world):
    assert log_in(client, "VIEWER@example.org").status_code == 302
    client.logout()
    response = log_in(client, "viewer@example.org", "wrong password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_an_unverified_address_cannot_log_in_and_gets_a_verification_email(client, db):
    user = User.objects.create_user("unverified@example.org", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    response = log_in(client, user.email)
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]


def test_sessions_end_with_the_browser(client, world):
    log_in(client, world.users["state_viewer"].email)
    assert client.session.get_expire_at_browser_close()


class TestInitiativeAdminsMustUseTwoFactor:
    def admin_without_authenticator(self):
        return make_member("new-admin@example.org", Role.INITIATIVE_ADMIN)

    def test_an_admin_without_an_authenticator_is_sent_to_set_one_up(self, client, db):
        log_in(client, self.admin_without_authenticator().email)
        for path in ("/", reverse("accounts:invitation_list"), "/admin/"):
            response = client.get(path)
            assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp"), path

    def test_the_setup_logout_and_account_pages_stay_reachable(self, client, db):
        log_in(client, self.admin_without_authenticator().email)
        assert client.get(reverse("mfa_activate_totp")).status_code == 200  # the login was a moment ago
        assert client.get(reverse("account_reauthenticate")).status_code == 200
        assert client.get(reverse("mfa_index")).status_code == 200
        assert client.get(reverse("account_change_password")).status_code == 200
        response = client.post(reverse("account_logout"))
        assert response.status_code == 302 and "_auth_user_id" not in client.session

    def test_after_activating_totp_the_admin_reaches_the_app(self, client, db):
        admin = self.admin_without_authenticator()
        log_in(client, admin.email)
        assert client.get(reverse("mfa_activate_totp")).status_code == 200
        secret = client.session["mfa.totp.secret"]
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
        assert response.status_code == 302
        assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists()
        assert reaches_the_app(client)

    def test_a_superuser_is_held_to_the_same_rule(self, client, db):
        User.objects.create_superuser("root@example.org", PASSWORD)
        EmailAddress.objects.create(email="root@example.org", user=User.objects.get(), verified=True, primary=True)
        log_in(client, "root@example.org")
        assert client.get("/")["Location"] == reverse("mfa_activate_totp")

    def test_an_admin_with_totp_must_give_a_code_at_login(self, client, world):
        admin = world.users["initiative_admin"]
        Authenticator.objects.filter(user=admin).delete()
        secret = enable_totp(admin)
        response = log_in(client, admin.email)
        assert response["Location"] == reverse("mfa_authenticate")
        assert "_auth_user_id" not in client.session
        wrong = f"{(int(totp_code(secret)) + 500_000) % 1_000_000:06d}"
        assert client.post(reverse("mfa_authenticate"), {"code": wrong}).status_code == 200
        assert "_auth_user_id" not in client.session
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
        assert response.status_code == 302 and response["Location"] == "/"
        assert reaches_the_app(client)

    @pytest.mark.parametrize("role", [role for role in ROLES if role != "initiative_admin"])
    def test_other_roles_are_not_asked_for_two_factor(self, client, world, role):
        log_in(client, world.users[role].email)
        assert reaches_the_app(client)


def test_public_sign_up_is_closed(client, db):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert "Sign-up is closed" in response.content.decode()
    client.post(
        reverse("account_signup"),
        {"email": "stranger@example.org", "password1": "a-long-passphrase-1", "password2": "a-long-passphrase-1"},
    )
    assert not User.objects.filter(email="stranger@example.org").exists()
    assert not Membership.objects.exists()


def test_failed_logins_are_rate_limited(client, world):
    email = world.users["state_viewer"].email
    for _ in range(5):
        assert log_in(client, email, "wrong password").status_code == 200
    response = log_in(client, email)  # the right password, too late
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()


def test_failed_logins_lock_the_account_not_the_address(client, world):
    """Everyone behind one proxy or office network shares an address: one account's failures must
    not lock out the others, but the account tried stays locked, from any address."""
    attacked, bystander = world.users["state_viewer"].email, world.users["state_lead"].email
    for _ in range(6):
        log_in(client, attacked, "wrong password")
    assert log_in(client, bystander).status_code == 302
    assert "_auth_user_id" in client.session
    client.logout()
    response = client.post(LOGIN, {"login": attacked, "password": PASSWORD}, REMOTE_ADDR="192.0.2.99")
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.parametrize("trusted_proxies", [0, 1])
def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(client, world, settings, trusted_proxies):
    """Logins are slowed per client address; with a trusted proxy (TRUSTED_PROXY_COUNT) that is the
    address it forwards, without one X-Forwarded-For is the client's to forge and is ignored."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = trusted_proxies

    def attempt(forwarded_for, email, password):
        data = {"login": email, "password": password}
        return client.post(LOGIN, data, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)

    for number in range(100):  # distinct unknown accounts: only the per-address limit counts them
        if attempt("203.0.113.1", f"nobody{number}@example.org", "wrong").status_code == 429:
            break
    else:
        pytest.fail("logins from one address are never slowed down")
    response = attempt("203.0.113.2", world.users["state_viewer"].email, PASSWORD)
    assert response.status_code == (302 if trusted_proxies else 429)


@pytest.mark.parametrize(("environment", "trusted_proxies"), [({}, 0), ({"TRUSTED_PROXY_COUNT": "2"}, 2)])
def test_the_trusted_proxies_come_from_the_environment(settings, environment, trusted_proxies):
    """No proxy unless the deployment says so (X-Forwarded-For is forgeable without one)."""
    base = {key: value for key, value in os.environ.items() if key != "TRUSTED_PROXY_COUNT"}
    code = "import config.settings as s; print(s.ALLAUTH_TRUSTED_PROXY_COUNT)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env={**base, **environment}, capture_output=True, text=True
    )
    assert result.stdout.strip() == str(trusted_proxies), result.stderr


def test_password_reset_by_emailed_link(client, world):
    user = world.users["state_viewer"]
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    response = client.post(set_url, {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase")
    client.logout()
    assert log_in(client, user.email, "a-new-long-passphrase").status_code == 302
    assert client.get(link, follow=True).context["token_fail"]  # the link worked once


def test_password_reset_does_not_reveal_unknown_addresses(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
