"""Every model registered in the Django admin lists and offers its add form to a superuser."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import (
    ApiTokenFactory,
    BaselineFactory,
    CollaboratorEngagementFactory,
    ExpenditureFactory,
    InvitationFactory,
    LaunchedZoneFactory,
    MeasurementFactory,
    StatusUpdateFactory,
    TargetFactory,
)
from tests.foundation.test_factories import project_models

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def rows(db):
    """At least one row for every model, so list pages render real rows."""
    school = LaunchedZoneFactory().schools.first()
    for factory in (BaselineFactory, TargetFactory, MeasurementFactory, StatusUpdateFactory):
        factory(school=school)
    for factory in (ExpenditureFactory, CollaboratorEngagementFactory, InvitationFactory, ApiTokenFactory):
        factory()


def admin_url(model, view):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_and_add_page(admin_client, rows, model):
    changelist = admin_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    if model in project_models():
        assert changelist.context["cl"].result_count >= 1
    assert admin_client.get(admin_url(model, "add")).status_code == 200


def test_every_project_model_is_registered():
    assert project_models() - set(admin.site._registry) == set()
