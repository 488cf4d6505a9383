"""`materiel backup FILE` and `materiel restore FILE`: a consistent copy taken while users write.

A plain file copy of a SQLite database in WAL mode can catch a page half-written or miss the WAL;
`sqlite3 .backup` restarts whenever a writer commits and never ends under load. So:
- SQLite: `VACUUM INTO` writes a compact copy from one read transaction; writers go on (WAL).
- PostgreSQL: `pg_dump --format=custom` from a snapshot exported by the very transaction that counts
  the events for the manifest, so the manifest describes exactly what the dump holds.

The manifest travels beside the backup as `FILE.json`: when, which engine, the SHA-256 and size of
FILE, the number of events, the last event id and the last seal's digest (read from `LedgerSeal`).

A restore never writes into the live database: it stages the backup beside it (a file next to the
SQLite database, a new PostgreSQL database), refuses it unless the digest, the engine's integrity
check and the manifest's counts all agree, runs the ledger's verify and ANALYZE on the staged copy,
and only then swaps it in, keeping the previous database aside under a dated name. It lives in the
ledger app because the manifest and the verify are the ledger's; `core.integrity` has the engine check.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, connections, transaction

from materiel.accounts.models import User
from materiel.core import statistics
from materiel.core.integrity import check_database
from materiel.units.models import Unit

from .models import Event, LedgerSeal
from .verify import Report, verify_ledger

FORMAT = "materiel-backup"
VERSION = 1
# Rows in any of these tables make a database "not empty": a restore over it needs --force.
HOLDINGS = {Event._meta.db_table: "sự kiện", Unit._meta.db_table: "đơn vị", User._meta.db_table: "tài khoản"}

Say = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore refused, with the operator's message in Vietnamese."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    engine: str  # connection.vendor: "sqlite" or "postgresql"
    file: str
    size: int
    sha256: str
    events: int
    last_event_id: int | None
    last_seal_digest: str | None
    last_sealed_event_id: int | None
    server_version: str
    materiel_version: str
    format: str = FORMAT
    version: int = VERSION

    def ledger(self) -> "LedgerSummary":
        return (self.events, self.last_event_id, self.last_seal_digest, self.last_sealed_event_id)


def manifest_path(file: Path) -> Path:
    return file.with_name(file.name + ".json")


def read_manifest(file: Path) -> Manifest:
    path = manifest_path(file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise ValueError(f"định dạng {data.get('format')!r} phiên bản {data.get('version')!r}")
        manifest = Manifest(**data)
        for name, kind in (("engine", str), ("created_at", str), ("sha256", str), ("size", int), ("events", int)):
            value = getattr(manifest, name)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ValueError(f"trường {name} = {value!r}")
        return manifest
    except FileNotFoundError:
        raise BackupError(f"Không có bản kê khai {path}: không khôi phục một tệp không rõ nguồn gốc.") from None
    except (ValueError, TypeError) as error:
        raise BackupError(f"Bản kê khai {path} không hợp lệ ({error}).") from None


# (events, last event id, last seal digest, its last event id)
LedgerSummary = tuple[int, int | None, str | None, int | None]


def _ledger_summary(cursor: Any) -> LedgerSummary:
    """(events, last event id, last seal digest, its last event id) as the cursor's database sees them."""
    cursor.execute(f"SELECT COUNT(*), MAX(id) FROM {Event._meta.db_table}")
    events, last_id = cursor.fetchone()
    cursor.execute(f"SELECT digest, last_event_id FROM {LedgerSeal._meta.db_table} ORDER BY last_event_id DESC LIMIT 1")
    seal = cursor.fetchone() or (None, None)
    return (events, last_id, seal[0], seal[1])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _materiel_version() -> str:
    try:
        return version("materiel")
    except PackageNotFoundError:
        return "?"


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


# -- backup ------------------------------------------------------------------------------------------
def backup(file: Path) -> Manifest:
    """Write a consistent copy of the configured database to `file` and its manifest beside it."""
    file = Path(file).absolute()
    if file.exists() or manifest_path(file).exists():
        raise BackupError(f"Tệp {file} đã có: chọn tên khác (sao lưu không ghi đè).")
    if not file.parent.is_dir():
        raise BackupError(f"Thư mục {file.parent} không tồn tại.")
    part = file.with_name(file.name + ".part")
    part.unlink(missing_ok=True)
    # The backup holds the whole register: readable by its owner only. VACUUM INTO writes into an
    # empty file, pg_dump truncates one; both keep the mode it was created with.
    os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    started = datetime.now(UTC)  # the copy is of the state at (about) this moment
    try:
        if connection.vendor == "sqlite":
            summary, server = _backup_sqlite(part)
        elif connection.vendor == "postgresql":
            summary, server = _backup_postgresql(part)
        else:
            raise BackupError(f"Không hỗ trợ sao lưu cơ sở dữ liệu {connection.vendor}.")
        _fsync(part)
        os.replace(part, file)
    finally:
        part.unlink(missing_ok=True)
    events, last_id, seal_digest, sealed_id = summary
    manifest = Manifest(
        created_at=started.isoformat(timespec="seconds"),
        engine=connection.vendor,
        file=file.name,
        size=file.stat().st_size,
        sha256=_sha256(file),
        events=events,
        last_event_id=last_id,
        last_seal_digest=seal_digest,
        last_sealed_event_id=sealed_id,
        server_version=server,
        materiel_version=_materiel_version(),
    )
    sidecar = manifest_path(file)
    tmp = sidecar.with_name(sidecar.name + ".part")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    tmp.write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, sidecar)
    _fsync(file.parent)
    return manifest


def _backup_sqlite(part: Path) -> tuple[LedgerSummary, str]:
    if connection.in_atomic_block:
        raise BackupError("Không sao lưu được bên trong một giao dịch.")
    with connection.cursor() as cursor:
        # One read transaction: a consistent copy of the last committed state, writers unaffected.
        cursor.execute("VACUUM INTO %s", [str(part)])
    with closing(sqlite3.connect(part.as_uri() + "?mode=ro", uri=True)) as copy:
        return _ledger_summary(copy.cursor()), sqlite3.sqlite_version


def _backup_postgresql(part: Path) -> tuple[LedgerSummary, str]:
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server = cursor.fetchone()
        summary = _ledger_summary(cursor)
        # pg_dump reads the same snapshot while this transaction holds it open.
        _run([pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={part}"], "pg_dump")
    return summary, server


# -- PostgreSQL tools and connections -------------------------------------------------------------------
def pg_tool(name: str) -> str:
    """pg_dump / pg_restore of the server's major version (Debian keeps each under its own folder)."""
    # pg_version: an attribute of PostgreSQL's connection wrapper only.
    major = connection.pg_version // 10000 if connection.vendor == "postgresql" else None  # type: ignore[attr-defined]
    candidates = [f"/usr/lib/postgresql/{major}/bin/{name}"] if major else []
    candidates.append(shutil.which(name) or "")
    for path in candidates:
        if path and os.access(path, os.X_OK):
            found = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
            numbers = re.findall(r"(\d+)(?:\.\d+)", found)
            if major is None or (numbers and int(numbers[-1]) >= major):
                return path
    raise BackupError(
        f"Không tìm thấy {name} phiên bản {major} trở lên (cài gói postgresql-client-{major} "
        "hoặc thêm thư mục chứa nó vào PATH)."
    )


def _pg_env(dbname: str | None = None) -> dict[str, str]:
    settings = connection.settings_dict
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", settings.get("HOST")),
        ("PGPORT", settings.get("PORT")),
        ("PGUSER", settings.get("USER")),
        ("PGPASSWORD", settings.get("PASSWORD")),
        ("PGDATABASE", dbname or settings.get("NAME")),
    ):
        if value:
            env[key] = str(value)
    return env


def _run(args: list[str], what: str, dbname: str | None = None) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=_pg_env(dbname), check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} thất bại (mã {done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


@contextmanager
def pg_admin() -> Iterator[Any]:
    """An autocommit connection to the cluster's `postgres` database, to create, rename and drop databases."""
    import psycopg

    from materiel.core.dbroles import owner_settings

    # As the owner where one is configured: databases are created, renamed and dropped by it.
    s = {**connection.settings_dict, **(owner_settings() or {})}
    params = {"host": s.get("HOST"), "port": s.get("PORT"), "user": s.get("USER"), "password": s.get("PASSWORD")}
    with psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in params.items() if v}) as conn:
        yield conn


def _pg_exists(admin: Any, name: str) -> bool:
    return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


# -- restore -------------------------------------------------------------------------------------------
@contextmanager
def pointed_at(name: str | Path) -> Iterator[None]:
    """Point the default connection at another database (file or name) for the block, then back.

    Django's own test runner switches to the test database the same way.
    """
    settings = connection.settings_dict
    original = settings["NAME"]
    connection.close()
    settings["NAME"] = str(name) if connection.vendor == "sqlite" else name
    try:
        yield
    finally:
        connection.close()
        settings["NAME"] = original


def restore(file: Path, *, into: str | None = None, force: bool = False, say: Say = print) -> Report:
    """Check `file` against its manifest, stage it, verify it, and put it in place of the database.

    `into` names another target (a SQLite file, a PostgreSQL database) than the configured one, for a
    restore drill. Returns the verify report of the restored database.
    """
    file = Path(file).absolute()
    manifest = read_manifest(file)
    if manifest.engine != connection.vendor:
        raise BackupError(f"Bản sao lưu của {manifest.engine}, không khôi phục vào {connection.vendor} được.")
    if not file.is_file():
        raise BackupError(f"Không có tệp {file}.")
    if file.stat().st_size != manifest.size or _sha256(file) != manifest.sha256:
        raise BackupError(f"Tệp {file} không khớp mã SHA-256 trong bản kê khai (tệp hỏng hoặc bị thay).")
    say(f"Tệp sao lưu khớp bản kê khai: {manifest.events:n} sự kiện, sao lưu lúc {manifest.created_at}.")
    connections.close_all()
    if connection.vendor == "sqlite":
        target = Path(into or connection.settings_dict["NAME"]).absolute()
        if not target.parent.is_dir():
            raise BackupError(f"Thư mục {target.parent} không tồn tại.")
        return _restore_sqlite(file, manifest, target, force, say)
    name = into or connection.settings_dict["NAME"]
    if len(name.encode()) > 63:
        raise BackupError(f"Tên cơ sở dữ liệu {name} dài quá 63 byte (giới hạn của PostgreSQL).")
    return _restore_postgresql(file, manifest, name, force, say)


def _refuse_if_holding(counts: dict[str, int], target: object, force: bool) -> None:
    held = ", ".join(f"{n:n} {HOLDINGS[t]}" for t, n in counts.items() if n)
    if held and not force:
        raise BackupError(
            f"Cơ sở dữ liệu đích {target} đang có dữ liệu ({held}). Dừng dịch vụ, rồi chạy lại với --force "
            "để thay nó (bản cũ được giữ lại bên cạnh)."
        )


def _holdings(cursor: Any, tables: set[str]) -> dict[str, int]:
    counts = {}
    for table in HOLDINGS:
        if table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _check_staged(manifest: Manifest, say: Say) -> Report:
    """On the staged copy (the default connection points at it): engine check, manifest, verify, ANALYZE."""
    try:
        check = check_database()
        if not check.ok:
            raise BackupError(f"Bản sao lưu hỏng ({check.method}), không khôi phục:\n" + "\n".join(check.problems[:50]))
        with connection.cursor() as cursor:
            found = _ledger_summary(cursor)
        if found != manifest.ledger():
            raise BackupError(
                f"Nội dung bản sao lưu khác bản kê khai: có {found[0]:n} sự kiện (đến #{found[1]}), "
                f"bản kê khai ghi {manifest.events:n} (đến #{manifest.last_event_id}), hoặc niêm phong cuối khác."
            )
        report = verify_ledger()
        report.database = check.method
        say(
            f"Đã kiểm tra {report.events:n} sự kiện, {report.items:n} trang bị, {report.lots:n} lô, "
            f"{report.seals:n} niêm phong; tệp cơ sở dữ liệu ({check.method}): không lỗi."
        )
        if not report.ok:
            problems = "\n".join(report.problems[:50])
            raise BackupError(f"Bản sao lưu không qua kiểm tra sổ sự kiện, không khôi phục:\n{problems}")
        # Every table, through the owner's function on PostgreSQL (the service's role owns none).
        statistics.analyse(*connection.introspection.table_names())
    except DatabaseError as error:
        raise BackupError(f"Bản sao lưu hỏng, không đọc được: {error}") from None
    say("Đã phân tích lại các bảng (ANALYZE).")
    return report


def _restore_sqlite(file: Path, manifest: Manifest, target: Path, force: bool, say: Say) -> Report:
    if target.exists():
        with closing(sqlite3.connect(target)) as current:
            cursor = current.cursor()
            tables = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            _refuse_if_holding(_holdings(cursor, tables), target, force)
    staged = target.with_name(target.name + ".restoring")
    _remove_sqlite(staged)
    shutil.copyfile(file, staged)
    if target.exists():
        _same_owner_and_mode(staged, target)
    try:
        with pointed_at(staged):
            report = _check_staged(manifest, say)
        # The verify opened it in WAL mode; fold the WAL back so that one file holds everything.
        with closing(sqlite3.connect(staged)) as copy:
            copy.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            copy.execute("PRAGMA journal_mode=DELETE")
        _fsync(staged)
        if target.exists():
            aside = target.with_name(f"{target.name}.before-restore-{_stamp()}")
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{target}{suffix}").exists():
                    os.replace(f"{target}{suffix}", f"{aside}{suffix}")
            say(f"Cơ sở dữ liệu cũ được giữ lại: {aside}")
        os.replace(staged, target)
        _fsync(target.parent)
    finally:
        _remove_sqlite(staged)
    say(f"Đã khôi phục {file.name} vào {target}.")
    return report


def _same_owner_and_mode(path: Path, like: Path) -> None:
    """Run as root, a restore must not leave the service a database file it cannot write."""
    stat = like.stat()
    os.chmod(path, stat.st_mode & 0o777)
    if os.geteuid() == 0:
        os.chown(path, stat.st_uid, stat.st_gid)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _restore_postgresql(file: Path, manifest: Manifest, target: str, force: bool, say: Say) -> Report:
    # Every database name below is quoted by psycopg.sql.Identifier.
    from psycopg import errors, sql

    with pg_admin() as admin:
        exists = _pg_exists(admin, target)
    if exists:
        with pointed_at(target), connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            _refuse_if_holding(_holdings(cursor, {row[0] for row in cursor.fetchall()}), target, force)
    pg_restore = pg_tool("pg_restore")
    # The archive's table of contents, read in full (a truncated or foreign file fails here), without
    # amcheck: `materiel verify` creates it where it may, and only a superuser may create it again.
    entries = _run([pg_restore, "--list", str(file)], "pg_restore --list").splitlines()
    descriptor, name = tempfile.mkstemp(prefix="materiel-restore-", suffix=".list")
    os.close(descriptor)
    listing = Path(name)
    staged = f"{target[:30]}_restoring_{_stamp().lower()}"
    try:
        listing.write_text("\n".join(e for e in entries if not re.search(r"\bEXTENSION\b.*\bamcheck\b", e)) + "\n")
        with pg_admin() as admin:
            try:
                admin.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(staged))
                )
            except errors.InsufficientPrivilege:
                raise BackupError(
                    "Vai trò PostgreSQL của dịch vụ cần quyền CREATEDB để khôi phục (ALTER ROLE … CREATEDB)."
                ) from None
        try:
            _run(
                [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
                + [f"--use-list={listing}", f"--dbname={staged}", str(file)],
                "pg_restore",
                dbname=staged,
            )
            with pointed_at(staged):
                report = _check_staged(manifest, say)
            _swap_postgresql(staged, target, exists, say)
        except BaseException:
            with pg_admin() as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(staged)))
            raise
    finally:
        listing.unlink(missing_ok=True)
    say(f"Đã khôi phục {file.name} vào cơ sở dữ liệu {target}.")
    return report


def _swap_postgresql(staged: str, target: str, exists: bool, say: Say) -> None:
    from psycopg import errors, sql

    rename = sql.SQL("ALTER DATABASE {} RENAME TO {}")
    with pg_admin() as admin:
        if exists:
            aside = f"{target[:30]}_before_restore_{_stamp().lower()}"
            try:
                admin.execute(rename.format(sql.Identifier(target), sql.Identifier(aside)))
            except errors.ObjectInUse:
                raise BackupError(
                    f"Cơ sở dữ liệu {target} đang có kết nối: dừng dịch vụ và tiến trình nền rồi chạy lại."
                ) from None
            say(f"Cơ sở dữ liệu cũ được giữ lại: {aside}")
        try:
            admin.execute(rename.format(sql.Identifier(staged), sql.Identifier(target)))
        except BaseException:
            if exists:  # put the old one back rather than leave no database under the name
                admin.execute(rename.format(sql.Identifier(aside), sql.Identifier(target)))
            raise
