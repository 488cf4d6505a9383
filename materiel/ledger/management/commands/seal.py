from django.core.management.base import BaseCommand

from materiel.ledger.sealing import seal_ledger


class Command(BaseCommand):
    help = "Niêm phong các sự kiện đã ghi (quá 5 phút) bằng một mã băm nối tiếp niêm phong trước."

    def handle(self, *args, **options):
        seal = seal_ledger()
        if seal is None:
            self.stdout.write("Không có sự kiện mới cần niêm phong.")
        else:
            self.stdout.write(
                f"Đã niêm phong sự kiện #{seal.first_event_id}–#{seal.last_event_id} ({seal.event_count} sự kiện)."
            )
