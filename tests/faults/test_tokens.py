"""No request waits on another's row lock (issue #13, finding 7): a token's last-used bookkeeping
never waits for a transaction that holds the token's row, so requests sharing a token run side by
side (the issue saw a GET wait 70 s behind a slow bulk upload on the same token).

A transaction of the test locks the token's row as a long request on that token would, while
CONCURRENT_CLIENTS live-server requests use the token."""

import time

import pytest
import requests
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, Role
from accounts.tokens import LAST_USED_RESOLUTION, issue_token
from tests.worlds import make_tenant, membership

from .conftest import CONCURRENT_CLIENTS, concurrently

pytestmark = pytest.mark.django_db(transaction=True)

LATENCY_BOUND = 2.0  # seconds per request while the row is locked
CLIENT_TIMEOUT = 10  # the HTTP client's own limit: a waiting request fails the test instead of hanging it


@pytest.fixture
def token(transactional_db):
    tenant = make_tenant("Colorado")
    token, key = issue_token(membership(Role.STATE_LEAD, tenant), "warehouse")
    return token, key


def read_zones(base_url, key):
    started = time.monotonic()
    response = requests.get(
        f"{base_url}/api/v1/zones/", headers={"Authorization": f"Bearer {key}"}, timeout=CLIENT_TIMEOUT
    )
    return response.status_code, round(time.monotonic() - started, 2)


def test_requests_on_a_token_do_not_wait_while_another_transaction_holds_its_row(live_server, token):
    token, key = token
    with transaction.atomic():
        ApiToken.objects.select_for_update().get(pk=token.pk)  # as a long request on this token would
        answers = concurrently([lambda: read_zones(live_server.url, key)] * CONCURRENT_CLIENTS)

    assert all(isinstance(answer, tuple) for answer in answers), answers
    assert {status for status, _ in answers} == {200}, answers
    assert max(seconds for _, seconds in answers) < LATENCY_BOUND, answers


def test_last_use_is_recorded_once_the_row_is_free_again(live_server, token):
    token, key = token
    with transaction.atomic():
        ApiToken.objects.select_for_update().get(pk=token.pk)
        assert read_zones(live_server.url, key)[0] == 200
    token.refresh_from_db()
    assert token.last_used_at is None  # skipped while the row was held: no wait, no error

    before = timezone.now()
    assert read_zones(live_server.url, key)[0] == 200
    token.refresh_from_db()
    assert before <= token.last_used_at <= timezone.now()

    # A stale time is refreshed by the next use, however many clients use the token at once.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=before - LAST_USED_RESOLUTION * 2)
    answers = concurrently([lambda: read_zones(live_server.url, key)] * CONCURRENT_CLIENTS)
    assert {status for status, _ in answers} == {200}, answers
    token.refresh_from_db()
    assert token.last_used_at >= before
