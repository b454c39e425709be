"""Placing schools in zones: a zone saved together with its districts and schools."""

from django.db import transaction

from zones.models import Zone, zone_composition


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
