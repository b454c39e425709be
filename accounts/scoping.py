"""The one mechanism that decides which rows a user may see.

Every tenant-owned model uses ``TenantQuerySet`` and declares, in ``TenantScope``, how its
rows reach a state, a Lead Partner and a national collaborator:

    class TenantScope:
        state = "district__state"          # path to the owning state (required)
        lead_partner = "zone__lead_partner"  # path to the Lead Partner whose staff may read it
        collaborator = True                 # collaborators read it in states they are engaged in
        multivalued = False                 # paths cross a to-many relation (dedupe needed)

Who sees what:

=================== ==================================================================
initiative admin    everything (superusers too)
state lead          rows of their state(s)
state viewer        rows of their state(s)
commissioner        rows of their state(s)
Lead Partner staff  rows reached through the zones their Lead Partner leads, per grant:
                    a membership bound to a state (what a state lead grants) reaches the
                    partner's rows in that state only, and only while the partner leads a
                    zone there; an unbound one (granted by an initiative admin) reaches the
                    partner's rows in every state
collaborator        aggregate rows (no narratives) of states where it has an engagement that
                    grants access now (``CollaboratorEngagement.objects.granting_access()``)
=================== ==================================================================

Reach is computed from the current zones and engagements each time a Scope is built (once per
request), so deleting a zone, changing its Lead Partner or ending an engagement takes effect at
once; no membership needs to be rewritten.

Directory models (initiative, funders, metrics, Lead Partners, collaborators) are not
tenant-owned: ``DirectoryQuerySet.visible_to`` lets any member read them.
"""

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Scope:
    """The read/write reach of a set of memberships."""

    is_admin: bool = False
    state_ids: frozenset = field(default_factory=frozenset)  # any state role
    lead_state_ids: frozenset = field(default_factory=frozenset)  # state lead only
    # Lead Partner staff: (lead_partner_id, state_id) pairs in force now; state_id None = every state
    lead_partner_grants: frozenset = field(default_factory=frozenset)
    collaborator_ids: frozenset = field(default_factory=frozenset)
    collaborator_state_ids: frozenset = field(default_factory=frozenset)  # through granting engagements

    @property
    def is_member(self) -> bool:
        return bool(self.is_admin or self.state_ids or self.lead_partner_grants or self.collaborator_ids)

    @property
    def lead_partner_ids(self) -> frozenset:
        """The Lead Partners the user works for somewhere: for navigation and labels. What they
        reach is decided by ``lead_partner_grants`` (``reaches_partner_in``)."""
        return frozenset(lead_partner_id for lead_partner_id, _state_id in self.lead_partner_grants)

    def reaches_partner_in(self, lead_partner_id, state_id) -> bool:
        """Whether the user acts as staff of this Lead Partner for its work in this state."""
        grants = self.lead_partner_grants
        return lead_partner_id is not None and bool({(lead_partner_id, None), (lead_partner_id, state_id)} & grants)

    @classmethod
    def for_user(cls, user) -> "Scope":
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls()
        return cls.for_memberships(user.memberships.all(), is_superuser=user.is_superuser)

    @classmethod
    def for_memberships(cls, memberships, is_superuser: bool = False) -> "Scope":
        from partners.models import CollaboratorEngagement

        from .models import STATE_ROLES, Role

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
        return cls(
            is_admin=is_superuser or any(m.role == Role.INITIATIVE_ADMIN for m in memberships),
            state_ids=frozenset(m.state_id for m in memberships if m.role in STATE_ROLES),
            lead_state_ids=frozenset(m.state_id for m in memberships if m.role == Role.STATE_LEAD),
            lead_partner_grants=lead_partner_grants(partner_staff),
            collaborator_ids=collaborator_ids,
            collaborator_state_ids=collaborator_state_ids,
        )


def lead_partner_grants(memberships) -> frozenset:
    """(lead_partner_id, state_id) for each Lead Partner staff membership in force: an unbound one
    (state None) always, a state-bound one only while its partner leads a zone in that state."""
    from zones.models import Zone

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


def scope_of(user_or_scope) -> Scope:
    if isinstance(user_or_scope, Scope):
        return user_or_scope
    if user_or_scope is None or not getattr(user_or_scope, "is_authenticated", False):
        return Scope()
    return user_or_scope.scope


class TenantQuerySet(models.QuerySet):
    def visible_to(self, user_or_scope):
        """Rows the user (or an explicit Scope, e.g. an API token's) may read."""
        scope = scope_of(user_or_scope)
        if scope.is_admin:
            return self
        rules = self.model.TenantScope
        q = Q(pk__in=[])
        if scope.state_ids:
            q |= Q(**{f"{rules.state}__in": scope.state_ids})
        lead_partner_path = getattr(rules, "lead_partner", None)
        if lead_partner_path:
            for lead_partner_id, state_id in scope.lead_partner_grants:
                grant = Q(**{lead_partner_path: lead_partner_id})
                q |= grant if state_id is None else grant & Q(**{rules.state: state_id})
        if scope.collaborator_state_ids and getattr(rules, "collaborator", False):
            q |= Q(**{f"{rules.state}__in": scope.collaborator_state_ids})
        if getattr(rules, "multivalued", False):
            return self.filter(pk__in=self.model._base_manager.filter(q).values("pk"))
        return self.filter(q)

    def editable_by(self, user_or_scope):
        """Rows the user may change as a state lead (admins: all). Lead Partner write rules
        are narrower and live in accounts.permissions."""
        scope = scope_of(user_or_scope)
        if scope.is_admin:
            return self
        return self.filter(**{f"{self.model.TenantScope.state}__in": scope.lead_state_ids})


class DirectoryQuerySet(models.QuerySet):
    def visible_to(self, user_or_scope):
        """Directory rows are readable by anyone who holds a membership."""
        return self if scope_of(user_or_scope).is_member else self.none()
