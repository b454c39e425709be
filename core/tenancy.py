"""The one mechanism that decides which rows a user may see (the bottom layer: it reads no other
app; ``accounts.scoping`` builds a user's ``Scope`` from their memberships).

Every tenant-owned model is a ``TenantModel`` (its manager's queryset is a ``TenantQuerySet``)
and declares, in ``TenantScope``, how its rows reach a state, a Lead Partner and a national
collaborator:

    class TenantScope:
        state = "district__state"          # path to the owning state (required)
        lead_partner = "zone__lead_partner"  # path to the Lead Partner whose staff may read it
        collaborator = True                 # collaborators read it in states they are engaged in
        lead_partner_when = Q(status="issued")  # optional: only such rows for Lead Partner staff
        collaborator_when = Q(...)          # optional: only such rows for collaborators
        multivalued = False                 # paths cross a to-many relation (dedupe needed)
        network = True                      # rows without a state are the whole network's (below)
        network_when = Q(...)               # optional: only such stateless rows are the network's
        owner = "owner"                     # path to the user the row is assigned to: they read it

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

Network rows: a model whose ``TenantScope.network`` is true may leave its state empty (a State
Development Group call, an action item of the network). Such a row is in every state scope's wall
and is read by everyone with a state role or a collaborator membership (and admins).

Owned rows: a model whose ``TenantScope.owner`` names a user path is also read by that user (an
action item's owner), within the wall. Rows that belong to one user only (notifications, watches,
calendar feeds) are not tenant rows: ``OwnedQuerySet`` keeps them to their user's.

Directory models (initiative, funders, metrics, Lead Partners, collaborators) are not
tenant-owned: ``DirectoryQuerySet.visible_to`` lets any member read them.

The fail-closed wall (django-scopes), one per request, applied by the managers: every tenant
model's default manager is a ``TenantManager``. Outside an active scope its queries raise
``ScopeError``. Inside one it returns only rows of the states the scope reaches and, when the scope
carries a viewer (the Scope of the user the request is for), only the rows ``visible_to`` that
viewer. The request middleware enters ``reach_scope(user)`` (state reach and viewer) for every page
and the Django admin, the API re-enters the token's ``reach_scope`` once it is authenticated, so
``Model.objects.all()``, a related manager or a form's choices in a view are exactly what the user
may read, and a view that forgets a filter leaks nothing: page views look rows up with plain
``get_object_or_404(Model, pk=...)`` and never call ``visible_to``.

Why the wall rather than NetBox-style base views that ``restrict(user, action)`` their queryset: a
base view only scopes the queryset it declares, while the pages compose many models, read models
and related managers; the wall scopes every query made while the request runs, so a forgotten
filter cannot leak. Writes stay with the permission table (accounts.permissions), asked about the
object by ``web.forms.object_form_page``, the API viewsets and the admin.

Code that must read beyond the viewer's rows says so explicitly: ``scopes_disabled()`` for a
model's validation, uniqueness and constraints (``TenantModel``), reach computation and lookups
by secret token;
``state_scope(state)`` (state wall, no viewer) for work done for a whole state, such as a report
run (in the worker or on a report page shown to whoever may request it). Tasks and commands
enter such a scope too; none of them carries a viewer.

Directory models (``DirectoryManager``) are not walled by state: inside a viewer's scope they are
there for members and empty for anyone else, outside any viewer's scope they are all there.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q
from django_scopes import ScopeError, get_scope, scope, scopes_disabled


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
    # states where the partners of unbound Lead Partner grants lead a zone (worked out by the builder)
    unbound_partner_state_ids: frozenset = field(default_factory=frozenset)
    user_id: int | None = None  # whose scope it is: they read the rows they own (``TenantScope.owner``)

    @property
    def is_member(self) -> bool:
        return bool(self.is_admin or self.state_ids or self.lead_partner_grants or self.collaborator_ids)

    @property
    def in_network(self) -> bool:
        """Reads the network's rows (``TenantScope.network``): admins, state roles, collaborators."""
        return bool(self.is_admin or self.state_ids or self.collaborator_ids)

    @property
    def lead_partner_ids(self) -> frozenset:
        """The Lead Partners the user works for somewhere: for navigation and labels. What they
        reach is decided by ``lead_partner_grants`` (``reaches_partner_in``)."""
        return frozenset(lead_partner_id for lead_partner_id, _state_id in self.lead_partner_grants)

    def reaches_partner_in(self, lead_partner_id, state_id) -> bool:
        """Whether the user acts as staff of this Lead Partner for its work in this state."""
        grants = self.lead_partner_grants
        return lead_partner_id is not None and bool({(lead_partner_id, None), (lead_partner_id, state_id)} & grants)

    @property
    def reach_state_ids(self) -> tuple | None:
        """The states whose rows exist at all for this scope (the wall of ``TenantManager``):
        None for admins (no wall), else the states of state roles, of collaborator engagements,
        of state-bound Lead Partner grants and, for unbound grants, of the partner's zones."""
        if self.is_admin:
            return None
        bound_state_ids = {state_id for _partner_id, state_id in self.lead_partner_grants if state_id}
        return tuple(
            sorted(self.state_ids | self.collaborator_state_ids | bound_state_ids | self.unbound_partner_state_ids)
        )


def scope_of(user_or_scope) -> Scope:
    if isinstance(user_or_scope, Scope):
        return user_or_scope
    if user_or_scope is None or not getattr(user_or_scope, "is_authenticated", False):
        return Scope()
    return user_or_scope.scope


def reads_state_rows(user_or_scope, model, state_id) -> bool:
    """Whether ``visible_to`` opens ``model``'s rows of a state to the user by the state itself
    (an admin, a state role there, or a collaborator engaged there when the model lets
    collaborators read), not only through a Lead Partner grant: e.g. who reads a state's money."""
    scope = scope_of(user_or_scope)
    collaborators = getattr(model.TenantScope, "collaborator", False)
    return scope.is_admin or state_id in scope.state_ids or (collaborators and state_id in scope.collaborator_state_ids)


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
        q |= self._partner_grants(scope)
        if scope.collaborator_state_ids and getattr(rules, "collaborator", False):
            q |= Q(**{f"{rules.state}__in": scope.collaborator_state_ids}) & getattr(rules, "collaborator_when", Q())
        if getattr(rules, "network", False) and scope.in_network:
            q |= Q(**{f"{rules.state}__isnull": True}) & getattr(rules, "network_when", Q())
        owner_path = getattr(rules, "owner", None)
        if owner_path and scope.user_id is not None:
            q |= Q(**{owner_path: scope.user_id})
        if getattr(rules, "multivalued", False):
            return self.filter(pk__in=self.model._base_manager.filter(q).values("pk"))
        return self.filter(q)

    def _partner_grants(self, scope) -> Q:
        """The rows of the zones the scope's Lead Partner grants cover (in the grant's state)."""
        rules = self.model.TenantScope
        q = Q(pk__in=[])
        lead_partner_path = getattr(rules, "lead_partner", None)
        if lead_partner_path:
            partner_when = getattr(rules, "lead_partner_when", Q())
            for lead_partner_id, state_id in scope.lead_partner_grants:
                grant = Q(**{lead_partner_path: lead_partner_id}) & partner_when
                q |= grant if state_id is None else grant & Q(**{rules.state: state_id})
        return q

    def reported_on_by(self, user_or_scope):
        """Rows the user reports on (accounts.permissions' ``reports_on_school`` as one filter, not a
        check per row): admins all, a state lead's states, the zones of a Lead Partner's grants."""
        scope = scope_of(user_or_scope)
        if scope.is_admin:
            return self
        return self.filter(
            Q(**{f"{self.model.TenantScope.state}__in": scope.lead_state_ids}) | self._partner_grants(scope)
        )

    def editable_by(self, user_or_scope):
        """Rows the user may change as a state lead (admins: all). Lead Partner write rules
        are narrower and live in accounts.permissions."""
        scope = scope_of(user_or_scope)
        if scope.is_admin:
            return self
        return self.filter(**{f"{self.model.TenantScope.state}__in": scope.lead_state_ids})


def _viewer():
    """The Scope whose ``visible_to`` the active scope applies; None without one (tasks, commands,
    wall off)."""
    current = get_scope()
    return current.get("viewer") if current.get("_enabled", True) else None


def _walled(queryset):
    """``queryset`` kept to the active scope's states and its viewer's rows; None when no scope is
    active."""
    current = get_scope()
    if not current.get("_enabled", True):
        return queryset
    if "state" not in current:
        return None
    if current["state"] is not None:
        rules = queryset.model.TenantScope
        in_states = Q(**{f"{rules.state}__in": current["state"]})
        if getattr(rules, "network", False):
            in_states |= Q(**{f"{rules.state}__isnull": True})
        queryset = queryset.filter(in_states)
    viewer = current.get("viewer")
    return queryset if viewer is None else queryset.visible_to(viewer)


def _refuse(self, *args, **kwargs):
    raise ScopeError("A scope on dimension(s) state needs to be active for this query.")


class OutsideScopeQuerySet:
    """A tenant queryset made outside any scope (e.g. a class-level ``queryset`` or a form field,
    built when the module is imported). Using it raises ScopeError; chaining it (``.all()``,
    ``.filter()``, ...) inside a scope gives that scope's walled queryset, so such definitions
    take the wall of the request, task or command that uses them."""

    def _clone(self):
        clone = super()._clone()
        clone.__class__ = self.tenant_queryset_class
        walled = _walled(clone)
        if walled is None:
            clone.__class__ = type(self)
            return clone
        return walled

    _fetch_all = iterator = count = exists = contains = aggregate = explain = _refuse
    update = _update = _raw_delete = resolve_expression = _refuse


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """The fail-closed default manager of every tenant model (see the module docstring).

    django-scopes' ``ScopedManager`` semantics, on the one dimension ``state`` whose path is read
    from the model's ``TenantScope`` (so no second copy of it): outside a scope the queryset raises
    ``ScopeError`` when used; ``scope(state=None)`` is every state (admins); ``scopes_disabled()``
    turns the wall off for code that must see every state (beat tasks, commands, validation).
    The base manager stays Django's plain one, so following a foreign key always works."""

    _outside_classes: dict = {}

    def get_queryset(self):
        queryset = super().get_queryset()
        walled = _walled(queryset)
        if walled is not None:
            return walled
        queryset.__class__ = self._outside_class()
        return queryset

    def _outside_class(self):
        base = self._queryset_class
        if base not in self._outside_classes:
            self._outside_classes[base] = type(
                f"OutsideScope{base.__name__}", (OutsideScopeQuerySet, base), {"tenant_queryset_class": base}
            )
        return self._outside_classes[base]


def tenant_manager(queryset_class=TenantQuerySet) -> TenantManager:
    """``objects = tenant_manager()`` on every tenant model (with its own TenantQuerySet subclass
    if it has one)."""
    if queryset_class is TenantQuerySet:
        return TenantManager()
    return TenantManager.from_queryset(queryset_class)()


def reach_scope(user_or_scope):
    """The scope of a user's (or token's) requests, to enter with ``with``: the states they reach,
    and they as the viewer whose ``visible_to`` every tenant and directory query applies. The reach
    is computed with the wall off: deciding what a user reaches must read memberships and
    engagements."""
    with scopes_disabled():
        viewer = scope_of(user_or_scope)
        reach = viewer.reach_state_ids
    return scope(state=reach, viewer=viewer)


def state_scope(state_id):
    """The scope of work done for one state as a whole (a report run, in the worker or on a report
    page): its rows, for no one viewer, also when entered inside a request; None: every state."""
    return scope(state=None if state_id is None else (state_id,), viewer=None)


class TenantModel(models.Model):
    """Base of every tenant model: the fail-closed manager, and the model's rules, uniqueness and
    constraints checked against every state's rows, not only the scope's or its viewer's (a
    duplicate in another state must be a validation error, not an IntegrityError 500; a zone's
    school count is all of its schools, whoever saves one)."""

    objects = tenant_manager()

    class Meta:
        abstract = True

    def full_clean(self, *args, **kwargs):
        with self._checked_beyond_the_viewer():
            super().full_clean(*args, **kwargs)

    def validate_unique(self, exclude=None):
        with self._checked_beyond_the_viewer():
            super().validate_unique(exclude=exclude)

    def validate_constraints(self, exclude=None):
        with self._checked_beyond_the_viewer():
            super().validate_constraints(exclude=exclude)

    @contextmanager
    def _checked_beyond_the_viewer(self):
        """Check every state's rows; ``checked_for`` keeps whom the check is for, so a message may
        name a conflicting row only to a viewer who reads it (None outside a viewer's scope)."""
        outermost = not hasattr(self, "checked_for")
        if outermost:
            self.checked_for = _viewer()
        try:
            with scopes_disabled():
                yield
        finally:
            if outermost:
                del self.checked_for


def reads(user_or_scope, obj) -> bool:
    """Whether ``user_or_scope`` reads ``obj``: looked up through the wall, as their own requests
    would (for a recipient of a mail, the owner of an item, a watcher), also outside any request."""
    with reach_scope(user_or_scope):
        return type(obj).objects.filter(pk=obj.pk).exists()


class OwnedQuerySet(models.QuerySet):
    """Rows that belong to one user (``owner_field``): each user reads only their own (admins read
    all, as everything else: a page about "my" rows still filters by its user). With
    ``viewer_manager(...)``: inside a request the viewer's rows; outside one (tasks) all."""

    owner_field = "user"

    def visible_to(self, user_or_scope):
        scope = scope_of(user_or_scope)
        if scope.is_admin:
            return self
        return self.none() if scope.user_id is None else self.filter(**{f"{self.owner_field}_id": scope.user_id})


class DirectoryQuerySet(models.QuerySet):
    def visible_to(self, user_or_scope):
        """Directory rows are readable by anyone who holds a membership."""
        return self if scope_of(user_or_scope).is_member else self.none()


class WithoutViewerQuerySet:
    """A queryset of a ``ViewerManager`` made outside any viewer's scope (e.g. a viewset's
    class-level ``queryset``, built when the module is imported): all rows, and chaining it inside
    a viewer's scope gives that viewer's rows, as ``OutsideScopeQuerySet`` does for the wall."""

    def _clone(self):
        clone = super()._clone()
        viewer = _viewer()
        if viewer is None:
            return clone
        clone.__class__ = self.viewer_queryset_class
        return clone.visible_to(viewer)


class ViewerManager(models.Manager):
    """A manager whose rows, inside a viewer's scope (a request), are those ``visible_to`` the
    viewer; outside one, all of them. For models that are not walled by state (directory models,
    invitations) but still have a read rule."""

    _without_viewer_classes: dict = {}

    def get_queryset(self):
        queryset = super().get_queryset()
        viewer = _viewer()
        if viewer is not None:
            return queryset.visible_to(viewer)
        base = self._queryset_class
        if base not in self._without_viewer_classes:
            self._without_viewer_classes[base] = type(
                f"WithoutViewer{base.__name__}", (WithoutViewerQuerySet, base), {"viewer_queryset_class": base}
            )
        queryset.__class__ = self._without_viewer_classes[base]
        return queryset


def viewer_manager(queryset_class=DirectoryQuerySet) -> ViewerManager:
    """``objects = viewer_manager()`` on every directory model (``viewer_manager(QuerySet)`` on
    other unwalled models with a ``visible_to``)."""
    return ViewerManager.from_queryset(queryset_class)()
