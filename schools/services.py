"""Placing schools in zones: a zone saved together with its districts and schools; removing a
school or a zone entered by mistake, and closing a zone that ran."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.deletion import delete_unused, kept_because
from core.reasons import required_reason
from zones.models import Zone, zone_composition

from .models import School


@transaction.atomic
def _save_zone(zone: Zone, status: str, districts, schools, is_new: bool) -> Zone:
    zone.validate_districts(districts)
    # The zone and the zones its new schools come from are locked (pk order) for the whole change;
    # the size rule is checked once on the result, on that locked state.
    with zone_composition([zone.pk, *(school.zone_id for school in schools)]):
        zone.save()
        zone.districts.set(districts)
        chosen = {school.pk for school in schools}
        for school in zone.schools.exclude(pk__in=chosen):
            school.zone = None
            school.save()
        for school in schools:
            if school.zone_id != zone.pk:
                school.zone = zone
                school.full_clean()
                school.save()
        if is_new and not zone.change_reason():
            zone._change_reason = "Created"  # a new zone's first status is no change of status
        zone.status = status
        zone.full_clean()
        zone.save()
    return zone


def save_zone(zone: Zone, status: str, districts, schools) -> Zone:
    """Save ``zone`` in one or two ``districts`` holding exactly ``schools``, then move it to ``status``.

    The zone keeps its current status while its schools change, and its rules (a launched zone
    holds 3–5 schools, has a Lead Partner and a launch year) are checked on the result; any
    ValidationError rolls the whole change back. A change of an existing zone's status needs its
    reason on the zone (``zone._change_reason``, core.reasons).
    """
    is_new = zone.pk is None
    previous_status = zone.status
    try:
        return _save_zone(zone, status, list(districts), list(schools), is_new)
    except Exception:
        zone.status = previous_status
        if is_new:
            zone.pk, zone._state.adding = None, True
        raise


def school_kept_because(school: School) -> str | None:
    """Why ``school`` cannot be deleted (its zone, or results and money that name it), or None."""
    if school.zone_id:
        return f"{school} belongs to the zone {school.zone}: take it out of the zone first (edit the zone)."
    refusal = kept_because(school)
    return f"{refusal} Mark it closed instead (edit the school: turnaround status Closed)." if refusal else None


def delete_school(school: School, *, reason: str, user) -> None:
    """Delete a school entered by mistake, for ``reason``: refused while it is in a zone or anything
    names it (results, money, comments); such a school is marked closed instead."""
    if not user.has_perm("schools.delete_school", school):
        raise PermissionDenied(f"You may not delete {school}.")
    reason = required_reason(reason, "the school is deleted")
    with transaction.atomic():
        locked = School._base_manager.select_for_update().get(pk=school.pk)
        if refusal := school_kept_because(locked):
            raise ValidationError(refusal, code="wrong_step")
        delete_unused(locked, user=user, reason=reason)


def remove_zone(zone: Zone, *, reason: str, user) -> str:
    """Remove ``zone`` for ``reason``: a zone never launched (planning) is deleted, its schools
    left unzoned, unless money or records name it; a launched one is closed (archived) and kept
    with its history. Returns what was done: "deleted" or "closed"."""
    if not user.has_perm("zones.delete_zone", zone):
        raise PermissionDenied(f"You may not remove {zone}.")
    reason = required_reason(reason, "the zone is removed")
    with transaction.atomic(), zone_composition([zone.pk]):
        locked = Zone._base_manager.select_for_update().get(pk=zone.pk)
        locked.expect_version(zone.version)
        if locked.status == Zone.Status.CLOSED:
            raise ValidationError(f"{locked} is closed already.", code="wrong_step")
        locked._history_user, locked._change_reason = user, reason
        if locked.status != Zone.Status.PLANNING:
            locked.status = Zone.Status.CLOSED
            locked.full_clean()
            locked.save()
            return "closed"
        for school in School._base_manager.filter(zone=locked):
            school.zone, school._history_user, school._change_reason = None, user, reason
            school.save()
        delete_unused(locked, user=user, reason=reason)
    return "deleted"
