"""Applying outside the request: the claim (one per batch), the task (idempotent, with progress, a
final failure recorded), and storage errors on upload. The concurrent clients are in
tests/faults/test_requests.py; here each step alone."""

import errno
import os
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from rest_framework.test import APIClient

from accountability.models import Measurement
from imports import services, tasks
from imports.models import ImportBatch
from imports.services import ApplyConflict, ImportStorageError, apply_import, claim_apply, run_apply

from .conftest import corpus, database_fingerprint, upload

IMPORTS = "/api/v1/imports/"


@pytest.fixture
def not_eager():
    """Tasks are sent to a broker (here: caught by the mock) instead of running inline."""
    conf = tasks.apply_import_batch.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False
    try:
        with mock.patch.object(tasks.apply_import_batch, "delay") as delay:
            yield delay
    finally:
        conf.task_always_eager = eager


def test_a_claimed_batch_is_applying_and_cannot_be_claimed_again(world, preview):
    batch = claim_apply(preview("measurements_valid.csv"), world.users.lead)

    assert batch.status == ImportBatch.Status.APPLYING and batch.applying_since is not None
    assert (batch.rows_total, batch.rows_done) == (6, 0)
    with pytest.raises(ApplyConflict, match="already being applied"):
        claim_apply(batch, world.users.lead)
    assert Measurement.objects.count() == 0  # a claim writes no row


def test_an_applied_batch_is_a_conflict_and_a_failed_one_not_applicable(world, preview):
    applied = apply_import(preview("measurements_valid.csv"), world.users.lead)
    with pytest.raises(ApplyConflict, match="already been applied"):
        apply_import(applied, world.users.lead)

    failed = preview("measurements_mixed.csv")
    with pytest.raises(ValidationError) as refused:
        apply_import(failed, world.users.lead)
    assert not isinstance(refused.value, ApplyConflict)


def test_a_lost_claim_can_be_claimed_again(world, preview):
    batch = claim_apply(preview("measurements_valid.csv"), world.users.lead)
    ImportBatch.objects.filter(pk=batch.pk).update(
        applying_since=timezone.now() - ImportBatch.CLAIM_LOST_AFTER - timedelta(seconds=1)
    )
    batch.refresh_from_db()
    assert batch.claim_lost and batch.can_apply

    assert apply_import(batch, world.users.lead).status == ImportBatch.Status.APPLIED
    assert Measurement.objects.count() == 6


def test_run_apply_is_idempotent(world, preview):
    batch = claim_apply(preview("measurements_valid.csv"), world.users.lead)
    assert run_apply(batch.pk).status == ImportBatch.Status.APPLIED
    before = database_fingerprint()

    again = run_apply(batch.pk)  # a redelivered message

    assert again.status == ImportBatch.Status.APPLIED and database_fingerprint() == before
    assert run_apply(preview("measurements_valid.csv").pk).status == ImportBatch.Status.DRY_RUN  # never claimed


def test_rows_another_upload_records_meanwhile_are_checked_again(world, preview):
    """The database refuses the duplicates; the batch is checked again and applied as updates."""
    batch = claim_apply(preview("measurements_valid.csv"), world.users.lead)
    plan_import = services.plan_import
    plans = []

    def another_upload_after_the_check(*args, **kwargs):
        plans.append(plan_import(*args, **kwargs))
        if len(plans) == 1:
            for row in plans[0].rows:
                key = {name: getattr(row.instance, name) for name in ("school", "metric", "school_year", "period")}
                Measurement.objects.create(**key, value=1)
        return plans[-1]

    with mock.patch.object(services, "plan_import", side_effect=another_upload_after_the_check):
        batch = run_apply(batch.pk)

    assert batch.status == ImportBatch.Status.APPLIED, batch.errors
    assert [plan.summary()["counts"]["update"] for plan in plans] == [0, 6]
    assert Measurement.objects.count() == 6 and not Measurement.objects.filter(value=1).exists()


def test_rows_taken_again_and_again_fail_the_batch_and_write_nothing(world, preview):
    batch = claim_apply(preview("measurements_valid.csv"), world.users.lead)

    with mock.patch.object(services, "_write", side_effect=IntegrityError("duplicate key")) as write:
        batch = run_apply(batch.pk)

    assert write.call_count == services.WRITE_ATTEMPTS
    assert batch.status == ImportBatch.Status.FAILED and not Measurement.objects.exists()
    assert batch.errors == [{"row": None, "column": "", "message": services.TAKEN_MEANWHILE_IMPORT}]


def test_progress_is_counted_while_checking(world, preview, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    seen = []
    update = ImportBatch.objects.filter

    def spy(*args, **kwargs):
        queryset = update(*args, **kwargs)
        original = queryset.update

        def recorded(**values):
            seen.append(values.get("rows_done"))
            return original(**values)

        queryset.update = recorded
        return queryset

    batch = claim_apply(preview("measurements_valid.csv"), world.users.lead)
    with mock.patch.object(ImportBatch.objects, "filter", side_effect=spy):
        batch = run_apply(batch.pk)

    assert seen == [2, 4, 6]
    assert batch.status == ImportBatch.Status.APPLIED and batch.rows_done == batch.rows_total == 6


def test_with_a_broker_the_request_claims_and_the_task_applies_after_commit(
    world, preview, not_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = apply_import(preview("measurements_valid.csv"), world.users.lead)

    assert batch.status == ImportBatch.Status.APPLYING and Measurement.objects.count() == 0
    not_eager.assert_called_once_with(batch.pk)
    assert tasks.apply_import_batch.run(batch.pk) == ImportBatch.Status.APPLIED  # what the worker does
    assert Measurement.objects.count() == 6


def test_a_task_that_cannot_be_sent_gives_the_claim_back(world, preview, not_eager, django_capture_on_commit_callbacks):
    not_eager.side_effect = BrokerError("Error 111 connecting to redis")
    with django_capture_on_commit_callbacks(execute=True):
        batch = apply_import(preview("measurements_valid.csv"), world.users.lead)

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DRY_RUN and batch.can_apply  # apply it again later


def test_a_final_task_failure_fails_the_batch_and_writes_nothing(world, preview):
    batch = claim_apply(preview("measurements_valid.csv"), world.users.lead)

    tasks.apply_import_batch.on_failure(TimeoutError("soft time limit"), "task-id", (batch.pk,), {}, None)

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and Measurement.objects.count() == 0
    assert "The import stopped (TimeoutError)" in batch.errors[0]["message"]
    assert batch.counts["create"] == 6  # the dry run's summary is kept beside the reason


def test_a_kept_file_that_cannot_be_read_fails_the_batch(world, preview):
    batch = claim_apply(preview("measurements_valid.csv"), world.users.lead)
    batch.file.storage.delete(batch.file.name)

    batch = run_apply(batch.pk)

    assert batch.status == ImportBatch.Status.FAILED and "can no longer be read" in batch.errors[0]["message"]


@pytest.mark.parametrize(("code", "reason"), [(errno.ENOSPC, "full"), (errno.EROFS, "read-only")])
def test_an_upload_the_storage_cannot_keep_saves_nothing(world, preview, code, reason):
    storage = ImportBatch._meta.get_field("file").storage
    with (
        mock.patch.object(storage, "_save", side_effect=OSError(code, os.strerror(code))),
        pytest.raises(ImportStorageError, match=reason),
    ):
        preview("measurements_valid.csv")
    assert not ImportBatch.objects.exists()


def test_the_page_says_the_storage_is_full_as_a_form_error(client, world):
    client.force_login(world.users.lead)
    storage = ImportBatch._meta.get_field("file").storage
    data = {
        "kind": "measurements",
        "scope": str(world.colorado.pk),
        "file": upload("m.csv", corpus("measurements_valid.csv")),
    }
    with mock.patch.object(storage, "_save", side_effect=OSError(errno.ENOSPC, "No space left on device")):
        response = client.post(reverse("imports:new"), data)

    assert response.status_code == 200
    assert "the server&#x27;s storage is full" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_api_says_the_storage_is_full_as_a_507_problem(world):
    api = APIClient()
    api.force_authenticate(world.users.lead)
    storage = ImportBatch._meta.get_field("file").storage
    data = {
        "kind": "measurements",
        "state": world.colorado.pk,
        "file": upload("m.csv", corpus("measurements_valid.csv")),
    }
    with mock.patch.object(storage, "_save", side_effect=OSError(errno.ENOSPC, "No space left on device")):
        response = api.post(IMPORTS, data, format="multipart")

    assert response.status_code == 507 and response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 507 and "storage is full" in response.json()["detail"]
    assert not ImportBatch.objects.exists()


def test_the_api_answers_202_with_the_batch_to_poll_then_409(world, preview, not_eager):
    api = APIClient()
    api.force_authenticate(world.users.lead)
    batch = preview("measurements_valid.csv")

    response = api.post(f"{IMPORTS}{batch.pk}/apply/")

    assert response.status_code == 202 and response.data["status"] == "applying"
    assert response["Location"].endswith(f"{IMPORTS}{batch.pk}/")
    assert (response.data["rows_total"], response.data["rows_done"]) == (6, 0)
    again = api.post(f"{IMPORTS}{batch.pk}/apply/")
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    assert again.json()["detail"] == f"Import #{batch.pk} is already being applied."


def test_the_page_shows_progress_while_applying(client, world, preview, not_eager):
    client.force_login(world.users.lead)
    batch = preview("measurements_valid.csv")

    response = client.post(reverse("imports:apply", args=[batch.pk]), follow=True)

    page = response.content.decode()
    assert f"Import #{batch.pk} is being applied" in page
    assert "Checking the rows again: 0 of 6" in page and 'hx-trigger="every 2s"' in page
    assert "Apply this import" not in page
    ImportBatch.objects.filter(pk=batch.pk).update(rows_done=6)
    assert "Writing 6 rows" in client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    run_apply(batch.pk)
    page = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "Applied" in page and "hx-trigger" not in page


def test_the_page_offers_to_apply_a_lost_claim_again(client, world, preview):
    client.force_login(world.users.lead)
    batch = claim_apply(preview("measurements_valid.csv"), world.users.lead)
    page = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "Apply this import" not in page and "Apply it again" not in page

    lost = timezone.now() - ImportBatch.CLAIM_LOST_AFTER - timedelta(minutes=1)
    ImportBatch.objects.filter(pk=batch.pk).update(applying_since=lost)
    page = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "Apply it again" in page and "Apply this import" in page

    response = client.post(reverse("imports:apply", args=[batch.pk]), follow=True)
    assert f"Import #{batch.pk} applied." in response.content.decode() and Measurement.objects.count() == 6
