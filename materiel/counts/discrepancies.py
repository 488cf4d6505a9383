"""What a count found against the books: the discrepancies of a sheet line by line, and the sheet's
summary (the figures the board, the minute and the API show; stored at the final approval)."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from materiel.core.text import nfc

from .models import LineKind, Sheet, SheetLine


class Kind:
    MISSING = "missing"
    SURPLUS = "surplus"
    GRADE = "grade"
    QUANTITY = "quantity"
    SERIAL = "serial"


LABELS = {
    Kind.MISSING: gettext_lazy("Thiếu (không thấy)"),
    Kind.SURPLUS: gettext_lazy("Thừa"),
    Kind.GRADE: gettext_lazy("Thay đổi cấp chất lượng"),
    Kind.QUANTITY: gettext_lazy("Chênh lệch số lượng"),
    Kind.SERIAL: gettext_lazy("Sai số hiệu"),
}


@dataclass(frozen=True)
class Discrepancy:
    kind: str
    line: SheetLine
    text: str


def _same_serial(a: str, b: str) -> bool:
    return nfc(a or "").strip().upper() == nfc(b or "").strip().upper()


def of_line(line: SheetLine) -> list[Discrepancy]:
    found: list[Discrepancy] = []
    if line.kind == LineKind.SURPLUS:
        found.append(
            Discrepancy(
                Kind.SURPLUS,
                line,
                _("Thừa: %(serial)s, cấp %(grade)s") % {"serial": line.serial_read, "grade": line.grade_found},
            )
        )
    elif line.kind == LineKind.LOT:
        if line.quantity_counted is not None and line.quantity_counted != line.quantity_expected:
            diff = line.quantity_counted - (line.quantity_expected or 0)
            found.append(Discrepancy(Kind.QUANTITY, line, _("Chênh lệch %(diff)+d") % {"diff": diff}))
    elif line.found is False:
        found.append(Discrepancy(Kind.MISSING, line, _("Không thấy")))
    elif line.found:
        if line.grade_found is not None and line.grade_found != line.grade_expected:
            found.append(
                Discrepancy(
                    Kind.GRADE,
                    line,
                    _("Cấp %(before)s → %(after)s") % {"before": line.grade_expected, "after": line.grade_found},
                )
            )
        if line.serial_read and not _same_serial(line.serial_read, line.serial_expected):
            found.append(
                Discrepancy(
                    Kind.SERIAL,
                    line,
                    _("Số hiệu đọc được %(read)s, theo sổ %(books)s")
                    % {"read": line.serial_read, "books": line.serial_expected},
                )
            )
    return found


def of_sheet(sheet: Sheet) -> list[Discrepancy]:
    lines = sheet.lines.select_related("equipment_type").order_by("position")
    return [d for line in lines for d in of_line(line)]


def summarise(sheet: Sheet) -> dict[str, Any]:
    """The sheet's figures: lines listed and counted, each kind of discrepancy, lot quantities, and
    what was found by grade (items found and surplus; lots by their quantity counted)."""
    counts: Counter[str] = Counter()
    by_grade: Counter[str] = Counter()
    books_by_grade: Counter[str] = Counter()
    for line in sheet.lines.order_by("position"):
        if line.kind == LineKind.ITEM:
            counts["items"] += 1
            books_by_grade[str(line.grade_expected)] += 1
            if line.found:
                counts["found"] += 1
                by_grade[str(line.grade_found)] += 1
            elif line.found is None:
                counts["open"] += 1
        elif line.kind == LineKind.LOT:
            counts["lots"] += 1
            counts["lot_expected"] += line.quantity_expected or 0
            books_by_grade[str(line.grade_expected)] += line.quantity_expected or 0
            if line.quantity_counted is None:
                counts["open"] += 1
            else:
                counts["lot_counted"] += line.quantity_counted
                by_grade[str(line.grade_expected)] += line.quantity_counted
        else:
            counts["surplus_items"] += 1
            by_grade[str(line.grade_found)] += 1
        for d in of_line(line):
            counts[d.kind] += 1
    return {
        "items": counts["items"],
        "found": counts["found"],
        "open": counts["open"],
        "lots": counts["lots"],
        "lot_expected": counts["lot_expected"],
        "lot_counted": counts["lot_counted"],
        Kind.MISSING: counts[Kind.MISSING],
        Kind.SURPLUS: counts[Kind.SURPLUS],
        Kind.GRADE: counts[Kind.GRADE],
        Kind.QUANTITY: counts[Kind.QUANTITY],
        Kind.SERIAL: counts[Kind.SERIAL],
        "by_grade": dict(sorted(by_grade.items())),
        "books_by_grade": dict(sorted(books_by_grade.items())),
    }


def figures(sheet: Sheet) -> dict[str, Any]:
    """The frozen figures of an approved sheet, the live ones of any other."""
    return sheet.summary if sheet.summary is not None else summarise(sheet)
