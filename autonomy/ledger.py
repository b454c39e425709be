"""The autonomy ledger's use cases: record a term, change its status, record a check-in. One
function per action, called by the pages, the API, the admin's callers and the demo alike.

Every status change is a row of ``AutonomyTermChange`` with its reason and, for earned autonomy,
the decision that caused it (a Lead Partner's check-in, an issued annual review of the zone's
contract, a renewal decision on the zone). The term's row is locked while its status changes, and
a change made from an older version of the term is refused (``StaleRecord``), so two people
changing one term at once never both win.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.choices import ReviewStatus

from .choices import TermStatus
from .models import AutonomyCheckIn, AutonomyTerm, AutonomyTermChange

CREATED_REASONS = {
    TermStatus.REQUESTED: "Requested",
    TermStatus.GRANTED: "Granted",
    TermStatus.CONTESTED: "Recorded as contested",
    TermStatus.REVOKED: "Recorded as revoked",
}


def may_set_status(user, term: AutonomyTerm) -> bool:
    """Whether ``user`` decides the term's status (the state); a Lead Partner only requests."""
    return user.has_perm("autonomy.change_autonomyterm", term)


def check_may_record_status(term: AutonomyTerm, user) -> None:
    """A new term in another status than requested is the state's to record (ValidationError)."""
    if term.status != TermStatus.REQUESTED and not may_set_status(user, term):
        raise ValidationError(
            {"status": "A Lead Partner requests a term; the state decides whether it is granted."}, code="request_only"
        )


def _remember(obj, user, why: str) -> None:
    """Who and why, for the history row the next save writes."""
    obj._history_user = user
    obj._change_reason = why


def create_term(term: AutonomyTerm, *, by, reason: str = "") -> AutonomyTerm:
    """Record ``term`` (unsaved, its zone set) and its first change row. The state may record a term
    in any status (a granted one names its legal source and effective date: the model's rules); a
    Lead Partner's staff only request one.

    Raises PermissionDenied or ValidationError."""
    if not by.has_perm("autonomy.add_autonomyterm", term):
        raise PermissionDenied(f"You may not add autonomy terms for {term.zone}.")
    check_may_record_status(term, by)
    term.full_clean()
    reason = reason.strip() or CREATED_REASONS[TermStatus(term.status)]
    with transaction.atomic():
        _remember(term, by, reason)
        term.save()
        AutonomyTermChange.objects.create(
            term=term,
            from_status="",
            to_status=term.status,
            reason=reason,
            effective_on=term.effective_from or timezone.localdate(),
            changed_by=by,
        )
    return term


def _check_causes(term: AutonomyTerm, check_in, annual_review, renewal_decision) -> dict:
    """What is wrong with the causes cited for a change of ``term`` (by field), if anything: each
    belongs to the term's zone; a review is cited once issued."""
    errors = {}
    if check_in is not None and check_in.term.zone_id != term.zone_id:
        errors["check_in"] = "The check-in cited is about another zone's term."
    if annual_review is not None:
        if annual_review.contract.zone_id != term.zone_id:
            errors["annual_review"] = "The annual review cited is of another zone's contract."
        elif annual_review.status != ReviewStatus.ISSUED:
            errors["annual_review"] = "Only an issued annual review can be cited."
    if renewal_decision is not None and renewal_decision.zone_id != term.zone_id:
        errors["renewal_decision"] = "The renewal decision cited is on another zone."
    return errors


def change_term_status(
    term: AutonomyTerm,
    to_status,
    *,
    reason: str,
    by,
    effective_on,
    check_in: AutonomyCheckIn | None = None,
    annual_review=None,
    renewal_decision=None,
) -> AutonomyTermChange:
    """Move ``term`` to ``to_status`` for ``reason``, effective ``effective_on``, citing what caused
    it (earned autonomy: an annual review or a renewal decision; or a Lead Partner's check-in).

    The term's row is locked; ``term`` as the caller read it must still be the stored version
    (else ``StaleRecord``). A change to the status it already has, a missing reason, a cause from
    another zone, or a term the model's rules refuse in the new status (a granted term without a
    legal source) is a ValidationError. Granting a term without an effective date makes it
    effective on ``effective_on``. ``term`` is updated to what was saved."""
    if not may_set_status(by, term):
        raise PermissionDenied(f"You may not change the status of {term}.")
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "Say why the term's status changes."
    if to_status not in TermStatus.values:
        errors["to_status"] = f"{to_status!r} is not a term status."
    if effective_on is None:
        errors["effective_on"] = "Say from when the change takes effect."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = AutonomyTerm._base_manager.select_for_update().select_related("zone__state").get(pk=term.pk)
        locked.expect_version(term.version)
        errors = _check_causes(locked, check_in, annual_review, renewal_decision)
        if locked.status == to_status:
            errors["to_status"] = f"The term is already {locked.get_status_display().lower()}."
        if errors:
            raise ValidationError(errors)
        from_status = locked.status
        locked.status = to_status
        if to_status == TermStatus.GRANTED and locked.effective_from is None:
            locked.effective_from = effective_on
        locked.full_clean()
        _remember(locked, by, reason)
        locked.save()
        change = AutonomyTermChange.objects.create(
            term=locked,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            effective_on=effective_on,
            check_in=check_in,
            annual_review=annual_review,
            renewal_decision=renewal_decision,
            changed_by=by,
        )
    term.status, term.effective_from, term.version = locked.status, locked.effective_from, locked.version
    return change


def record_check_in(term: AutonomyTerm, *, practice, note: str, observed_on, by) -> AutonomyCheckIn:
    """Record a Lead Partner's (or the state's) report on whether ``term`` holds in practice.

    Raises PermissionDenied or ValidationError (the model's rules: a granted or contested term, a
    note, a day that has happened)."""
    check_in = AutonomyCheckIn(term=term, practice=practice, note=(note or "").strip(), observed_on=observed_on)
    check_in.recorded_by = by
    if not by.has_perm("autonomy.add_autonomycheckin", check_in):
        raise PermissionDenied(f"You may not record check-ins on {term}.")
    check_in.full_clean()
    with transaction.atomic():
        _remember(check_in, by, "Check-in recorded")
        check_in.save()
    return check_in
