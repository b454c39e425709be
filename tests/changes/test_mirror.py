"""examples/mirror.py against a live server: after creates, updates and deletes, the incremental
copy equals the source and a fresh full copy."""

import sqlite3

import pytest

from accountability.models import Measurement
from accounts.models import Role
from accounts.tokens import issue_token
from examples import mirror
from schools.models import School
from tests.factories import LaunchedZoneFactory, MeasurementFactory, MetricFactory, SchoolFactory, StateFactory
from tests.worlds import membership
from zones.models import Zone


def copied(path) -> dict:
    with sqlite3.connect(path) as db:
        return {(resource, pk): data for resource, pk, data in db.execute("SELECT resource, id, data FROM records")}


def source(state) -> set:
    return (
        {("zones", pk) for pk in Zone.objects.filter(state=state).values_list("pk", flat=True)}
        | {("schools", pk) for pk in School.objects.filter(zone__state=state).values_list("pk", flat=True)}
        | {
            ("measurements", pk)
            for pk in Measurement.objects.filter(school__zone__state=state).values_list("pk", flat=True)
        }
    )


@pytest.mark.django_db(transaction=True)
def test_the_mirror_follows_creates_updates_and_deletes(live_server, tmp_path):
    state, other = StateFactory(), StateFactory()
    zone, other_zone = LaunchedZoneFactory(state=state), LaunchedZoneFactory(state=other)
    metric = MetricFactory()
    schools = list(zone.schools.order_by("pk"))
    measurements = [MeasurementFactory(school=school, metric=metric) for school in schools]
    MeasurementFactory(school=other_zone.schools.first(), metric=metric)
    _token, key = issue_token(membership(Role.STATE_VIEWER, state=state), "mirror")
    path = tmp_path / "copy.sqlite3"

    def run(into=path):
        return mirror.mirror(live_server.url, key, state.pk, str(into))

    first = run()
    assert set(copied(path)) == source(state) and first["changed"] == len(source(state))
    assert run()["changed"] == 0

    added = SchoolFactory(zone=zone, district=schools[0].district)
    Zone.objects.filter(pk=zone.pk).update(name=f"{zone.name} renamed")
    Measurement.objects.filter(pk=measurements[0].pk).delete()
    Measurement.objects.filter(school=schools[1]).delete()
    School.objects.filter(pk=schools[1].pk).delete()
    again = run()
    assert again["changed"] == 2 and again["deleted"] == 3
    mirrored = copied(path)
    assert set(mirrored) == source(state) and ("schools", added.pk) in mirrored
    assert f"{zone.name} renamed" in mirrored[("zones", zone.pk)]
    fresh = tmp_path / "fresh.sqlite3"
    run(fresh)
    assert copied(fresh) == mirrored
