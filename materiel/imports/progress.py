"""Live progress and cancel requests of running imports, outside the database.

A commit holds SQLite's write lock for its whole transaction, so neither the worker's progress nor a
user's "cancel" can be written to a table while it runs. Both go through the "progress" cache (files
under the data directory, shared by the web and worker processes of one server) keyed by the job's key.
"""

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
    _cache().delete_many([f"import:{key}", f"import-cancel:{key}"])


def reporter(key, phase: str):
    """A progress callback for build_plan / commit_plan that also stops the work on a cancel request."""

    def callback(done: int, total: int) -> None:
        if cancel_requested(key):
            raise Cancelled
        report(key, phase, done, total)

    return callback
