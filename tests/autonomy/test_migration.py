"""The data migration that turned each zone's four autonomy booleans into granted terms
(autonomy/migrations/0003), run through its own functions on the historical models' shape."""

import datetime
from importlib import import_module

import pytest
from django.apps import apps

from autonomy.models import AutonomyTerm, AutonomyTermChange
from tests.factories import LaunchedZoneFactory

pytestmark = pytest.mark.django_db
migration = import_module("autonomy.migrations.0003_terms_from_zone_autonomies")


def zone_row(zone, **flags):
    return {
        "pk": zone.pk,
        "autonomy_agreement_date": datetime.date(2010, 6, 15),
        "autonomy_agreement_url": "https://example.org/agreement.pdf",
        **{flag: flags.get(flag, False) for flag in migration.FLAGS},
    }


def test_each_true_boolean_becomes_a_granted_term_with_its_first_change():
    zone, bare = LaunchedZoneFactory(), LaunchedZoneFactory()
    migration.write_terms(
        apps, [zone_row(zone, staffing_autonomy=True, scheduling_autonomy=True, budget_autonomy=True), zone_row(bare)]
    )
    terms = AutonomyTerm.objects.filter(zone=zone).order_by("area", "power")
    assert [(term.area, term.power) for term in terms] == [
        ("money", "budget"),
        ("people", "staffing"),
        ("time", "schedule"),
    ]
    for term in terms:
        assert (term.status, term.source, term.effective_from, term.evidence_url) == (
            "granted",
            "mou_clause",
            datetime.date(2010, 6, 15),
            "https://example.org/agreement.pdf",
        )
        term.full_clean()  # a valid granted term
        [change] = term.changes.all()
        assert (change.from_status, change.to_status, change.reason, change.effective_on) == (
            "",
            "granted",
            "Migrated from the zone's autonomy agreement",
            datetime.date(2010, 6, 15),
        )
        assert term.history.filter(history_change_reason="Migrated from the zone's autonomy agreement").exists()
    assert not AutonomyTerm.objects.filter(zone=bare).exists()


def test_the_curriculum_boolean_becomes_a_program_term():
    zone = LaunchedZoneFactory()
    migration.write_terms(apps, [zone_row(zone, curriculum_autonomy=True)])
    assert list(AutonomyTerm.objects.values_list("area", "power")) == [("program", "curriculum")]


def test_the_reverse_knows_which_booleans_the_migrated_terms_stand_for():
    zone = LaunchedZoneFactory()
    migration.write_terms(apps, [zone_row(zone, staffing_autonomy=True, curriculum_autonomy=True)])
    AutonomyTermChange.objects.create(  # a term recorded later is not the migration's
        term=AutonomyTerm.objects.create(zone=zone, area="money", power="budget"),
        to_status="requested",
        reason="Asked for later",
        effective_on=datetime.date(2011, 1, 1),
    )
    assert migration.migrated_flags(apps) == {zone.pk: {"staffing_autonomy", "curriculum_autonomy"}}
