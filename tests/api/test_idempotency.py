"""Idempotency-Key on API POSTs (web.idempotency): a retry replays the first answer, a reused key
with another body is 422, keys are per user, expire, and are purged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accountability.models import StatusUpdate
from web.models import IdempotencyRecord
from web.tasks import purge_expired_idempotency_keys

STATUS_UPDATES = "/api/v1/status-updates/"
STATUS_UPDATE = {"reported_on": "2011-01-15", "rating": "at_risk", "narrative": "Attendance dipped in January."}


@pytest.fixture
def body(world):
    return {**STATUS_UPDATE, "school": world.schools[0].pk}


def post(client, body, key):
    return client.post(STATUS_UPDATES, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_with_the_same_key_replays_the_first_answer(clients, body):
    client = clients["lead_partner_staff"]
    first = post(client, body, "retry-1")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first

    again = post(client, body, "retry-1")
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert again["Content-Type"] == first["Content-Type"] and again["Location"] == first["Location"]
    assert StatusUpdate.objects.count() == 1  # nothing ran twice

    other = post(client, {**body, "reported_on": "2011-02-15"}, '"retry-2"')  # the draft's sf-string form
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert StatusUpdate.objects.count() == 2


def test_the_same_key_with_another_body_is_422(clients, body):
    client = clients["lead_partner_staff"]
    assert post(client, body, "once").status_code == 201
    reused = post(client, {**body, "narrative": "Something else."}, "once")
    assert reused.status_code == 422, reused.content
    assert StatusUpdate.objects.count() == 1


def test_keys_are_per_user(clients, memberships, body):
    assert post(clients["lead_partner_staff"], body, "shared").status_code == 201
    other = post(clients["admin"], {**body, "reported_on": "2011-02-15"}, "shared")
    assert other.status_code == 201 and "Idempotent-Replayed" not in other  # not the first user's answer
    assert StatusUpdate.objects.count() == 2
    assert IdempotencyRecord.objects.filter(key="shared").count() == 2


def test_an_expired_key_runs_again(clients, body):
    client = clients["lead_partner_staff"]
    assert post(client, body, "old").status_code == 201
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    StatusUpdate.objects.all().delete()
    again = post(client, body, "old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert StatusUpdate.objects.count() == 1


def test_a_key_still_in_flight_is_409(clients, body):
    client = clients["lead_partner_staff"]
    assert post(client, body, "busy").status_code == 201
    IdempotencyRecord.objects.update(status=None, body=b"")  # as a first request holds it until it answers
    busy = post(client, body, "busy")
    assert busy.status_code == 409, busy.content
    assert StatusUpdate.objects.count() == 1


def test_a_refusal_is_replayed_and_a_malformed_key_is_400(clients, world, body):
    client = clients["lead_partner_staff"]
    refused = post(client, {**body, "school": world.other_schools[0].pk}, "refused")
    assert refused.status_code == 400
    again = post(client, {**body, "school": world.other_schools[0].pk}, "refused")
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (400, refused.content, "true")
    for bad in ("", "x" * 256, "tab\there"):
        assert post(client, body, bad).status_code == 400
    assert not StatusUpdate.objects.exists()


def test_the_purge_task_deletes_expired_keys_only(clients, body):
    client = clients["lead_partner_staff"]
    post(client, body, "stale")
    post(client, {**body, "reported_on": "2011-02-15"}, "fresh")
    IdempotencyRecord.objects.filter(key="stale").update(expires_at=timezone.now() - timedelta(minutes=1))
    assert purge_expired_idempotency_keys.delay().get() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
