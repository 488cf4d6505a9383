from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from materiel.ledger.backup import BackupError, backup, manifest_path


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu vào FILE khi hệ thống vẫn đang ghi (SQLite: VACUUM INTO; PostgreSQL: pg_dump), "
        "kèm bản kê khai FILE.json (thời điểm, số sự kiện, sự kiện cuối, niêm phong cuối, mã SHA-256)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="tệp sao lưu mới (không ghi đè tệp đã có)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup(options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        last = f"đến sự kiện #{manifest.last_event_id}" if manifest.last_event_id else "chưa có sự kiện"
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã sao lưu {manifest.events:n} sự kiện ({last}) vào {options['file']} "
                f"({manifest.size:n} byte); bản kê khai: {manifest_path(options['file'])}."
            )
        )
