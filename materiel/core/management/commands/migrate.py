"""Django's migrate, run as the tables' owner when MATERIEL_MIGRATE_DATABASE_URL names one, then
granting the application's role what it needs (core.dbroles). `materiel demo` and the test database
go through here too."""

from typing import Any

from django.core.management.commands.migrate import Command as MigrateCommand

from materiel.core.dbroles import as_owner, grant_application_privileges


class Command(MigrateCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        with as_owner(options["database"]) as application_role:
            super().handle(*args, **options)
            if application_role:
                grant_application_privileges(application_role, options["database"])
