"""Every page is scoped through visible_to: each role reads its own tenant (200) and never another's (404)."""

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.worlds import ROLES, member

pytestmark = pytest.mark.django_db


def page_urls(tenant):
    school = tenant.schools[0]
    return {
        "state": reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk}),
        "zone": reverse("portfolio:zone_detail", kwargs={"zone_pk": tenant.zone.pk}),
        "school": reverse("portfolio:school_detail", kwargs={"school_pk": school.pk}),
    }


def edit_urls(tenant):
    school = tenant.schools[0]
    return {
        "zone_create": reverse("schools:zone_create", kwargs={"state_pk": tenant.state.pk}),
        "zone_edit": reverse("schools:zone_edit", kwargs={"zone_pk": tenant.zone.pk}),
        "school_create": reverse("schools:school_create", kwargs={"state_pk": tenant.state.pk}),
        "school_edit": reverse("schools:school_edit", kwargs={"school_pk": school.pk}),
        "commitment_create": reverse("funding:commitment_create", kwargs={"state_pk": tenant.state.pk}),
        "commitment_edit": reverse("funding:commitment_edit", kwargs={"commitment_pk": tenant.commitment.pk}),
        "expenditure_create": reverse("funding:expenditure_create", kwargs={"state_pk": tenant.state.pk}),
        "expenditure_edit": reverse("funding:expenditure_edit", kwargs={"expenditure_pk": tenant.expenditure.pk}),
        "baseline_create": reverse("accountability:baseline_create", kwargs={"school_pk": school.pk}),
        "baseline_edit": reverse("accountability:baseline_edit", kwargs={"baseline_pk": school.baselines.get().pk}),
        "target_create": reverse("accountability:target_create", kwargs={"school_pk": school.pk}),
        "target_edit": reverse("accountability:target_edit", kwargs={"target_pk": school.targets.get().pk}),
    }


@pytest.mark.parametrize("role", ROLES)
def test_pages_of_own_tenant_open_and_other_tenants_are_not_found(role, tenant, other_tenant, login):
    client = login(member(role, tenant))
    for name, url in page_urls(tenant).items():
        assert client.get(url).status_code == 200, name
    for name, url in page_urls(other_tenant).items():
        expected = 200 if role == Role.INITIATIVE_ADMIN else 404
        assert client.get(url).status_code == expected, name


@pytest.mark.parametrize("role", ROLES)
def test_csv_exports_follow_the_same_scope(role, tenant, other_tenant, login):
    client = login(member(role, tenant))
    own = client.get(page_urls(tenant)["state"], {"export": "schools"})
    assert own.status_code == 200
    assert own["Content-Type"].startswith("text/csv")
    body = own.content.decode()
    assert tenant.schools[0].name in body
    assert other_tenant.schools[0].name not in body
    foreign = client.get(page_urls(other_tenant)["state"], {"export": "schools"})
    assert foreign.status_code == (200 if role == Role.INITIATIVE_ADMIN else 404)


# Edit pages: state leads and admins may change their state's data (200); other roles that can
# read it get 403; what a role cannot read is not found (404): Lead Partner staff do not see
# the state's money, and nobody but admins reaches another tenant's objects.
UNSEEN = {Role.LEAD_PARTNER_STAFF: {"commitment_edit", "expenditure_edit"}}


@pytest.mark.parametrize("role", ROLES)
def test_edit_pages_need_write_permission(role, tenant, other_tenant, login):
    client = login(member(role, tenant))
    writes = role in (Role.INITIATIVE_ADMIN, Role.STATE_LEAD)
    for name, url in edit_urls(tenant).items():
        expected = 404 if name in UNSEEN.get(role, ()) else 200 if writes else 403
        assert client.get(url).status_code == expected, name
    for name, url in edit_urls(other_tenant).items():
        assert client.get(url).status_code == (200 if role == Role.INITIATIVE_ADMIN else 404), name


def test_viewer_cannot_post_a_change(tenant, login):
    client = login(member(Role.STATE_VIEWER, tenant))
    url = reverse("schools:school_edit", kwargs={"school_pk": tenant.schools[0].pk})
    response = client.post(url, {"name": "Renamed"})
    assert response.status_code == 403
    tenant.schools[0].refresh_from_db()
    assert tenant.schools[0].name != "Renamed"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.INITIATIVE_ADMIN, 200),
        (Role.LEAD_PARTNER_STAFF, 200),
        (Role.STATE_LEAD, 200),
        (Role.STATE_VIEWER, 403),
        (Role.COMMISSIONER, 403),
        (Role.COLLABORATOR, 403),
    ],
)
def test_workspace_is_for_those_who_report_on_schools(role, status, tenant, other_tenant, login):
    client = login(member(role, tenant))
    response = client.get(reverse("accountability:workspace"))
    assert response.status_code == status
    if status == 200 and role != Role.INITIATIVE_ADMIN:
        assert tenant.schools[0].name in response.content.decode()
        assert other_tenant.schools[0].name not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_portfolio_lists_only_visible_states(role, tenant, other_tenant, login):
    client = login(member(role, tenant))
    content = client.get(reverse("portfolio:portfolio")).content.decode()
    assert tenant.state.name in content
    assert (other_tenant.state.name in content) == (role == Role.INITIATIVE_ADMIN)


def test_pages_need_a_login(tenant, client):
    response = client.get(page_urls(tenant)["state"])
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
