"""Who may change what: one table of django-rules permissions.

Reading is decided by ``visible_to`` (core.tenancy), which the tenant wall applies to every query
of a request. Writing is decided here. Object permissions are checked against the object being
changed; *add* permissions are checked against the unsaved new object with its parent set (e.g. a
School with its district), so the rule can see where it would land:

    request.user.has_perm("schools.add_school", School(district=district))

=============================================  ===============================================
permission                                     who
=============================================  ===============================================
directory: initiative, funders, the metric     initiative admin
catalog, Lead Partners, collaborators,
engagements, states (add/delete), users
a state's own indicators (metrics with a       initiative admin, state lead of the state
state)
state profile (change)                         initiative admin, state lead of the state
a state's initiative fields (change): name,    initiative admin
codes, selection criteria, network status
(State.INITIATIVE_FIELDS)
districts, zones, schools, commitments,        initiative admin, state lead of the state
expenditures, awards and their amendments,
zone budgets, recurring costs (sustainability),
baselines, targets, reporting periods, exit
criteria, renewal decisions
match rules (the initiative's and a state's)   initiative admin
a school's period submission: enter and        initiative admin, state lead of the state,
submit (add/change)                            Lead Partner staff of the school's zone
a period submission: approve, return, reopen   initiative admin, state lead of the state
(review)
reminder digests                               initiative admin (the reminder task writes them)
measurements, status updates                   initiative admin, state lead of the state,
                                               Lead Partner staff of the school's zone (a
                                               state-bound membership: in its state only)
invitations (send, revoke, resend; list their  initiative admin (any role; Lead Partner staff
own scope's)                                   bound to a state or unbound, i.e. every state);
                                               a state lead: co-leads, state viewers and
                                               commissioners of their state, and staff of a
                                               Lead Partner that
                                               leads a zone there, bound to that state
a state's audit trail (view)                   initiative admin, state lead of the state
report runs: state progress, commissioner      initiative admin, any state role of the state
brief (request)
report runs: zone progress, renewal dossier    initiative admin, any state role of the state,
(request; the renewal page reads like the      Lead Partner staff of the zone (bound: in its
dossier, its decision form is the state's)     state only)
report runs: an annual review (request)        initiative admin, any state role of the state,
                                               Lead Partner staff of the contract's Lead
                                               Partner once the review is issued
report runs: portfolio (request)               initiative admin
an import (upload and preview)                 initiative admin, state lead of the state, Lead
                                               Partner staff of the batch's Lead Partner (bound:
                                               in its state only)
an import (apply)                              the person who uploaded it (among the imports
                                               they may read)
performance contracts, deliverables, contract  initiative admin, state lead of the state
targets, annual reviews, review evidence
an issued annual review: respond               initiative admin, Lead Partner staff of the
                                               contract's Lead Partner
autonomy terms: add (a request)                initiative admin, state lead, Lead Partner staff
                                               of the zone
autonomy terms: change, delete; term changes   initiative admin, state lead of the state
autonomy check-ins (add)                       initiative admin, state lead, Lead Partner staff
                                               of the zone
a proposed change: propose                     initiative admin, state lead, Lead Partner staff
                                               of the zone, collaborator engaged in the state
a proposed change: approve or reject (decide)  initiative admin, state lead of the state
a comment (add)                                any member who reads its subject, at a
                                               visibility their role reads
a needs-action comment: resolve or reopen      initiative admin, state lead of the state, the
                                               comment's owner or author
a collaborator's activity report (add, change,  initiative admin, the collaborator of its
delete)                                         engagement while the engagement grants access
meetings and their documents: a state's         initiative admin, state lead of the state
meetings and site visits
State Development Group calls (no state)        initiative admin
action items (add, change, delete)              initiative admin, state lead of the item's state
                                               (a network item: initiative admin)
an action item: close (done or dropped, with    initiative admin, state lead of the state, its
a note)                                         owner
API tokens and webhook subscriptions (add)     their holder, through one of their own
                                               memberships: any role, read-only ones included
                                               (the token reads what that role reads)
notifications, preferences, watches, calendar   their user (pages and API filter by the user;
feeds, webhook subscriptions and deliveries     events and mail deliveries are written by
                                               notifications.events and its tasks, webhook
                                               deliveries by webhooks.dispatch)
=============================================  ===============================================
"""

import rules

from core.permissions import ANYWHERE, permission_name

from .models import STATE_ROLES, Role


def state_id_of(obj) -> int | None:
    """The id of the state a tenant-owned object belongs to, following its TenantScope path."""
    if obj is None:
        return None
    path = obj.TenantScope.state.split("__")
    if path == ["pk"]:
        return obj.pk
    for step in path[:-1]:
        obj = getattr(obj, step, None)
        if obj is None:
            return None
    return getattr(obj, f"{path[-1]}_id", None)


def lead_partner_id_of(obj) -> int | None:
    """The id of the Lead Partner whose staff may read a tenant-owned object, following its
    TenantScope ``lead_partner`` path (None when it has none)."""
    path = getattr(getattr(obj, "TenantScope", None), "lead_partner", None)
    if obj is None or not path:
        return None
    *steps, last = path.split("__")
    for step in steps:
        obj = getattr(obj, step, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


@rules.predicate
def is_initiative_admin(user) -> bool:
    return user.is_authenticated and user.scope.is_admin


@rules.predicate
def is_state_lead_for(user, obj) -> bool:
    if obj is ANYWHERE:
        return is_a_state_lead(user)
    return user.is_authenticated and state_id_of(obj) in user.scope.lead_state_ids


@rules.predicate
def is_a_state_lead(user) -> bool:
    return user.is_authenticated and bool(user.scope.lead_state_ids)


@rules.predicate
def is_lead_partner_for_school(user, obj) -> bool:
    """obj is a school, or an object with a ``school`` (measurement, status update)."""
    if not user.is_authenticated or obj is None:
        return False
    if obj is ANYWHERE:
        return bool(user.scope.lead_partner_ids)
    school = obj if hasattr(obj, "zone_id") and hasattr(obj, "nces_id") else getattr(obj, "school", None)
    if school is None or school.zone_id is None:
        return False
    return user.scope.reaches_partner_in(school.zone.lead_partner_id, state_id_of(school))


@rules.predicate
def is_lead_partner_staff_for(user, obj) -> bool:
    """obj belongs to a zone its Lead Partner leads (by the object's TenantScope paths), in a state
    the user's grant covers."""
    if not user.is_authenticated or obj is None:
        return False
    if obj is ANYWHERE:
        return bool(user.scope.lead_partner_ids)
    return user.scope.reaches_partner_in(lead_partner_id_of(obj), state_id_of(obj))


@rules.predicate
def is_collaborator_in(user, obj) -> bool:
    """A national collaborator with an engagement granting access to the object's state now."""
    if not user.is_authenticated or obj is None:
        return False
    if obj is ANYWHERE:
        return bool(user.scope.collaborator_state_ids)
    return state_id_of(obj) in user.scope.collaborator_state_ids


@rules.predicate
def is_state_member_for(user, obj) -> bool:
    """Any state role (lead, viewer, commissioner) in the object's state."""
    if not user.is_authenticated or obj is None:
        return False
    if obj is ANYWHERE:
        return bool(user.scope.state_ids)
    return state_id_of(obj) in user.scope.state_ids


@rules.predicate
def owns_or_wrote(user, comment) -> bool:
    """The owner of a needs-action comment, or its author."""
    return user.is_authenticated and comment is not None and user.pk in (comment.owner_id, comment.author_id)


@rules.predicate
def reports_for_engagement(user, report) -> bool:
    """The collaborator whose engagement the activity report is filed under, while it grants access."""
    if not user.is_authenticated or report is None:
        return False
    if report is ANYWHERE:
        return bool(user.scope.collaborator_state_ids)
    if not report.engagement_id:
        return False
    engagement = report.engagement
    return engagement.collaborator_id in user.scope.collaborator_ids and engagement.grants_access()


@rules.predicate
def owns_item(user, item) -> bool:
    """The owner of an action item."""
    return user.is_authenticated and item is not None and item is not ANYWHERE and item.owner_id == user.pk


@rules.predicate
def may_invite(user, invitation) -> bool:
    """State leads invite state staff (co-leads too) for their state, and staff of a Lead Partner bound to one of
    their states where it leads a zone: the invitee reaches no further than the inviter."""
    if not user.is_authenticated or invitation is None:
        return False
    if invitation.state_id not in user.scope.lead_state_ids:
        return False
    if invitation.role in STATE_ROLES:
        return True  # a co-lead included
    if invitation.role == Role.LEAD_PARTNER_STAFF and invitation.lead_partner_id:
        return invitation.lead_partner.zones.filter(state_id=invitation.state_id).exists()
    return False


@rules.predicate
def may_request_report(user, run) -> bool:
    """State staff report on their state; Lead Partner staff on their own zones, and on an issued
    review of their own contract. The portfolio is admins'."""
    if not user.is_authenticated or run is None:
        return False
    if run is ANYWHERE:
        return bool(user.scope.state_ids or user.scope.lead_partner_grants)
    if not run.state_id:
        return False
    if run.state_id in user.scope.state_ids:
        return True
    if run.review_id is not None:
        review = run.review
        return review.is_issued and user.scope.reaches_partner_in(review.contract.lead_partner_id, run.state_id)
    return bool(run.zone_id) and user.scope.reaches_partner_in(run.zone.lead_partner_id, run.zone.state_id)


@rules.predicate
def holds_through_own_membership(user, holder) -> bool:
    """An API token or webhook subscription is held through one of the user's own memberships
    (``holder`` is that membership, or an object with a ``membership``) and reads what that role
    reads, a read-only role included (a state viewer's data warehouse); ANYWHERE: the user holds a
    role at all."""
    if not user.is_authenticated or holder is None:
        return False
    if holder is ANYWHERE:
        return user.scope.is_member
    return getattr(holder, "membership", holder).user_id == user.pk


@rules.predicate
def uploaded(user, batch) -> bool:
    """An import is applied by the person who uploaded it: they checked its dry run."""
    return user.is_authenticated and batch is not None and batch.uploaded_by_id == user.pk


@rules.predicate
def is_state_lead_for_own_metric(user, metric) -> bool:
    """A state lead adds and edits the indicators their state added (the catalog is admins')."""
    if not user.is_authenticated or metric is None:
        return False
    if metric is ANYWHERE:
        return is_a_state_lead(user)
    return metric.state_id is not None and metric.state_id in user.scope.lead_state_ids


manages_state = is_initiative_admin | is_state_lead_for
reports_on_school = manages_state | is_lead_partner_for_school


def _crud(app_model: str, predicate, actions=("add", "change", "delete")):
    for action in actions:
        rules.add_perm(permission_name(app_model, action), predicate)


for directory_model in (
    "zones.initiative",
    "funding.funder",
    "partners.leadpartner",
    "partners.nationalcollaborator",
    "partners.collaboratorengagement",
    "accounts.user",
    "accounts.membership",
):
    _crud(directory_model, is_initiative_admin)

_crud("zones.state", is_initiative_admin, actions=("add", "delete"))
rules.add_perm("zones.change_state", manages_state)
rules.add_perm("zones.change_state_initiative_fields", is_initiative_admin)

for state_owned_model in (
    "zones.district",
    "zones.zone",
    "schools.school",
    "funding.commitment",
    "funding.expenditure",
    "funding.award",
    "funding.budget",
    "funding.recurringcost",
    "accountability.baseline",
    "accountability.target",
    "accountability.reportingperiod",
    "accountability.exitcriterion",
    "accountability.renewaldecision",
):
    _crud(state_owned_model, manages_state)

# An award's amendments are written by funding.lifecycle.amend_award; only admins correct them.
rules.add_perm("funding.add_awardamendment", manages_state)
_crud("funding.awardamendment", is_initiative_admin, actions=("change", "delete"))
# What counts as match and the ratio aimed for are the initiative's terms, a state's included.
_crud("funding.matchrule", is_initiative_admin)

_crud("accountability.metric", is_initiative_admin | is_state_lead_for_own_metric)
_crud("accountability.periodsubmission", reports_on_school, actions=("add", "change"))
_crud("accountability.periodsubmission", is_initiative_admin, actions=("delete",))
rules.add_perm("accountability.review_periodsubmission", manages_state)
_crud("accountability.reminderdigest", is_initiative_admin)

for school_report_model in ("accountability.measurement", "accountability.statusupdate"):
    _crud(school_report_model, reports_on_school)

for contract_model in (
    "contracts.performancecontract",
    "contracts.contractdeliverable",
    "contracts.contracttarget",
    "contracts.annualreview",
    "contracts.reviewevidence",
):
    _crud(contract_model, manages_state)
# The Lead Partner's written response to an issued review of its own contract.
rules.add_perm("contracts.respond_annualreview", is_initiative_admin | is_lead_partner_staff_for)

_crud("autonomy.autonomyterm", manages_state, actions=("change", "delete"))
# A Lead Partner may ask for a term (status requested); granting, contesting, revoking is the state's.
rules.add_perm("autonomy.add_autonomyterm", manages_state | is_lead_partner_staff_for)
rules.add_perm("autonomy.add_autonomycheckin", manages_state | is_lead_partner_staff_for)
_crud("autonomy.autonomycheckin", is_initiative_admin, actions=("change", "delete"))
rules.add_perm("autonomy.add_autonomytermchange", manages_state)  # written by the ledger's use cases
_crud("autonomy.autonomytermchange", is_initiative_admin, actions=("change", "delete"))

rules.add_perm("proposals.add_changeproposal", manages_state | is_lead_partner_staff_for | is_collaborator_in)
rules.add_perm("proposals.decide_changeproposal", manages_state)
_crud("proposals.changeproposal", is_initiative_admin, actions=("change", "delete"))

# Anyone who reads a subject may comment on it, at a visibility their role reads (the comments
# app's services check the level).
rules.add_perm(
    "comments.add_comment", manages_state | is_state_member_for | is_lead_partner_staff_for | is_collaborator_in
)
rules.add_perm("comments.resolve_comment", manages_state | owns_or_wrote)
_crud("comments.comment", is_initiative_admin, actions=("change", "delete"))

_crud("network.activityreport", is_initiative_admin | reports_for_engagement)
for network_model in ("network.meeting", "network.meetingdocument", "network.actionitem"):
    _crud(network_model, manages_state)
rules.add_perm("network.close_actionitem", manages_state | owns_item)

rules.add_perm("accounts.add_invitation", is_initiative_admin | may_invite)
# Who may send an invitation may revoke it or send it again (a new link).
rules.add_perm("accounts.change_invitation", is_initiative_admin | may_invite)
rules.add_perm("accounts.view_invitation", is_initiative_admin | is_a_state_lead)
rules.add_perm("zones.view_state_history", manages_state)
rules.add_perm("reports.add_reportrun", is_initiative_admin | may_request_report)
rules.add_perm("imports.add_importbatch", manages_state | is_lead_partner_staff_for)
rules.add_perm("imports.apply_importbatch", uploaded)
rules.add_perm("accounts.add_apitoken", holds_through_own_membership)
rules.add_perm("webhooks.add_webhooksubscription", holds_through_own_membership)
