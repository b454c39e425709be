"""Files stored before private storage (under MEDIA_ROOT, served by URL) move there under unguessable names."""

from django.db import migrations

from web.files import move_to_private_storage


def move_files(apps, schema_editor):
    move_to_private_storage(apps.get_model("imports", "ImportBatch"))


class Migration(migrations.Migration):
    dependencies = [("imports", "0002_alter_importbatch_file")]

    operations = [migrations.RunPython(move_files, migrations.RunPython.noop)]
