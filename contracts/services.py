"""The use cases of contracts and reviews: one function per action, called by the pages, the API,
the admin and the demo alike. Each asks the permission table first (authorization before
validation), validates through the model (``full_clean``), and saves with its history naming who.

A zone has at most one active contract: activating one locks the zone's row, so two activations
at once are checked one after the other; the database constraint is the last word, and its
IntegrityError is answered as the same friendly error.

A review is a draft (the state's only) until it is issued: issuing freezes its scorecard
(``scorecard.review_scorecard(...).as_dict()``) and needs a rating of every part; an issued review
is final for the state, and the Lead Partner may write (and rewrite) its response, each version kept
in the review's history.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.permissions import permission_name, write_action
from zones.models import Zone

from .choices import ContractStatus, ReviewStatus
from .models import AnnualReview, ContractDeliverable, PerformanceContract
from .scorecard import review_scorecard

# Allowed moves of a contract's status: {to: from}.
CONTRACT_MOVES = {
    ContractStatus.ACTIVE: (ContractStatus.DRAFT,),
    ContractStatus.ENDED: (ContractStatus.ACTIVE,),
    ContractStatus.TERMINATED: (ContractStatus.ACTIVE,),
}


def _require(user, obj, action: str | None = None) -> None:
    """The permission table's answer for ``action`` (default: add or change) on ``obj``."""
    action = action or write_action(obj)
    if not user.has_perm(permission_name(type(obj), action), obj):
        raise PermissionDenied(f"You may not {action} this {obj._meta.verbose_name}.")


def _save(user, obj, why: str = "", **kwargs):
    """Validate and save ``obj`` with its history row naming ``user`` (and why)."""
    obj.full_clean()
    obj._history_user = user
    if why:
        obj._change_reason = why
    obj.save(**kwargs)
    return obj


def _wrong_step(message: str, **params) -> ValidationError:
    """A step the record's status refuses now: pages show it, the API answers 409."""
    return ValidationError(message, code="wrong_step", params=params)


# --- Contracts ---


def save_contract(user, contract: PerformanceContract) -> PerformanceContract:
    """Create or edit a contract (its status moves only through the steps below)."""
    _require(user, contract)
    with transaction.atomic():
        if contract.status == ContractStatus.ACTIVE:
            _lock_zone(contract)
        return _save_active_safely(user, contract)


def _lock_zone(contract: PerformanceContract) -> None:
    """Hold the zone's row until the transaction ends: activations in one zone take turns."""
    Zone._base_manager.select_for_update().filter(pk=contract.zone_id).first()


def _save_active_safely(user, contract: PerformanceContract, why: str = "") -> PerformanceContract:
    try:
        with transaction.atomic():
            return _save(user, contract, why)
    except IntegrityError as error:  # a concurrent activation in the same zone got there first
        contract.full_clean()  # names the other active contract
        raise ValidationError(
            {"status": f"{contract.zone} already has an active contract: end or terminate it first."}
        ) from error


def _move(user, contract: PerformanceContract, to: ContractStatus, why: str) -> PerformanceContract:
    _require(user, contract, "change")
    with transaction.atomic():
        _lock_zone(contract)
        current = PerformanceContract._base_manager.select_for_update().get(pk=contract.pk)
        if current.status not in CONTRACT_MOVES[to]:
            raise _wrong_step(
                "This contract is %(status)s: it cannot become %(to)s.",
                status=current.get_status_display().lower(),
                to=to.label.lower(),
            )
        contract.status = to
        return _save_active_safely(user, contract, why)


def activate_contract(user, contract: PerformanceContract) -> PerformanceContract:
    """A draft contract takes effect: it must bind the zone's Lead Partner, and the zone must have
    no other active contract."""
    return _move(user, contract, ContractStatus.ACTIVE, "Activated")


def end_contract(user, contract: PerformanceContract) -> PerformanceContract:
    """An active contract ran its term."""
    return _move(user, contract, ContractStatus.ENDED, "Ended")


def terminate_contract(user, contract: PerformanceContract, *, reason: str) -> PerformanceContract:
    """An active contract is ended early under its termination conditions, with the reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the contract is terminated."})
    return _move(user, contract, ContractStatus.TERMINATED, f"Terminated: {reason.strip()}")


CONTRACT_STEPS = {"activate": activate_contract, "end": end_contract}


# --- Deliverables and targets ---


def save_deliverable(user, deliverable: ContractDeliverable) -> ContractDeliverable:
    _require(user, deliverable)
    with transaction.atomic():
        return _save(user, deliverable)


def mark_delivered(user, deliverable: ContractDeliverable, *, delivered_on, evidence_url: str = ""):
    """Record that the Lead Partner delivered it (on ``delivered_on``), with the evidence link."""
    deliverable.delivered_on = delivered_on
    if evidence_url:
        deliverable.evidence_url = evidence_url
    return save_deliverable(user, deliverable)


def save_target(user, target):
    _require(user, target)
    with transaction.atomic():
        return _save(user, target)


# --- Reviews ---


def _issued_is_final(review: AnnualReview) -> None:
    if review.pk and AnnualReview._base_manager.filter(pk=review.pk, status=ReviewStatus.ISSUED).exists():
        raise _wrong_step("This review was issued: it is final.")


def start_review(user, contract: PerformanceContract, school_year: str) -> AnnualReview:
    """A draft review of ``contract`` for ``school_year`` (one per contract and year)."""
    review = AnnualReview(contract=contract, school_year=school_year, reviewer=user)
    _require(user, review, "add")
    with transaction.atomic():
        return _save(user, review, "Started")


def save_review(user, review: AnnualReview) -> AnnualReview:
    """Save a draft's ratings and narratives (an issued review is final)."""
    _require(user, review)
    with transaction.atomic():
        _issued_is_final(review)
        review.status = ReviewStatus.DRAFT
        return _save(user, review)


def save_evidence(user, evidence):
    """Add or change an evidence link of a draft review."""
    _require(user, evidence)
    with transaction.atomic():
        _issued_is_final(evidence.review)
        return _save(user, evidence)


def issue_review(user, review: AnnualReview) -> AnnualReview:
    """Issue a draft to the Lead Partner: every part rated, the scorecard frozen as it stands now."""
    _require(user, review, "change")
    with transaction.atomic():
        current = AnnualReview._base_manager.select_for_update().get(pk=review.pk)
        if current.status == ReviewStatus.ISSUED:
            raise _wrong_step("This review was issued already.")
        review.status = ReviewStatus.ISSUED
        review.issued_at = timezone.now()
        review.reviewer = review.reviewer or user
        try:
            review.full_clean()
        except ValidationError:
            review.status, review.issued_at = ReviewStatus.DRAFT, None
            raise
        review.scorecard = review_scorecard(review.contract, review.school_year).as_dict()
        return _save(user, review, "Issued")


def respond_to_review(user, review: AnnualReview, response: str) -> AnnualReview:
    """The Lead Partner's written response to an issued review; a new response replaces the last
    on the review, and every version stays in its history."""
    if not user.has_perm("contracts.respond_annualreview", review):
        raise PermissionDenied("Only the Lead Partner's staff respond to its review.")
    if not (response or "").strip():
        raise ValidationError({"response": "Write the response."})
    with transaction.atomic():
        current = AnnualReview._base_manager.select_for_update().get(pk=review.pk)
        if current.status != ReviewStatus.ISSUED:
            raise _wrong_step("The Lead Partner responds to an issued review.")
        review.response = response.strip()
        review.responded_by = user
        review.responded_at = timezone.now()
        return _save(user, review, "Responded")
