from typing import Any

from django.core.management.base import BaseCommand, CommandError

from materiel.ledger import sealfile
from materiel.ledger.sealing import seal_ledger
from materiel.ledger.sealkey import SealKeyError


class Command(BaseCommand):
    help = (
        "Niêm phong các sự kiện đã ghi (quá 5 phút) bằng mã HMAC nối tiếp niêm phong trước, in mã niêm phong "
        "và ghi thêm vào tệp niêm phong ngoài cơ sở dữ liệu. Chạy định kỳ vài phút một lần."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            seal = seal_ledger()
        except SealKeyError as e:
            raise CommandError(str(e)) from e
        if seal is None:
            self.stdout.write("Không có sự kiện mới cần niêm phong.")
            return
        self.stdout.write(
            f"Đã niêm phong sự kiện #{seal.first_event_id}–#{seal.last_event_id} ({seal.event_count:n} sự kiện)."
        )
        self.stdout.write(f"Mã niêm phong: {seal.digest}")
        self.stdout.write(f"Đã ghi vào tệp niêm phong {sealfile.file_path()}:")
        self.stdout.write("  " + sealfile.format_line(seal).rstrip())
