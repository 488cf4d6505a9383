"""Writing past the append-only triggers, as someone with full access to the database would.

The application cannot: on PostgreSQL that takes the tables' owner, here the test cluster's
superuser (`session_replication_role`), while the tests connect as the application's role
(scripts/with-postgres.sh); on SQLite, dropping the triggers. Tests use it to tamper with the ledger
and to empty the tables after a transactional test (conftest).
"""

from contextlib import contextmanager

from django.db import connection, connections

from materiel.core.append_only import TABLES, sqlite_sql
from materiel.core.dbroles import CREDENTIALS, owner_settings


@contextmanager
def past_the_triggers(conn=connection):
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        yield
        with conn.cursor() as cursor:
            cursor.execute("SET session_replication_role = origin")
    else:
        with conn.cursor() as cursor:
            for table in TABLES:
                for sql in sqlite_sql(table)[1]:
                    cursor.execute(sql)
        try:
            yield
        finally:
            with conn.cursor() as cursor:
                for table in TABLES:
                    for sql in sqlite_sql(table)[0]:
                        cursor.execute(sql)


@contextmanager
def owner_connection():
    """On PostgreSQL a connection of its own as the owner, in autocommit: it sees only what the
    test committed, so tests that tamper are transactional. On SQLite the test's own connection."""
    owner = owner_settings()
    if connection.vendor != "postgresql" or not owner:
        yield connection
        return
    settings_dict = {**connection.settings_dict, **{key: owner.get(key) for key in CREDENTIALS}}
    conn = type(connections["default"])(settings_dict, alias="owner")
    try:
        yield conn
    finally:
        conn.close()


def raw(sql, params=()):
    """One statement past the triggers, committed at once on PostgreSQL."""
    with owner_connection() as conn, past_the_triggers(conn), conn.cursor() as cursor:
        cursor.execute(sql, params)
