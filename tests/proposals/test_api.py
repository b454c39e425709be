"""The change-proposals API: propose, approve, reject, withdraw; 409 when not pending, 412 on a
stale version, problem JSON."""

from proposals.models import ChangeProposal
from tests.problems import field_errors

PROBLEM = "application/problem+json"
URL = "/api/v1/change-proposals/"


def post(client, url, body=None, **headers):
    return client.post(url, body or {}, content_type="application/json", **headers)


def test_propose_and_approve_through_the_api(login, tenant):
    school = tenant.schools[0]
    partner = login(tenant.users["lead_partner_staff"])
    body = {"kind": "school_status", "target": school.pk, "after": {"turnaround_status": "exited"}, "reason": "Met."}
    created = post(partner, URL, body)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["status"] == "pending"
    assert data["changes"] == [
        {"field": "Turnaround status", "before": "Identified", "after": "Exited improvement status"}
    ]
    assert post(partner, URL, body).status_code == 400  # one pending per school
    detail = f"{URL}{data['id']}/"
    assert post(partner, f"{detail}approve/").status_code == 403

    lead = login(tenant.users["state_lead"])
    assert post(lead, f"{detail}approve/", HTTP_IF_MATCH='"99"').status_code == 412
    approved = post(lead, f"{detail}approve/", {"note": "Agreed"}, HTTP_IF_MATCH=created["ETag"])
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = post(lead, f"{detail}reject/", {"note": "No"})
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM
    school.refresh_from_db()
    assert school.turnaround_status == "exited"


def test_a_reason_and_a_visible_target_are_required(login, tenant, other_tenant):
    partner = login(tenant.users["lead_partner_staff"])
    body = {"kind": "school_status", "target": tenant.schools[0].pk, "after": {"turnaround_status": "exited"}}
    assert "reason" in field_errors(post(partner, URL, {**body, "reason": ""}))
    foreign = {**body, "target": other_tenant.schools[0].pk, "reason": "x"}
    assert field_errors(post(partner, URL, foreign)) == {"target": ["No such school."]}
    assert not ChangeProposal.objects.exists()


def test_withdraw_and_reject_need_their_people(login, tenant):
    partner = login(tenant.users["lead_partner_staff"])
    body = {"kind": "school_status", "target": tenant.schools[0].pk, "after": {"turnaround_status": "exited"}}
    created = post(partner, URL, {**body, "reason": "Met."}).json()
    detail = f"{URL}{created['id']}/"
    lead = login(tenant.users["state_lead"])
    assert post(lead, f"{detail}withdraw/").status_code == 403
    assert post(lead, f"{detail}reject/", {"note": ""}).status_code == 400
    partner = login(tenant.users["lead_partner_staff"])
    assert post(partner, f"{detail}withdraw/").json()["status"] == "withdrawn"
