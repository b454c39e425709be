"""Removing what was entered by mistake: a school with nothing naming it, a zone never launched (a
launched one is closed, with the reason), a baseline, target or measurement with the reason its
history keeps; a locked period's measurement is refused (a proposal corrects it)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accountability import removal
from accountability.models import Baseline, Measurement, Target
from accountability.recording import PeriodLocked
from funding.models import Funder
from schools import services
from schools.models import School
from tests.factories import FunderFactory, PeriodSubmissionFactory, ReportingPeriodFactory, SchoolFactory, ZoneFactory
from web.rest import DELETED_THROUGH_THE_API
from zones.models import Zone

pytestmark = pytest.mark.django_db


def test_a_school_nothing_names_is_deleted_with_its_reason(client, world):
    school = SchoolFactory(district=world.home.schools[0].district)
    client.force_login(world.home.users["state_lead"])
    url = reverse("schools:school_delete", kwargs={"school_pk": school.pk})
    assert client.post(url, {"reason": ""}).status_code == 400  # the reason is asked for
    response = client.post(url, {"reason": "Entered twice"}, follow=True)
    assert f"Deleted school {school.name}." in response.content.decode()
    assert not School.objects.filter(pk=school.pk).exists()
    assert School.history.filter(id=school.pk, history_type="-").get().history_change_reason == "Entered twice"


def test_a_school_in_a_zone_or_with_results_is_kept(client, world):
    school = world.home.schools[0]
    lead = world.home.users["state_lead"]
    with pytest.raises(ValidationError, match="belongs to the zone"):
        services.delete_school(school, reason="Mistake", user=lead)
    School.objects.filter(pk=school.pk).update(zone=None)
    school.refresh_from_db()
    with pytest.raises(ValidationError, match=r"name this school, so it cannot be deleted\. Mark it closed"):
        services.delete_school(school, reason="Mistake", user=lead)
    assert School.objects.filter(pk=school.pk).exists()


@pytest.mark.parametrize("role", ["state_viewer", "commissioner", "lead_partner_staff"])
def test_other_roles_may_not_delete_a_school(client, world, role):
    school = SchoolFactory(district=world.home.schools[0].district)
    client.force_login(world.home.users[role])
    response = client.post(reverse("schools:school_delete", kwargs={"school_pk": school.pk}), {"reason": "x"})
    assert response.status_code in (403, 404)
    assert School.objects.filter(pk=school.pk).exists()


def test_another_states_lead_finds_no_school(client, world):
    school = SchoolFactory(district=world.home.schools[0].district)
    client.force_login(world.away.users["state_lead"])
    url = reverse("schools:school_delete", kwargs={"school_pk": school.pk})
    assert client.post(url, {"reason": "x"}).status_code == 404


def test_a_zone_never_launched_is_deleted_and_its_schools_left_unzoned(client, world):
    zone = ZoneFactory(state=world.home.state, lead_partner=None)
    school = SchoolFactory(district=world.home.schools[0].district, zone=zone)
    client.force_login(world.home.users["state_lead"])
    url = reverse("schools:zone_remove", kwargs={"zone_pk": zone.pk})
    assert "Delete zone" in client.get(url).content.decode()
    response = client.post(url, {"reason": "Never went ahead"}, follow=True)
    assert f"Deleted the zone {zone.name}." in response.content.decode()
    assert not Zone.objects.filter(pk=zone.pk).exists()
    assert School.objects.get(pk=school.pk).zone is None


def test_a_launched_zone_is_closed_with_its_reason(client, world):
    zone = world.home.zone
    client.force_login(world.home.users["state_lead"])
    page = client.get(reverse("portfolio:zone_detail", kwargs={"zone_pk": zone.pk})).content.decode()
    assert "Close zone" in page
    url = reverse("schools:zone_remove", kwargs={"zone_pk": zone.pk})
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "The district ended the partnership"}).status_code == 302
    closed = Zone.objects.get(pk=zone.pk)
    assert closed.status == Zone.Status.CLOSED and closed.schools.count() == len(world.home.schools)
    assert closed.history.first().history_change_reason == "The district ended the partnership"


@pytest.mark.parametrize("role", ["state_viewer", "lead_partner_staff", "collaborator"])
def test_other_roles_may_not_remove_a_zone(client, world, role):
    client.force_login(world.home.users[role])
    response = client.post(reverse("schools:zone_remove", kwargs={"zone_pk": world.home.zone.pk}), {"reason": "x"})
    assert response.status_code in (403, 404)
    assert Zone.objects.get(pk=world.home.zone.pk).status == Zone.Status.LAUNCHED


def test_a_baseline_and_a_target_are_deleted_with_the_reason_in_their_history(client, world):
    school = world.home.schools[0]
    baseline, target = Baseline.objects.get(school=school), Target.objects.get(school=school)
    client.force_login(world.home.users["state_lead"])
    page = client.get(reverse("portfolio:school_detail", kwargs={"school_pk": school.pk})).content.decode()
    assert reverse("accountability:baseline_delete", kwargs={"baseline_pk": baseline.pk}) in page
    for name, value in (("baseline", baseline), ("target", target)):
        url = reverse(f"accountability:{name}_delete", kwargs={f"{name}_pk": value.pk})
        assert client.post(url, {"reason": "Wrong school"}).status_code == 302
        assert not type(value).objects.filter(pk=value.pk).exists()
        assert type(value).history.filter(id=value.pk, history_type="-").get().history_change_reason == "Wrong school"


def test_a_measurement_of_an_open_period_is_deleted_a_locked_ones_is_refused(client, world):
    school = world.home.schools[0]
    open_one, locked_one = Measurement.objects.filter(school=school).order_by("period")
    period = ReportingPeriodFactory(
        state=world.home.state, school_year=locked_one.school_year, period=locked_one.period
    )
    PeriodSubmissionFactory(school=school, reporting_period=period, status="submitted")
    lead = world.home.users["state_lead"]
    with pytest.raises(PeriodLocked):
        removal.delete_measurement(locked_one, reason="Typo", user=lead)
    client.force_login(lead)
    page = client.get(reverse("portfolio:school_detail", kwargs={"school_pk": school.pk})).content.decode()
    assert reverse("accountability:measurement_delete", kwargs={"measurement_pk": open_one.pk}) in page
    assert reverse("accountability:measurement_delete", kwargs={"measurement_pk": locked_one.pk}) not in page
    locked_url = reverse("accountability:measurement_delete", kwargs={"measurement_pk": locked_one.pk})
    response = client.post(locked_url, {"reason": "Typo"})
    assert response.status_code == 409 and "locked" in response.content.decode()
    url = reverse("accountability:measurement_delete", kwargs={"measurement_pk": open_one.pk})
    assert client.post(url, {"reason": "Typo"}).status_code == 302
    assert set(Measurement.objects.filter(school=school)) == {locked_one}


def test_results_are_deleted_by_those_who_record_them_only(world):
    measurement = Measurement.objects.filter(school=world.home.schools[0]).first()
    with pytest.raises(PermissionDenied):
        removal.delete_measurement(measurement, reason="x", user=world.home.users["state_viewer"])
    with pytest.raises(PermissionDenied):
        removal.delete_school_value(
            Baseline.objects.filter(school=world.home.schools[0]).first(),
            reason="x",
            user=world.away.users["state_lead"],
        )
    with pytest.raises(ValidationError, match="Say why"):
        removal.delete_measurement(measurement, reason=" ", user=world.home.users["state_lead"])


def test_the_api_keeps_a_school_its_results_name(world):
    school = world.home.schools[0]
    School.objects.filter(pk=school.pk).update(zone=None)
    client = APIClient()
    client.force_authenticate(world.home.users["state_lead"])
    response = client.delete(f"/api/v1/schools/{school.pk}/")
    assert response.status_code == 409 and "name this school" in response.json()["detail"]
    assert Baseline.objects.filter(school=school).exists()


def test_the_api_deletes_through_the_same_use_cases_as_the_pages(world):
    """A funder money names is kept with the pages' refusal, counted as ``blocked_by``; an unused one
    is deleted with its deleter in the history; a target's delete keeps the API's reason."""
    client = APIClient()
    client.force_authenticate(world.admin)
    named = world.home.commitment.funder
    response = client.delete(f"/api/v1/funders/{named.pk}/")
    assert response.status_code == 409
    body = response.json()
    assert body["blocked_by"] == [{"kind": "commitments", "count": 1}]
    assert Funder.objects.filter(pk=named.pk).exists()

    unused = FunderFactory()
    assert client.delete(f"/api/v1/funders/{unused.pk}/").status_code == 204
    assert Funder.history.filter(id=unused.pk, history_type="-").get().history_user == world.admin

    target = world.home.schools[0].targets.get()
    assert client.delete(f"/api/v1/targets/{target.pk}/").status_code == 204
    deleted = Target.history.filter(id=target.pk, history_type="-").get()
    assert deleted.history_change_reason == DELETED_THROUGH_THE_API
