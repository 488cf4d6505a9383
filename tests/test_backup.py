"""`materiel backup` and `materiel restore`: a copy taken under write load restores and verifies;
a damaged or mismatched backup is refused; a database holding data is replaced only when told, and
kept aside. Real files, real databases (the suite's SQLite file or PostgreSQL cluster)."""

import hashlib
import json
import os
import sqlite3
import threading
from contextlib import closing
from dataclasses import asdict
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from materiel.core import integrity
from materiel.ledger import services
from materiel.ledger.backup import BackupError, Manifest, manifest_path, pg_admin, pointed_at, read_manifest
from materiel.ledger.models import Event
from materiel.ledger.verify import verify_ledger

D = date(2022, 6, 1)
WRITERS = 20
ITEMS_EACH = 5  # each writer: a receipt and a grade change per item, 10 writes


def receive(world, serial):
    return services.record_receipt(
        equipment_type=world.rifle, serial=serial, unit=world.district_a1, grade=2, occurred_on=D, actor=world.officer
    ).item


@pytest.fixture
def target(tmp_path):
    """Where a restore goes: a file beside the backups, or a scratch PostgreSQL database (dropped after)."""
    if connection.vendor == "sqlite":
        yield str(tmp_path / "restored.sqlite3")
        return
    name = f"restore_check_{os.getpid()}"
    yield name
    from psycopg import sql

    with pg_admin() as admin:
        names = admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [name + "%"]).fetchall()
        for (found,) in names:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(found)))


def restore(file, target, *args):
    out = StringIO()
    call_command("restore", str(file), "--into", target, *args, stdout=out)
    return out.getvalue()


def rewrite_manifest(file: Path, **changes):
    manifest = read_manifest(file)
    manifest_path(file).write_text(json.dumps({**asdict(manifest), **changes}))


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_while_20_writers_write_restores_and_verifies(world, tmp_path, target):
    started = threading.Barrier(WRITERS + 1)
    failures = []

    def write(n):
        try:
            for i in range(ITEMS_EACH):
                item = receive(world, f"W{n:02d}-{i}")
                if i == 0:
                    started.wait()  # the backup begins once every writer has written and goes on writing
                services.record_grade_change(item, grade=3, reason="Kiểm tra", occurred_on=D, actor=world.officer)
        except Exception as exc:  # noqa: BLE001 - reported below, a thread cannot raise into the test
            failures.append(repr(exc))
            started.abort()
        finally:
            connection.close()  # each thread's own connection; left open it blocks dropping the test database

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    started.wait()
    at_start = Event.objects.count()
    # Backups one after another while the writers write (at least one, at most four), each of
    # which must restore to exactly what its manifest says.
    backups = []
    while not backups or (len(backups) < 4 and any(t.is_alive() for t in threads)):
        backups.append(tmp_path / f"materiel-{len(backups)}.backup")
        call_command("backup", str(backups[-1]), stdout=StringIO())
    for thread in threads:
        thread.join(60)
    assert failures == []
    total = Event.objects.count()
    assert total == Event.objects.filter(item__serial__startswith="W").count() == WRITERS * ITEMS_EACH * 2

    for k, file in enumerate(backups):
        manifest = read_manifest(file)
        assert at_start <= manifest.events <= total
        assert manifest.engine == connection.vendor
        assert manifest.sha256 == hashlib.sha256(file.read_bytes()).hexdigest()
        output = restore(file, f"{target}_{k}")
        assert "Khôi phục xong" in output and "ANALYZE" in output
        with pointed_at(f"{target}_{k}"):
            assert Event.objects.count() == manifest.events
            assert Event.objects.order_by("-id").values_list("id", flat=True).first() == manifest.last_event_id
            report = verify_ledger(database=True)
        assert report.ok, report.problems
        assert report.events == manifest.events and report.database


@pytest.fixture
def backed_up(world, tmp_path):
    """A small ledger and its backup (taken outside a transaction: transactional tests only)."""
    for serial in ("AK-1", "AK-2"):
        receive(world, serial)
    file = tmp_path / "materiel.backup"
    call_command("backup", str(file), stdout=StringIO())
    return file


@pytest.mark.django_db(transaction=True)
def test_a_backup_never_overwrites_a_file(backed_up):
    with pytest.raises(CommandError, match="đã có"):
        call_command("backup", str(backed_up), stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_a_changed_byte_is_refused_by_the_digest(backed_up, target):
    data = bytearray(backed_up.read_bytes())
    data[len(data) // 2] ^= 0xFF
    backed_up.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="SHA-256"):
        restore(backed_up, target)
    assert_nothing_swapped_in(target)


def assert_nothing_swapped_in(target):
    """A refused restore leaves no target and no staged copy behind."""
    if connection.vendor == "sqlite":
        assert not Path(target).exists() and not list(Path(target).parent.glob("*.restoring*"))
    else:
        with pg_admin() as admin:
            assert admin.execute("SELECT 1 FROM pg_database WHERE datname LIKE %s", [target + "%"]).fetchone() is None


@pytest.mark.django_db(transaction=True)
def test_a_backup_without_its_manifest_is_refused(backed_up, target):
    manifest_path(backed_up).unlink()
    with pytest.raises(CommandError, match="bản kê khai"):
        restore(backed_up, target)


@pytest.mark.django_db(transaction=True)
def test_a_manifest_that_does_not_describe_the_file_is_refused(backed_up, target):
    rewrite_manifest(backed_up, events=read_manifest(backed_up).events + 1)
    with pytest.raises(CommandError, match="khác bản kê khai"):
        restore(backed_up, target)
    assert_nothing_swapped_in(target)


@pytest.mark.django_db(transaction=True)
def test_a_manifest_of_another_engine_is_refused(backed_up, target):
    rewrite_manifest(backed_up, engine="oracle")
    with pytest.raises(CommandError, match="oracle"):
        restore(backed_up, target)


@pytest.mark.django_db(transaction=True)
def test_a_backup_failing_the_sqlite_integrity_check_is_refused(backed_up, tmp_path, target):
    if connection.vendor != "sqlite":
        pytest.skip("PRAGMA foreign_key_check is SQLite's")
    # A reference to a unit that does not exist, written with the foreign keys off: the ledger's hashes
    # cannot see it, the engine's check does. The manifest is made to match, as a careless copy's would.
    with closing(sqlite3.connect(backed_up)) as copy:
        copy.execute("PRAGMA foreign_keys = OFF")
        copy.execute("UPDATE accounts_user SET unit_id = 999999 WHERE username = 'quantri'")
        copy.commit()
    rewrite_manifest(
        backed_up, size=backed_up.stat().st_size, sha256=hashlib.sha256(backed_up.read_bytes()).hexdigest()
    )
    with pytest.raises(CommandError, match="foreign_key_check"):
        restore(backed_up, target)
    assert_nothing_swapped_in(target)


@pytest.mark.django_db(transaction=True)
def test_a_database_holding_data_is_replaced_only_with_force_and_kept_aside(world, backed_up, target):
    restore(backed_up, target)
    with pytest.raises(CommandError, match="đang có dữ liệu"):
        restore(backed_up, target)
    receive(world, "AK-3")  # the live database moves on; a second backup has one more event
    second = backed_up.with_name("second.backup")
    call_command("backup", str(second), stdout=StringIO())
    output = restore(second, target, "--force")
    assert "giữ lại" in output
    with pointed_at(target):
        assert Event.objects.count() == read_manifest(second).events == read_manifest(backed_up).events + 1
    if connection.vendor == "sqlite":
        [aside] = Path(target).parent.glob("restored.sqlite3.before-restore-*")
    else:
        with pg_admin() as admin:
            [(aside,)] = admin.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", [target + "_before_restore_%"]
            ).fetchall()
    with pointed_at(aside):
        assert Event.objects.count() == read_manifest(backed_up).events


@pytest.mark.django_db(transaction=True)
def test_a_postgresql_database_in_use_is_not_replaced(backed_up, target):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite cannot tell whether a server still has the file open: docs/operations.md")
    import psycopg

    restore(backed_up, target)
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=target, host=settings["HOST"], port=settings["PORT"], user=settings["USER"]
    ) as server:  # a server still running on it
        with pytest.raises(CommandError, match="đang có kết nối"):
            restore(backed_up, target, "--force")
        assert server.execute("SELECT count(*) FROM ledger_event").fetchone()[0] == read_manifest(backed_up).events
    with pg_admin() as admin:
        names = admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [target + "%"]).fetchall()
    assert names == [(target,)]  # the staged copy was dropped, nothing was renamed


@pytest.mark.django_db(transaction=True)
def test_verify_runs_the_engines_check_and_says_which(backed_up):
    out = StringIO()
    call_command("verify", stdout=out)
    text = out.getvalue()
    # amcheck where the service's role may run it (a DBA's grant: docs/operations.md), else the
    # lighter read-through; the test cluster's application role owns nothing and has no such grant.
    if connection.vendor == "sqlite":
        expected = integrity.SQLITE
    else:
        expected = integrity.AMCHECK if integrity._has_amcheck(connection) else integrity.LIGHT
    assert f"Kiểm tra tệp cơ sở dữ liệu: {expected}." in text and "toàn vẹn" in text


def test_without_amcheck_postgresql_gets_the_lighter_check(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("amcheck is PostgreSQL's")
    monkeypatch.setattr(integrity, "_has_amcheck", lambda conn: False)
    check = integrity.check_database()
    assert check.method == integrity.LIGHT and check.ok, check.problems


def test_a_manifest_reads_back_what_was_written(tmp_path):
    file = tmp_path / "x.backup"
    manifest = Manifest(
        created_at="2026-01-01T00:00:00+00:00",
        engine="sqlite",
        file="x.backup",
        size=1,
        sha256="0" * 64,
        events=3,
        last_event_id=3,
        last_seal_digest=None,
        last_sealed_event_id=None,
        server_version="3",
        materiel_version="0",
    )
    manifest_path(file).write_text(json.dumps(asdict(manifest)))
    assert read_manifest(file) == manifest
    for broken in ({"format": "khác"}, {"events": "ba"}, {"size": None}):
        manifest_path(file).write_text(json.dumps({**asdict(manifest), **broken}))
        with pytest.raises(BackupError, match="không hợp lệ"):
            read_manifest(file)
