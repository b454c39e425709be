"""A membership (and an invitation) holds its role over exactly the kind of object the role needs."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Invitation, Membership, Role
from tests.factories import LeadPartnerFactory, NationalCollaboratorFactory, StateFactory, UserFactory

pytestmark = pytest.mark.django_db

SCOPE_OF_ROLE = {
    Role.INITIATIVE_ADMIN: None,
    Role.STATE_LEAD: "state",
    Role.STATE_VIEWER: "state",
    Role.COMMISSIONER: "state",
    Role.LEAD_PARTNER_STAFF: "lead_partner",
    Role.COLLABORATOR: "collaborator",
}
# Lead Partner staff may be bound to a state (what a state lead grants); unbound = every state
OPTIONAL_SCOPE_OF_ROLE = {Role.LEAD_PARTNER_STAFF: "state"}
SCOPE_FACTORIES = {
    "state": StateFactory,
    "lead_partner": LeadPartnerFactory,
    "collaborator": NationalCollaboratorFactory,
}


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("model", [Membership, Invitation])
def test_each_role_is_held_over_its_own_kind_of_object(invalid, model, role):
    needed = SCOPE_OF_ROLE[role]
    extra = {"email": "someone@example.org", "expires_at": "2030-01-01T00:00Z"} if model is Invitation else {}
    people = {"user" if model is Membership else "invited_by": UserFactory()}

    def build(**scope):
        return model(role=role, **people, **extra, **scope)

    if needed:
        invalid(build(), needed)
        build(**{needed: SCOPE_FACTORIES[needed]()}).full_clean()
    else:
        build().full_clean()
    for other, factory in SCOPE_FACTORIES.items():
        if other == OPTIONAL_SCOPE_OF_ROLE.get(role):
            build(**{needed: SCOPE_FACTORIES[needed](), other: factory()}).full_clean()
        elif other != needed:
            scope = {needed: SCOPE_FACTORIES[needed]()} if needed else {}
            errors = invalid(build(**scope, **{other: factory()}), other)
            assert "is not held over" in errors[other][0]


def test_a_user_holds_a_role_once_per_scope():
    user, state = UserFactory(), StateFactory()
    Membership.objects.create(user=user, role=Role.STATE_VIEWER, state=state)
    Membership.objects.create(user=user, role=Role.STATE_VIEWER, state=StateFactory())
    Membership.objects.create(user=user, role=Role.INITIATIVE_ADMIN)
    for duplicate in ({"role": Role.STATE_VIEWER, "state": state}, {"role": Role.INITIATIVE_ADMIN}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(user=user, **duplicate)


def test_a_user_holds_a_lead_partner_role_once_per_partner_and_state():
    user, partner, other_partner, state = UserFactory(), LeadPartnerFactory(), LeadPartnerFactory(), StateFactory()
    staff = {"user": user, "role": Role.LEAD_PARTNER_STAFF}
    Membership.objects.create(**staff, lead_partner=partner)
    Membership.objects.create(**staff, lead_partner=partner, state=state)
    Membership.objects.create(**staff, lead_partner=partner, state=StateFactory())
    Membership.objects.create(**staff, lead_partner=other_partner, state=state)
    for duplicate in ({"lead_partner": partner}, {"lead_partner": partner, "state": state}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(**staff, **duplicate)


def test_scope_label():
    state = StateFactory(name="Colorado")
    assert Membership(role=Role.STATE_LEAD, state=state).scope_label() == "Colorado"
    assert Membership(role=Role.INITIATIVE_ADMIN).scope_label() == "All states"
    partner = LeadPartnerFactory(name="Summit")
    assert Membership(role=Role.LEAD_PARTNER_STAFF, lead_partner=partner).scope_label() == "Summit"
    bound = Membership(role=Role.LEAD_PARTNER_STAFF, lead_partner=partner, state=state)
    assert bound.scope_label() == "Summit in Colorado"
