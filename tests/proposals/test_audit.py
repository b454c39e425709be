"""The audit trail in words: labels, choice labels, related objects by name, the reason and the
proposal behind a change; filters by kind, name, object and person; CSV; bounded queries."""

import csv
import io

from django.urls import reverse

from proposals.choices import ProposalKind
from proposals.services import approve, propose
from schools.models import School
from tests.worlds import grow_with_another_state, query_counts


def trail_url(tenant, **query):
    url = reverse("portfolio:state_history", kwargs={"state_pk": tenant.state.pk})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def approved_exit(tenant):
    proposal = propose(
        ProposalKind.SCHOOL_STATUS,
        tenant.schools[0],
        {"turnaround_status": "exited"},
        reason="Exit targets met two years running.",
        by=tenant.users["lead_partner_staff"],
    )
    return approve(proposal, by=tenant.users["state_lead"])


def test_a_change_from_a_proposal_reads_who_proposed_approved_and_why(login, tenant):
    approved_exit(tenant)
    body = login(tenant.users["state_lead"]).get(trail_url(tenant, kind="schools.school")).content.decode()
    partner, lead = tenant.users["lead_partner_staff"], tenant.users["state_lead"]
    assert f"Proposed by {partner}, approved by {lead}" in body
    assert "Exit targets met two years running." in body
    assert "Turnaround status: <del>Identified</del> → <ins>Exited improvement status</ins>" in body


def test_related_objects_read_by_name_and_reasons_show(login, tenant, measurement):
    lead = tenant.users["state_lead"]
    measurement.recorded_by = lead
    measurement.save()
    school = School.objects.get(pk=tenant.schools[0].pk)
    school.turnaround_status = "closed"
    school._change_reason = "Closed by the district board"
    school.save()
    client = login(lead)
    body = client.get(trail_url(tenant, kind="accountability.measurement")).content.decode()
    assert f"Recorded by: <del>—</del> → <ins>{lead}</ins>" in body
    assert f"{measurement.school.name}" in body  # the measurement is named by its school and indicator
    body = client.get(trail_url(tenant, kind="schools.school")).content.decode()
    assert "Closed by the district board" in body and "Version" not in body


def test_filters_by_kind_person_and_object(login, tenant):
    approved_exit(tenant)
    client = login(tenant.users["state_lead"])
    by_kind = client.get(trail_url(tenant, kind="funding.commitment")).context["entries"]
    assert by_kind and {entry.kind for entry in by_kind} == {"commitment"}
    lead = tenant.users["state_lead"]
    by_person = client.get(trail_url(tenant, person=lead.email)).context["entries"]
    assert by_person and {entry.who for entry in by_person} == {lead}
    key = f"schools.school:{tenant.schools[0].pk}"
    by_object = client.get(trail_url(tenant, object=key)).context["entries"]
    assert by_object and {entry.object_key for entry in by_object} == {key}
    by_name = client.get(trail_url(tenant, name=tenant.schools[1].name)).context["entries"]
    assert by_name and all(tenant.schools[1].name in entry.object_label for entry in by_name)


def test_the_csv_has_the_filtered_trail_formula_safe(login, tenant):
    school = School.objects.get(pk=tenant.schools[0].pk)
    school.turnaround_status = "closed"
    school._change_reason = "=HYPERLINK(1)"
    school.save()
    response = login(tenant.users["state_lead"]).get(trail_url(tenant, kind="schools.school", export="csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["When", "Who", "Kind"]
    assert {row[2] for row in rows[1:]} == {"school"}
    closed = next(row for row in rows if row[5] == "Turnaround status")
    assert closed[6:9] == ["Identified", "Closed", "'=HYPERLINK(1)"]


def test_pages_go_back_in_time(login, tenant):
    client = login(tenant.users["state_lead"])
    first = client.get(trail_url(tenant))
    assert first.context["has_more"] or len(first.context["entries"]) < 50
    school = School.objects.get(pk=tenant.schools[0].pk)
    for enrollment in range(300, 360):
        school.enrollment = enrollment
        school.save()
    newest = client.get(trail_url(tenant)).context["entries"]
    older = client.get(trail_url(tenant, page=2)).context["entries"]
    assert newest[0].changes[0].new == "359" and older[0].changes[0].new == "309"


def test_its_queries_do_not_grow_with_the_data(login, tenant):
    client = login(tenant.users["state_lead"])
    approved_exit(tenant)
    before = query_counts(client, [trail_url(tenant)])
    grow_with_another_state(tenant.state)
    assert query_counts(client, [trail_url(tenant)]) == before


def test_only_the_state_lead_and_admins_read_it(login, tenant):
    for role in ("state_viewer", "commissioner", "lead_partner_staff", "collaborator"):
        assert login(tenant.users[role]).get(trail_url(tenant, export="csv")).status_code == 403
