"""Live progress and cancel requests of running imports, outside the database.

A commit holds SQLite's write lock for its whole transaction, so neither the worker's progress nor a
user's "cancel" can be written to a table while it runs. Both go through the "progress" cache (files
under the data directory, shared by the web and worker processes of one server) keyed by the job's key.

So does the heartbeat: the process running a step (a worker, or the web process for a small file)
renews a lease of IMPORT_LEASE_SECONDS from a thread of its own; an entry that has expired means that
process is gone (killed, crashed, the server restarted), and jobs.expire_if_gone marks the job failed.
"""

import threading
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import caches


class Cancelled(Exception):
    """Raised inside a running import when its user asked to cancel; the transaction rolls back."""


def _cache():
    return caches["progress"]


def report(key, phase: str, done: int = 0, total: int = 0) -> None:
    _cache().set(f"import:{key}", {"phase": phase, "done": done, "total": total})


def read(key) -> dict | None:
    return _cache().get(f"import:{key}")


def request_cancel(key) -> None:
    _cache().set(f"import-cancel:{key}", True)


def cancel_requested(key) -> bool:
    return bool(_cache().get(f"import-cancel:{key}"))


def clear(key) -> None:
    _cache().delete_many([f"import:{key}", f"import-cancel:{key}", f"import-beat:{key}"])


def lease_seconds() -> float:
    return float(settings.IMPORT_LEASE_SECONDS)


def beat(key) -> None:
    """Renew the lease of the process working on the job: it expires by itself if no one renews it."""
    _cache().set(f"import-beat:{key}", True, timeout=lease_seconds())


def alive(key) -> bool:
    return bool(_cache().get(f"import-beat:{key}"))


@contextmanager
def heartbeat(key):
    """Hold the job's lease while the block runs: renewed four times per lease by a daemon thread, so it
    goes on even while the main thread sits in one long query or flush. The lease is written before the
    block starts (a step claims its job only after), so a claimed job always has one."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(lease_seconds() / 4):
            beat(key)

    beat(key)
    thread = threading.Thread(target=renew, name=f"import-lease-{key}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def reporter(key, phase: str):
    """A progress callback for build_plan / commit_plan that also stops the work on a cancel request."""

    def callback(done: int, total: int) -> None:
        if cancel_requested(key):
            raise Cancelled
        report(key, phase, done, total)

    return callback
