"""The audit trail in words: labels, choice labels, related objects by name, the reason and the
proposal behind a change; one action one entry; filters by kind, name, object, person, dates and
reason; CSV; bounded queries."""

import csv
import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from proposals.choices import ProposalKind
from proposals.services import approve, propose
from schools.models import School
from tests.factories import DistrictFactory, SchoolFactory
from tests.worlds import grow_with_another_state, query_counts


def trail_url(tenant, **query):
    url = reverse("portfolio:state_history", kwargs={"state_pk": tenant.state.pk})
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def entries(response):
    """The page's entries (objects created, changed or deleted), newest action first."""
    return [entry for action in response.context["actions"] for entry in action.entries]


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
    by_kind = entries(client.get(trail_url(tenant, kind="funding.commitment")))
    assert by_kind and {entry.kind for entry in by_kind} == {"commitment"}
    lead = tenant.users["state_lead"]
    by_person = entries(client.get(trail_url(tenant, person=lead.email)))
    assert by_person and {entry.who for entry in by_person} == {lead}
    key = f"schools.school:{tenant.schools[0].pk}"
    by_object = entries(client.get(trail_url(tenant, object=key)))
    assert by_object and {entry.object_key for entry in by_object} == {key}
    by_name = entries(client.get(trail_url(tenant, name=tenant.schools[1].name)))
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
    assert first.context["older"] or len(first.context["actions"]) < 50
    school = School.objects.get(pk=tenant.schools[0].pk)
    for enrollment in range(300, 360):
        school.enrollment = enrollment
        school.save()
    response = client.get(trail_url(tenant))
    newest, older = entries(response), response.context["older"]
    assert "?before=" in response.content.decode() and "Older" in response.content.decode()
    older = entries(client.get(trail_url(tenant), {"before": older}))
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


def test_one_zone_save_is_one_entry_in_names(login, tenant):
    """A zone created with its districts and schools: one entry, districts and zone by name."""
    district = DistrictFactory(state=tenant.state, name="Pikes Peak District")
    schools = SchoolFactory.create_batch(3, district=district)
    lead = tenant.users["state_lead"]
    client = login(lead)
    data = {
        "name": "Pikes Peak Zone",
        "status": "planning",
        "lead_partner": "",
        "launch_school_year": "2011-12",
        "districts": [district.pk],
        "schools": [school.pk for school in schools],
    }
    assert client.post(reverse("schools:zone_create", kwargs={"state_pk": tenant.state.pk}), data).status_code == 302
    response = client.get(trail_url(tenant))
    action = response.context["actions"][0]
    assert action.who == lead
    assert sorted(entry.kind for entry in action.entries) == ["school", "school", "school", "zone"]
    assert set(action.summary.split(", ")) == {"zone created", "3 schools changed"}
    zone = next(entry for entry in action.entries if entry.kind == "zone")
    assert ("Districts", "—", "Pikes Peak District") in [(c.field, c.old, c.new) for c in zone.changes]
    school = next(entry for entry in action.entries if entry.kind == "school")
    assert [(c.field, c.old, c.new) for c in school.changes] == [("Zone", "—", "Pikes Peak Zone")]
    body = response.content.decode()
    assert "Zone: <del>—</del> → <ins>Pikes Peak Zone</ins>" in body and "{" not in body.split("<tbody>")[1]


def test_filters_by_date_range_and_reason(login, tenant):
    school = School.objects.get(pk=tenant.schools[0].pk)
    school.turnaround_status = "closed"
    school._change_reason = "Closed by the district board"
    school.save()
    client = login(tenant.users["state_lead"])
    by_text = entries(client.get(trail_url(tenant, text="district board")))
    assert [entry.object_label for entry in by_text] == [str(school)]
    today = timezone.localdate()
    assert entries(client.get(trail_url(tenant, since=today, until=today, text="board")))
    assert not entries(client.get(trail_url(tenant, until=today - timedelta(days=1), text="board")))
    assert not entries(client.get(trail_url(tenant, since=today + timedelta(days=1))))
    refused = client.get(trail_url(tenant, since=today, until=today - timedelta(days=1)))
    assert "before its start" in refused.content.decode()
