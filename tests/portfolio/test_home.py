import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from tests.factories import UserFactory
from tests.worlds import member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        (Role.INITIATIVE_ADMIN, "portfolio"),
        (Role.STATE_LEAD, "state"),
        (Role.STATE_VIEWER, "state"),
        (Role.COMMISSIONER, "state"),
        (Role.LEAD_PARTNER_STAFF, "workspace"),
        (Role.COLLABORATOR, "state"),
    ],
)
def test_each_role_lands_where_its_work_is(role, landing, tenant, login):
    expected = {
        "portfolio": reverse("portfolio:portfolio"),
        "state": reverse("portfolio:state_detail", kwargs={"state_pk": tenant.state.pk}),
        "workspace": reverse("accountability:workspace"),
    }[landing]
    response = login(member(role, tenant)).get(reverse("portfolio:home"))
    assert response.status_code == 302
    assert response["Location"] == expected


def test_member_of_several_states_lands_on_the_portfolio(tenant, other_tenant, login):
    user = member(Role.STATE_VIEWER, tenant)
    Membership.objects.create(user=user, role=Role.STATE_VIEWER, state=other_tenant.state)
    response = login(user).get(reverse("portfolio:home"))
    assert response["Location"] == reverse("portfolio:portfolio")
    content = login(user).get(response["Location"]).content.decode()
    assert tenant.state.name in content and other_tenant.state.name in content


def test_user_without_a_role_is_told_how_to_get_access(db, login):
    response = login(UserFactory()).get(reverse("portfolio:home"))
    assert response.status_code == 403
    assert "invitation" in response.content.decode()
