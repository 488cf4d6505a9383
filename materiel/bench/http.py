"""H1: the site served as in production (gunicorn, several sync workers, DEBUG off) on loopback,
loaded by wrk with 50 concurrent signed-in clients, bounded in time and in request count.

The baseline is a static file of the same server (whitenoise answers it before Django's views):
what the server and the loopback cost without our code.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

from .env import subprocess_env

# Each wrk thread counts its responses and stops at its share of the request bound; done() prints
# one JSON line with the percentiles (wrk gives microseconds) and every kind of error.
WRK_SCRIPT = """
local cookies = {COOKIES}
local limit = {LIMIT}
local counter = 0
local seen = 0
function setup(thread) thread:set("offset", counter) counter = counter + 1 end
function init(args) n = offset end
function request()
  n = n + 1
  wrk.headers["Cookie"] = cookies[(n % #cookies) + 1]
  return wrk.format("GET", wrk.path)
end
function response(status, headers, body)
  seen = seen + 1
  if seen >= limit then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sessions(user, count: int) -> list[str]:
    """`count` signed-in sessions of the user: 50 clients are 50 sessions, each written on every
    request (sliding expiry), as 50 officers at their desks would be."""
    name = settings.SESSION_COOKIE_NAME
    cookies = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        cookies.append(f"{name}={client.cookies[name].value}")
    return cookies


class Server:
    """gunicorn on a free loopback port, with its peak resident memory (master + workers) sampled."""

    def __init__(self, workers: int):
        self.port = free_port()
        self.workers = workers
        self.peak_rss_mb = 0.0
        self._stop = threading.Event()

    def __enter__(self):
        env = subprocess_env()
        env["DEBUG"] = "0"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "materiel.bench.wsgi:application", "--workers", str(self.workers)]
            + ["--bind", f"127.0.0.1:{self.port}", "--timeout", "60", "--log-level", "warning"],
            env=env,
        )
        self._wait_ready()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited at start")
            try:
                urllib.request.urlopen(self.url("/dang-nhap/"), timeout=5).read()
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def _pids(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        return [pid, *map(int, children)]

    def rss_mb(self) -> float:
        total = 0
        for pid in self._pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                continue
        return total / 1024

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.peak_rss_mb = max(self.peak_rss_mb, self.rss_mb())


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed (Debian package wrk; `make bench` installs it)")
    return found


def load(url: str, cookies: list[str], *, clients: int, seconds: int, max_requests: int) -> dict:
    threads = 2
    script = WRK_SCRIPT.replace("{COOKIES}", "{" + ",".join(json.dumps(c) for c in cookies) + "}").replace(
        "{LIMIT}", str(max(1, max_requests // threads))
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run(
            [wrk_binary(), "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "10s"]
            + ["-s", f.name, url],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(f.name)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "median": round(data["p50_us"] / 1000, 2),
        "p95": round(data["p95_us"] / 1000, 2),
        "p99": round(data["p99_us"] / 1000, 2),
        "requests": data["requests"],
        "rps": round(data["requests"] / (data["duration_us"] / 1e6), 1) if data["duration_us"] else 0,
        "errors": errors,
        "error_kinds": {k: data[k] for k in ("connect", "read", "write", "status", "timeout") if data[k]},
        "runs": data["requests"],
    }


def measured_load(url: str, cookies: list[str], clients: int, seconds: int, max_requests: int) -> dict:
    """`load`, run again for twice as long while no request completed within the run (a page slower
    than a short run, on a busy machine): a result without a single sample measures nothing."""
    for attempt in range(4):
        measured = load(url, cookies, clients=clients, seconds=seconds * 2**attempt, max_requests=max_requests)
        if measured["requests"]:
            break
    return measured


def h1(ctx, *, clients: int = 50, seconds: int = 15, max_requests: int = 20000, workers: int | None = None) -> dict:
    from .scenarios import register_filters

    workers = workers or 2 * (os.cpu_count() or 1) + 1
    call_command("collectstatic", interactive=False, verbosity=0)
    cookies = sessions(ctx.user, clients)
    params = register_filters(ctx)
    register = "/trang-bi/?" + "&".join(f"{k}={urllib.parse.quote(v)}" for k, v in params.items())
    pages = {"dashboard": f"/?unit={ctx.root.code}", "register": register}
    results = {}
    with Server(workers) as server:
        trivial = load(server.url(static("web/site.css")), cookies, clients=clients, seconds=5, max_requests=5000)
        for name, path in pages.items():
            warm = urllib.request.Request(server.url(path), headers={"Cookie": cookies[0]})
            urllib.request.urlopen(warm, timeout=60).read()
            # Every worker's first request of a page is cold (imports, caches): one round of the
            # whole load, discarded, so that a short run does not measure only cold starts.
            load(server.url(path), cookies, clients=clients, seconds=2, max_requests=4 * workers)
            measured = measured_load(server.url(path), cookies, clients, seconds, max_requests)
            results[f"H1 {name}"] = {
                "what": f"{name} {path} under {clients} concurrent signed-in clients, gunicorn {workers} workers",
                "unit": "ms",
                **measured,
                "baseline": {"what": "a static file of the same server (whitenoise)", **trivial},
                "ratio": round(measured["p95"] / trivial["p95"], 1) if trivial["p95"] else None,
                "ratio_of": "p95",
            }
        peak = round(server.peak_rss_mb, 1)
    for row in results.values():
        row["server_peak_rss_mb"] = peak
    return results
