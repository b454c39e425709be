"""A client generated from the API's schema by a tool nobody on the project wrote (openapi-python-client)
imports in full and does a Lead Partner's work against a live server: read zones with their schools
and progress, create a status update and a measurement, change one with If-Match, bulk-upsert."""

import datetime
import importlib
import json
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator

from accountability.models import Measurement, StatusUpdate
from accounts.models import Role
from accounts.tokens import issue_token
from tests.api.conftest import build_world, member

PACKAGE = "zone_portfolio_client"


def generator_command() -> str:
    """The openapi-python-client CLI installed beside this interpreter (the project's venv)."""
    beside = Path(sys.executable).with_name("openapi-python-client")
    found = str(beside) if beside.exists() else shutil.which("openapi-python-client")
    assert found, "openapi-python-client is not installed"
    return found


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """The generated package, every operation module imported (once per module)."""
    folder = tmp_path_factory.mktemp("client")
    schema = folder / "schema.json"
    schema.write_text(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))
    config = folder / "config.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run on the output
    arguments = ["--path", str(schema), "--meta", "none", "--config", str(config)]
    subprocess.run(
        [generator_command(), "generate", *arguments, "--output-path", str(folder / PACKAGE)],
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(folder))
    try:
        package = importlib.import_module(f"{PACKAGE}.api")
        modules = {
            info.name: importlib.import_module(info.name)
            for info in pkgutil.walk_packages(package.__path__, f"{PACKAGE}.api.")
        }
        yield modules
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_every_operation_of_the_schema_is_generated_and_imports(api):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation_ids = {
        operation["operationId"]
        for item in schema["paths"].values()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }
    generated = {name.rsplit(".", 1)[-1] for name, module in api.items() if hasattr(module, "sync_detailed")}
    assert len(operation_ids) > 100
    assert operation_ids == generated


@pytest.mark.django_db(transaction=True)
def test_a_lead_partner_reads_and_writes_through_the_generated_client(api, live_server):
    world = build_world()
    _token, key = issue_token(member(Role.LEAD_PARTNER_STAFF, lead_partner=world.zone.lead_partner), "generated")
    client_module = importlib.import_module(f"{PACKAGE}.client")
    models = importlib.import_module(f"{PACKAGE}.models")
    client = client_module.AuthenticatedClient(base_url=live_server.url, token=key, raise_on_unexpected_status=True)

    def call(operation, **kwargs):
        return api[f"{PACKAGE}.api.{operation}"].sync_detailed(client=client, **kwargs)

    zones = call("zones.zones_list")
    assert zones.status_code == 200
    [zone] = zones.parsed.results
    assert zone.id == world.zone.pk
    assert sorted(school.id for school in zone.schools) == [school.pk for school in world.schools]
    progress = call("school_progress.school_progress_list", zone=zone.id)
    assert progress.status_code == 200
    assert sorted(row.id for row in progress.parsed.results) == [school.pk for school in world.schools]

    school = world.schools[0]
    update = models.StatusUpdateRequest(
        school=school.pk,
        reported_on=datetime.date(2010, 11, 1),
        rating=models.RatingEnum.ON_TRACK,
        narrative="Attendance is up.",
    )
    created = call("status_updates.status_updates_create", body=update)
    assert created.status_code == 201, created.content
    measurement = models.MeasurementRequest(
        school=school.pk, metric=world.metric.pk, school_year="2010-11", period=models.PeriodEnum.VALUE_1, value="41.5"
    )
    recorded = call("measurements.measurements_create", body=measurement)
    assert recorded.status_code == 201, recorded.content
    assert Measurement.objects.get(pk=recorded.parsed.id).value == 41.5

    read = call("status_updates.status_updates_retrieve", id=created.parsed.id)
    etag = read.headers.get("ETag")
    assert read.status_code == 200 and etag
    change = models.PatchedStatusUpdateRequest(rating=models.RatingEnum.AT_RISK)
    changed = call("status_updates.status_updates_partial_update", id=created.parsed.id, body=change, if_match=etag)
    assert changed.status_code == 200, changed.content
    assert changed.parsed.rating == models.RatingEnum.AT_RISK
    assert StatusUpdate.objects.get(pk=created.parsed.id).rating == "at_risk"

    rows = [
        models.MeasurementRequest(
            school=other.pk, metric=world.metric.pk, school_year="2010-11", period=models.PeriodEnum.VALUE_2, value="50"
        )
        for other in world.schools
    ]
    first = call("measurements.measurements_bulk_create", body=rows)
    assert first.status_code == 201, first.content
    assert (first.parsed.created, first.parsed.updated, first.parsed.unchanged) == (3, 0, 0)
    again = call("measurements.measurements_bulk_create", body=rows)
    assert again.status_code == 200, again.content
    assert (again.parsed.created, again.parsed.updated, again.parsed.unchanged) == (0, 0, 3)
    assert again.parsed.ids == first.parsed.ids
