"""The navigation offers each role the pages the permission table lets it use, and no other."""

import re

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory
from tests.worlds import ROLES, member

pytestmark = pytest.mark.django_db

NAV_LINKS = {
    "Workspace": reverse("accountability:workspace"),
    "Imports": reverse("imports:list"),
    "Invitations": reverse("accounts:invitation_list"),
    "Reports": reverse("reports:index"),
    "API tokens": reverse("tokens:list"),
    "Webhooks": reverse("webhooks:list"),
    "Admin": reverse("admin:index"),
}
OFFERED = {
    Role.INITIATIVE_ADMIN: {"Workspace", "Imports", "Invitations", "Reports", "API tokens", "Webhooks"},
    Role.STATE_LEAD: {"Workspace", "Imports", "Invitations", "Reports", "API tokens", "Webhooks"},
    Role.STATE_VIEWER: {"Reports", "API tokens", "Webhooks"},
    Role.COMMISSIONER: {"Reports", "API tokens", "Webhooks"},
    Role.LEAD_PARTNER_STAFF: {"Workspace", "Imports", "Reports", "API tokens", "Webhooks"},
    Role.COLLABORATOR: {"API tokens", "Webhooks"},  # reports quote the Lead Partners' narratives
}


def offered(body: str) -> set[str]:
    header = body[: body.index("</header>")]
    return {label for label, url in NAV_LINKS.items() if re.search(rf'href="{re.escape(url)}"[^>]*>{label}<', header)}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_offered_what_it_may_open_and_each_offer_opens(role, tenant, login):
    client = login(member(role, tenant))
    links = offered(client.get(reverse("notifications:inbox")).content.decode())
    assert links == OFFERED[role]
    for label in links:
        assert client.get(NAV_LINKS[label]).status_code == 200, label


def test_the_admin_site_is_linked_for_staff_admins_and_branded(client, tenant, login):
    admin = member(Role.INITIATIVE_ADMIN, tenant)
    admin.is_staff = True
    admin.save()
    client = login(admin)
    assert "Admin" in offered(client.get(reverse("notifications:inbox")).content.decode())
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "<title>Zone Portfolio administration | Zone Portfolio administration</title>" in index.content.decode()


def test_a_state_lead_is_not_offered_a_network_action_item_but_an_admin_is(tenant, login):
    lead = login(member(Role.STATE_LEAD, tenant)).get(reverse("network:action_items")).content.decode()
    assert reverse("network:action_item_create") + '"' not in lead
    admin = login(member(Role.INITIATIVE_ADMIN, tenant)).get(reverse("network:action_items")).content.decode()
    assert reverse("network:action_item_create") + '"' in admin


@pytest.mark.parametrize(
    ("url_name", "current"), [("reports:state", "Reports"), ("network:state_meetings", "Meetings")]
)
def test_one_nav_item_is_current_on_a_states_report_and_meetings(url_name, current, tenant, login):
    body = login(member(Role.STATE_LEAD, tenant)).get(reverse(url_name, args=[tenant.state.pk])).content.decode()
    header = body[: body.index("</header>")]
    assert re.findall(r'aria-current="page">([^<]+)<', header) == [current]


def test_someone_without_a_role_is_offered_nothing_to_open(client):
    client.force_login(UserFactory())
    assert offered(client.get("/").content.decode()) == set()
