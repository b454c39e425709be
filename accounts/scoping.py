"""A user's ``Scope`` (core.tenancy), built from their memberships: the roles they hold, the
states their collaborator engagements grant now and the states their Lead Partner leads zones in.
Reach is worked out again from the current zones and engagements each time a scope is built (once
per request), so deleting a zone, changing its Lead Partner or ending an engagement takes effect at
once; no membership needs to be rewritten."""

from django_scopes import scopes_disabled

from core.tenancy import Scope
from partners.models import CollaboratorEngagement
from zones.models import Zone

from .models import STATE_ROLES, Role


def scope_for_user(user) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    return scope_for_memberships(user.memberships.all(), is_superuser=user.is_superuser, user_id=user.pk)


@scopes_disabled()
def scope_for_memberships(memberships, is_superuser: bool = False, user_id: int | None = None) -> Scope:
    """Reads engagements and zones of every state: deciding the reach comes before the wall."""
    memberships = list(memberships)
    collaborator_ids = frozenset(m.collaborator_id for m in memberships if m.role == Role.COLLABORATOR)
    collaborator_state_ids = frozenset()
    if collaborator_ids:
        collaborator_state_ids = frozenset(
            CollaboratorEngagement.objects.granting_access()
            .filter(collaborator_id__in=collaborator_ids)
            .values_list("state_id", flat=True)
        )
    partner_staff = [m for m in memberships if m.role == Role.LEAD_PARTNER_STAFF]
    grants = lead_partner_grants(partner_staff)
    unbound = {partner_id for partner_id, state_id in grants if state_id is None}
    return Scope(
        is_admin=is_superuser or any(m.role == Role.INITIATIVE_ADMIN for m in memberships),
        state_ids=frozenset(m.state_id for m in memberships if m.role in STATE_ROLES),
        lead_state_ids=frozenset(m.state_id for m in memberships if m.role == Role.STATE_LEAD),
        lead_partner_grants=grants,
        collaborator_ids=collaborator_ids,
        collaborator_state_ids=collaborator_state_ids,
        unbound_partner_state_ids=frozenset(
            Zone._base_manager.filter(lead_partner_id__in=unbound).values_list("state_id", flat=True)
        )
        if unbound
        else frozenset(),
        user_id=user_id,
    )


def lead_partner_grants(memberships) -> frozenset:
    """(lead_partner_id, state_id) for each Lead Partner staff membership in force: an unbound one
    (state None) always, a state-bound one only while its partner leads a zone in that state."""
    unbound = {(m.lead_partner_id, None) for m in memberships if m.state_id is None}
    bound = {(m.lead_partner_id, m.state_id) for m in memberships if m.state_id is not None}
    if bound:
        partners, states = zip(*bound, strict=True)
        bound &= set(
            Zone.objects.filter(lead_partner_id__in=partners, state_id__in=states).values_list(
                "lead_partner_id", "state_id"
            )
        )
    return frozenset(unbound | bound)
