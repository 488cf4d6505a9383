from django.db import migrations

from materiel.core.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_rolepolicy_auditentry")]
    operations = [append_only("accounts_auditentry")]
