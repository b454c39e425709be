"""The deletes feed (changes.api): each delete with its natural key, to whoever could read the row,
in change order since ``changed_since``; purged after the retention period, after which an older
sync is a 410 (changes.tombstones.purge_expired records the horizon)."""

import datetime

from django.utils import timezone

from accountability.models import Measurement
from changes.models import PurgeHorizon, Tombstone
from changes.tombstones import purge_expired, retention
from schools.models import School
from tests.factories import DistrictFactory, MeasurementFactory, SchoolFactory, StateFactory
from zones.models import District, State

FEED = "/api/v1/deletes/"


def feed(client, **params) -> dict:
    """Every page of the feed: its rows and the last envelope."""
    response = client.get(FEED, params)
    rows = []
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        if body["next"] is None:
            return {"rows": rows, "envelope": body}
        response = client.get(body["next"])


def test_deletes_carry_their_resource_and_natural_key(clients, world):
    client = clients["admin"]
    state = StateFactory()
    district = DistrictFactory(state=state)
    school = SchoolFactory(zone=world.zone, district=world.schools[0].district)
    measurement = MeasurementFactory(school=school, metric=world.metric)
    expected = [
        (
            "measurements",
            measurement.pk,
            {
                "school_nces_id": school.nces_id,
                "metric_code": world.metric.code,
                "school_year": measurement.school_year,
                "period": measurement.period,
            },
        ),
        ("schools", school.pk, {"nces_id": school.nces_id}),
        ("districts", district.pk, {"nces_lea_id": district.nces_lea_id}),
        ("states", state.pk, {"postal_code": state.postal_code}),
    ]
    Measurement.objects.filter(pk=measurement.pk).delete()
    School.objects.filter(pk=school.pk).delete()
    District.objects.filter(pk=district.pk).delete()
    State.objects.filter(pk=state.pk).delete()
    rows = feed(client, changed_since=0)["rows"]  # in change order (one test transaction: by id)
    assert [(row["resource"], row["id"], row["natural_key"]) for row in rows] == expected
    assert [row["model"] for row in rows] == [
        "accountability.measurement",
        "schools.school",
        "zones.district",
        "zones.state",
    ]
    assert all(row["change_version"] > 0 and row["deleted_at"] for row in rows)
    assert [row["id"] for row in feed(client, changed_since=0, resource="schools")["rows"]] == [school.pk]
    assert feed(client, changed_since=rows[-1]["change_version"])["rows"] == []


def test_a_delete_is_published_to_those_who_read_the_row_only(clients, world):
    mine, theirs = world.schools[0], world.other_schools[0]
    for school in (mine, theirs):
        Measurement.objects.filter(school=school).delete()
        School.objects.filter(pk=school.pk).delete()
    seen = {row["id"] for row in feed(clients["state_viewer"], changed_since=0, resource="schools")["rows"]}
    assert seen == {mine.pk}
    assert {row["id"] for row in feed(clients["admin"], resource="schools")["rows"]} == {mine.pk, theirs.pk}


def test_the_feed_refuses_bad_input_as_problems(clients, world):
    client = clients["admin"]
    assert client.get(FEED, {"resource": "portfolio"}).status_code == 400  # not a resource of rows
    assert client.get(FEED, {"changed_since": "soon"}).json()["code"] == "invalid_changed_since"
    assert client.get(FEED, {"cursor": "forged"}).json()["code"] == "invalid_sync_cursor"


def test_purging_moves_the_horizon_and_an_older_sync_is_gone(clients, world):
    client = clients["admin"]
    Measurement.objects.filter(school=world.schools[0]).delete()
    School.objects.filter(pk=world.schools[0].pk).delete()
    tombstone = Tombstone._base_manager.get(model="schools.school", object_id=world.schools[0].pk)
    assert PurgeHorizon.current() is None
    later = timezone.now() + retention() + datetime.timedelta(seconds=1)
    assert purge_expired(now=later) >= 1
    assert PurgeHorizon.current() == (tombstone.change_version, tombstone.updated_at)
    for url, since in ((FEED, 0), (FEED, tombstone.change_version - 1), ("/api/v1/schools/", 1)):
        response = client.get(url, {"changed_since": since})
        assert response.status_code == 410 and response.json()["code"] == "changes_expired", (url, since)
    body = feed(client)["envelope"]  # without changed_since: every delete still kept
    assert body["changed_since"] == tombstone.change_version and body["results"] == []
    assert client.get("/api/v1/schools/", {"changed_since": 0}).status_code == 200
