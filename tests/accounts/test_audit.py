"""A state's audit trail: who changed what, field by field, for admins and the state's lead."""

import pytest
from django.urls import reverse

from portfolio.audit import state_audit_trail


def trail(state, **options):
    """The trail's entries (objects created, changed or deleted), newest action first."""
    return [entry for action in state_audit_trail(state, **options)[0] for entry in action.entries]


def history_url(tenant):
    return reverse("portfolio:state_history", args=[tenant.state.pk])


def change_enrollment(school, user, enrollment):
    school.enrollment = enrollment
    school._history_user = user
    school.save()  # a save of its own fields is an action of its own, even moments after another


def test_the_trail_lists_who_changed_which_field_from_what_to_what(world):
    lead = world.users["state_lead"]
    change_enrollment(world.a.school, lead, 512)
    latest = trail(world.a.state)[0]
    assert latest.who == lead
    assert latest.action == "changed"
    assert latest.kind == "school" and latest.object_label == str(world.a.school)
    assert [(change.field, change.old, change.new) for change in latest.changes] == [("Enrollment", "450", "512")]


def test_the_trail_covers_every_object_of_the_state_and_nothing_else(world):
    entries = trail(world.a.state, per_page=1000)
    kinds = {entry.kind for entry in entries}
    assert {"state", "district", "zone", "school", "commitment", "expenditure", "status update"} <= kinds
    labels = " ".join(entry.object_label for entry in entries)
    assert "Arcadia" in labels and "Borealis" not in labels


def test_deletions_stay_in_the_trail(world):
    status_update = world.a.status_update
    label = str(status_update)
    status_update.delete()
    latest = trail(world.a.state)[0]
    assert (latest.action, latest.object_label) == ("deleted", label)


def test_the_trail_is_limited_to_the_latest_changes(world):
    for enrollment in range(300, 310):
        change_enrollment(world.a.school, None, enrollment)
    entries = trail(world.a.state, per_page=4)
    assert [entry.changes[0].new for entry in entries][:4] == ["309", "308", "307", "306"]
    assert len(state_audit_trail(world.a.state, per_page=4)[0]) == 4


@pytest.mark.parametrize("role", ["initiative_admin", "state_lead"])
def test_admins_and_the_state_lead_read_the_page(client, world, role):
    change_enrollment(world.a.school, world.users["state_lead"], 512)
    client.force_login(world.users[role])
    response = client.get(history_url(world.a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enrollment" in body and "512" in body and "Arcadia School 1" in body
    assert str(world.users["state_lead"]) in body


@pytest.mark.parametrize("role", ["state_viewer", "commissioner", "lead_partner_staff", "collaborator"])
def test_other_roles_of_the_state_are_refused(client, world, role):
    client.force_login(world.users[role])
    assert client.get(history_url(world.a)).status_code == 403


@pytest.mark.parametrize("role", ["state_lead", "state_viewer", "lead_partner_staff", "collaborator"])
def test_another_states_trail_does_not_exist_for_them(client, world, role):
    client.force_login(world.users[role])
    assert client.get(history_url(world.b)).status_code == 404


def test_changes_made_through_the_app_record_the_signed_in_user(client, world):
    """The history middleware stamps the request's user (here through the admin)."""
    admin = world.users["initiative_admin"]
    client.force_login(admin)
    school = world.a.school
    url = reverse("admin:schools_school_change", args=[school.pk])
    data = {
        "name": "Arcadia School One",
        "nces_id": school.nces_id,
        "district": school.district_id,
        "zone": school.zone_id,
        "lowest_grade": school.lowest_grade,
        "highest_grade": school.highest_grade,
        "enrollment": school.enrollment,
        "improvement_tier": school.improvement_tier,
        "turnaround_status": school.turnaround_status,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = trail(world.a.state)[0]
    assert latest.who == admin
    assert [(change.field, change.new) for change in latest.changes] == [("Name", "Arcadia School One")]
