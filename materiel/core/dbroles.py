"""Two PostgreSQL roles: the owner of the tables, who migrates, and the application, who owns nothing.

A role that owns no table cannot `ALTER TABLE … DISABLE TRIGGER`, cannot `TRUNCATE` what it was not
granted, and here has only SELECT and INSERT on the append-only tables: the application's own
credentials cannot rewrite the ledger. `DATABASE_URL` names the application's role;
`MATERIEL_MIGRATE_DATABASE_URL` the owner's (same database: its name is DATABASE_URL's). Without the
second one, one role does everything, as before (docs/security.md).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections

from .append_only import TABLES

CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")
_switched: dict[str, str] = {}  # alias -> the application's role, while connected as the owner


def owner_settings() -> dict[str, Any] | None:
    return getattr(settings, "MATERIEL_DB_OWNER", None)


@contextmanager
def as_owner(alias: str = "default") -> Iterator[str | None]:
    """Connect as the owner for the duration; yields the application's role to grant to (None when
    there is no separate owner). Database name and options stay the connection's own (the test
    database under pytest)."""
    connection = connections[alias]
    owner = owner_settings()
    if connection.vendor != "postgresql" or not owner or connection.settings_dict["USER"] == owner["USER"]:
        yield _switched.get(alias)  # inside an outer as_owner (migrate inside the test setup): its role
        return
    saved: dict[str, Any] = {key: connection.settings_dict.get(key) for key in CREDENTIALS}
    connection.close()
    connection.settings_dict.update({key: owner.get(key) for key in CREDENTIALS})
    _switched[alias] = saved["USER"]
    try:
        yield saved["USER"]
    finally:
        del _switched[alias]
        connection.close()
        connection.settings_dict.update(saved)


def grant_application_privileges(role: str, alias: str = "default") -> None:
    """As the owner, after every migration (so new tables are granted too): read and write every
    table, but only read and insert the append-only ones; sequences for the ids."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    append_only = ", ".join(quote(table) for table in TABLES)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = quote(cursor.fetchone()[0])
        for sql in (
            f"GRANT USAGE ON SCHEMA {schema} TO {quote(role)}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {quote(role)}",
            f"REVOKE UPDATE, DELETE, TRUNCATE ON {append_only} FROM {quote(role)}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quote(role)}",
        ):
            cursor.execute(sql)
        # The one lock the application needs beyond its privileges (migration ledger/0009).
        # The owner's functions the application calls (migrations ledger/0009 and 0010): the lock it
        # needs beyond its privileges, and ANALYZE after a bulk write.
        for function in ("ledger_event_wait_for_writers()", "materiel_analyse(text[])"):
            cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [function])
            if cursor.fetchone()[0]:
                cursor.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {quote(role)}")
