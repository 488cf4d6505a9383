import getpass
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from materiel.accounts import services
from materiel.accounts.models import Role
from materiel.core.errors import DomainError
from materiel.units.models import Unit


class Command(BaseCommand):
    help = "Tạo tài khoản gắn với một đơn vị và một vai trò (ghi vào nhật ký truy cập)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--unit", required=True, help="mã đơn vị: phạm vi của tài khoản")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--name", required=True, help="họ và tên")
        parser.add_argument("--rank", default="", help="cấp bậc, chức vụ")
        parser.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ đầu vào chuẩn")

    def handle(
        self,
        *args: Any,
        username: str,
        unit: str,
        role: str,
        name: str,
        rank: str,
        password_stdin: bool,
        **options: Any,
    ) -> None:
        scope = Unit.objects.filter(code=unit).first()
        if scope is None:
            raise CommandError(f"Không có đơn vị mã {unit}.")
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Mật khẩu: ")
            if password != getpass.getpass("Nhập lại mật khẩu: "):
                raise CommandError("Hai lần nhập mật khẩu không khớp.")
        try:
            user = services.create_user(
                actor=services.CONSOLE,
                username=username,
                full_name=name,
                unit=scope,
                role=role,
                password=password,
                rank_title=rank,
            )
        except DomainError as error:
            raise CommandError(f"{error.field}: {error.message}") from None
        self.stdout.write(self.style.SUCCESS(f"Đã tạo tài khoản {user.username} ({user.get_role_display()}, {scope})."))
