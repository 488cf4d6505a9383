"""The sheets' step log append-only in the database too (as the disposal proposals' log)."""

from django.db import migrations

from materiel.core.append_only import no_truncate_and_sqlite


class Migration(migrations.Migration):
    dependencies = [("counts", "0001_initial")]
    operations = [no_truncate_and_sqlite("counts_step", with_row_triggers=True)]
