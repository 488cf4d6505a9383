from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# core.statistics.analyse refreshes the planner's statistics after a bulk write. ANALYZE is the
# owner's right, and the application's role owns no table (core.dbroles): without this function its
# ANALYZE is skipped with a mere warning, and a freshly loaded database keeps planning from
# guesses. The function analyses, with the owner's rights, only tables of its own schema that its
# owner owns; it does nothing else.
CREATE = """
CREATE OR REPLACE FUNCTION materiel_analyse(tables text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    name text;
BEGIN
    FOR name IN
        SELECT c.relname FROM pg_class c
        WHERE c.relname = ANY(tables) AND c.relkind = 'r'
          AND c.relnamespace = current_schema()::regnamespace AND pg_get_userbyid(c.relowner) = current_user
    LOOP
        EXECUTE format('ANALYZE %I', name);
    END LOOP;
END;
$$;
REVOKE ALL ON FUNCTION materiel_analyse(text[]) FROM PUBLIC;
"""
DROP = "DROP FUNCTION IF EXISTS materiel_analyse(text[]);"


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0009_wait_for_event_writers")]
    operations = [migrations.RunPython(forwards, backwards)]
