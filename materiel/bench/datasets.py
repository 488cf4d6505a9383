"""Bench data sets, one per database and scale, kept under MATERIEL_DATA_DIR/bench/ and reused.

SQLite: a data directory per scale (its own materiel.sqlite3). PostgreSQL: a cluster per scale in
the same place, started for the run on a free loopback port and stopped afterwards (as
scripts/with-postgres.sh does, but kept, so a million items are generated once).
"""

import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings


def bench_dir(db: str, items: int) -> Path:
    return Path(settings.DATA_DIR) / "bench" / f"{db}-{items}"


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found (Debian package postgresql)")
    return found[-1]


def _as_postgres() -> list[str]:
    # PostgreSQL refuses to run as root: as root the cluster runs as Debian's "postgres" user.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_cluster(directory: Path):
    """A running cluster in `directory` (created on first use); yields its DATABASE_URL."""
    pg, run = _pg_bin(), _as_postgres()
    data = directory / "pgdata"
    directory.mkdir(parents=True, exist_ok=True)
    if run:
        shutil.chown(directory, "postgres")
    if not (data / "PG_VERSION").exists():
        subprocess.run(
            [*run, str(pg / "initdb"), "-D", str(data), "-U", "materiel", "--auth=trust", "-E", "UTF8"]
            + ["--locale=C.UTF-8"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    port = _free_port()
    # Durable as in production (fsync and synchronous commit on); memory sized for a small server.
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c work_mem=32MB"
    subprocess.run(
        [*run, str(pg / "pg_ctl"), "-D", str(data), "-l", str(directory / "log"), "-w", "-o", options, "start"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield f"postgres://materiel@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run, str(pg / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.2)
