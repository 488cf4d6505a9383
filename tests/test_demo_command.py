"""`materiel demo` as a new user runs it: its options documented, Vietnamese start-up lines, and
stopping it stops its worker too."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def children_of(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(status.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_demo_help_names_the_address_and_the_number_of_items():
    out = subprocess.run(
        [sys.executable, "-m", "materiel.cli", "demo", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--addr" in out and "0.0.0.0:8080" in out and "--items" in out and "MATERIEL_DEMO_ITEMS" in out


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "") != "", reason="the demo runs on SQLite")
def test_the_demo_greets_in_vietnamese_and_stopping_it_stops_its_worker(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "MATERIEL_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    demo = subprocess.Popen(
        [sys.executable, "-m", "materiel.cli", "demo", "--items", "60", "--addr", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = demo.stdout.readline()
            lines.append(line)
            if "đang chạy tại" in line or not line:
                break
        output = "".join(lines)
        assert f"đang chạy tại http://127.0.0.1:{port}/" in output, output
        assert "Starting development server" not in output and "WARNING" not in output
        workers = [pid for pid in children_of(demo.pid) if "db_worker" in Path(f"/proc/{pid}/cmdline").read_text()]
        assert workers, "the demo runs its worker"
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=40)
        assert not any(alive(pid) for pid in workers), "the worker stops with the demo"
    finally:
        if demo.poll() is None:
            demo.kill()
