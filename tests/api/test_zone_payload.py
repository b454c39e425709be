"""A zone's payload carries each school's latest rating and the date of its last status update
(read from accountability's one ranking of latest status updates, as the school progress endpoint
shows them), so "my zones with their latest ratings" is one request, at a constant query count."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability.models import StatusUpdate
from accountability.services import latest_status_updates
from tests.factories import LaunchedZoneFactory, StatusUpdateFactory

API = "/api/v1"


def rate(school, rating, day):
    return StatusUpdateFactory(school=school, rating=rating, reported_on=datetime.date(2011, 1, day))


def ratings_in_zone(client, zone) -> dict:
    response = client.get(f"{API}/zones/{zone.pk}/")
    assert response.status_code == 200, response.content
    return {
        school["id"]: (school["progress"]["rating"], school["progress"]["rated_on"])
        for school in response.json()["schools"]
    }


def test_each_school_carries_its_latest_rating_and_update_date(clients, world):
    first, second, unrated = world.schools
    rate(first, "off_track", 3)
    rate(first, "at_risk", 20)  # the latest
    rate(second, "on_track", 9)
    assert ratings_in_zone(clients["state_viewer"], world.zone) == {
        first.pk: ("at_risk", "2011-01-20"),
        second.pk: ("on_track", "2011-01-09"),
        unrated.pk: ("no_data", None),
    }


def test_ratings_match_the_read_model_and_the_school_progress_endpoint(clients, world):
    ratings = ["on_track", "at_risk", "off_track", "at_risk", "off_track", "on_track"]  # each school's 2nd differs
    for day, (school, rating) in enumerate(zip(world.schools * 2, ratings, strict=True), 1):
        rate(school, rating, day)
    client = clients["state_lead"]
    latest = latest_status_updates(StatusUpdate.objects.filter(school__zone=world.zone))
    expected = {update.school_id: (update.rating, update.reported_on.isoformat()) for update in latest}
    assert ratings_in_zone(client, world.zone) == expected
    response = client.get(f"{API}/school-progress/", {"zone": world.zone.pk})
    progress = {
        row["id"]: (row["progress"]["rating"], row["progress"]["rated_on"]) for row in response.json()["results"]
    }
    assert progress == expected


def test_ratings_are_only_those_the_reader_may_see(clients, world):
    rate(world.schools[0], "off_track", 5)
    assert ratings_in_zone(clients["collaborator"], world.zone)[world.schools[0].pk] == ("no_data", None)


def zones_list_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{API}/zones/", {"page_size": 100})
    assert response.status_code == 200, response.content
    return len(queries), len(response.json()["results"])


def test_the_zones_list_costs_the_same_queries_whatever_the_number_of_rated_schools(clients, world):
    client = clients["admin"]
    rate(world.schools[0], "on_track", 1)
    zones_list_queries(client)  # warm-up: a token's first request does one-off work
    before, zones_before = zones_list_queries(client)
    for _ in range(3):
        zone = LaunchedZoneFactory(state=world.state, schools=4)
        for day, school in enumerate(zone.schools.all(), 1):
            rate(school, "at_risk", day)
            rate(school, "off_track", day + 10)
    after, zones_after = zones_list_queries(client)
    assert zones_after == zones_before + 3
    assert after == before
