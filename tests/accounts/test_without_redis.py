"""Signing in and the API's limits while the cache's Redis is unreachable (core.cache fails open):
the limits are counted in this process's memory meanwhile, so they still hold, and nothing fails.
The live-server version, with concurrent clients and a black-holed Redis, is tests/faults/test_redis.py."""

import socket
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.authentication import ApiTokenRateThrottle
from accounts.models import Role
from accounts.tokens import issue_token
from tests.factories import StateFactory, enable_totp
from tests.worlds import PASSWORD, member, membership


@pytest.fixture(autouse=True)
def redis_away():
    """The cache as production configures it, its Redis on a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    with override_settings(CACHES={"default": {"BACKEND": "core.cache.FailOpenRedisCache", "LOCATION": dead}}):
        yield


def test_a_tokens_rate_is_still_enforced(db, monkeypatch):
    _token, key = issue_token(membership(Role.STATE_LEAD, state=StateFactory()), "warehouse")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    monkeypatch.setattr(ApiTokenRateThrottle, "THROTTLE_RATES", {"api_token": "3/minute", "user": "1000/minute"})

    assert [client.get("/api/v1/states/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_an_initiative_admin_signs_in_with_a_code_which_cannot_be_used_twice(client, db, settings):
    settings.MFA_TOTP_TOLERANCE = 1  # a code made at a 30-second boundary stays valid
    admin = member(Role.INITIATIVE_ADMIN)
    admin.set_password(PASSWORD)
    admin.save()
    EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)
    admin.authenticator_set.all().delete()
    secret = enable_totp(admin)
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))

    assert client.post("/accounts/login/", {"login": admin.email, "password": PASSWORD})["Location"] == reverse(
        "mfa_authenticate"
    )
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302 and response["Location"] == "/"

    client.logout()
    client.post("/accounts/login/", {"login": admin.email, "password": PASSWORD})
    replayed = client.post(reverse("mfa_authenticate"), {"code": code})
    assert replayed.status_code == 200  # the used code is remembered (in memory while Redis is away)
    assert "_auth_user_id" not in client.session
