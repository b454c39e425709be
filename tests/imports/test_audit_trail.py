"""Every tenant-owned model keeps a history, and an import's changes say who, when, before and after."""

from decimal import Decimal

import pytest
from django.apps import apps
from simple_history.models import registered_models

from accountability.models import Baseline
from imports.models import ImportScope
from imports.services import apply_import, preview_import
from tests.factories import BaselineFactory, MembershipFactory, SchoolFactory, ZoneFactory
from tests.imports.conftest import upload

# A tombstone is itself the record of a delete: written once, never edited, purged after retention.
# The progress read model is recomputed from its inputs (whose histories say who changed what).
WITHOUT_HISTORY = {"changes.Tombstone", "accountability.SchoolMetricProgress", "accountability.SchoolProgress"}
TENANT_MODELS = [
    model for model in apps.get_models() if hasattr(model, "TenantScope") and model._meta.label not in WITHOUT_HISTORY
]


def test_tenant_models_are_discovered():
    labels = {model._meta.label for model in TENANT_MODELS}

    assert {"zones.State", "schools.School", "funding.Commitment", "accountability.Measurement"} <= labels
    assert {"imports.ImportBatch", "accountability.StatusUpdate"} <= labels


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda model: model._meta.label)
def test_every_tenant_model_has_a_history(model):
    assert model in registered_models.values()
    assert model._meta.simple_history_manager_attribute == "history"
    assert model.history.model.instance_type is model


def test_an_import_records_who_when_before_and_after(db):
    zone = ZoneFactory()
    school = SchoolFactory(district=zone.districts.get(), zone=zone)
    baseline = BaselineFactory(school=school, school_year="2009-10", value=Decimal("30.00"))
    lead = MembershipFactory(role="state_lead", state=zone.state).user
    data = f"nces_id,metric,school_year,value\n{school.nces_id},{baseline.metric.code},2009-10,32.5\n".encode()

    batch = preview_import(user=lead, scope=ImportScope(zone.state), kind="baselines", upload=upload("fix.csv", data))
    apply_import(batch, lead)

    latest, previous = Baseline.objects.get().history.all()[:2]
    assert latest.history_user == lead
    assert batch.uploaded_at <= latest.history_date
    assert [(c.field, c.old, c.new) for c in latest.diff_against(previous).changes] == [
        ("value", Decimal("30.00"), Decimal("32.50"))
    ]
