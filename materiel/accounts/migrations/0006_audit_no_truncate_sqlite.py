from django.db import migrations

from materiel.core.append_only import no_truncate_and_sqlite


class Migration(migrations.Migration):
    """The audit log as the ledger: TRUNCATE refused on PostgreSQL, UPDATE and DELETE on SQLite."""

    dependencies = [("accounts", "0005_audit_catalogue_kinds")]
    operations = [no_truncate_and_sqlite("accounts_auditentry")]
