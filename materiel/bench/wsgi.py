"""materiel.wsgi for the bench's server: the same application, on the database the bench runs on
(see env.point_at_bench_database; outside tests that is simply the configured database)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "materiel.settings")

from .env import point_at_bench_database  # noqa: E402

point_at_bench_database()

from materiel.wsgi import application  # noqa: E402

__all__ = ["application"]
