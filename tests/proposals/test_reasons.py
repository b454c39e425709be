"""A school's turnaround status, a zone's status and a commitment's status change only with a
reason, on every write path: the model's save, the pages' forms, the API, the admin. The reason is
the history row's ``history_change_reason`` (the audit trail shows it)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from funding.models import Commitment
from tests.accounts.test_admin import school_data
from tests.factories import CommitmentFactory
from tests.problems import field_errors


def reload(obj):
    return type(obj)._base_manager.get(pk=obj.pk)


def targets(tenant, pledged):
    return {
        "school": (reload(tenant.schools[0]), "turnaround_status", "exited"),
        "zone": (reload(tenant.zone), "status", "extended"),
        "commitment": (reload(pledged), "status", "committed"),
    }


@pytest.mark.parametrize("which", ["school", "zone", "commitment"])
def test_the_model_refuses_a_status_change_without_a_reason(tenant, pledged, which):
    obj, field, value = targets(tenant, pledged)[which]
    setattr(obj, field, value)
    if which == "commitment":
        obj.committed_on = datetime.date(2010, 5, 1)
    with pytest.raises(ValidationError) as refused:
        obj.save()
    assert field in refused.value.message_dict
    assert getattr(reload(obj), field) != value
    obj._change_reason = "Exit review passed"
    obj.save()
    assert getattr(reload(obj), field) == value
    assert obj.history.first().history_change_reason == "Exit review passed"


def test_a_long_reason_is_kept_whole_in_the_history(pledged):
    reason = ("The board voted on the second reading after the audit committee's review; " * 5).strip()
    commitment = reload(pledged)
    commitment.advance(Commitment.Status.COMMITTED, datetime.date(2010, 5, 1), reason=reason)
    assert len(reason) > 300
    assert commitment.history.first().history_change_reason == reason


def test_other_changes_and_new_rows_need_no_reason(tenant):
    school = reload(tenant.schools[0])
    school.enrollment += 1
    school.save()
    assert reload(school).enrollment == school.enrollment
    assert CommitmentFactory(state=tenant.state, status="received").history.first().history_change_reason is None


def test_a_commitment_advances_with_its_reason(pledged):
    commitment = reload(pledged)
    commitment.advance(Commitment.Status.COMMITTED, datetime.date(2010, 5, 1), reason="Board vote")
    assert commitment.history.first().history_change_reason == "Board vote"


def test_the_school_form_asks_for_a_reason_only_when_the_status_changes(login, tenant):
    client = login(tenant.users["state_lead"])
    school = reload(tenant.schools[0])
    url = reverse("schools:school_edit", kwargs={"school_pk": school.pk})
    data = {**school_data(school), "version": school.version}
    assert client.post(url, {**data, "enrollment": 400}).status_code == 302  # no status change: no reason
    school = reload(school)
    data = {**school_data(school), "version": school.version, "turnaround_status": "exited"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Give the reason for changing the status." in response.content.decode()
    assert client.post(url, {**data, "change_reason": "Exit review passed"}).status_code == 302
    school = reload(school)
    assert school.turnaround_status == "exited"
    assert school.history.first().history_change_reason == "Exit review passed"


def test_the_zone_form_asks_for_a_reason_when_the_status_changes(login, tenant):
    client = login(tenant.users["state_lead"])
    zone = reload(tenant.zone)
    url = reverse("schools:zone_edit", kwargs={"zone_pk": zone.pk})
    data = {
        "name": zone.name,
        "status": "extended",
        "launch_school_year": zone.launch_school_year,
        "lead_partner": zone.lead_partner_id,
        "districts": [district.pk for district in zone.districts.all()],
        "schools": [school.pk for school in zone.schools.all()],
        "version": zone.version,
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "Give the reason for changing the status." in response.content.decode()
    assert client.post(url, {**data, "change_reason": "Renewed for two years"}).status_code == 302
    zone = reload(zone)
    assert zone.status == "extended"
    assert zone.history.first().history_change_reason == "Renewed for two years"


def test_the_api_answers_400_without_a_reason(login, tenant):
    client = login(tenant.users["state_lead"])
    school = tenant.schools[0]
    url = f"/api/v1/schools/{school.pk}/"
    response = client.patch(url, {"turnaround_status": "exited"}, content_type="application/json")
    assert response.status_code == 400 and "reason" in field_errors(response)
    assert reload(school).turnaround_status != "exited"
    body = {"turnaround_status": "exited", "reason": "Exit review passed"}
    response = client.patch(url, body, content_type="application/json")
    assert response.status_code == 200 and "reason" not in response.json()  # write-only
    assert reload(school).history.first().history_change_reason == "Exit review passed"


def test_the_zone_and_commitment_apis_ask_for_it_too(login, tenant):
    client = login(tenant.users["state_lead"])
    zone_url = f"/api/v1/zones/{tenant.zone.pk}/"
    assert client.patch(zone_url, {"status": "extended"}, content_type="application/json").status_code == 400
    body = {"status": "extended", "reason": "Renewed"}
    assert client.patch(zone_url, body, content_type="application/json").status_code == 200
    assert reload(tenant.zone).history.first().history_change_reason == "Renewed"


def test_the_admin_asks_for_it(client, tenant):
    admin = tenant.users["state_lead"]
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    school = reload(tenant.schools[0])
    url = reverse("admin:schools_school_change", args=[school.pk])
    response = client.post(url, school_data(school, turnaround_status="exited"))
    assert response.status_code == 200 and "Give the reason for changing the status." in response.content.decode()
    response = client.post(url, school_data(school, turnaround_status="exited", change_reason="Exit review"))
    assert response.status_code == 302
    assert reload(school).history.first().history_change_reason == "Exit review"
