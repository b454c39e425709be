"""Applying a previewed import: one transaction, idempotent, audited, nothing written on failure."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from accountability.models import Baseline, Measurement, Target
from imports import services
from imports.models import ImportBatch
from imports.services import apply_import
from schools.models import School

from .conftest import database_fingerprint


def values(model=Measurement):
    return {
        (m.school.nces_id, m.metric.code, m.school_year, m.period): m.value
        for m in model.objects.select_related("school", "metric")
    }


def test_valid_measurements_are_previewed_then_applied(world, preview):
    before = database_fingerprint()

    batch = preview("measurements_valid.csv")

    assert batch.status == ImportBatch.Status.DRY_RUN and batch.can_apply
    assert batch.counts == {"create": 6, "update": 0, "skip": 0, "errors": 0}
    assert database_fingerprint() == before  # a dry run writes nothing

    batch = apply_import(batch, world.users.lead)

    assert batch.status == ImportBatch.Status.APPLIED and batch.applied_at is not None
    assert values()[("080000100003", "ela-proficiency", "2010-11", 1)] == Decimal("44.25")
    assert Measurement.objects.count() == 6
    assert set(Measurement.objects.values_list("recorded_by", flat=True)) == {world.users.lead.pk}


@pytest.mark.parametrize("name", ["measurements_bom_semicolon.csv", "measurements_utf16_tabs.csv"])
def test_excel_csv_variants_are_read(world, preview, name):
    batch = apply_import(preview(name), world.users.lead)

    assert batch.status == ImportBatch.Status.APPLIED
    assert values()[("080000100001", "ela-proficiency", "2010-11", 1)] == Decimal("41.5")


def test_reimporting_the_same_file_changes_nothing(world, preview):
    apply_import(preview("measurements_valid.csv"), world.users.lead)
    before = database_fingerprint()

    again = preview("measurements_valid.csv")

    assert again.counts == {"create": 0, "update": 0, "skip": 6, "errors": 0}
    assert apply_import(again, world.users.lead).status == ImportBatch.Status.APPLIED
    assert database_fingerprint() == before  # no row and no history record written


def test_changed_rows_are_updated_and_the_audit_trail_shows_before_and_after(world, preview):
    apply_import(preview("measurements_valid.csv"), world.users.lead)

    batch = preview("measurements_valid_update.csv")

    assert batch.counts == {"create": 0, "update": 2, "skip": 4, "errors": 0}
    changed = {row["key"]: row["changes"] for row in batch.summary["rows"] if row["action"] == "update"}
    assert changed == {
        "080000100002 · ela-proficiency · 2010-11 · Fall": {"value": ["38.00", "39"]},
        "080000100003 · math-proficiency · 2010-11 · 1": {
            "value": ["31.00", "33.5"],
            "source": ["State assessment", "Corrected state assessment"],
        },
    }
    apply_import(batch, world.users.lead)

    measurement = Measurement.objects.get(school__nces_id="080000100003", metric__code="math-proficiency")
    latest, previous = measurement.history.all()[:2]
    assert latest.history_type == "~" and latest.history_user == world.users.lead
    assert latest.history_change_reason == f"Import #{batch.pk}: measurements_valid_update.csv"
    assert latest.history_date >= batch.uploaded_at
    delta = latest.diff_against(previous)
    assert {(c.field, c.old, c.new) for c in delta.changes} == {
        ("value", Decimal("31.00"), Decimal("33.50")),
        ("source", "State assessment", "Corrected state assessment"),
    }


def test_schools_are_created_and_updated(world, preview):
    batch = apply_import(preview("schools_valid.csv", kind="schools"), world.users.lead)

    assert batch.status == ImportBatch.Status.APPLIED, batch.errors
    assert batch.counts == {"create": 2, "update": 1, "skip": 0, "errors": 0}
    academy = School.objects.get(nces_id="080000100004")
    assert (academy.zone, academy.improvement_tier, academy.turnaround_status) == (world.zone, "II", "planning")
    updated = School.objects.get(nces_id="080000100001")
    assert (updated.enrollment, updated.turnaround_status, updated.zone) == (512, "implementing", world.zone)
    assert updated.history.first().history_user == world.users.lead
    # The import's changes of a turnaround status carry their reason: the import and its file.
    assert updated.history.first().history_change_reason == f"Import #{batch.pk}: schools_valid.csv"


def test_baselines_then_targets(world, preview):
    apply_import(preview("baselines_valid.csv", kind="baselines"), world.users.lead)
    batch = apply_import(preview("targets_valid.csv", kind="targets"), world.users.lead)

    assert batch.status == ImportBatch.Status.APPLIED, batch.errors
    assert Baseline.objects.count() == Target.objects.count() == 3


def test_targets_must_be_gains_within_two_years(world, preview):
    apply_import(preview("baselines_valid.csv", kind="baselines"), world.users.lead)
    before = database_fingerprint()

    batch = preview("targets_bad.csv", kind="targets")

    messages = {(e["row"], e["column"]): e["message"] for e in batch.errors}
    assert messages[(2, "value")] == "A target is a gain: set it above the baseline of 30.00."
    assert "within two years of the zone's launch in 2010-11" in messages[(3, "target_school_year")]
    assert database_fingerprint() == before


def test_a_crash_in_the_middle_of_writing_leaves_the_database_unchanged(world, preview, monkeypatch):
    apply_import(preview("measurements_valid.csv"), world.users.lead)
    batch = preview("schools_valid.csv", kind="schools")  # two creates, then one update
    before = database_fingerprint()

    def crash(*args, **kwargs):
        assert School.objects.filter(nces_id="080000100004").exists()  # the creates are already written
        raise RuntimeError("worker killed")

    monkeypatch.setattr(services, "bulk_update_with_history", crash)

    batch = apply_import(batch, world.users.lead)

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.errors == [
        {"row": None, "column": "", "message": "The import stopped (worker killed); nothing was written."}
    ]
    assert batch.counts["errors"] == 1
    assert database_fingerprint() == before
    assert not batch.can_apply


def test_a_preview_is_checked_again_when_applied(world, preview):
    batch = preview("measurements_valid.csv")
    world.schools["080000100002"].delete()  # e.g. removed by someone else in between
    before = database_fingerprint()

    batch = apply_import(batch, world.users.lead)

    assert batch.status == ImportBatch.Status.FAILED
    assert {e["row"] for e in batch.errors} == {3, 6}
    assert database_fingerprint() == before


def test_an_applied_import_cannot_be_applied_twice(world, preview):
    batch = apply_import(preview("measurements_valid.csv"), world.users.lead)

    with pytest.raises(ValidationError):
        apply_import(batch, world.users.lead)


def test_only_the_uploader_may_apply_a_rule_of_the_permission_table(world, preview, client):
    """Policy lives in accounts.permissions; apply_import asks it, so page, API and any other caller
    refuse alike, with the same message, and a superuser's blanket permission does not skip it."""
    batch = preview("measurements_valid.csv")
    assert services.may_apply(world.users.lead, batch)
    for other in (world.users.second_lead, world.users.admin):
        assert not services.may_apply(other, batch)
        with pytest.raises(PermissionDenied) as refused:
            apply_import(batch, other)
    message = str(refused.value)

    client.force_login(world.users.second_lead)
    page = client.post(f"/imports/{batch.pk}/apply/")
    api = APIClient()
    api.force_authenticate(world.users.second_lead)
    response = api.post(f"/api/v1/imports/{batch.pk}/apply/")
    assert page.status_code == response.status_code == 403
    assert response.json()["detail"] == message and response["Content-Type"] == "application/problem+json"
    assert not Measurement.objects.exists()

    assert apply_import(batch, world.users.lead).status == ImportBatch.Status.APPLIED


SCHOOLS_HEADER = "nces_id,name,district_nces_lea_id,lowest_grade,highest_grade,enrollment,zone\n"


def test_an_import_cannot_fill_a_zone_beyond_five_schools(world, preview):
    """Each row alone fits the zone of three; the whole file (three more) would make it six."""
    rows = "".join(f"08000010001{n},New School {n},0800001,K,5,300,Front Range Zone\n" for n in range(3))
    before = database_fingerprint()

    batch = apply_import(preview("schools.csv", (SCHOOLS_HEADER + rows).encode(), kind="schools"), world.users.lead)

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.errors[0]["message"] == (
        "Front Range Zone already holds 5 schools, the most a zone may hold. Nothing was written."
    )
    assert world.zone.schools.count() == 3
    assert database_fingerprint() == before


def test_an_imported_change_is_a_new_version_of_the_school(world, preview):
    school = School.objects.get(nces_id="080000100001")
    row = "080000100001,Front Range School 1,0800001,6,8,640,\n"

    batch = apply_import(preview("schools.csv", (SCHOOLS_HEADER + row).encode(), kind="schools"), world.users.lead)

    assert batch.status == ImportBatch.Status.APPLIED, batch.errors
    school_now = School.objects.get(pk=school.pk)
    assert (school_now.enrollment, school_now.version) == (640, school.version + 1)
