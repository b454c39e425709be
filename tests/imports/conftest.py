"""Two states with a launched zone each (fixed NCES ids, so the files in tests/data/imports
can name their schools), three metrics and a user per role."""

import hashlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accountability.models import Baseline, Measurement, Metric, Target
from accounts.models import Role
from imports.models import ImportScope
from imports.services import preview_import
from schools.models import School
from tests.factories import (
    DistrictFactory,
    MetricFactory,
    SchoolFactory,
    StateFactory,
    UserFactory,
    ZoneFactory,
)
from tests.worlds import member

DATA = Path(__file__).resolve().parent.parent / "data" / "imports"
AUDITED_MODELS = [School, Baseline, Target, Measurement]


def corpus(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _launched_zone(state, lea_id: str, name: str):
    district = DistrictFactory(state=state, nces_lea_id=lea_id, name=f"{name} District")
    zone = ZoneFactory(state=state, name=f"{name} Zone", districts=[district])
    for number in range(1, 4):
        SchoolFactory(district=district, zone=zone, nces_id=f"{lea_id}{number:05d}", name=f"{name} School {number}")
    zone.status = zone.Status.LAUNCHED
    zone._change_reason = "Launched"
    zone.save()
    return zone


@pytest.fixture(scope="module")
def world_builder():
    """``world`` (tests/worlds.py, built once per module): Colorado's two zones and Illinois'."""
    return build_world


def build_world():
    colorado = StateFactory(name="Colorado", postal_code="CO", fips_code="08")
    illinois = StateFactory(name="Illinois", postal_code="IL", fips_code="17")
    zone = _launched_zone(colorado, "0800001", "Front Range")
    other_zone = _launched_zone(colorado, "0800002", "Mesa")  # same state, another Lead Partner
    illinois_zone = _launched_zone(illinois, "1700001", "Lakeshore")
    metrics = SimpleNamespace(
        ela=MetricFactory(code="ela-proficiency", name="ELA proficiency"),
        math=MetricFactory(code="math-proficiency", name="Math proficiency"),
        suspensions=MetricFactory(
            code="suspensions", name="Suspensions", unit=Metric.Unit.PER_100, direction="lower", max_value=None
        ),
    )

    users = SimpleNamespace(
        lead=member(Role.STATE_LEAD, state=colorado),
        second_lead=member(Role.STATE_LEAD, state=colorado),
        viewer=member(Role.STATE_VIEWER, state=colorado),
        partner=member(Role.LEAD_PARTNER_STAFF, lead_partner=zone.lead_partner),
        illinois_lead=member(Role.STATE_LEAD, state=illinois),
        admin=UserFactory(is_staff=True, is_superuser=True),
    )
    return SimpleNamespace(
        colorado=colorado,
        illinois=illinois,
        zone=zone,
        other_zone=other_zone,
        illinois_zone=illinois_zone,
        metrics=metrics,
        users=users,
        schools={school.nces_id: school for school in School.objects.all()},
    )


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def preview(world):
    """Preview a file as the Colorado state lead (or another user/scope)."""

    def run(name, data=None, *, kind="measurements", user=None, scope=None):
        data = corpus(name) if data is None else data
        return preview_import(
            user=user or world.users.lead,
            scope=scope or ImportScope(world.colorado),
            kind=kind,
            upload=upload(name, data),
        )

    return run


def database_fingerprint() -> dict:
    """Row count and a checksum of every row of the tables an import may write (and their history)."""
    fingerprint = {}
    for model in AUDITED_MODELS:
        for table in (model, model.history.model):
            rows = table._base_manager.order_by("pk").values_list()
            digest = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
            fingerprint[table._meta.label] = (len(rows), digest)
    return fingerprint
