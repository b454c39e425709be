"""The money's lifecycle use cases: withdraw a commitment, void an expenditure, save and amend an
award, delete a commitment on which no money has moved. One function per action, called by the
pages, the API and the admin alike.

Money that has moved is never deleted: a withdrawn commitment and a voided expenditure are kept,
with their reason in the history, and no total counts them. Each use case works on the row locked
(``select_for_update``) and refuses a copy older than the stored version (``StaleRecord``); the
sums the rules compare (spending against a commitment, commitments against an award) are taken
on locked rows by the models' ``save``, so concurrent writes cannot break them together.

A refusal because of the record's state (already withdrawn or voided, money moved, spending
still live) is a ValidationError with code ``wrong_step``: the API answers it 409 (web.rest); bad
input is a ValidationError by field (400 in the API, form errors on the pages).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from core.reasons import required_reason

from .models import Award, AwardAmendment, Commitment, Expenditure

# The award's values an amendment changes, in the order the timeline shows them.
AMENDED_FIELDS = ("amount", "obligation_deadline", "liquidation_deadline")


def _refused(message: str) -> ValidationError:
    """The record's state refuses the action (409 in the API)."""
    return ValidationError(message, code="wrong_step")


def _check_perm(user, permission: str, obj, refusal: str) -> None:
    if not user.has_perm(permission, obj):
        raise PermissionDenied(refusal)


def _remember(obj, user, reason: str) -> None:
    """Who and why, for the history row the next save writes."""
    obj._history_user = user
    obj._change_reason = reason


def _locked(model, obj):
    """``obj``'s row, locked; ``obj`` must still be its stored version (else StaleRecord)."""
    locked = model._base_manager.select_for_update().get(pk=obj.pk)
    locked.expect_version(obj.version)
    return locked


def withdraw_commitment(commitment: Commitment, *, on, reason: str, user) -> Commitment:
    """The funder withdrew ``commitment`` on ``on``, for ``reason``: kept, never counted again.

    Refused while live spending draws on it (void the expenditures recorded by mistake first) and
    when it is withdrawn already. ``commitment`` is updated to what was saved."""
    _check_perm(user, "funding.change_commitment", commitment, f"You may not withdraw {commitment}.")
    reason = required_reason(reason, "the commitment is withdrawn")
    if on is None:
        raise ValidationError({"withdrawn_on": "Give the date the commitment was withdrawn."})
    with transaction.atomic():
        locked = _locked(Commitment, commitment)
        if locked.is_withdrawn:
            raise _refused(f"This commitment was withdrawn on {locked.withdrawn_on:%b %-d, %Y}; it stays withdrawn.")
        locked.status, locked.withdrawn_on = Commitment.Status.WITHDRAWN, on
        locked.full_clean()
        _remember(locked, user, reason)
        try:
            locked.save()  # refuses the withdrawal while live spending exists (on the locked row)
        except ValidationError as error:
            raise _refused(" ".join(error.messages)) from error
    commitment.status, commitment.withdrawn_on, commitment.version = locked.status, on, locked.version
    return locked


def void_expenditure(expenditure: Expenditure, *, reason: str, user, on=None) -> Expenditure:
    """Void ``expenditure`` (recorded by mistake) on ``on`` (today by default), for ``reason``:
    kept as it was, never counted again, and never changed or voided again. ``expenditure`` is
    updated to what was saved."""
    _check_perm(user, "funding.change_expenditure", expenditure, f"You may not void {expenditure}.")
    reason = required_reason(reason, "the expenditure is voided")
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _locked(Expenditure, expenditure)
        if locked.is_voided:
            raise _refused(f"This expenditure was voided on {locked.voided_on:%b %-d, %Y}. {Expenditure.VOIDED_ERROR}")
        if on < locked.spent_on:
            raise ValidationError({"voided_on": "An expenditure is voided on or after the day it was spent."})
        locked.voided_on, locked.void_reason = on, reason
        _remember(locked, user, reason)
        locked.save()
    expenditure.voided_on, expenditure.void_reason, expenditure.version = on, reason, locked.version
    return locked


def delete_commitment(commitment: Commitment, *, user) -> None:
    """Delete a commitment recorded by mistake, while no money has moved on it (received or spent
    from, a voided expenditure included); after that it is withdrawn instead, and kept."""
    _check_perm(user, "funding.delete_commitment", commitment, f"You may not delete {commitment}.")
    with transaction.atomic():
        locked = Commitment._base_manager.select_for_update().get(pk=commitment.pk)
        if locked.money_moved():
            raise _refused(
                "Money has moved on this commitment (received or spent from), so it is kept: withdraw it instead."
            )
        try:
            locked.delete()
        except ProtectedError as error:
            raise _refused(
                "Other records refer to this commitment (a recurring cost it pays); withdraw it instead."
            ) from error


DEADLINES = ("obligation_deadline", "liquidation_deadline")


def default_deadlines(values: dict) -> dict:
    """The deadlines left blank in ``values`` (an award's ``funder``, ``period_start`` and
    deadlines), as the law sets them for a federal formula grant (``Award.default_deadlines``).
    A grant that sets its own deadlines must give them (ValidationError)."""
    blank = [name for name in DEADLINES if values.get(name) is None]
    funder, start = values.get("funder"), values.get("period_start")
    if not blank or funder is None or start is None:
        return {}
    defaults = Award.default_deadlines(funder.kind, start)
    if defaults is None:
        raise ValidationError(dict.fromkeys(blank, f"{funder} sets its own deadlines: give this one."))
    return {name: value for name, value in zip(DEADLINES, defaults, strict=True) if name in blank}


def save_award(award: Award, *, user) -> Award:
    """Create or edit ``award`` (not its amount or deadlines once saved: ``amend_award``).

    This use case owns the default deadlines (``default_deadlines``; the API's serializer asks it
    too, before validating). The funder of an award its commitments draw on stays theirs."""
    action = "add" if award._state.adding else "change"
    _check_perm(user, f"funding.{action}_award", award, f"You may not {action} awards of {award.state}.")
    values = {name: getattr(award, name) for name in ("period_start", *DEADLINES)}
    for name, value in default_deadlines({**values, "funder": award.funder if award.funder_id else None}).items():
        setattr(award, name, value)
    award.full_clean()
    with transaction.atomic():
        if action == "change":
            _locked(Award, award)
            others = Commitment._base_manager.filter(award_id=award.pk).exclude(funder_id=award.funder_id)
            if others.exists():
                raise ValidationError({"funder": "Commitments from the award's funder draw on it; its funder stays."})
        award._history_user = user
        award.save()
    return award


def amend_award(
    award: Award,
    *,
    amount=None,
    obligation_deadline=None,
    liquidation_deadline=None,
    effective_on,
    reason: str,
    user,
) -> AwardAmendment:
    """Amend ``award``'s amount or deadlines (None keeps one), effective ``effective_on``, for
    ``reason``: the amendment keeps the values before and after (the award's timeline) and the
    change is applied to the locked award. Refused when nothing changes, when the amount would be
    less than its live commitments take, and when the dates break the award's rules. ``award`` is
    updated to what was saved."""
    amendment = AwardAmendment(award=award, state_id=award.state_id)
    _check_perm(user, "funding.add_awardamendment", amendment, f"You may not amend {award}.")
    reason = required_reason(reason, "the award is amended")
    if effective_on is None:
        raise ValidationError({"effective_on": "Give the date the amendment takes effect."})
    wanted = {
        "amount": amount,
        "obligation_deadline": obligation_deadline,
        "liquidation_deadline": liquidation_deadline,
    }
    with transaction.atomic():
        locked = _locked(Award, award)
        before = {name: getattr(locked, name) for name in AMENDED_FIELDS}
        after = {name: before[name] if wanted[name] is None else wanted[name] for name in AMENDED_FIELDS}
        if after == before:
            raise ValidationError("The amendment changes nothing: give a new amount or new deadlines.")
        for name, value in after.items():
            setattr(locked, name, value)
        locked.full_clean()  # the dates' order, and no less than its live commitments take
        amendment = AwardAmendment(
            award=locked,
            effective_on=effective_on,
            reason=reason,
            recorded_by=user,
            **{f"previous_{name}": value for name, value in before.items()},
            **after,
        )
        amendment.full_clean()
        _remember(locked, user, reason)
        locked.save()
        amendment.save()
    for name in (*AMENDED_FIELDS, "version"):
        setattr(award, name, getattr(locked, name))
    return amendment
