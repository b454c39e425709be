"""Turn each zone's four autonomy booleans into terms of the ledger: every true boolean becomes a
GRANTED term under the zone's autonomy agreement (an MOU clause), effective from the agreement's
date, with the agreement's document as evidence and its first status change. Reversible: the
migrated terms set the booleans again and are removed."""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

MIGRATED_REASON = "Migrated from the zone's autonomy agreement"
# Zone boolean -> (area, power) of the term it becomes.
FLAGS = {
    "staffing_autonomy": ("people", "staffing"),
    "scheduling_autonomy": ("time", "schedule"),
    "curriculum_autonomy": ("program", "curriculum"),
    "budget_autonomy": ("money", "budget"),
}
TERM_FIELDS = (
    "zone_id", "area", "power", "description", "source", "source_reference", "status",
    "effective_from", "effective_until", "evidence_url", "evidence", "version",
)


def _history(apps, model_name, obj, fields, when):
    """The creation row simple_history would have written (migrations send no model signals)."""
    Historical = apps.get_model("autonomy", f"Historical{model_name}")
    Historical.objects.create(
        id=obj.pk,
        history_date=when,
        history_type="+",
        history_change_reason=MIGRATED_REASON,
        **{name: getattr(obj, name) for name in fields},
    )


def write_terms(apps, zones):
    """Write the granted terms (and their first change) for ``zones``: dicts with ``pk``,
    ``autonomy_agreement_date``, ``autonomy_agreement_url`` and the four booleans."""
    Term = apps.get_model("autonomy", "AutonomyTerm")
    Change = apps.get_model("autonomy", "AutonomyTermChange")
    now = timezone.now()
    for zone in zones:
        agreed_on = zone["autonomy_agreement_date"]
        for flag, (area, power) in FLAGS.items():
            if not zone[flag]:
                continue
            term = Term.objects.create(
                zone_id=zone["pk"],
                area=area,
                power=power,
                description=f"{power.capitalize()} authority under the zone's autonomy agreement.",
                source="mou_clause",
                source_reference="Autonomy agreement",
                status="granted",
                effective_from=agreed_on,
                evidence_url=zone["autonomy_agreement_url"],
            )
            _history(apps, "AutonomyTerm", term, TERM_FIELDS, now)
            change = Change.objects.create(
                term=term,
                from_status="",
                to_status="granted",
                reason=MIGRATED_REASON,
                effective_on=agreed_on or now.date(),
            )
            change_fields = ("term_id", "from_status", "to_status", "reason", "effective_on", "changed_at")
            _history(apps, "AutonomyTermChange", change, change_fields, now)


def migrated_flags(apps) -> dict[int, set[str]]:
    """{zone id: the booleans its migrated terms stand for}: what the reverse sets again."""
    Change = apps.get_model("autonomy", "AutonomyTermChange")
    by_power = {power: flag for flag, (_, power) in FLAGS.items()}
    found = {}
    for zone_id, power in Change.objects.filter(reason=MIGRATED_REASON, from_status="").values_list(
        "term__zone_id", "term__power"
    ):
        found.setdefault(zone_id, set()).add(by_power[power])
    return found


def forward(apps, schema_editor):
    Zone = apps.get_model("zones", "Zone")
    held = Q()
    for flag in FLAGS:
        held |= Q(**{flag: True})
    zones = Zone._base_manager.filter(held).order_by("pk")
    write_terms(apps, zones.values("pk", "autonomy_agreement_date", "autonomy_agreement_url", *FLAGS))


def backward(apps, schema_editor):
    Zone = apps.get_model("zones", "Zone")
    Term = apps.get_model("autonomy", "AutonomyTerm")
    Change = apps.get_model("autonomy", "AutonomyTermChange")
    for zone_id, flags in migrated_flags(apps).items():
        Zone._base_manager.filter(pk=zone_id).update(**{flag: True for flag in flags})
    migrated = Change.objects.filter(reason=MIGRATED_REASON, from_status="").values("term_id")
    Term.objects.filter(pk__in=migrated).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("autonomy", "0002_initial"),
        ("zones", "0004_accountability_settings_and_renewal"),
    ]

    operations = [migrations.RunPython(forward, backward)]
