"""An API token's last use is recorded after its request, outside the request's transaction
(accounts.middleware.TokenUseMiddleware): a refused request still counts as a use, a request never
waits for the token's row (tests/faults/test_tokens.py proves that with concurrent clients), and
the bookkeeping never fails a request."""

import logging
import socket

import pytest
from django.db import OperationalError
from django.test import override_settings
from rest_framework.test import APIClient

from accounts import middleware
from accounts.authentication import ApiTokenRateThrottle
from accounts.models import Role
from accounts.tokens import issue_token
from tests.factories import StateFactory
from tests.worlds import membership


@pytest.fixture
def token_and_client(db):
    token, key = issue_token(membership(Role.STATE_LEAD, state=StateFactory()), "warehouse")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return token, client


def test_a_refused_request_still_records_the_use(token_and_client):
    """The request's transaction rolls back on a 400 (DRF marks it so); the use is recorded apart."""
    token, client = token_and_client

    response = client.post("/api/v1/status-updates/", {"rating": "sideways"}, format="json")

    assert response.status_code == 400
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_failing_bookkeeping_write_does_not_fail_the_request(token_and_client, monkeypatch, caplog):
    token, client = token_and_client

    def database_gone(token):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(middleware, "mark_used", database_gone)
    with caplog.at_level(logging.WARNING, logger="accounts.middleware"):
        response = client.get("/api/v1/states/")

    assert response.status_code == 200
    assert f"Could not record the use of API token {token.pk}" in caplog.text
    token.refresh_from_db()
    assert token.last_used_at is None


def test_throttling_still_counts_in_memory_while_redis_is_unreachable(token_and_client, monkeypatch):
    """With the cache's Redis on a dead port, a token's rate is counted in this process's memory:
    requests answer (never a 500) and the limit still holds per process."""
    _token, client = token_and_client
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    monkeypatch.setattr(ApiTokenRateThrottle, "THROTTLE_RATES", {"api_token": "3/minute", "user": "1000/minute"})
    with override_settings(CACHES={"default": {"BACKEND": "core.cache.FailOpenRedisCache", "LOCATION": dead}}):
        answers = [client.get("/api/v1/states/").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
