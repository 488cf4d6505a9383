"""Settings for a real `materiel db_worker` subprocess started by a test: the production settings,
pointed at the test database the parent process is using (pytest-django names it differently)."""

import os

from materiel.settings import *  # noqa: F403

DATABASES["default"]["NAME"] = os.environ["MATERIEL_TEST_DB_NAME"]  # noqa: F405
