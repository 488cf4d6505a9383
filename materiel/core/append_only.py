"""A PostgreSQL trigger that refuses UPDATE and DELETE on a table, as a migration operation.

The last line of defence for append-only tables (ledger events, unit changes, the audit log): even a
raw SQL statement fails. Models and querysets refuse first; SQLite relies on them alone.
"""

from django.db import migrations


def _sql(table: str) -> tuple[str, str]:
    function, trigger = f"{table}_append_only", f"{table}_no_update_delete"
    create = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only: record a correcting entry instead (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    drop = f"DROP TRIGGER IF EXISTS {trigger} ON {table}; DROP FUNCTION IF EXISTS {function}();"
    return create, drop


def append_only(*tables: str) -> migrations.RunPython:
    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(_sql(table)[0], params=None)  # no params: "%" is PL/pgSQL's

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(_sql(table)[1], params=None)

    return migrations.RunPython(forwards, backwards)
