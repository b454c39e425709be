"""The bulk upload when a concurrent upload records some of the same rows between the check and the
write (the database's unique key refuses the duplicate): the rows are checked again against what it
recorded; if that keeps happening, a 409 problem in the row format. Never a 500. The ten real
concurrent clients are in tests/faults/test_requests.py."""

from decimal import Decimal
from unittest import mock

import pytest
from django.db import IntegrityError, OperationalError

from accountability.models import Measurement
from imports import services

from .test_bulk_upload import URL, rows_for

PROBLEM = "application/problem+json"


class Deadlock(Exception):
    sqlstate = services.DEADLOCK


def test_rows_taken_meanwhile_are_checked_again_and_recorded_once(clients, memberships, world):
    """The database refuses the duplicates (a real IntegrityError); the second check finds them."""
    rows = rows_for(world.schools, world.metric)
    plan_table = services.plan_table
    plans = []

    def concurrent_upload_after_the_check(*args, **kwargs):
        plans.append(plan_table(*args, **kwargs))
        if len(plans) == 1:  # another upload records the same rows between this check and its write
            for school in world.schools:
                Measurement.objects.create(
                    school=school, metric=world.metric, school_year="2010-11", period=1, value=Decimal("1")
                )
        return plans[-1]

    with mock.patch.object(services, "plan_table", side_effect=concurrent_upload_after_the_check):
        response = clients["state_lead"].post(URL, rows, format="json")

    assert response.status_code == 200, response.content  # nothing created by this upload in the end
    assert [plan.summary()["counts"]["create"] for plan in plans] == [3, 0]
    assert (response.json()["created"], response.json()["updated"]) == (0, 3)  # this upload's values win
    assert Measurement.objects.count() == 3
    assert sorted(Measurement.objects.values_list("value", flat=True)) == [40.5, 41.5, 42.5]


def test_rows_taken_again_and_again_are_a_409_problem_and_nothing_is_saved(clients, world):
    rows = rows_for(world.schools, world.metric)

    with mock.patch.object(services, "_write", side_effect=IntegrityError("duplicate key")) as write:
        response = clients["state_lead"].post(URL, rows, format="json")

    assert write.call_count == services.WRITE_ATTEMPTS
    assert response.status_code == 409 and response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == 409 and "nothing was saved" in body["detail"]
    assert body["errors"] == [
        {"row": None, "column": "", "field": "", "code": "invalid", "message": services.TAKEN_MEANWHILE}
    ]
    assert not Measurement.objects.exists()


def test_a_deadlock_with_a_concurrent_upload_is_retried(clients, world):
    rows = rows_for(world.schools, world.metric)
    write = services._write
    deadlock = OperationalError("deadlock detected")
    deadlock.__cause__ = Deadlock()
    attempts = []

    def deadlock_first(*args):
        attempts.append(args)
        if len(attempts) == 1:
            raise deadlock
        return write(*args)

    with mock.patch.object(services, "_write", side_effect=deadlock_first):
        response = clients["state_lead"].post(URL, rows, format="json")

    assert response.status_code == 201, response.content
    assert len(attempts) == 2 and Measurement.objects.count() == 3


def test_another_database_error_is_not_taken_for_a_race(clients, world):
    rows = rows_for(world.schools, world.metric)
    lost = OperationalError("server closed the connection unexpectedly")

    with mock.patch.object(services, "_write", side_effect=lost) as write, pytest.raises(OperationalError):
        clients["state_lead"].post(URL, rows, format="json")
    assert write.call_count == 1
