from django.db import migrations

from materiel.core.append_only import no_truncate_and_sqlite


class Migration(migrations.Migration):
    """TRUNCATE refused on PostgreSQL, UPDATE and DELETE refused on SQLite, for the events and unit
    changes; the seals become append-only on both."""

    dependencies = [("ledger", "0007_seal_algorithm"), ("units", "0001_initial")]
    operations = [
        no_truncate_and_sqlite("ledger_event", "units_unitchange"),
        no_truncate_and_sqlite("ledger_ledgerseal", with_row_triggers=True),
    ]
