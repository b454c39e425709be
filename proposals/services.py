"""Proposed changes: propose, approve, reject, withdraw. One use case each, called by the pages,
the API and the demo.

A proposal records the changed fields as they stood (``before``) and as proposed (``after``), as
text (``field.value_to_string``). Approving locks the proposal row (so of two approvals at once,
one applies), then the changed row, checks it still holds ``before``, and applies ``after``
through the owning app's rules: ``School.save`` and ``Commitment.save`` (with their reason rule
and, for a commitment, status only forward), ``accountability.recording.record_measurements`` for
a correction of a locked period. The applied change's history row names the approver (its
user) and the proposal, its proposer and reason (its ``history_change_reason``).
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accountability.models import Measurement
from accountability.recording import locked_periods, period_key, record_measurements
from core.concurrency import StaleRecord
from funding.models import Commitment
from schools.models import School

from .choices import ProposalKind, ProposalStatus
from .models import ChangeProposal

# What each kind of proposal may change, on which model, and the proposal's field naming the target.
CHANGED_FIELDS = {
    ProposalKind.SCHOOL_STATUS: ("turnaround_status",),
    ProposalKind.COMMITMENT_STATUS: ("status", "committed_on", "received_on"),
    ProposalKind.MEASUREMENT_CORRECTION: ("value", "source"),
}
TARGET_MODELS = {
    ProposalKind.SCHOOL_STATUS: School,
    ProposalKind.COMMITMENT_STATUS: Commitment,
    ProposalKind.MEASUREMENT_CORRECTION: Measurement,
}
TARGET_FIELD = {
    ProposalKind.SCHOOL_STATUS: "school",
    ProposalKind.COMMITMENT_STATUS: "commitment",
    ProposalKind.MEASUREMENT_CORRECTION: "measurement",
}
# The direct permission that makes a proposal unnecessary.
DIRECT_PERMISSIONS = {
    ProposalKind.SCHOOL_STATUS: "schools.change_school",
    ProposalKind.COMMITMENT_STATUS: "funding.change_commitment",
}
HISTORY_REASON = re.compile(r"^Proposal #(\d+) ")


def stored_value(obj, name: str) -> str | None:
    """A field's value as a proposal stores it (text; None stays None)."""
    field = obj._meta.get_field(name)
    return None if getattr(obj, name) is None else field.value_to_string(obj)


def python_value(model, name: str, value):
    """A stored proposal value back as the field's Python value."""
    return (
        None
        if value in (None, "") and model._meta.get_field(name).null
        else model._meta.get_field(name).to_python(value)
    )


def target_of(proposal: ChangeProposal):
    return getattr(proposal, TARGET_FIELD[proposal.kind])


def history_reason(proposal: ChangeProposal) -> str:
    """The applied change's history reason: the proposal, its proposer and its reason (the audit
    trail reads the proposal back from its number)."""
    return f"Proposal #{proposal.pk} by {proposal.proposed_by}: {proposal.reason}"


def proposal_id_of(change_reason: str | None) -> int | None:
    """The proposal a history row's reason names (``history_reason``), or None."""
    match = HISTORY_REASON.match(change_reason or "")
    return int(match.group(1)) if match else None


def new_proposal(kind: str, target, by) -> ChangeProposal:
    proposal = ChangeProposal(kind=kind, proposed_by=by, **{TARGET_FIELD[kind]: target})
    if kind == ProposalKind.SCHOOL_STATUS:
        proposal.school, proposal.zone, proposal.state = target, target.zone, target.district.state
    elif kind == ProposalKind.MEASUREMENT_CORRECTION:
        school = target.school
        proposal.school, proposal.zone, proposal.state = school, school.zone, school.district.state
    else:
        # A commitment is no Lead Partner's to read: its proposals name no zone (TenantScope.lead_partner).
        proposal.state = target.state
    return proposal


def propose(kind: str, target, after: dict, *, reason: str, by) -> ChangeProposal:
    """Propose changing ``target`` (a school, a commitment or a measurement, read in the proposer's
    scope) to ``after`` ({field: value}) for ``reason``. Raises PermissionDenied if ``by`` may not
    propose it, ValidationError if the proposal is empty, unneeded, invalid or already pending."""
    kind = ProposalKind(kind)
    if not isinstance(target, TARGET_MODELS[kind]):
        raise ValidationError(f"A {kind.label.lower()} changes a {TARGET_MODELS[kind]._meta.verbose_name}.")
    proposal = new_proposal(kind, target, by)
    if not by.has_perm("proposals.add_changeproposal", proposal):
        raise PermissionDenied("You may not propose changes here.")
    _check_needed(proposal, target, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for the change."})
    unknown = set(after) - set(CHANGED_FIELDS[kind])
    if unknown:
        raise ValidationError(f"A {kind.label.lower()} does not change {', '.join(sorted(unknown))}.")
    candidate = _apply_after(kind, target, after)
    try:
        candidate.full_clean()
    except ValidationError as error:
        raise ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) from error
    changed = [name for name in after if getattr(candidate, name) != getattr(target, name)]
    if not changed:
        raise ValidationError("The proposal changes nothing: the values are already these.")
    proposal.before = {name: stored_value(target, name) for name in changed}
    proposal.after = {name: stored_value(candidate, name) for name in changed}
    proposal.reason = reason
    if _pending(proposal).exists():
        raise ValidationError(_already_pending(target))
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError as error:  # proposed by someone else at the same time
        raise ValidationError(_already_pending(target)) from error
    return proposal


def _apply_after(kind, target, after: dict):
    """A copy of ``target`` with the proposed values."""
    model = TARGET_MODELS[kind]
    candidate = model._base_manager.get(pk=target.pk)
    errors = {}
    for name, value in after.items():
        try:
            setattr(candidate, name, python_value(model, name, value))
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    candidate._change_reason = "proposed"  # checked against the model's rules, never saved
    return candidate


def _check_needed(proposal: ChangeProposal, target, by) -> None:
    """A proposal is for a change its proposer may not make directly."""
    if by.has_perm("proposals.decide_changeproposal", proposal):
        raise ValidationError("You decide proposed changes in this state: make the change directly.")
    if proposal.kind == ProposalKind.MEASUREMENT_CORRECTION:
        if period_key(target) not in locked_periods([target.school]):
            raise ValidationError("This value's period is not locked: edit the value directly.")
    elif by.has_perm(DIRECT_PERMISSIONS[proposal.kind], target):
        raise ValidationError("You may make this change directly: edit it instead of proposing it.")


def _pending(proposal: ChangeProposal):
    field = TARGET_FIELD[proposal.kind]
    return ChangeProposal._base_manager.filter(
        kind=proposal.kind, status=ProposalStatus.PENDING, **{f"{field}_id": getattr(proposal, f"{field}_id")}
    )


def _already_pending(target) -> str:
    return f"A change of {target} is already proposed and waits for the state's decision."


def _locked_pending(proposal: ChangeProposal, version=None) -> ChangeProposal:
    """The proposal's row, locked until the transaction ends; refused unless it is still pending."""
    locked = ChangeProposal._base_manager.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.PENDING:
        raise ValidationError(f"This proposal is already {locked.get_status_display().lower()}.", code="wrong_step")
    if version is not None and int(version) != locked.version:
        raise StaleRecord()
    return locked


def _decide(proposal: ChangeProposal, status: str, *, by, note: str) -> None:
    proposal.status = status
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    proposal._history_user = by
    proposal.save()


def approve(proposal: ChangeProposal, *, by, note: str = "", version=None) -> ChangeProposal:
    """Approve a pending proposal and apply it; returns the approved proposal. Raises
    PermissionDenied unless ``by`` decides proposals in its state; ValidationError if it is no
    longer pending (code ``wrong_step``), if its target changed since it was proposed (code
    ``changed_since_proposed``) or if the change breaks the target's rules now; StaleRecord if
    ``version`` (what the approver saw) is not the current one."""
    if not by.has_perm("proposals.decide_changeproposal", proposal):
        raise PermissionDenied("Only the state lead approves proposed changes.")
    with transaction.atomic():
        locked = _locked_pending(proposal, version)
        model = TARGET_MODELS[locked.kind]
        target = model._base_manager.select_for_update().get(pk=getattr(locked, f"{TARGET_FIELD[locked.kind]}_id"))
        if any(getattr(target, name) != python_value(model, name, value) for name, value in locked.before.items()):
            raise ValidationError(
                f"{target} changed since the proposal was made; reject it and propose again.",
                code="changed_since_proposed",
            )
        _decide(locked, ProposalStatus.APPROVED, by=by, note=note.strip())
        for name, value in locked.after.items():
            setattr(target, name, python_value(model, name, value))
        target._change_reason = history_reason(locked)
        target._history_user = by
        target.full_clean()
        if locked.kind == ProposalKind.MEASUREMENT_CORRECTION:
            record_measurements(by, [target], reason=target._change_reason, correction=locked)
        else:
            target.save()
    return locked


def reject(proposal: ChangeProposal, *, by, note: str, version=None) -> ChangeProposal:
    """Reject a pending proposal, saying why (``note`` is required)."""
    if not by.has_perm("proposals.decide_changeproposal", proposal):
        raise PermissionDenied("Only the state lead rejects proposed changes.")
    if not (note or "").strip():
        raise ValidationError({"decision_note": "Say why the proposal is rejected."})
    with transaction.atomic():
        locked = _locked_pending(proposal, version)
        _decide(locked, ProposalStatus.REJECTED, by=by, note=note.strip())
    return locked


def withdraw(proposal: ChangeProposal, *, by, version=None) -> ChangeProposal:
    """The proposer takes back a pending proposal."""
    if proposal.proposed_by_id != by.pk:
        raise PermissionDenied("Only the person who proposed a change withdraws it.")
    with transaction.atomic():
        locked = _locked_pending(proposal, version)
        locked.status = ProposalStatus.WITHDRAWN
        locked._history_user = by
        locked.save()
    return locked


def may_propose(user, kind: str, target) -> bool:
    """Offer "Propose a change" to someone who may propose it and may not make it directly (for
    a correction: the caller shows it on values of locked periods only)."""
    proposal = new_proposal(kind, target, user)
    if not user.has_perm("proposals.add_changeproposal", proposal):
        return False
    if user.has_perm("proposals.decide_changeproposal", proposal):
        return False
    return kind == ProposalKind.MEASUREMENT_CORRECTION or not user.has_perm(DIRECT_PERMISSIONS[kind], target)


def pending_count(state) -> int:
    """The proposals waiting for the state lead's decision (the state page's line)."""
    return ChangeProposal.objects.filter(state=state, status=ProposalStatus.PENDING).count()
