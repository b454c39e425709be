"""A measurements import into a school period that is submitted or approved: the row's error in the
dry run, again at apply when the period was locked in between (nothing written, no 500), and the
rows of open periods untouched by the refusal."""

import datetime

import pytest

from accountability.choices import Submission
from accountability.models import Measurement, PeriodSubmission
from imports import services
from imports.models import ImportBatch
from imports.services import apply_import
from tests.factories import MeasurementFactory, ReportingPeriodFactory

from .conftest import corpus, database_fingerprint

ADAMS = "080000100001"  # the first school of measurements_valid.csv, two rows in fall 2010-11


@pytest.fixture
def fall(world):
    return ReportingPeriodFactory(
        state=world.colorado, school_year="2010-11", period=Measurement.Period.FALL, due_on=datetime.date(2010, 11, 15)
    )


def lock(world, fall, status) -> PeriodSubmission:
    return PeriodSubmission.objects.create(school=world.schools[ADAMS], reporting_period=fall, status=status)


def locked_rows(batch) -> list:
    return sorted((error["row"], error["column"]) for error in batch.errors)


@pytest.mark.parametrize(
    ("status", "words"),
    [(Submission.APPROVED, "approved and locked"), (Submission.SUBMITTED, "submitted for review and locked")],
)
def test_the_dry_run_refuses_the_rows_of_a_locked_period(world, preview, fall, status, words):
    lock(world, fall, status)

    batch = preview("measurements_valid.csv")

    assert locked_rows(batch) == [(2, "period"), (5, "period")]
    assert all(words in error["message"] and "Fall 2010-11" in error["message"] for error in batch.errors)
    assert not batch.can_apply


def test_apply_refuses_a_period_locked_after_the_dry_run(world, preview, fall):
    batch = preview("measurements_valid.csv")
    assert batch.can_apply
    lock(world, fall, Submission.APPROVED)
    before = database_fingerprint()

    batch = apply_import(batch, world.users.lead)

    assert batch.status == ImportBatch.Status.FAILED
    assert locked_rows(batch) == [(2, "period"), (5, "period")]
    assert database_fingerprint() == before


def test_unchanged_rows_of_a_locked_period_are_skipped_not_refused(world, preview, fall):
    batch = apply_import(preview("measurements_valid.csv"), world.users.lead)
    assert batch.status == ImportBatch.Status.APPLIED
    lock(world, fall, Submission.APPROVED)

    again = preview("measurements_valid.csv")

    assert again.counts == {"create": 0, "update": 0, "skip": 6, "errors": 0}


def test_a_returned_period_takes_the_import(world, preview, fall):
    lock(world, fall, Submission.RETURNED)
    MeasurementFactory(school=world.schools[ADAMS], metric=world.metrics.ela, period=Measurement.Period.WINTER)

    batch = apply_import(preview("measurements_valid.csv", corpus("measurements_valid.csv")), world.users.lead)

    assert batch.status == ImportBatch.Status.APPLIED, batch.errors


def test_the_write_checks_the_lock_again_on_the_locked_rows(world, preview, fall, monkeypatch):
    """A period locked between the apply's check and its write: the write's own check (on the
    locked submission row) refuses it, the batch fails with the reason and nothing is written."""
    batch = preview("measurements_valid.csv")
    lock(world, fall, Submission.SUBMITTED)
    monkeypatch.setattr(services, "locked_periods", lambda schools: {})  # the check saw it open
    before = database_fingerprint()

    batch = apply_import(batch, world.users.lead)

    assert batch.status == ImportBatch.Status.FAILED
    assert "submitted for review and locked" in batch.errors[0]["message"]
    assert "Nothing was written" in batch.errors[0]["message"]
    assert database_fingerprint() == before
