"""Planner statistics refreshed after bulk writes.

A table filled by one large write (the seeder, a 100k-row import, a restore) has no statistics until
autovacuum gets to it, and PostgreSQL then plans from guesses: the past-day fold once ran for minutes
in CI on a freshly seeded database. The heavy queries are written so that their plans do not depend
on the estimates (docs/decisions.md), and the writers that fill tables in bulk refresh the statistics
as well, so that every other query is planned from real numbers too.
"""

from django.db import connection

# Below this many rows a write cannot mislead the planner enough to matter, and ANALYZE (a sample of
# every column of the table) would cost more than it saves.
BULK_ROWS = 5000


def analyse(*tables: str) -> None:
    """Refresh the planner's statistics of `tables`, inside the caller's transaction.

    PostgreSQL counts the rows the current transaction inserted, so a seeder that analyses before it
    commits plans its own later queries (the snapshot build) from real numbers. SQLite stores what
    ANALYZE finds in sqlite_stat1; `PRAGMA optimize` then lets it re-plan prepared statements."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Through the owner's function (migration ledger/0010): the application's role owns no
            # table, and PostgreSQL skips a non-owner's ANALYZE with only a warning.
            cursor.execute("SELECT to_regprocedure('materiel_analyse(text[])') IS NOT NULL")
            if cursor.fetchone()[0]:
                cursor.execute("SELECT materiel_analyse(%s)", [list(tables)])
            else:
                cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        else:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            cursor.execute("PRAGMA optimize")
