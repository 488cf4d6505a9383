from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# snapshots.settled_through waits for the event writers in flight with a SHARE lock on the events.
# LOCK TABLE in that mode needs UPDATE, DELETE or TRUNCATE on the table, which the application's role
# does not have (core.dbroles): this function, run with the owner's rights, takes that lock and
# nothing else. The lock lasts until the caller's transaction ends, as before.
CREATE = """
CREATE OR REPLACE FUNCTION ledger_event_wait_for_writers() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    LOCK TABLE ledger_event IN SHARE MODE;
END;
$$;
REVOKE ALL ON FUNCTION ledger_event_wait_for_writers() FROM PUBLIC;
"""
DROP = "DROP FUNCTION IF EXISTS ledger_event_wait_for_writers();"


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0008_append_only_everywhere")]
    operations = [migrations.RunPython(forwards, backwards)]
