"""Writes by role go through the permission table; denied writes leave the database unchanged."""

import pytest

from accountability.models import Measurement, StatusUpdate
from funding.models import Funder
from schools.models import School
from tests.factories import CommitmentFactory, SchoolFactory
from tests.problems import field_errors

STATUS_UPDATE = {"reported_on": "2011-01-15", "rating": "at_risk", "narrative": "Attendance dipped in January."}
MEASUREMENT = {"school_year": "2010-11", "period": 2, "value": "41.50", "source": "Interim assessment"}


def new_school(district, name):
    return {
        "district": district.pk,
        "name": name,
        "nces_id": f"{district.nces_lea_id}99999",
        "lowest_grade": "9",
        "highest_grade": "12",
        "enrollment": 600,
    }


def test_lead_partner_staff_report_on_their_schools(clients, memberships, world):
    client = clients["lead_partner_staff"]
    school = world.schools[0]
    response = client.post("/api/v1/status-updates/", {**STATUS_UPDATE, "school": school.pk}, format="json")
    assert response.status_code == 201, response.content
    update = StatusUpdate.objects.get(pk=response.json()["id"])
    assert update.author == memberships["lead_partner_staff"].user
    assert response.json()["author_id"] == update.author_id

    body = {**MEASUREMENT, "school": school.pk, "metric": world.metric.pk}
    response = client.post("/api/v1/measurements/", body, format="json")
    assert response.status_code == 201, response.content
    assert Measurement.objects.get(pk=response.json()["id"]).recorded_by == memberships["lead_partner_staff"].user


def test_lead_partner_staff_cannot_report_on_other_schools(clients, world):
    client = clients["lead_partner_staff"]
    response = client.post(
        "/api/v1/status-updates/", {**STATUS_UPDATE, "school": world.other_schools[0].pk}, format="json"
    )
    assert response.status_code == 400
    assert "school" in field_errors(response)  # another zone's school is not a choice for them
    assert not StatusUpdate.objects.exists()


def test_lead_partner_staff_cannot_change_schools(clients, world):
    school = world.schools[0]
    response = clients["lead_partner_staff"].patch(f"/api/v1/schools/{school.pk}/", {"enrollment": 999}, format="json")
    assert response.status_code == 403
    school.refresh_from_db()
    assert school.enrollment == 450


@pytest.mark.parametrize("role", ["state_viewer", "commissioner", "collaborator"])
def test_readers_cannot_write(clients, world, role):
    client = clients[role]
    school = world.schools[0]
    response = client.post("/api/v1/status-updates/", {**STATUS_UPDATE, "school": school.pk}, format="json")
    assert response.status_code == 403
    assert client.patch(f"/api/v1/schools/{school.pk}/", {"enrollment": 999}, format="json").status_code == 403
    assert client.delete(f"/api/v1/schools/{school.pk}/").status_code == 403
    assert not StatusUpdate.objects.exists()
    school.refresh_from_db()
    assert school.enrollment == 450


def test_state_lead_manages_their_state(clients, world):
    client = clients["state_lead"]
    response = client.post("/api/v1/schools/", new_school(world.zone.districts.get(), "New Academy"), format="json")
    assert response.status_code == 201, response.content
    school = School.objects.get(pk=response.json()["id"])
    assert client.patch(f"/api/v1/schools/{school.pk}/", {"enrollment": 610}, format="json").status_code == 200
    school.refresh_from_db()
    assert school.enrollment == 610
    assert client.delete(f"/api/v1/schools/{school.pk}/").status_code == 204
    assert not School.objects.filter(pk=school.pk).exists()


def test_state_lead_cannot_touch_another_state(clients, world):
    client = clients["state_lead"]
    other = world.other_schools[0]
    assert client.patch(f"/api/v1/schools/{other.pk}/", {"enrollment": 1}, format="json").status_code == 404
    assert client.delete(f"/api/v1/schools/{other.pk}/").status_code == 404
    body = new_school(world.other_zone.districts.get(), "Intruder")
    assert client.post("/api/v1/schools/", body, format="json").status_code == 400
    assert not School.objects.filter(name="Intruder").exists()
    other.refresh_from_db()
    assert other.enrollment == 450


def test_directory_is_written_by_admins_only(clients):
    body = {"name": "Gates Family Foundation", "kind": "private_foundation"}
    assert clients["state_lead"].post("/api/v1/funders/", body, format="json").status_code == 403
    assert not Funder.objects.exists()
    assert clients["admin"].post("/api/v1/funders/", body, format="json").status_code == 201
    assert Funder.objects.get().name == "Gates Family Foundation"


def test_admin_changes_any_state(clients, world):
    other = world.other_schools[0]
    response = clients["admin"].patch(f"/api/v1/schools/{other.pk}/", {"enrollment": 455}, format="json")
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.enrollment == 455


def test_deleting_a_referenced_record_is_a_conflict(clients, world):
    commitment = CommitmentFactory(state=world.state)
    response = clients["state_lead"].delete(f"/api/v1/funders/{commitment.funder.pk}/")
    assert response.status_code == 403  # directory: admins only
    response = clients["admin"].delete(f"/api/v1/funders/{commitment.funder.pk}/")
    assert response.status_code == 409
    assert Funder.objects.filter(pk=commitment.funder.pk).exists()


def test_moving_a_school_to_a_full_zone_is_refused(clients, world):
    extra = SchoolFactory(district=world.zone.districts.get())
    for _ in range(2):
        SchoolFactory(district=extra.district, zone=world.zone)  # the zone now holds 5
    response = clients["state_lead"].patch(f"/api/v1/schools/{extra.pk}/", {"zone": world.zone.pk}, format="json")
    assert response.status_code == 400
    assert "zone" in field_errors(response)
    extra.refresh_from_db()
    assert extra.zone is None
