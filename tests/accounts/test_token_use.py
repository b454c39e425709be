"""An API token's last use is recorded after its request, outside the request's transaction
(accounts.middleware.TokenUseMiddleware): a refused request still counts as a use, a request never
waits for the token's row (tests/faults/test_tokens.py proves that with concurrent clients), and
the bookkeeping never fails a request."""

import logging

import pytest
from django.db import OperationalError
from rest_framework.test import APIClient

from accounts import middleware
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
