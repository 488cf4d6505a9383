from django.db import migrations

from materiel.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial"), ("units", "0001_initial")]
    operations = [append_only("ledger_event", "units_unitchange")]
