"""`materiel handover_routes`: the handovers that policy allows beyond the tree (units.handover)."""

from django.core.management.base import BaseCommand, CommandError

from materiel.units.handover import receivers
from materiel.units.models import HandoverRoute, Unit


class Command(BaseCommand):
    help = (
        "Liệt kê, thêm hoặc bỏ quy định bàn giao: đơn vị (và các đơn vị trực thuộc) được bàn giao trang bị "
        "cho một đơn vị ngoài cây của mình, ngoài kho và trạm sửa chữa của cấp trên."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "add", "remove", "show"], help="list | add | remove | show")
        parser.add_argument("--from", dest="from_unit", help="mã đơn vị giao")
        parser.add_argument("--to", dest="to_unit", help="mã đơn vị nhận")
        parser.add_argument("--note", default="", help="căn cứ (số văn bản quy định), ghi chú")

    def handle(self, *args, action, from_unit, to_unit, note, **options):
        if action == "list":
            for route in HandoverRoute.objects.select_related("from_unit", "to_unit").order_by("from_unit__path"):
                line = f"{route.from_unit.code} → {route.to_unit.code}"
                self.stdout.write(f"{line}  {route.note}".rstrip())
            return
        giver = self._unit(from_unit, "--from")
        if action == "show":  # every unit this one may hand over to beyond its own subtree
            for unit in receivers(giver).order_by("path"):
                self.stdout.write(f"{unit.code}\t{unit.name}")
            return
        receiver = self._unit(to_unit, "--to")
        if action == "add":
            if receiver.path.startswith(giver.path):
                raise CommandError(f"{receiver.code} đã thuộc cây của {giver.code}: không cần quy định.")
            HandoverRoute.objects.update_or_create(from_unit=giver, to_unit=receiver, defaults={"note": note})
            self.stdout.write(self.style.SUCCESS(f"Đã cho phép {giver.code} bàn giao cho {receiver.code}."))
        else:
            deleted, _ = HandoverRoute.objects.filter(from_unit=giver, to_unit=receiver).delete()
            if not deleted:
                raise CommandError(f"Không có quy định {giver.code} → {receiver.code}.")
            self.stdout.write(self.style.SUCCESS(f"Đã bỏ quy định {giver.code} → {receiver.code}."))

    @staticmethod
    def _unit(code, option):
        if not code:
            raise CommandError(f"Thiếu {option} (mã đơn vị).")
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {code} ({option}).")
        return unit
