from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from materiel.ledger.snapshots import build


class Command(BaseCommand):
    help = (
        "Lưu số liệu tổng hợp theo quý (ngày đầu mỗi quý) để bảng số liệu của một ngày trong quá khứ "
        "không phải duyệt lại toàn bộ sổ sự kiện. Chạy định kỳ (ví dụ hằng đêm); chỉ tạo các quý còn thiếu."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = build(timezone.localdate(), progress=lambda day: self.stdout.write(f"  {day:%d/%m/%Y}"))
        self.stdout.write(self.style.SUCCESS(f"Đã lưu {count} mốc số liệu theo quý."))
