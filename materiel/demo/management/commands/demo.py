import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from materiel.demo.seed import DEMO_PASSWORD, DEMO_USERS, create_demo_users, seed
from materiel.demo.serve import demo_server, stop_on_sigterm
from materiel.units.models import Unit


class Command(BaseCommand):
    help = (
        "Chuẩn bị cơ sở dữ liệu, nạp dữ liệu mẫu (lần đầu, khi cơ sở dữ liệu còn trống) và chạy máy chủ "
        "cùng tiến trình chạy nền; Ctrl-C dừng cả hai."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--items",
            type=int,
            default=int(os.environ.get("MATERIEL_DEMO_ITEMS", 50_000)),
            help="số trang bị của dữ liệu mẫu (mặc định 50000, hoặc biến MATERIEL_DEMO_ITEMS); chỉ dùng lần đầu",
        )
        parser.add_argument(
            "--addr",
            default="127.0.0.1:8000",
            help="địa chỉ và cổng máy chủ, ví dụ 0.0.0.0:8080 để máy khác trong mạng nội bộ truy cập "
            "(mặc định 127.0.0.1:8000)",
        )
        parser.add_argument("--no-serve", action="store_true", help="chỉ chuẩn bị dữ liệu, không chạy máy chủ")

    def handle(self, *args, items, addr, no_serve, **options):
        call_command("migrate", verbosity=0)
        if not Unit.objects.exists():
            count = f"{items:,}".replace(",", ".")
            self.stdout.write(f"Đang tạo dữ liệu mẫu ({count} trang bị, 15 năm lịch sử)…")
            seed(items=items, progress=lambda text: self.stdout.write("  " + text))
        create_demo_users()
        self.stdout.write(self.style.SUCCESS(f"\nmateriel đã sẵn sàng: http://{addr}/"))
        self.stdout.write(f"Đăng nhập (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, name, _role, _unit in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {name}")
        if not no_serve:
            # Large imports run in the task worker: start one beside the server, stopped with it.
            worker = subprocess.Popen([sys.executable, "-m", "materiel.cli", "db_worker", "--interval", "1"])
            stop_on_sigterm()
            try:
                call_command(demo_server(), addr, use_reloader=False, skip_checks=True)
            except KeyboardInterrupt:
                pass
            finally:
                worker.terminate()
                worker.wait(timeout=30)
