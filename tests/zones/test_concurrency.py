"""The zone size rule on the locked state, and stale edits of zones and schools refused."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from core.concurrency import STALE_MESSAGE, StaleRecord
from schools.models import School
from schools.services import save_zone
from tests.factories import LaunchedZoneFactory, MembershipFactory, SchoolFactory
from tests.problems import field_errors
from zones.models import Zone

pytestmark = pytest.mark.django_db


def test_a_sixth_school_saved_past_its_clean_is_refused_on_the_locked_count():
    """What a concurrent move does: its clean() counted before another move was written."""
    zone = LaunchedZoneFactory(schools=5)
    newcomer = SchoolFactory(district=zone.districts.get())
    newcomer.zone = zone
    with pytest.raises(ValidationError) as refused:
        newcomer.save()
    assert refused.value.message_dict == {"zone": [f"{zone} already holds 5 schools, the most a zone may hold."]}
    assert School.objects.filter(zone=zone).count() == 5


def test_leaving_a_launched_zone_of_three_past_its_clean_is_refused():
    zone = LaunchedZoneFactory(schools=3)
    leaver = School.objects.filter(zone=zone).first()
    leaver.zone = None
    with pytest.raises(ValidationError, match="must keep at least 3 schools"):
        leaver.save()
    assert School.objects.filter(zone=zone).count() == 3


def test_launching_a_zone_past_its_clean_is_refused_on_the_locked_count():
    zone = LaunchedZoneFactory(schools=3)
    Zone.objects.filter(pk=zone.pk).update(status=Zone.Status.PLANNING)
    zone.refresh_from_db()
    School.objects.filter(pk=School.objects.filter(zone=zone).first().pk).update(zone=None)
    zone.status = Zone.Status.LAUNCHED
    zone._change_reason = "Launch"
    with pytest.raises(ValidationError, match="must keep at least 3 schools"):
        zone.save()


def test_swapping_schools_of_a_launched_zone_of_three_is_checked_on_the_result():
    zone = LaunchedZoneFactory(schools=3)
    kept = list(School.objects.filter(zone=zone))[:2]
    newcomer = SchoolFactory(district=zone.districts.get())
    save_zone(zone, Zone.Status.LAUNCHED, [zone.districts.get()], [*kept, newcomer])
    assert set(School.objects.filter(zone=zone)) == {*kept, newcomer}


def test_a_school_saved_from_a_stale_copy_is_refused():
    school = SchoolFactory()
    stale = School.objects.get(pk=school.pk)
    school.name = "First"
    school.save()
    stale.name = "Second"
    with pytest.raises(StaleRecord):
        stale.save()
    school.refresh_from_db()
    assert (school.name, school.version) == ("First", 2)


def test_the_zone_form_refuses_a_stale_version_and_keeps_the_input(client):
    zone = LaunchedZoneFactory(schools=3)
    lead = MembershipFactory(role=Role.STATE_LEAD, state=zone.state).user
    client.force_login(lead)
    url = reverse("schools:zone_edit", kwargs={"zone_pk": zone.pk})
    opened = zone.version
    assert client.get(url).context["form"]["version"].value() == opened
    Zone.objects.get(pk=zone.pk).save()  # someone else saves meanwhile
    data = {
        "name": "Renamed Zone",
        "status": zone.status,
        "lead_partner": zone.lead_partner.pk,
        "launch_school_year": zone.launch_school_year,
        "districts": [zone.districts.get().pk],
        "schools": [school.pk for school in School.objects.filter(zone=zone)],
        "version": opened,
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [STALE_MESSAGE]
    assert STALE_MESSAGE in response.content.decode().replace("&#x27;", "'")
    assert response.context["form"]["version"].value() == opened + 1  # saving again is a deliberate choice
    assert not Zone.objects.filter(name="Renamed Zone").exists()
    assert client.post(url, {**data, "version": opened + 1}).status_code == 302
    assert Zone.objects.get(pk=zone.pk).name == "Renamed Zone"


def test_the_api_answers_412_to_a_stale_if_match_and_gives_the_etag():
    zone = LaunchedZoneFactory(schools=3)
    school = School.objects.filter(zone=zone).first()
    api = APIClient()
    api.force_authenticate(MembershipFactory(role=Role.STATE_LEAD, state=zone.state).user)
    url = f"/api/v1/schools/{school.pk}/"
    read = api.get(url)
    assert read["ETag"] == '"1"' and read.json()["version"] == 1
    changed = api.patch(url, {"name": "Renamed"}, format="json", HTTP_IF_MATCH='"1"')
    assert changed.status_code == 200 and changed["ETag"] == '"2"'
    stale = api.patch(url, {"name": "Lost"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    assert {key: stale.json()[key] for key in ("type", "status", "code", "detail")} == {
        "type": "urn:zone-portfolio:problem:stale",
        "status": 412,
        "code": "stale",
        "detail": STALE_MESSAGE,
    }
    assert api.patch(url, {"name": "Lost", "version": 1}, format="json").status_code == 412
    assert School.objects.get(pk=school.pk).name == "Renamed"


def test_the_api_answers_400_when_a_move_breaks_the_size_rule_on_the_locked_count(monkeypatch):
    """A move whose clean() passed (as in a race) is refused as a 400 by the save, never a 500."""
    zone = LaunchedZoneFactory(schools=5)
    newcomer = SchoolFactory(district=zone.districts.get())
    monkeypatch.setattr(School, "clean", lambda self: None)
    api = APIClient()
    api.force_authenticate(MembershipFactory(role=Role.STATE_LEAD, state=zone.state).user)
    response = api.patch(f"/api/v1/schools/{newcomer.pk}/", {"zone": zone.pk}, format="json")
    assert response.status_code == 400
    assert field_errors(response) == {"zone": [f"{zone} already holds 5 schools, the most a zone may hold."]}
