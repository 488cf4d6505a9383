from django.db import migrations

# The last line of defence for "events are never edited or deleted": even a raw SQL UPDATE or
# DELETE against the event table fails on PostgreSQL. (Models and querysets refuse it first.)
CREATE = """
CREATE OR REPLACE FUNCTION ledger_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger_event is append-only: record a reversal event instead (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_event_no_update_delete BEFORE UPDATE OR DELETE ON ledger_event
    FOR EACH ROW EXECUTE FUNCTION ledger_event_append_only();
CREATE OR REPLACE FUNCTION ledger_unitchange_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'units_unitchange is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER units_unitchange_no_update_delete BEFORE UPDATE OR DELETE ON units_unitchange
    FOR EACH ROW EXECUTE FUNCTION ledger_unitchange_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS ledger_event_no_update_delete ON ledger_event;
DROP FUNCTION IF EXISTS ledger_event_append_only();
DROP TRIGGER IF EXISTS units_unitchange_no_update_delete ON units_unitchange;
DROP FUNCTION IF EXISTS ledger_unitchange_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial"), ("units", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
