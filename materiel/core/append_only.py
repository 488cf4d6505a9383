"""Database triggers that keep append-only tables append-only, as migration operations.

The last line of defence for the ledger's events, its seals, unit changes, the audit log, the work
orders' state logs and the depot condition logs: even a raw SQL statement fails. Models and
querysets refuse first. On PostgreSQL row triggers refuse UPDATE and DELETE and a statement trigger
refuses TRUNCATE; the application connects as a role that owns no table, so it cannot switch them
off (docs/security.md). On SQLite the same refusals are triggers of its own; whoever can write the
file can drop them, which the seals then reveal.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# Every table the triggers protect, for the tests that tamper past them (tests/tampering.py).
TABLES = (
    "ledger_event",
    "ledger_ledgerseal",
    "units_unitchange",
    "accounts_auditentry",
    "workorders_statechange",
    "storage_depotreading",
    "storage_acknowledgement",
    "disposal_step",
    "resolutions_tasknote",
    "counts_step",
)


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


def _truncate_sql(table: str) -> tuple[str, str]:
    """A statement trigger (row triggers never see TRUNCATE), calling the function of _sql."""
    trigger = f"{table}_no_truncate"
    create = (
        f"CREATE TRIGGER {trigger} BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only();"
    )
    return create, f"DROP TRIGGER IF EXISTS {trigger} ON {table};"


def sqlite_sql(table: str) -> tuple[list[str], list[str]]:
    create, drop = [], []
    for op in ("UPDATE", "DELETE"):
        trigger = f"{table}_no_{op.lower()}"
        create.append(
            f"CREATE TRIGGER {trigger} BEFORE {op} ON {table} BEGIN "
            f"SELECT RAISE(ABORT, '{table} is append-only: record a correcting entry instead ({op} refused)'); END;"
        )
        drop.append(f"DROP TRIGGER IF EXISTS {trigger};")
    return create, drop


def append_only(*tables: str) -> migrations.RunPython:
    """PostgreSQL's row triggers (migrations ledger/0002, accounts/0004); nothing on SQLite."""

    def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(_sql(table)[0], params=None)  # no params: "%" is PL/pgSQL's

    def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for table in tables:
                schema_editor.execute(_sql(table)[1], params=None)

    return migrations.RunPython(forwards, backwards)


def no_truncate_and_sqlite(*tables: str, with_row_triggers: bool = False) -> migrations.RunPython:
    """PostgreSQL's TRUNCATE trigger (and, for a table new to this, the row triggers first), and
    SQLite's UPDATE and DELETE triggers."""

    def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for table in tables:
            if schema_editor.connection.vendor == "postgresql":
                if with_row_triggers:
                    schema_editor.execute(_sql(table)[0], params=None)
                schema_editor.execute(_truncate_sql(table)[0], params=None)
            elif schema_editor.connection.vendor == "sqlite":
                for sql in sqlite_sql(table)[0]:
                    schema_editor.execute(sql, params=None)

    def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for table in tables:
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(_truncate_sql(table)[1], params=None)
                if with_row_triggers:
                    schema_editor.execute(_sql(table)[1], params=None)
            elif schema_editor.connection.vendor == "sqlite":
                for sql in sqlite_sql(table)[1]:
                    schema_editor.execute(sql, params=None)

    return migrations.RunPython(forwards, backwards)
