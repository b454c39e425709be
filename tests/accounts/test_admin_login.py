"""The Django admin signs in through allauth (rate limits, two-factor step), and an initiative admin
without an authenticator is sent to set one up from every URL but allauth's own pages, the admin's
pages for allauth's models (e-mail addresses, authenticators) included."""

import allauth.urls
import pytest
from django.urls import URLResolver, get_resolver, reverse

from accounts.models import Role
from tests.factories import enable_totp

from .conftest import PASSWORD, make_member

LOGIN = reverse("account_login")
# Values that fit each URL kwarg's converter; the redirect happens before any object is looked up.
SAMPLE_KWARGS = {"app_label": "accounts", "url": "anything/", "key": "not-a-key", "uidb36": "0"}


def named_patterns(patterns, namespace=""):
    """(namespaced name, pattern) of every named URL pattern."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern.url_patterns, inner)
        elif pattern.name:
            yield namespace + pattern.name, pattern


ALLAUTH_PAGES = {name for name, _pattern in named_patterns(allauth.urls.urlpatterns)}


def every_url():
    """(name, path) of every named URL of the URLconf but allauth's pages, with sample arguments."""
    for name, pattern in named_patterns(get_resolver().url_patterns):
        if name not in ALLAUTH_PAGES:
            regex = pattern.pattern.regex
            kwargs = {kwarg: SAMPLE_KWARGS.get(kwarg, "1") for kwarg in regex.groupindex}
            yield name, reverse(name, kwargs=kwargs) if kwargs else reverse(name, args=["1"] * regex.groups)


@pytest.fixture
def staff_admin(db):
    """An initiative admin who may do anything in the Django admin, with a password only (no
    authenticator): only the two-factor rule stands between this session and the admin."""
    user = make_member("staff-admin@example.org", Role.INITIATIVE_ADMIN)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.mark.parametrize("debug", [False, True])
def test_the_admin_login_sends_visitors_to_the_sign_in(client, db, settings, debug):
    settings.DEBUG = debug
    for path, then in (("/admin/login/", "/admin/login/"), ("/admin/login/?next=/admin/", "/admin/")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next={then.replace('/', '%2F')}"
    assert client.get("/admin/", follow=True).status_code == 200  # through /admin/login/ to the sign-in


def test_every_admin_url_sends_visitors_away_without_an_error(client, db):
    client.raise_request_exception = False
    answers = {name: client.get(path).status_code for name, path in every_url() if name.startswith("admin:")}
    assert len(answers) > 100
    assert {name: status for name, status in answers.items() if status != 302} == {}


def test_the_admins_own_password_form_signs_nobody_in(client, world):
    """Its form would skip allauth's rate limits and the two-factor step."""
    admin = world.users["initiative_admin"]  # with an authenticator
    admin.is_staff = True
    admin.save()
    response = client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_staff_sign_in_through_allauth_and_reach_the_admin(client, world):
    lead = world.users["state_lead"]
    lead.is_staff = True
    lead.save()
    response = client.post(f"{LOGIN}?next=/admin/", {"login": lead.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_admin_without_an_authenticator_is_sent_to_set_one_up_from_every_url(client, staff_admin):
    client.force_login(staff_admin)  # a password-only session
    urls = dict(every_url())
    assert {"admin:account_emailaddress_changelist", "admin:mfa_authenticator_changelist", "admin:index"} <= set(urls)
    setup = reverse("mfa_activate_totp")
    passed = {
        name: response.status_code
        for name, path in urls.items()
        if (response := client.get(path)).status_code != 302 or response["Location"] != setup
    }
    assert passed == {}


def test_an_admin_with_an_authenticator_uses_the_admin(client, staff_admin):
    enable_totp(staff_admin)
    client.force_login(staff_admin)
    for name in ("admin:index", "admin:account_emailaddress_changelist", "admin:mfa_authenticator_changelist"):
        assert client.get(reverse(name)).status_code == 200, name
