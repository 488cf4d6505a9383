from django.core.management.base import BaseCommand, CommandError

from materiel.demo import seed as demo_seed
from materiel.units.models import Unit


class Command(BaseCommand):
    help = "Tạo bộ dữ liệu mẫu (đơn vị, danh mục, trang bị và 15 năm lịch sử) vào cơ sở dữ liệu trống."

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=50_000, help="số trang bị quản lý theo số hiệu")
        parser.add_argument("--seed", type=int, default=1, help="hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu)")

    def handle(self, *args, items, seed, **options):
        if Unit.objects.exists():
            raise CommandError("Cơ sở dữ liệu đã có dữ liệu; bộ dữ liệu mẫu chỉ nạp vào cơ sở dữ liệu trống.")
        demo_seed.seed(items=items, seed=seed, progress=lambda text: self.stdout.write(text))
        self.stdout.write(self.style.SUCCESS("Đã nạp xong dữ liệu mẫu."))
