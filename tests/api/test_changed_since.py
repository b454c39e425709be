"""``?changed_since=`` on every tracked list (web.sync): versions and timestamps select what changed
after them, in change order, keyset paged up to the sync's watermark; bad values, tampered cursors
and computed resources are 400 problems, a sync older than the kept deletes a 410."""

import datetime

import pytest
from django.conf import settings
from django.core import signing
from django.utils import timezone
from django_scopes import scopes_disabled

from config.api_urls import router
from core.changes import change_watermark
from schools.models import School
from tests.factories import PurgeHorizonFactory, SchoolFactory
from tests.problems import PROBLEM
from web import sync

API = "/api/v1"
COMPUTED = ["portfolio", "state-funding", "zone-funding", "school-progress", "state-money", "collection"]


def synced(client, endpoint, since, **params) -> dict:
    """Every page of a sync from ``since``: the rows (in order) and the last envelope."""
    response = client.get(f"{API}/{endpoint}/", {"changed_since": since, **params})
    rows = []
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        assert response["X-Change-Version"] == str(body["change_version"])
        rows += body["results"]
        if body["next"] is None:
            return {"rows": rows, "envelope": body}
        response = client.get(body["next"])


def test_every_list_of_a_model_syncs_and_only_computed_resources_refuse():
    """The computed resources are exactly those whose rows are not one model's (the brief's list)."""
    refusing = {prefix for prefix, viewset, _ in router.registry if not sync.syncs(viewset)}
    assert refusing == set(COMPUTED)


# In a test's one transaction every write has the same version on PostgreSQL (its transaction id):
# selecting by version across writes is proved there by tests/faults/test_sync.py and the mirror's test.
separate_versions = pytest.mark.skipif(
    "postgresql" in settings.DATABASES["default"]["ENGINE"], reason="one transaction, one version on PostgreSQL"
)


@separate_versions
def test_a_version_selects_what_changed_after_it(clients, world):
    client = clients["state_viewer"]
    everything = synced(client, "schools", 0)
    assert {row["id"] for row in everything["rows"]} == {school.pk for school in world.schools}
    since = everything["envelope"]["change_version"]
    assert synced(client, "schools", since)["rows"] == []

    changed = world.schools[1]
    School.objects.filter(pk=changed.pk).update(name="Renamed Elementary")
    added = SchoolFactory(zone=world.zone, district=changed.district)
    SchoolFactory(zone=world.other_zone, district=world.other_schools[0].district)
    after = synced(client, "schools", since)
    assert [row["id"] for row in after["rows"]] == [changed.pk, added.pk]  # change order
    assert after["rows"][0]["name"] == "Renamed Elementary"
    assert after["envelope"]["changed_since"] == since
    assert after["envelope"]["change_version"] >= after["rows"][-1]["change_version"] > since


@separate_versions
def test_an_update_that_changes_nothing_is_not_a_change(clients, world):
    since = synced(clients["admin"], "schools", 0)["envelope"]["change_version"]
    school = world.schools[0]
    School.objects.filter(pk=school.pk).update(name=school.name)
    assert synced(clients["admin"], "schools", since)["rows"] == []


def test_a_timestamp_selects_what_was_updated_after_it(clients, world):
    client = clients["admin"]
    moment = timezone.now() - datetime.timedelta(milliseconds=1)  # SQLite stamps to the millisecond
    changed = world.schools[0]
    School.objects.filter(pk=changed.pk).update(name="Later Elementary")
    for given in (moment.isoformat(), moment.isoformat().replace("+00:00", "Z")):
        assert [row["id"] for row in synced(client, "schools", given)["rows"]] == [changed.pk]
    earlier = (moment - datetime.timedelta(days=1)).astimezone(datetime.timezone(datetime.timedelta(hours=-7)))
    assert {row["id"] for row in synced(client, "schools", earlier.isoformat(), state=world.state.pk)["rows"]} == {
        school.pk for school in world.schools
    }


@separate_versions
def test_pages_follow_the_cursor_without_loss_or_repeat_while_rows_change(clients, world):
    client = clients["admin"]
    first = client.get(f"{API}/schools/", {"changed_since": 0, "page_size": 1, "state": world.state.pk})
    body = first.json()
    assert len(body["results"]) == 1 and body["next"] and "count" not in body
    # A change after the watermark is not served in this sync (it comes in the next one).
    School.objects.filter(pk=world.schools[-1].pk).update(name="Changed Meanwhile")
    rows = body["results"]
    while body["next"]:
        body = client.get(body["next"]).json()
        rows += body["results"]
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)) and set(ids) <= {school.pk for school in world.schools}
    assert world.schools[-1].pk not in ids or len(ids) == len(world.schools)
    following = synced(client, "schools", body["change_version"], state=world.state.pk)["rows"]
    assert [row["id"] for row in following] == [world.schools[-1].pk]
    assert set(ids) | {world.schools[-1].pk} == {school.pk for school in world.schools}


def test_filters_and_csv_combine_with_changed_since(clients, world):
    client = clients["admin"]
    rows = synced(client, "schools", 0, state=world.other_state.pk)["rows"]
    assert {row["id"] for row in rows} == {school.pk for school in world.other_schools}
    response = client.get(f"{API}/schools/", {"changed_since": 0, "format": "csv", "page_size": 1})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'rel="next"' in response["Link"] and response["X-Change-Version"].isdigit()
    assert "change_version" in response.content.decode().splitlines()[0]


def test_other_states_rows_never_sync(clients, world):
    ids = {row["id"] for row in synced(clients["state_viewer"], "schools", 0)["rows"]}
    assert ids and ids.isdisjoint(school.pk for school in world.other_schools)


@pytest.mark.parametrize("given", ["yesterday", "-1", "1.5", "2026-01-31T12:00:00", str(2**63), ""])
def test_a_bad_changed_since_is_a_400_problem(clients, world, given):
    response = clients["admin"].get(f"{API}/schools/", {"changed_since": given})
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "invalid_changed_since"


def test_a_tampered_or_foreign_cursor_is_a_400_problem(clients, world):
    client = clients["admin"]
    next_url = client.get(f"{API}/schools/", {"changed_since": 0, "page_size": 1}).json()["next"]
    token = next_url.split("cursor=")[1]
    forged = signing.dumps(["/api/v1/schools/", 0, 2**40, 0, 0], salt="another salt")
    for params in (
        {"changed_since": 0, "cursor": token[:-2] + "xx"},
        {"changed_since": 0, "cursor": forged},
        {"changed_since": 5, "cursor": token},  # another sync's cursor
    ):
        response = client.get(f"{API}/schools/", params)
        assert response.status_code == 400 and response.json()["code"] == "invalid_sync_cursor", params
    response = client.get(f"{API}/zones/", {"changed_since": 0, "cursor": token})
    assert response.json()["code"] == "invalid_sync_cursor"
    assert client.get(f"{API}/zones/", {"cursor": token}).status_code == 400  # a page-numbered list


def test_changed_since_refuses_page_and_ordering(clients, world):
    for params in ({"page": 2}, {"ordering": "name"}):
        response = clients["admin"].get(f"{API}/schools/", {"changed_since": 0, **params})
        assert response.status_code == 400 and list(params) == [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize("endpoint", COMPUTED)
def test_computed_resources_refuse_changed_since(clients, world, endpoint):
    response = clients["admin"].get(f"{API}/{endpoint}/", {"changed_since": 0})
    assert response.status_code == 400 and response.json()["code"] == "computed_resource"
    assert "computed" in response.json()["detail"]


def test_a_sync_older_than_the_kept_deletes_is_gone(clients, world):
    client = clients["admin"]
    with scopes_disabled():
        watermark = change_watermark()
    PurgeHorizonFactory(change_version=watermark)
    for since in (watermark - 1, (timezone.now() - datetime.timedelta(days=1)).isoformat()):
        response = client.get(f"{API}/schools/", {"changed_since": since})
        assert response.status_code == 410 and response.json()["code"] == "changes_expired", since
        assert "copy everything again" in response.json()["detail"]
    assert client.get(f"{API}/schools/", {"changed_since": watermark}).status_code == 200
    assert client.get(f"{API}/schools/", {"changed_since": 0}).status_code == 200  # a full copy
