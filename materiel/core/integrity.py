"""The database engine's own check of its files, for `materiel verify` and `materiel restore`.

The ledger's hashes prove the rows say what was written; they cannot see a damaged page or an index
that no longer matches its table (a torn copy of a SQLite file can pass the ledger check and still
fail here). SQLite: `PRAGMA integrity_check` and `PRAGMA foreign_key_check`. PostgreSQL: the
`amcheck` extension (`verify_heapam` on every table, `bt_index_check` on every B-tree index) when it
is installed or this role may create it; otherwise a lighter check that reads every table in full
and compares its row count with its primary-key index.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

LIMIT = 100  # a badly damaged file reports thousands of lines; the first hundred say enough

SQLITE = "PRAGMA integrity_check, foreign_key_check"
AMCHECK = "amcheck: verify_heapam, bt_index_check"
LIGHT = "đọc toàn bộ bảng, so số dòng với chỉ mục khóa chính (không có amcheck)"


@dataclass
class DatabaseCheck:
    method: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, text: str) -> None:
        if len(self.problems) < LIMIT:
            self.problems.append(text)


def check_database(conn: BaseDatabaseWrapper = connection) -> DatabaseCheck:
    if conn.vendor == "sqlite":
        return _check_sqlite(conn)
    if conn.vendor == "postgresql":
        return _check_postgresql(conn)
    return DatabaseCheck(method=f"không hỗ trợ {conn.vendor}")


def _check_sqlite(conn: BaseDatabaseWrapper) -> DatabaseCheck:
    check = DatabaseCheck(method=SQLITE)
    with conn.cursor() as cursor:
        cursor.execute(f"PRAGMA integrity_check({LIMIT})")
        rows = [row[0] for row in cursor.fetchall()]
        if rows != ["ok"]:
            for row in rows:
                check.problem(f"Tệp cơ sở dữ liệu hỏng (integrity_check): {row}")
        cursor.execute("PRAGMA foreign_key_check")
        for table, rowid, parent, _fk in cursor.fetchall()[:LIMIT]:
            check.problem(f"Bảng {table}, dòng {rowid}: tham chiếu tới {parent} không tồn tại (foreign_key_check).")
    return check


# amcheck's functions are the superuser's until a DBA grants them (docs/operations.md).
AMCHECK_FUNCTIONS = (
    "bt_index_check(regclass, boolean)",
    "verify_heapam(regclass, boolean, boolean, text, bigint, bigint)",
)


def _has_amcheck(conn: BaseDatabaseWrapper) -> bool:
    with conn.cursor() as cursor:
        try:
            with transaction.atomic(using=conn.alias):
                cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'")
                if not cursor.fetchone():
                    # Only a superuser (or a role a DBA allowed to) may create it; anyone else falls back.
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
                for function in AMCHECK_FUNCTIONS:
                    cursor.execute("SELECT has_function_privilege(%s, 'EXECUTE')", [function])
                    if not cursor.fetchone()[0]:
                        return False
            return True
        except DatabaseError:
            return False


TABLES = """
    SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY 1
"""
INDEXES = """
    SELECT c.oid::regclass::text, i.indisprimary FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND am.amname = 'btree' AND i.indisvalid AND i.indisready ORDER BY 1
"""


def _check_postgresql(conn: BaseDatabaseWrapper) -> DatabaseCheck:
    amcheck = _has_amcheck(conn)
    check = DatabaseCheck(method=AMCHECK if amcheck else LIGHT)
    with conn.cursor() as cursor:
        cursor.execute(TABLES)
        tables = cursor.fetchall()
        cursor.execute(INDEXES)
        indexes = cursor.fetchall()
    for (table,) in tables:
        try:
            with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
                if amcheck:
                    cursor.execute("SELECT blkno, offnum, msg FROM verify_heapam(%s::regclass) LIMIT 20", [table])
                    for block, offset, message in cursor.fetchall():
                        check.problem(f"Bảng {table}, khối {block}, dòng {offset}: {message} (verify_heapam).")
                else:
                    _compare_counts(cursor, table, check)
        except DatabaseError as error:
            check.problem(f"Bảng {table}: không đọc được ({error}).".replace("\n", " "))
    if amcheck:
        for index, primary in indexes:
            try:
                # heapallindexed (every row found in the index) costs a table scan: primary keys only.
                with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
                    cursor.execute("SELECT bt_index_check(%s::regclass, %s)", [index, primary])
            except DatabaseError as error:
                check.problem(f"Chỉ mục {index}: hỏng ({error}).".replace("\n", " "))
    return check


def _compare_counts(cursor: Any, table: str, check: DatabaseCheck) -> None:
    """Count the rows twice: reading the whole table, then only its primary-key index."""
    # `table` comes from regclass::text, which quotes a name that needs it.
    for setting in ("enable_indexscan", "enable_indexonlyscan", "enable_bitmapscan"):
        cursor.execute(f"SET LOCAL {setting} = off")
    cursor.execute(f"SELECT count(*) FROM {table}")
    in_table = cursor.fetchone()[0]
    for setting in ("enable_indexscan", "enable_indexonlyscan", "enable_bitmapscan"):
        cursor.execute(f"SET LOCAL {setting} = on")
    cursor.execute("SET LOCAL enable_seqscan = off")
    cursor.execute(f"SELECT count(*) FROM {table}")
    in_index = cursor.fetchone()[0]
    if in_table != in_index:
        check.problem(f"Bảng {table}: {in_table} dòng trong bảng nhưng {in_index} dòng theo chỉ mục.")
