"""Contracts and reviews on the shared two-state world (tests.worlds): Colorado's zone gets an
active contract of its Lead Partner, a deliverable, a target on the world's ELA metric for
2010-11 (level 50: the schools' end-of-year value is 56) and a draft review."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django_scopes import scopes_disabled

from accountability.models import Metric
from tests.factories import (
    AnnualReviewFactory,
    ContractDeliverableFactory,
    ContractTargetFactory,
    PerformanceContractFactory,
)


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def colorado(world):
    """Colorado's contract, deliverable, target and draft review, with its role users."""
    home = world.home
    with scopes_disabled():
        ela = Metric.objects.get(code="ela")
        contract = PerformanceContractFactory(zone=home.zone)
        deliverable = ContractDeliverableFactory(
            contract=contract, title="Staffing plan", due_on=datetime.date(2010, 9, 30)
        )
        target = ContractTargetFactory(contract=contract, metric=ela, level=Decimal("50"), school_year="2010-11")
        review = AnnualReviewFactory(
            contract=contract,
            status="draft",
            issued_at=None,
            academic_narrative="Draft academic narrative, the state's only.",
        )
    return SimpleNamespace(
        world=world,
        home=home,
        zone=home.zone,
        contract=contract,
        deliverable=deliverable,
        target=target,
        review=review,
        ela=ela,
        users=home.users,
        admin=world.admin,
    )
