from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# Every write to the authorised holdings raises a counter, whoever writes (ORM, bulk, raw SQL, another
# process): the cache of authorised totals per subtree (ledger.coefficients) is keyed by it.
TABLE = "catalog_authorizedholding"
BUMP = "UPDATE ledger_changecounter SET value = value + 1 WHERE name = 'authorised_holdings'"


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("ledger", "ChangeCounter").objects.create(name="authorised_holdings")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE OR REPLACE FUNCTION authorised_holdings_changed() RETURNS trigger AS $$ "
            f"BEGIN {BUMP}; RETURN NULL; END; $$ LANGUAGE plpgsql;"
            f"CREATE TRIGGER authorised_holdings_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION authorised_holdings_changed();",
            params=None,
        )
    else:
        for op in ("INSERT", "UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER authorised_holdings_{op.lower()} AFTER {op} ON {TABLE} BEGIN {BUMP}; END;"
            )


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS authorised_holdings_changed ON {TABLE};"
            "DROP FUNCTION IF EXISTS authorised_holdings_changed();",
            params=None,
        )
    else:
        for op in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS authorised_holdings_{op}")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_rollup_snapshots"), ("catalog", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="ChangeCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=40, unique=True)),
                ("value", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
