"""The monthly commissioner briefs: a django-celery-beat periodic task created with the schema.

Briefs are generated at 06:00 (America/New_York) on the 1st of each month, ahead of the
network's monthly call; commissioners are emailed a link when each brief is done. Change the
time in the Django admin (Periodic tasks); migrating again does not overwrite it.
"""

from django.db import migrations

TASK_NAME = "Monthly commissioner briefs"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="6", day_of_month="1", month_of_year="*", day_of_week="*", timezone="America/New_York"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "reports.tasks.send_monthly_briefs",
            "crontab": crontab,
            "description": "Generate each state's commissioner brief and email the commissioners a link.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
