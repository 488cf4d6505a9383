"""The `materiel` command: Django's management commands under our own name.

`materiel demo`, `materiel seed`, `materiel verify`, `materiel migrate`, ... are all management
commands, so the same code runs from the CLI, from tests (call_command) and from the Makefile.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "materiel.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["materiel", *sys.argv[1:]])


if __name__ == "__main__":
    main()
