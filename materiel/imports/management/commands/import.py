from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from materiel.accounts.models import User
from materiel.core.days import parse_day
from materiel.core.errors import DomainError
from materiel.imports.columns import fields
from materiel.imports.commit import commit_plan, previous_import, revert_batch
from materiel.imports.plan import build_plan, column_letter, types_by_code
from materiel.imports.reader import read_table
from materiel.ledger.models import Batch
from materiel.units.models import Unit

SHOWN = 100


class Command(BaseCommand):
    help = "Nhập sổ trang bị từ tệp XLSX/CSV vào một đơn vị: kiểm tra, xem trước, rồi ghi cả tệp hoặc không ghi gì."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="tệp .xlsx hoặc .csv")
        parser.add_argument("--unit", help="mã đơn vị nhận (mọi dòng thuộc cây đơn vị này)")
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra và xem trước, không ghi")
        parser.add_argument("--user", default="hethong", help="tài khoản thực hiện (quyền và phạm vi của nó)")
        parser.add_argument("--date", help="ngày tiếp nhận cho các dòng không ghi ngày (dd/mm/yyyy)")
        parser.add_argument("--sheet", help="tên trang tính cần đọc (mặc định: trang tính chứa sổ)")
        parser.add_argument("--header-row", type=int, metavar="N", help="số dòng tiêu đề (như Excel đánh số)")
        parser.add_argument(
            "--map",
            dest="mapping",
            action="append",
            default=[],
            metavar="TÊN=MÃ",
            help="hiểu tên chủng loại trong tệp là chủng loại mã MÃ của danh mục (lặp lại được; ghi nhớ khi nhập)",
        )
        parser.add_argument(
            "--before-founding",
            choices=["transfer", "founding-date"],
            help="dòng có ngày tiếp nhận trước ngày thành lập đơn vị: tiếp nhận tại đơn vị quản lý trước đó rồi "
            "điều chuyển ngày thành lập (transfer), hoặc lấy ngày thành lập làm ngày tiếp nhận (founding-date)",
        )
        parser.add_argument(
            "--predecessor",
            action="append",
            default=[],
            metavar="MÃ_ĐV_MỚI=MÃ_ĐV_CŨ",
            help="với --before-founding=transfer: đơn vị quản lý trang bị trước khi thành lập đơn vị mới",
        )
        parser.add_argument("--force", action="store_true", help="nhập cả khi tệp này đã được nhập trước đây")
        parser.add_argument("--revert", type=int, metavar="BATCH", help="hủy cả một đợt nhập (bằng sự kiện hủy)")
        parser.add_argument("--reason", default="Hủy đợt nhập", help="lý do hủy đợt nhập")

    def handle(
        self,
        *args,
        file,
        unit,
        dry_run,
        user,
        date,
        force,
        revert,
        reason,
        sheet,
        header_row,
        mapping,
        before_founding,
        predecessor,
        **options,
    ):
        actor = User.objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"Không có tài khoản {user}.")
        try:
            if revert:
                count = revert_batch(Batch.objects.get(pk=revert), actor=actor, reason=reason)
                self.stdout.write(self.style.SUCCESS(f"Đã hủy đợt nhập #{revert}: {count} sự kiện hủy."))
                return
            self._import(
                file,
                unit,
                actor,
                dry_run,
                date,
                force,
                sheet=sheet,
                header_row=header_row,
                mapping=mapping,
                history=(before_founding, predecessor),
            )
        except Batch.DoesNotExist:
            raise CommandError(f"Không có đợt nhập #{revert}.") from None
        except DomainError as error:
            raise CommandError(error.message) from None

    def _import(
        self, file, code, actor, dry_run, date, force, *, sheet=None, header_row=None, mapping=(), history=(None, ())
    ):
        if not file or not code:
            raise CommandError("Cần tên tệp và --unit MÃ_ĐƠN_VỊ.")
        target = Unit.objects.visible_to(actor).filter(code=code).first()
        if target is None:
            raise CommandError(f"Không có đơn vị {code} trong phạm vi của {actor.username}.")
        default_day = parse_day(date) if date else None
        if date and default_day is None:
            raise CommandError("Ngày --date phải dạng dd/mm/yyyy.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không có tệp {file}.")
        pairs = {}
        for pair in mapping:
            name, sep, type_code = pair.rpartition("=")
            if not sep or not name.strip() or not type_code.strip():
                raise CommandError(f"--map “{pair}”: cần dạng “TÊN TRONG TỆP=Mã chủng loại”.")
            pairs[name.strip()] = type_code.strip()
        types = types_by_code(pairs)
        policy, chosen = history
        predecessors = {}
        for pair in chosen:
            new, sep, old = pair.partition("=")
            if not sep or not new.strip() or not old.strip():
                raise CommandError(f"--predecessor “{pair}”: cần dạng “MÃ_ĐV_MỚI=MÃ_ĐV_CŨ”.")
            predecessors[new.strip()] = old.strip()
        table = read_table(path.read_bytes(), path.name, sheet=sheet)
        plan = build_plan(
            table,
            actor=actor,
            unit=target,
            default_day=default_day,
            header_row=header_row,
            types=types,
            before_founding=policy,
            predecessors=predecessors,
        )
        tall = f" (hai dòng, tới dòng {plan.header_row + 1})" if plan.header_height == 2 else ""
        self.stdout.write(f"Tệp {path.name}, trang tính “{plan.sheet}”: dòng tiêu đề {plan.header_row}{tall}; các cột:")
        for column, field in sorted(plan.columns.items()):
            label = plan.labels.get(column, "")
            self.stdout.write(f"  {column_letter(column)} “{label}” → {fields()[field][0]}")
        others = [n for n in plan.sheets if n != plan.sheet]
        if others:
            self.stdout.write(f"Các trang tính khác: {', '.join(others)} (chọn bằng --sheet TÊN).")
        self.stdout.write(f"Sẽ nhập {plan.items} trang bị và {plan.lots} lô; bỏ qua {plan.skipped} dòng:")
        for skipped in plan.skipped_rows[:SHOWN]:
            self.stdout.write(f"  dòng {skipped.row} – {skipped.label}: {skipped.text}")
        for name, (equipment_type, how) in plan.mapped_types.items():
            said = "đã ghi nhớ" if how == "remembered" else "--map"
            self.stdout.write(f"Tên “{name}” hiểu là {equipment_type.name} ({equipment_type.code}, {said}).")
        for name, unknown in plan.unknown_types.items():
            close = ", ".join(t.code for t in unknown.get("suggestions", []))
            hint = f"; gần giống: {close}" if close else ""
            self.stderr.write(
                f"Chủng loại “{name}” không có trong danh mục ({unknown['rows']} dòng, từ dòng {unknown['first_row']})"
                f"{hint}: dùng --map “{name}=MÃ”."
            )
        for early in plan.early.values():
            held = ""
            if policy == "transfer" and early.predecessor:
                held = f"; tiếp nhận tại {early.predecessor.name}, điều chuyển ngày thành lập"
            founded = early.unit.founded_on.strftime("%d/%m/%Y")
            self.stdout.write(f"{early.unit.name} thành lập ngày {founded}: {early.rows} dòng ghi ngày trước đó{held}.")
            if policy is None or (policy == "transfer" and early.predecessor is None):
                names = ", ".join(f"{u.code} ({u.name})" for u in early.candidates) or "không xác định"
                self.stderr.write(
                    "Dùng --before-founding=founding-date, hoặc --before-founding=transfer "
                    f"--predecessor {early.unit.code}=MÃ (theo quyết định tổ chức lại: {names})."
                )
        earlier = previous_import(plan, actor)
        if earlier:
            self.stdout.write(
                self.style.WARNING(f"Tệp này đã được nhập (đợt #{earlier.pk}); dùng --force để nhập lại.")
            )
        if plan.issues:
            for issue in plan.issues[:SHOWN]:
                self.stderr.write(str(issue))
            if len(plan.issues) > SHOWN:
                self.stderr.write(f"… và {len(plan.issues) - SHOWN} lỗi khác.")
            raise CommandError(f"Tệp có {len(plan.issues)} lỗi; không ghi gì.")
        if dry_run:
            self.stdout.write(self.style.SUCCESS("Kiểm tra xong, không có lỗi (chạy thử: chưa ghi)."))
            return
        batch = commit_plan(
            plan,
            actor=actor,
            unit=target,
            force=force,
            progress=lambda done, total: self.stdout.write(f"  đã ghi {done}/{total} dòng"),
        )
        self.stdout.write(self.style.SUCCESS(f"Đã nhập đợt #{batch.pk}: {batch.items} trang bị, {batch.lots} lô."))
