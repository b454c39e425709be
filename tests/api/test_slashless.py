"""An API path without its trailing slash is served as the slashed path, whatever the method (a
redirect would turn a write into a GET: lost, while the client sees a success; with DEBUG Django
answers a 500), or is the JSON 404 of an unknown route. Pages keep their redirect."""

import pytest

from accountability.models import StatusUpdate
from schools.models import School
from tests.api.test_writes import STATUS_UPDATE, new_school
from tests.problems import PROBLEM


@pytest.fixture(params=[False, True], ids=["DEBUG=0", "DEBUG=1"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def test_writes_without_the_slash_are_made(clients, world, debug):
    staff, lead = clients["lead_partner_staff"], clients["state_lead"]

    created = staff.post("/api/v1/status-updates", {**STATUS_UPDATE, "school": world.schools[0].pk}, format="json")
    assert created.status_code == 201, created.content
    assert StatusUpdate.objects.filter(pk=created.json()["id"]).exists()

    school = lead.post("/api/v1/schools", new_school(world.zone.districts.get(), "New Academy"), format="json")
    assert school.status_code == 201, school.content
    pk = school.json()["id"]
    changed = lead.patch(f"/api/v1/schools/{pk}", {"enrollment": 610}, format="json")
    assert changed.status_code == 200 and School.objects.get(pk=pk).enrollment == 610
    assert lead.delete(f"/api/v1/schools/{pk}").status_code == 204
    assert not School.objects.filter(pk=pk).exists()


def test_a_read_without_the_slash_keeps_its_query(clients, world, debug):
    response = clients["state_lead"].get("/api/v1/schools?page_size=1")
    assert response.status_code == 200 and len(response.json()["results"]) == 1
    assert "/api/v1/schools/?" in response.json()["next"]


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_an_unknown_path_without_the_slash_is_a_json_404(clients, debug, method):
    response = getattr(clients["state_lead"], method)("/api/v1/no-such-things", {}, format="json")
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_found"


def test_pages_keep_their_redirect(client, debug):
    response = client.get("/accounts/login")
    assert response.status_code == 301 and response["Location"] == "/accounts/login/"
