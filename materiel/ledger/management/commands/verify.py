from typing import Any

from django.core.management.base import BaseCommand, CommandError

from materiel.ledger.verify import verify_ledger


class Command(BaseCommand):
    help = (
        "Kiểm tra tệp cơ sở dữ liệu, chuỗi băm, phát lại toàn bộ sự kiện và so với sổ hiện tại; "
        "mã thoát khác 0 nếu có sai lệch."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_ledger(database=True)
        self.stdout.write(
            f"Đã kiểm tra {report.events:n} sự kiện, {report.items:n} trang bị, {report.lots:n} lô, "
            f"{report.seals:n} niêm phong."
        )
        self.stdout.write(f"Kiểm tra tệp cơ sở dữ liệu: {report.database}.")
        if report.unkeyed:
            self.stdout.write(f"Trong đó {report.unkeyed:n} niêm phong cũ không có khóa (SHA-256, trước khi có HMAC).")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("Sổ sự kiện toàn vẹn: mọi số liệu khớp với kết quả phát lại."))
            return
        for problem in report.problems:
            self.stderr.write(problem)
        raise CommandError(f"Phát hiện {len(report.problems)} sai lệch.")
