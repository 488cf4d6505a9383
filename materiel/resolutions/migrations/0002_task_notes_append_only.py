"""The tasks' progress notes are append-only in the database too."""

from django.db import migrations

from materiel.core.append_only import no_truncate_and_sqlite


class Migration(migrations.Migration):
    dependencies = [("resolutions", "0001_initial")]
    operations = [no_truncate_and_sqlite("resolutions_tasknote", with_row_triggers=True)]
