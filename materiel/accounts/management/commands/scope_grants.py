"""`materiel scope_grants`: the read grants over other subtrees (accounts.ScopeGrant)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from materiel.accounts import services
from materiel.accounts.models import ScopeGrant, User
from materiel.core.errors import DomainError
from materiel.units.models import Unit


class Command(BaseCommand):
    help = (
        "Liệt kê, cấp hoặc thu hồi quyền đọc thêm phạm vi: tài khoản được xem (không ghi) cây đơn vị khác "
        "ngoài phạm vi của mình. Mỗi lần cấp, thu hồi được ghi vào nhật ký truy cập."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["list", "add", "remove"], help="list | add | remove")
        parser.add_argument("--user", help="tên đăng nhập")
        parser.add_argument("--unit", help="mã đơn vị: gốc của cây được đọc thêm")
        parser.add_argument("--note", default="", help="căn cứ (số văn bản), ghi chú")

    def handle(self, *args: Any, action: str, user: str | None, unit: str | None, note: str, **options: Any) -> None:
        if action == "list":
            grants = ScopeGrant.objects.select_related("user", "unit").order_by("user__username", "unit__path")
            for grant in grants:
                self.stdout.write(f"{grant.user.username}\t{grant.unit.code}\t{grant.note}".rstrip())
            return
        account = User.objects.filter(username=user or "").first()
        if account is None:
            raise CommandError(f"Không có tài khoản {user} (--user).")
        root = Unit.objects.filter(code=unit or "").first()
        if root is None:
            raise CommandError(f"Không có đơn vị mã {unit} (--unit).")
        try:
            if action == "add":
                services.grant_scope(account, root, actor=services.CONSOLE, note=note)
                self.stdout.write(self.style.SUCCESS(f"{account.username} được đọc thêm cây {root.code}."))
            elif services.revoke_scope(account, root, actor=services.CONSOLE):
                self.stdout.write(self.style.SUCCESS(f"Đã thu hồi quyền đọc cây {root.code} của {account.username}."))
            else:
                raise CommandError(f"{account.username} không có quyền đọc cây {root.code}.")
        except DomainError as error:
            raise CommandError(error.message) from None
