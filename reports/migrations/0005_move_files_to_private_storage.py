"""Files stored before private storage (under MEDIA_ROOT, served by URL) move there under unguessable names."""

from django.db import migrations

from web.files import move_to_private_storage


def move_files(apps, schema_editor):
    move_to_private_storage(apps.get_model("reports", "ReportRun"))


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_alter_reportrun_file")]

    operations = [migrations.RunPython(move_files, migrations.RunPython.noop)]
