"""The settings of the test suite: production's, with the development tools the tests exercise
(`materiel bench`)."""

from materiel.settings import *  # noqa: F403

if "materiel.bench" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS.append("materiel.bench")  # noqa: F405

# An app of the tests that declares an event kind of its own (tests/test_event_kinds.py).
INSTALLED_APPS.append("tests.kindapp.apps.KindAppConfig")  # noqa: F405
