from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from materiel.core.dbroles import as_owner, grant_application_privileges
from materiel.ledger.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Khôi phục từ một bản sao lưu của `materiel backup`: kiểm tra bản kê khai, mã SHA-256 và tính toàn vẹn, "
        "chạy verify và ANALYZE trên bản dựng, rồi mới thay cơ sở dữ liệu (bản cũ được giữ lại bên cạnh). "
        "Dừng dịch vụ trước khi khôi phục."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="tệp sao lưu (bản kê khai FILE.json nằm bên cạnh)")
        parser.add_argument(
            "--into",
            help="khôi phục vào tệp SQLite hoặc cơ sở dữ liệu PostgreSQL này thay vì cơ sở dữ liệu đang cấu hình "
            "(diễn tập khôi phục)",
        )
        parser.add_argument(
            "--force", action="store_true", help="thay cả một cơ sở dữ liệu đang có dữ liệu (bản cũ được giữ lại)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            # As the owner where one is configured (MATERIEL_MIGRATE_DATABASE_URL): the restored tables
            # are the owner's, as migrated ones are, and the service's role gets its privileges again.
            with as_owner() as application_role:
                restore(options["file"], into=options["into"], force=options["force"], say=self.stdout.write)
                if application_role:
                    grant_on(options["into"] or connection.settings_dict["NAME"], application_role)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS("Khôi phục xong: sổ sự kiện toàn vẹn, mọi số liệu khớp bản sao lưu."))


def grant_on(database: str, role: str) -> None:
    """The application's privileges (core.dbroles) in `database`, the restored one."""
    saved = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = database
    try:
        grant_application_privileges(role)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = saved
