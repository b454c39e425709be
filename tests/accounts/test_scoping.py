"""``visible_to`` against the hand-written read table, for every role and tenant model."""

import pytest
from django.apps import apps

from accounts.models import Invitation
from tests.factories import InvitationFactory, LaunchedZoneFactory, LeadPartnerFactory
from zones.models import Zone

from .conftest import ROLES
from .scope_table import DIRECTORY_MODELS, TENANT_MODELS, model_named, reads

ALL_MODELS = {**TENANT_MODELS, **DIRECTORY_MODELS}


@pytest.mark.parametrize("role", ROLES)
def test_visible_to_follows_the_read_table(world, role):
    user = world.users[role]
    for model_name, attribute in ALL_MODELS.items():
        visible = model_named(model_name).objects.visible_to(user)
        for key, tenant in (("a", world.a), ("b", world.b)):
            row = getattr(tenant, attribute)
            expected = reads(role, model_name, key)
            assert visible.filter(pk=row.pk).exists() == expected, (role, model_name, key)


def test_every_tenant_model_is_in_the_read_table():
    """A new tenant-owned model must be added to the table (and so to the isolation matrix)."""
    tenant_models = {model._meta.model_name for model in apps.get_models() if hasattr(model, "TenantScope")}
    assert tenant_models <= set(TENANT_MODELS), tenant_models - set(TENANT_MODELS)


def test_lead_partner_staff_do_not_see_other_zones_of_their_state(world):
    other_zone = LaunchedZoneFactory(state=world.a.state, lead_partner=LeadPartnerFactory())
    user = world.users["lead_partner_staff"]
    assert list(other_zone.schools.visible_to(user)) == []
    assert not Zone.objects.visible_to(user).filter(pk=other_zone.pk).exists()
    assert world.a.zone.schools.visible_to(user).count() == 3


def test_anonymous_sees_nothing(world):
    for model_name in ALL_MODELS:
        assert not model_named(model_name).objects.visible_to(None).exists(), model_name


def test_invitations_visible_to_admins_and_the_inviting_state_lead(world):
    to_state_a = Invitation.objects.get(email="newcomer@example.org")  # the world's pending one
    to_partner_in_a = InvitationFactory(
        role="lead_partner_staff", state=world.a.state, lead_partner=world.a.lead_partner
    )
    to_partner_everywhere = InvitationFactory(role="lead_partner_staff", state=None, lead_partner=world.a.lead_partner)
    to_state_b = world.b.invitation
    every = {to_state_a, to_partner_in_a, to_partner_everywhere, to_state_b}
    assert set(Invitation.objects.visible_to(world.users["initiative_admin"])) == every
    assert set(Invitation.objects.visible_to(world.users["state_lead"])) == {to_state_a, to_partner_in_a}
    for role in ("state_viewer", "commissioner", "lead_partner_staff", "collaborator"):
        assert not Invitation.objects.visible_to(world.users[role]).exists(), role
