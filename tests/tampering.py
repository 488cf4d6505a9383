"""Writing past the append-only triggers, as someone with full access to the database would.

The application cannot: on PostgreSQL that takes a superuser (`session_replication_role`), on SQLite
dropping the triggers. Tests use it to tamper with the ledger and to empty the tables after a
transactional test (conftest).
"""

from contextlib import contextmanager

from django.db import connection

from materiel.core.append_only import TABLES, sqlite_sql


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


def raw(sql, params=()):
    """One statement past the triggers."""
    with past_the_triggers(), connection.cursor() as cursor:
        cursor.execute(sql, params)
