"""The ledger's API: terms (created by the ledger's rules; status only through change-status),
check-ins, and the read-only status changes."""

import pytest
from rest_framework.test import APIClient

from autonomy.models import AutonomyCheckIn, AutonomyTerm, AutonomyTermChange
from tests.factories import AutonomyCheckInFactory, AutonomyTermFactory
from tests.problems import field_errors

pytestmark = pytest.mark.django_db
Status = AutonomyTerm.Status


@pytest.fixture
def api(world):
    def as_role(role):
        client = APIClient()
        client.force_authenticate(world.home.users[role])
        return client

    return as_role


def test_a_lead_partner_requests_and_may_not_grant(world, api):
    client = api("lead_partner_staff")
    data = {"zone": world.home.zone.pk, "area": "people", "power": "hiring", "reason": "Our teachers."}
    granted = client.post("/api/v1/autonomy-terms/", {**data, "status": "granted", "source": "mou_clause"})
    assert granted.status_code == 400, granted.json()
    assert field_errors(granted)["status"] == [
        "A Lead Partner requests a term; the state decides whether it is granted."
    ]
    made = client.post("/api/v1/autonomy-terms/", data)
    assert made.status_code == 201, made.json()
    assert (made.json()["status"], made.json()["status_label"]) == ("requested", "Requested")
    assert AutonomyTermChange.objects.get(term_id=made.json()["id"]).reason == "Our teachers."


def test_a_patch_of_status_is_refused_and_change_status_records_the_change(world, api):
    term = AutonomyTermFactory(zone=world.home.zone)
    client = api("state_lead")
    patched = client.patch(f"/api/v1/autonomy-terms/{term.pk}/", {"status": "revoked"}, format="json")
    assert patched.status_code == 400
    assert "change-status" in field_errors(patched)["status"][0]
    assert (
        client.patch(f"/api/v1/autonomy-terms/{term.pk}/", {"source_reference": "§5"}, format="json").status_code == 200
    )
    check_in = AutonomyCheckInFactory(term=term)
    url = f"/api/v1/autonomy-terms/{term.pk}/change-status/"
    body = {"to_status": "contested", "reason": "The district placed teachers.", "effective_on": "2011-09-20"}
    changed = client.post(url, {**body, "check_in": check_in.pk}, format="json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()["status"] == "contested"
    assert AutonomyTermChange.objects.get(term=term).check_in == check_in
    again = client.post(url, body, format="json")
    assert again.status_code == 400 and field_errors(again)["to_status"] == ["The term is already contested."]
    assert api("lead_partner_staff").post(url, {**body, "to_status": "revoked"}, format="json").status_code == 403


def test_another_states_check_in_cannot_be_cited(world, api):
    term = AutonomyTermFactory(zone=world.home.zone)
    elsewhere = AutonomyCheckInFactory(term=AutonomyTermFactory(zone=world.away.zone))
    body = {"to_status": "revoked", "reason": "r", "effective_on": "2011-09-20", "check_in": elsewhere.pk}
    response = api("state_lead").post(f"/api/v1/autonomy-terms/{term.pk}/change-status/", body, format="json")
    assert response.status_code == 400 and "check_in" in field_errors(response)


def test_check_ins_are_recorded_by_the_lead_partner_and_hidden_from_collaborators(world, api):
    term = AutonomyTermFactory(zone=world.home.zone)
    body = {"term": term.pk, "practice": "partly", "note": "Placed 4.", "observed_on": "2011-09-01"}
    made = api("lead_partner_staff").post("/api/v1/autonomy-check-ins/", body, format="json")
    assert made.status_code == 201, made.json()
    assert AutonomyCheckIn.objects.get().recorded_by == world.home.users["lead_partner_staff"]
    assert api("state_viewer").post("/api/v1/autonomy-check-ins/", body, format="json").status_code == 403
    assert api("collaborator").get("/api/v1/autonomy-check-ins/").json()["count"] == 0
    assert api("state_viewer").get("/api/v1/autonomy-check-ins/").json()["count"] == 1


def test_term_changes_are_read_only(world, api):
    term = AutonomyTermFactory(zone=world.home.zone)
    change = AutonomyTermChange.objects.create(term=term, to_status="granted", reason="MOU", effective_on="2010-07-01")
    client = api("state_lead")
    listed = client.get("/api/v1/autonomy-term-changes/").json()["results"]
    assert [(row["id"], row["to_status_label"]) for row in listed] == [(change.pk, "Granted")]
    assert client.post("/api/v1/autonomy-term-changes/", {}).status_code == 405
    assert client.delete(f"/api/v1/autonomy-term-changes/{change.pk}/").status_code == 405


def test_a_change_names_its_check_in_only_to_readers_of_it(world, api):
    check_in = AutonomyCheckInFactory(term=AutonomyTermFactory(zone=world.home.zone))
    change = AutonomyTermChange.objects.create(
        term=check_in.term, to_status="contested", reason="Placed 4.", effective_on="2011-09-02", check_in=check_in
    )
    for role, named in (("state_lead", check_in.pk), ("lead_partner_staff", check_in.pk), ("collaborator", None)):
        client = api(role)
        listed = client.get("/api/v1/autonomy-term-changes/").json()["results"]
        detail = client.get(f"/api/v1/autonomy-term-changes/{change.pk}/").json()
        assert [row["check_in"] for row in listed if row["id"] == change.pk] == [named], role
        assert detail["check_in"] == named, role
