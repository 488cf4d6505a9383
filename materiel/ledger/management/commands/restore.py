from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from materiel.ledger.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Khôi phục từ một bản sao lưu của `materiel backup`: kiểm tra bản kê khai, mã SHA-256 và tính toàn vẹn, "
        "chạy verify và ANALYZE trên bản dựng, rồi mới thay cơ sở dữ liệu (bản cũ được giữ lại bên cạnh). "
        "Dừng dịch vụ trước khi khôi phục."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="tệp sao lưu (bản kê khai FILE.json nằm bên cạnh)")
        parser.add_argument(
            "--into",
            help="khôi phục vào tệp SQLite hoặc cơ sở dữ liệu PostgreSQL này thay vì cơ sở dữ liệu đang cấu hình "
            "(diễn tập khôi phục)",
        )
        parser.add_argument(
            "--force", action="store_true", help="thay cả một cơ sở dữ liệu đang có dữ liệu (bản cũ được giữ lại)"
        )

    def handle(self, *args, **options):
        try:
            restore(options["file"], into=options["into"], force=options["force"], say=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS("Khôi phục xong: sổ sự kiện toàn vẹn, mọi số liệu khớp bản sao lưu."))
