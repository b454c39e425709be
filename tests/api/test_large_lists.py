"""The lists of millions of rows (measurements, status updates) page by cursor in an indexed order
(by school), and the progress the zones list writes as plain dicts is what its documented
serializer writes."""

import datetime
from decimal import Decimal

from accountability.serializers import MetricProgressSerializer, metric_progress_data
from accountability.services import MetricProgress
from tests.factories import MeasurementFactory, MetricFactory, StatusUpdateFactory
from tests.problems import field_errors
from web.rest import CursorPages


def walk(client, url, **params) -> list[dict]:
    """Every row of a cursor-paged list, following ``next`` links."""
    rows, response = [], client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "previous", "results"}  # no count of every row in scope
        rows += body["results"]
        if body["next"] is None:
            return rows
        response = client.get(body["next"])


def test_measurements_page_by_cursor_by_school_metric_and_time(clients, world):
    reading, absence = world.metric, MetricFactory(code="absence", name="Absence")
    own = [
        MeasurementFactory(school=school, metric=metric, school_year=year, period=period, value=value)
        for school, metric, year, period, value in [
            (world.schools[1], reading, "2011-12", 1, "44"),
            (world.schools[0], reading, "2011-12", 1, "47"),
            (world.schools[0], absence, "2010-11", 2, "12"),
            (world.schools[0], reading, "2010-11", 4, "40"),
            (world.schools[2], reading, "2011-12", 3, "40"),
            (world.schools[0], reading, "2010-11", 2, "52"),
        ]
    ]
    MeasurementFactory(school=world.other_schools[0], metric=reading)
    client = clients["state_viewer"]
    expected = sorted(own, key=lambda m: (m.school_id, m.metric_id, m.school_year, m.period))
    assert [row["id"] for row in walk(client, "/api/v1/measurements/", page_size=2)] == [m.pk for m in expected]
    by_year = walk(client, "/api/v1/measurements/", page_size=2, ordering="-school_year")
    assert [row["school_year"] for row in by_year] == ["2011-12"] * 3 + ["2010-11"] * 3
    assert {row["id"] for row in by_year} == {m.pk for m in own}
    assert client.get("/api/v1/measurements/", {"ordering": "-value"}).status_code == 400  # no index: refused


def test_a_zones_measurements_page_by_cursor_in_any_offered_order(clients, world):
    """Narrowed to a zone or a school the page is sorted from its rows (web.filtering): the same
    rows in the same order as the unnarrowed list, the cursor included, ties broken by the offset."""
    reading, absence = world.metric, MetricFactory(code="absence", name="Absence")
    own = [
        MeasurementFactory(school=school, metric=metric, school_year=year, period=period)
        for year in ("2010-11", "2011-12", "2012-13")
        for period in (1, 4)
        for metric in (reading, absence)
        for school in reversed(world.schools)
    ]
    MeasurementFactory(school=world.other_schools[0], metric=reading)
    client, zone, school = clients["state_viewer"], world.zone.pk, world.schools[1]
    newest_first = [m.pk for m in sorted(own, key=lambda m: -m.pk)]
    assert [row["id"] for row in walk(client, "/api/v1/measurements/", page_size=5, zone=zone, ordering="-id")] == (
        newest_first
    )
    assert [row["id"] for row in walk(client, "/api/v1/measurements/", page_size=5, ordering="-id")] == newest_first
    one_school = walk(client, "/api/v1/measurements/", page_size=3, school=school.pk, ordering="id")
    assert [row["id"] for row in one_school] == [m.pk for m in own if m.school == school]
    by_year = walk(client, "/api/v1/measurements/", page_size=4, zone=zone, ordering="-school_year")
    assert [row["school_year"] for row in by_year] == sorted((m.school_year for m in own), reverse=True)
    assert sorted(row["id"] for row in by_year) == sorted(m.pk for m in own)  # every row once, across ties
    by_school = walk(client, "/api/v1/measurements/", page_size=7, zone=zone)
    assert [row["id"] for row in by_school] == [
        m.pk for m in sorted(own, key=lambda m: (m.school_id, m.metric_id, m.school_year, m.period))
    ]
    other_zone = walk(clients["state_viewer"], "/api/v1/measurements/", zone=world.other_zone.pk, ordering="-id")
    assert other_zone == []  # another state's zone: nothing, as for a zone that does not exist


def test_status_updates_page_by_cursor_by_school_latest_first(clients, world):
    updates = [
        StatusUpdateFactory(school=school, reported_on=datetime.date(2011, month, 1))
        for month in (3, 1, 2)
        for school in reversed(world.schools)
    ]
    StatusUpdateFactory(school=world.other_schools[0])
    rows = walk(clients["state_lead"], "/api/v1/status-updates/", page_size=4)
    expected = sorted(updates, key=lambda u: (u.school_id, -u.reported_on.toordinal()))
    assert [row["id"] for row in rows] == [u.pk for u in expected]


def test_a_bad_cursor_is_a_400(clients, world):
    response = clients["state_viewer"].get("/api/v1/measurements/", {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert field_errors(response) == {"cursor": [CursorPages.invalid_cursor_message]}


def tracked(metric, baseline, target, latest, latest_period) -> MetricProgress:
    """Progress from a 2009-10 baseline towards a 2011-12 target, measured in 2010-11."""
    return MetricProgress(
        school_id=1,
        metric=metric,
        baseline=Decimal(baseline),
        baseline_year="2009-10",
        target=Decimal(target),
        target_year="2011-12",
        measurements=[("2010-11", latest_period, Decimal(latest))],
    )


def test_progress_dicts_match_the_documented_serializer(world):
    lower = MetricFactory(code="absence", name="Absence", direction="lower")
    items = [
        MetricProgress(school_id=1, metric=world.metric),  # no data at all
        tracked(world.metric, "30.00", "51.00", "37.00", latest_period=3),
        tracked(lower, "25.5", "16", "23.25", latest_period=1),
    ]
    for item in items:
        assert metric_progress_data(item) == MetricProgressSerializer(item).data
    assert metric_progress_data(items[1])["share_of_target"] == "0.333"
