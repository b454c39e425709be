"""Named API tokens: hashed, scoped to one membership, revocable, expiring, recording last use,
throttled per token; and the pages where users manage their own tokens."""

import datetime
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.authentication import ApiTokenRateThrottle
from accounts.models import ApiToken, Role
from accounts.tokens import LAST_USED_RESOLUTION, issue_token
from schools.models import School
from tests.api.conftest import member, token_client
from tests.factories import MembershipFactory, UserFactory


def test_key_is_stored_hashed(memberships):
    token, key = issue_token(memberships["state_viewer"], "warehouse")
    assert key not in (token.key_hash, token.key_prefix)
    assert token.key_hash == ApiToken.hash_key(key)
    assert key.startswith(token.key_prefix)


@pytest.mark.parametrize("header", ["Bearer {key}", "Token {key}"])
def test_both_keywords_work(memberships, world, header):
    _token, key = issue_token(memberships["state_viewer"], "warehouse")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.format(key=key))
    assert client.get("/api/v1/zones/").json()["count"] == 1


def test_unknown_revoked_and_expired_tokens_are_refused(memberships, world):
    membership = memberships["state_viewer"]
    revoked, revoked_key = issue_token(membership, "old")
    revoked.revoked_at = timezone.now()
    revoked.save()
    _expired, expired_key = issue_token(membership, "short", expires_at=timezone.now() - datetime.timedelta(seconds=1))
    _live, live_key = issue_token(membership, "live")
    for key in (revoked_key, expired_key, live_key[:-1] + ("A" if live_key[-1] != "A" else "B"), "short"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        assert client.get("/api/v1/zones/").status_code == 401, key


def test_inactive_user_is_refused(memberships, world):
    membership = memberships["state_viewer"]
    client = token_client(membership)
    membership.user.is_active = False
    membership.user.save()
    assert client.get("/api/v1/zones/").status_code == 401


def test_last_used_is_recorded_at_most_once_a_minute(memberships, world, django_assert_num_queries):
    token, key = issue_token(memberships["state_viewer"], "warehouse")
    assert token.last_used_at is None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    client.get("/api/v1/funders/")
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    client.get("/api/v1/funders/")
    token.refresh_from_db()
    assert token.last_used_at == first_use
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - LAST_USED_RESOLUTION)
    client.get("/api/v1/funders/")
    token.refresh_from_db()
    assert token.last_used_at > first_use


def test_token_carries_one_membership_only(world):
    """A user who leads one state and only views another: a token for the viewing role sees only
    the second state and cannot write there, although the user could through the browser."""
    lead = member(Role.STATE_LEAD, state=world.state)
    viewer = MembershipFactory(user=lead.user, role=Role.STATE_VIEWER, state=world.other_state)
    client = token_client(viewer)
    assert {z["id"] for z in client.get("/api/v1/zones/").json()["results"]} == {world.other_zone.pk}
    assert client.get(f"/api/v1/zones/{world.zone.pk}/").status_code == 404
    school = world.other_schools[0]
    assert client.patch(f"/api/v1/schools/{school.pk}/", {"enrollment": 1}, format="json").status_code == 403
    lead_client = token_client(lead)
    own_school = world.schools[0]
    assert lead_client.patch(f"/api/v1/schools/{own_school.pk}/", {"enrollment": 451}, format="json").status_code == 200


def test_superuser_token_has_only_its_membership_role(world):
    user = UserFactory(is_superuser=True, is_staff=True)
    viewer = MembershipFactory(user=user, role=Role.STATE_VIEWER, state=world.state)
    client = token_client(viewer)
    assert client.get(f"/api/v1/zones/{world.other_zone.pk}/").status_code == 404
    school = world.schools[0]
    assert client.patch(f"/api/v1/schools/{school.pk}/", {"enrollment": 1}, format="json").status_code == 403
    assert School.objects.get(pk=school.pk).enrollment == 450


def test_throttled_per_token(memberships, world, monkeypatch):
    monkeypatch.setattr(ApiTokenRateThrottle, "THROTTLE_RATES", {"api_token": "3/minute"})
    first, second = token_client(memberships["state_viewer"]), token_client(memberships["state_viewer"])
    assert [first.get("/api/v1/metrics/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert second.get("/api/v1/metrics/").status_code == 200  # the same user's other token has its own budget


def test_session_requests_are_not_counted_per_token(memberships, world, client, monkeypatch):
    monkeypatch.setattr(ApiTokenRateThrottle, "THROTTLE_RATES", {"api_token": "1/minute"})
    client.force_login(memberships["state_viewer"].user)
    assert [client.get("/api/v1/metrics/").status_code for _ in range(3)] == [200, 200, 200]


# --- the token pages ---


def test_create_token_shows_key_once(client, memberships, world):
    membership = memberships["state_viewer"]
    client.force_login(membership.user)
    page = client.get("/accounts/tokens/")
    assert page.status_code == 200
    response = client.post("/accounts/tokens/", {"name": "Warehouse", "membership": membership.pk})
    assert response.status_code == 200
    body = response.content.decode()
    key_id, key = re.search(r'<code class="secret" id="([\w-]+)">([^<]+)</code>', body).groups()
    assert f'<button type="button" class="button" data-copy="{key_id}">Copy key</button>' in body  # static/js/app.js
    assert body.count(key) == 1 and "<script>" not in body
    token = ApiToken.objects.get(name="Warehouse")
    assert token.membership == membership
    assert token.key_hash == ApiToken.hash_key(key)
    listing = client.get("/accounts/tokens/").content.decode()
    assert "Warehouse" in listing
    assert key not in listing
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/zones/").json()["count"] == 1


def test_create_token_with_expiry_and_only_own_memberships(client, memberships):
    user = memberships["state_viewer"].user
    client.force_login(user)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        "/accounts/tokens/", {"name": "Nightly", "membership": memberships["state_viewer"].pk, "expires_on": tomorrow}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="Nightly")
    assert timezone.localtime(token.expires_at).date() == tomorrow + datetime.timedelta(days=1)
    response = client.post("/accounts/tokens/", {"name": "Stolen", "membership": memberships["state_lead"].pk})
    assert "membership" in response.context["form"].errors
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        "/accounts/tokens/", {"name": "Late", "membership": memberships["state_viewer"].pk, "expires_on": yesterday}
    )
    assert "expires_on" in response.context["form"].errors
    assert not ApiToken.objects.filter(name__in=["Stolen", "Late"]).exists()


def test_revoke_own_token_only(client, memberships, world):
    mine, key = issue_token(memberships["state_viewer"], "mine")
    theirs, _ = issue_token(memberships["state_lead"], "theirs")
    client.force_login(memberships["state_viewer"].user)
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert client.get(f"/accounts/tokens/{mine.pk}/revoke/").status_code == 405
    assert client.post(f"/accounts/tokens/{mine.pk}/revoke/").status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/zones/").status_code == 401


def test_token_pages_need_login(client, db):
    assert client.get("/accounts/tokens/").status_code == 302
