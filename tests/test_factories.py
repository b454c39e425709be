"""Every model has a factory, and every factory builds an object that passes model validation."""

import inspect

import pytest
from factory.django import DjangoModelFactory

from tests import factories
from tests.project import REPO, project_apps, project_models

FACTORIES = [
    factory
    for _name, factory in inspect.getmembers(factories, inspect.isclass)
    if issubclass(factory, DjangoModelFactory) and factory is not DjangoModelFactory
]


def test_the_checks_cover_every_app_of_the_repository():
    """These checks and the admin's iterate ``project_apps()``: an app with an apps.py (imports,
    portfolio, devdata, …) cannot be left out."""
    assert {path.parent.name for path in REPO.glob("*/apps.py")} == {config.label for config in project_apps()}


def test_every_model_has_a_factory():
    assert project_models() - {factory._meta.model for factory in FACTORIES} == set()


@pytest.mark.django_db
@pytest.mark.parametrize("factory", FACTORIES, ids=lambda factory: factory.__name__)
def test_factory_builds_a_valid_object(factory):
    obj = factory()
    obj.full_clean()
    assert obj.pk is not None


@pytest.mark.django_db
def test_launched_zone_factory_holds_three_schools_of_its_district():
    zone = factories.LaunchedZoneFactory()
    district = zone.districts.get()
    assert zone.status == "launched"
    assert zone.schools.count() == 3
    assert set(zone.schools.values_list("district", flat=True)) == {district.pk}
