"""The admin for staff who are not superusers: rows from ``visible_to``, changes by the permission
table, 404 for what lies outside the scope (history pages included)."""

import pytest
from django.urls import reverse

from schools.models import School


def school_data(school, **changes):
    data = {
        "name": school.name,
        "nces_id": school.nces_id,
        "district": school.district_id,
        "zone": school.zone_id or "",
        "lowest_grade": school.lowest_grade,
        "highest_grade": school.highest_grade,
        "enrollment": school.enrollment,
        "improvement_tier": school.improvement_tier,
        "turnaround_status": school.turnaround_status,
    }
    return {**data, **changes}


def admin_url(action, *args):
    return reverse(f"admin:schools_school_{action}", args=args)


@pytest.fixture
def staff(world):
    """Make a role's user staff (the admin is reachable by staff only)."""

    def make(role):
        user = world.users[role]
        user.is_staff = True
        user.save()
        return user

    return make


def test_the_list_shows_only_rows_in_scope(client, world, staff):
    client.force_login(staff("state_lead"))
    body = client.get(admin_url("changelist")).content.decode()
    assert "Arcadia School 1" in body and "Borealis" not in body


@pytest.mark.parametrize("action", ["change", "delete", "history"])
def test_another_tenants_row_is_not_found(client, world, staff, action):
    client.force_login(staff("state_lead"))
    assert client.get(admin_url(action, world.b.school.pk)).status_code == 404


def test_another_tenants_historical_version_is_not_found(client, world, staff):
    client.force_login(staff("state_lead"))
    version = world.b.school.history.latest()
    url = reverse("admin:schools_school_simple_history", args=[world.b.school.pk, version.history_id])
    assert client.get(url).status_code == 404
    assert client.post(url, school_data(world.b.school, name="Hijacked")).status_code == 404
    world.b.school.refresh_from_db()
    assert world.b.school.name != "Hijacked"


def test_a_state_lead_changes_a_school_of_their_state(client, world, staff):
    client.force_login(staff("state_lead"))
    response = client.post(admin_url("change", world.a.school.pk), school_data(world.a.school, enrollment=600))
    assert response.status_code == 302
    world.a.school.refresh_from_db()
    assert world.a.school.enrollment == 600


def test_a_state_lead_cannot_move_a_school_to_another_state(client, world, staff):
    client.force_login(staff("state_lead"))
    response = client.post(
        admin_url("change", world.a.school.pk), school_data(world.a.school, district=world.b.district.pk, zone="")
    )
    assert response.status_code == 200
    assert "district" in response.context["adminform"].form.errors  # not among the choices
    world.a.school.refresh_from_db()
    assert world.a.school.district == world.a.district


def test_a_state_lead_adds_through_the_app_not_the_admin(client, world, staff):
    """Adding needs a parent to check against; the admin's add page has none, so it is admins only."""
    client.force_login(staff("state_lead"))
    assert client.get(admin_url("add")).status_code == 403


def test_a_viewer_reads_but_cannot_change(client, world, staff):
    client.force_login(staff("state_viewer"))
    assert client.get(admin_url("change", world.a.school.pk)).status_code == 200
    response = client.post(admin_url("change", world.a.school.pk), school_data(world.a.school, enrollment=1))
    assert response.status_code == 403
    assert client.post(admin_url("delete", world.a.school.pk), {"post": "yes"}).status_code == 403
    assert School.objects.filter(pk=world.a.school.pk, enrollment=450).exists()


def test_a_lead_partner_sees_only_its_zones_schools(client, world, staff):
    client.force_login(staff("lead_partner_staff"))
    body = client.get(admin_url("changelist")).content.decode()
    assert "Arcadia School 1" in body and "Borealis" not in body
    assert client.get(reverse("admin:funding_commitment_change", args=[world.a.commitment.pk])).status_code == 404


def test_the_states_list_links_each_states_audit_trail(client, world):
    client.force_login(world.users["initiative_admin"])
    body = client.get(reverse("admin:zones_state_changelist")).content.decode()
    assert reverse("portfolio:state_history", args=[world.b.state.pk]) in body
