"""The environment of the bench's subprocesses (import worker, gunicorn): the same database as ours."""

import os
from typing import Any, cast

from django.conf import settings

DB_NAME_VARIABLE = "MATERIEL_BENCH_DB_NAME"


def point_at_bench_database() -> None:
    """In a subprocess, before any query: use the database named by the parent, if it named one."""
    name = os.environ.get(DB_NAME_VARIABLE)
    if name:
        # django-stubs types each database as a read-only Mapping; it is the settings' dict.
        cast(dict[str, Any], settings.DATABASES["default"])["NAME"] = name


def subprocess_env() -> dict:
    """Our environment, plus the name of the database this process really uses (under pytest the
    test database differs from the configured one; elsewhere they are the same)."""
    from django.db import connection

    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "materiel.settings")
    env[DB_NAME_VARIABLE] = str(connection.settings_dict["NAME"])
    return env
