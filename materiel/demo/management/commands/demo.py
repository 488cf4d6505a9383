import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from materiel.demo.seed import DEMO_PASSWORD, DEMO_USERS, create_demo_users, seed
from materiel.units.models import Unit


class Command(BaseCommand):
    help = "Chuẩn bị cơ sở dữ liệu, nạp dữ liệu mẫu (lần đầu) và chạy máy chủ tại 127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=int(os.environ.get("MATERIEL_DEMO_ITEMS", 50_000)))
        parser.add_argument("--addr", default="127.0.0.1:8000")
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
            try:
                call_command("runserver", addr, use_reloader=False)
            finally:
                worker.terminate()
