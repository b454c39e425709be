"""Rows that existed before change tracking got the upgrade's time as ``created_at`` and
``updated_at``: take them from each row's history instead (its first and last record), where it has one."""

from django.db import migrations
from django.db.models import F, Max, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce, Least

TRACKED = {
    "accountability": ["metric", "baseline", "target", "measurement", "statusupdate", "reportingperiod",
                       "periodsubmission", "renewaldecision", "exitcriterion"],
    "autonomy": ["autonomyterm", "autonomycheckin", "autonomytermchange"],
    "comments": ["comment"],
    "contracts": ["performancecontract", "contractdeliverable", "contracttarget", "annualreview", "reviewevidence"],
    "funding": ["funder", "commitment", "expenditure", "award", "awardamendment", "matchrule", "budget",
                "recurringcost"],
    "imports": ["importbatch"],
    "network": ["activityreport", "meeting", "meetingdocument", "actionitem"],
    "partners": ["leadpartner", "nationalcollaborator", "collaboratorengagement"],
    "proposals": ["changeproposal"],
    "reports": ["reportrun"],
    "schools": ["school"],
    "zones": ["state", "district", "zone"],
}


def backfill(apps, schema_editor):
    for app_label, model_names in TRACKED.items():
        for model_name in model_names:
            model = apps.get_model(app_label, model_name)
            try:
                history = apps.get_model(app_label, f"historical{model_name}")
            except LookupError:
                continue
            records = history.objects.filter(id=OuterRef("pk")).order_by().values("id")
            first = Subquery(records.annotate(at=Min("history_date")).values("at")[:1])
            last = Subquery(records.annotate(at=Max("history_date")).values("at")[:1])
            model._base_manager.update(
                created_at=Least(F("created_at"), Coalesce(first, F("created_at"))),
                updated_at=Coalesce(last, F("updated_at")),
            )


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0001_initial"),
        ("accountability", "0009_change_tracking"),
        ("autonomy", "0005_change_tracking"),
        ("comments", "0005_change_tracking"),
        ("contracts", "0003_change_tracking"),
        ("funding", "0009_change_tracking"),
        ("imports", "0007_change_tracking"),
        ("network", "0002_change_tracking"),
        ("partners", "0005_change_tracking"),
        ("proposals", "0004_change_tracking"),
        ("reports", "0010_change_tracking"),
        ("schools", "0005_change_tracking"),
        ("zones", "0007_change_tracking"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
