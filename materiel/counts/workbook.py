"""A count sheet as an XLSX to fill offline, and the filled file read back.

The file names its campaign, its unit, its sheet and the version it was drawn from above the table;
each row carries its line number. Reading it back checks every cell and names each bad one by its
row and column (as the register importer does), refuses a file of another unit, campaign or sheet,
and then writes everything in one transaction or nothing. Rows added at the bottom with no line
number are surplus (thừa): a type code, the serial read and the grade found.

The reading is guarded here rather than by `imports.reader` (an app to the right of this one): a
size limit, the ZIP signature, and the archive's uncompressed size before calamine opens it.
"""

import io
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineWorkbook

from materiel.accounts.models import User
from materiel.catalog.models import EquipmentType
from materiel.core.errors import ConflictError, DomainError
from materiel.core.text import fold
from materiel.core.xlsx import Column, write_xlsx

from . import services
from .models import LineKind, Sheet

MAX_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ROWS = 25000

COLUMNS = [
    Column(gettext_lazy("Dòng"), 6, "id"),
    Column(gettext_lazy("Loại dòng"), 8),
    Column(gettext_lazy("Nơi cất giữ"), 10),
    Column(gettext_lazy("Mã loại trang bị"), 10),
    Column(gettext_lazy("Tên trang bị"), 24),
    Column(gettext_lazy("Số hiệu, số lô theo sổ"), 14),
    Column(gettext_lazy("Cấp theo sổ"), 6, "int"),
    Column(gettext_lazy("Số lượng theo sổ"), 8, "int"),
    Column(gettext_lazy("Có/Không (C/K)"), 8),
    Column(gettext_lazy("Số hiệu đọc được"), 14),
    Column(gettext_lazy("Cấp kiểm kê"), 6),
    Column(gettext_lazy("Đồng bộ thiếu"), 20),
    Column(gettext_lazy("Số lượng kiểm đếm"), 8),
    Column(gettext_lazy("Ghi chú"), 24),
]
# The columns the unit fills, by index.
LINE, KIND, TYPE, FOUND, SERIAL, GRADE, KIT, QUANTITY, NOTE = 0, 1, 3, 8, 9, 10, 11, 12, 13
KIND_LABELS: dict[str, Any] = {
    LineKind.ITEM: gettext_lazy("Trang bị"),
    LineKind.LOT: gettext_lazy("Lô"),
    LineKind.SURPLUS: gettext_lazy("Thừa"),
}
YES = {"c", "co", "x", "1", "true", "yes", "y"}
NO = {"k", "khong", "0", "false", "no", "n"}
# Above the table: label -> what the reader checks it against.
LABEL_CAMPAIGN, LABEL_UNIT, LABEL_SHEET, LABEL_VERSION = (
    gettext_lazy("Đợt kiểm kê số"),
    gettext_lazy("Mã đơn vị"),
    gettext_lazy("Phiếu số"),
    gettext_lazy("Phiên bản"),
)


def export_sheet(sheet: Sheet) -> IO[bytes]:
    campaign = sheet.campaign
    lines = sheet.lines.select_related("equipment_type", "place", "lot").order_by("position")
    rows = (
        [
            line.position,
            str(KIND_LABELS[line.kind]),
            line.place.code if line.place else "",
            line.equipment_type.code,
            line.equipment_type.name,
            line.serial_expected or (line.lot.lot_number if line.lot else ""),
            line.grade_expected,
            line.quantity_expected,
            "" if line.found is None or line.kind == LineKind.LOT else ("C" if line.found else "K"),
            line.serial_read,
            line.grade_found if line.grade_found is not None else "",
            line.kit_missing,
            line.quantity_counted if line.quantity_counted is not None else "",
            line.note,
        ]
        for line in lines
    )
    return write_xlsx(
        title=_("Phiếu kiểm kê: %(title)s – %(unit)s") % {"title": campaign.title, "unit": sheet.unit.name},
        filters=[
            (LABEL_CAMPAIGN, str(campaign.pk)),
            (LABEL_UNIT, sheet.unit.code),
            (LABEL_SHEET, str(sheet.pk)),
            (LABEL_VERSION, str(sheet.version)),
            (_("Thời điểm kiểm kê"), campaign.reference_date.strftime("%d/%m/%Y")),
            (
                _("Cách điền"),
                _("Có/Không: C hoặc K; lô: số lượng kiểm đếm; thừa: thêm dòng cuối, để trống cột Dòng."),
            ),
        ],
        columns=COLUMNS,
        rows=rows,
        sheet=_("Phiếu kiểm kê"),
    )


@dataclass(frozen=True)
class Surplus:
    equipment_type: EquipmentType
    serial: str
    grade: str
    kit_missing: str
    note: str


def _read_rows(data: bytes) -> list[list[Any]]:
    if not data:
        raise DomainError(_("Tệp rỗng."), field="file")
    if len(data) > MAX_BYTES:
        raise DomainError(_("Tệp lớn quá %(n)s MB.") % {"n": MAX_BYTES // 2**20}, field="file")
    if not data.startswith(b"PK\x03\x04"):
        raise DomainError(_("Tệp không phải XLSX (Excel 2007 trở lên)."), field="file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED:
                raise DomainError(_("Tệp giải nén ra quá lớn."), field="file")
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        if sheet.total_height > MAX_ROWS:
            raise DomainError(_("Tệp quá nhiều dòng."), field="file")
        return sheet.to_python(skip_empty_area=False)
    except DomainError:
        raise
    except Exception:  # calamine and zipfile raise their own types for a broken file
        raise DomainError(_("Không đọc được tệp XLSX."), field="file") from None


def _cell(row: list[Any], index: int) -> str:
    value = row[index] if index < len(row) else ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _header_values(rows: list[list[Any]]) -> tuple[dict[str, str], int]:
    """The labelled values above the table, and the index of the header row."""
    found: dict[str, str] = {}
    for index, row in enumerate(rows[:20]):
        first = _cell(row, 0)
        if fold(first) == fold(str(COLUMNS[0].header)) and fold(_cell(row, 1)) == fold(str(COLUMNS[1].header)):
            return found, index
        if ":" in first:
            label, _sep, value = first.partition(":")
            found[fold(label)] = value.strip()
    raise DomainError(_("Không thấy hàng tiêu đề của phiếu kiểm kê (cột “Dòng”, “Loại dòng”…)."), field="file")


def _check_identity(sheet: Sheet, labels: dict[str, str]) -> None:
    """Refuse a file of another campaign, unit or sheet, or drawn from an older version."""
    campaign = labels.get(fold(str(LABEL_CAMPAIGN)), "")
    unit = labels.get(fold(str(LABEL_UNIT)), "")
    number = labels.get(fold(str(LABEL_SHEET)), "")
    if campaign != str(sheet.campaign_id):
        raise DomainError(
            _("Tệp là phiếu của đợt kiểm kê số %(file)s, không phải đợt số %(this)s.")
            % {"file": campaign or "?", "this": sheet.campaign_id},
            field="campaign",
        )
    if unit != sheet.unit.code:
        raise DomainError(
            _("Tệp là phiếu của đơn vị “%(file)s”, không phải của %(unit)s.")
            % {"file": unit or "?", "unit": sheet.unit.name},
            field="unit",
        )
    if number != str(sheet.pk):
        raise DomainError(
            _("Tệp là phiếu số %(file)s, không phải phiếu số %(this)s.") % {"file": number or "?", "this": sheet.pk},
            field="sheet",
        )
    version = labels.get(fold(str(LABEL_VERSION)), "")
    if version != str(sheet.version):
        raise ConflictError(
            _(
                "Phiếu đã thay đổi trên hệ thống từ khi xuất tệp này (phiên bản %(file)s, nay %(now)s): "
                "xuất lại và điền lại."
            )
            % {"file": version or "?", "now": sheet.version}
        )


def _found(text: str) -> bool | None | str:
    if not text:
        return None
    folded = fold(text)
    if folded in YES:
        return True
    if folded in NO:
        return False
    return "bad"


def import_sheet(sheet: Sheet, data: bytes, *, actor: User) -> int:
    """Read a filled sheet back: every bad cell named at once, then all of it written or none.
    How many rows it read."""
    rows = _read_rows(data)
    labels, header = _header_values(rows)
    with transaction.atomic():
        sheet = services._locked(sheet, None)
        services.require(actor, "counts.count", unit=sheet.unit)
        _check_identity(sheet, labels)
        lines = {line.position: line for line in sheet.lines.all()}
        types = {t.code.lower(): t for t in EquipmentType.objects.all()}
        errors: list[str] = []
        changes: list[services.LineChange] = []
        surplus: list[Surplus] = []
        seen: set[int] = set()

        def bad(row_number: int, column: int, message: str) -> None:
            errors.append(
                _("Dòng %(row)s, cột %(col)s (%(name)s): %(message)s")
                % {"row": row_number, "col": chr(ord("A") + column), "name": COLUMNS[column].header, "message": message}
            )

        for index, row in enumerate(rows[header + 1 :], start=header + 2):
            if not any(_cell(row, i) for i in range(len(COLUMNS))):
                continue
            position = _cell(row, LINE)
            found = _found(_cell(row, FOUND))
            if found == "bad":
                bad(index, FOUND, _("ghi C (có) hoặc K (không)."))
            if not position:
                code = _cell(row, TYPE).lower()
                kind = types.get(code)
                if kind is None:
                    bad(index, TYPE, _("không có loại trang bị mã “%(code)s”.") % {"code": _cell(row, TYPE)})
                if not _cell(row, SERIAL):
                    bad(index, SERIAL, _("dòng thừa phải ghi số hiệu đọc được."))
                if kind is not None and _cell(row, SERIAL):
                    surplus.append(
                        Surplus(kind, _cell(row, SERIAL), _cell(row, GRADE), _cell(row, KIT), _cell(row, NOTE))
                    )
                continue
            line = lines.get(int(position)) if position.isdigit() and len(position) < 9 else None
            if line is None:
                bad(index, LINE, _("phiếu không có dòng số %(n)s.") % {"n": position})
                continue
            if line.position in seen:
                bad(index, LINE, _("dòng số %(n)s có hai lần trong tệp.") % {"n": position})
                continue
            seen.add(line.position)
            change = services.LineChange(
                line.pk,
                found=None if found == "bad" else found,  # type: ignore[arg-type]
                serial_read=_cell(row, SERIAL),
                grade_found=_cell(row, GRADE) or None,
                kit_missing=_cell(row, KIT),
                quantity_counted=_cell(row, QUANTITY) or None,
                note=_cell(row, NOTE),
                row=_("Dòng %(n)s") % {"n": index},
            )
            # Each cell checked on its own, to name every bad one.
            probe = type(line)(**{f.attname: getattr(line, f.attname) for f in line._meta.concrete_fields})
            for column, fields in (
                (GRADE, {"grade_found": change.grade_found}),
                (QUANTITY, {"quantity_counted": change.quantity_counted}),
                (SERIAL, {"serial_read": change.serial_read}),
                (KIT, {"kit_missing": change.kit_missing}),
                (NOTE, {"note": change.note}),
            ):
                try:
                    services.apply_change(probe, services.LineChange(line.pk, **fields))
                except DomainError as error:
                    bad(index, column, error.message.split(": ", 1)[-1])
            changes.append(change)
        if errors:
            shown = errors[:50]
            more = len(errors) - len(shown)
            raise DomainError(" ".join(shown) + (_(" … và %(n)s ô khác.") % {"n": more} if more else ""), field="file")
        if changes:
            services.update_lines(sheet, changes, actor=actor)
        for extra in surplus:
            services.add_surplus(
                sheet,
                actor=actor,
                equipment_type=extra.equipment_type,
                serial=extra.serial,
                grade=extra.grade,
                kit_missing=extra.kit_missing,
                note=extra.note,
            )
        return len(changes) + len(surplus)
