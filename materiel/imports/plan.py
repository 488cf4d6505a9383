"""From rows of cells to a validated plan: what each row becomes, and every problem with its cell.

Nothing is written here. The preview (CLI, wizard) shows the plan; `commit.commit_plan` writes it.
"""

import difflib
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.catalog.models import EquipmentType
from materiel.core.text import search_fold
from materiel.equipment.models import Item, Lot, Status
from materiel.ledger import rules
from materiel.units.models import Unit

from . import values
from .columns import FIELDS, find_header
from .reader import Table


@dataclass
class Issue:
    row: int  # as Excel shows it (1-based)
    column: str  # "C – Cấp chất lượng"
    value: str
    message: str
    duplicate: bool = False  # the serial is already in the register: maybe the same item, maybe a typo

    def __str__(self) -> str:
        where = _("Dòng %(row)s, cột %(column)s") % {"row": self.row, "column": self.column}
        shown = f" = “{self.value}”" if self.value else ""
        return f"{where}{shown}: {self.message}"


@dataclass
class Row:
    row: int
    kind: str  # "item" or "lot"
    equipment_type: EquipmentType
    unit: Unit
    grade: int
    received_on: date
    serial: str = ""
    quantity: int = 1
    year_made: int | None = None
    origin: str = ""
    lot_number: str = ""
    note: str = ""


@dataclass
class Plan:
    file_name: str
    file_hash: str
    sheet: str
    header_row: int
    columns: dict[int, str]
    rows: list[Row] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.issues

    def blocking(self, skip_duplicates: bool = False) -> list[Issue]:
        """The issues that stop a commit; rows already in the register may be skipped on request."""
        return [i for i in self.issues if not (skip_duplicates and i.duplicate)]

    @property
    def items(self) -> int:
        return sum(1 for r in self.rows if r.kind == "item")

    @property
    def lots(self) -> int:
        return sum(1 for r in self.rows if r.kind == "lot")


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Resolver:
    """Names in the file -> catalogue types and units of the scope, ignoring diacritics and case."""

    def __init__(self, actor, unit: Unit):
        self.types: dict[str, EquipmentType] = {}
        for t in EquipmentType.objects.select_related("category"):
            for key in (t.name, t.short_name, t.code):
                if key:
                    self.types.setdefault(search_fold(key), t)
        scope = Unit.objects.visible_to(actor).subtree_of(unit).filter(dissolved_on__isnull=True)
        self._type_answers: dict[str, tuple] = {}
        self._unit_answers: dict[str, tuple] = {}
        self.units: dict[str, Unit] = {}
        for u in scope:
            for key in (u.name, u.short_name, u.code):
                if key:
                    self.units.setdefault(search_fold(key), u)

    @staticmethod
    def _suggest(key: str, index: dict) -> str:
        close = difflib.get_close_matches(key, list(index), n=3, cutoff=0.6)
        names = list(dict.fromkeys(str(index[c]) for c in close))
        return (" " + _("Có phải: %(names)s?") % {"names": "; ".join(names)}) if names else ""

    def type_for(self, name: str) -> tuple[EquipmentType | None, str]:
        # A register names a few hundred types over many thousand rows: fold each name once.
        if name not in self._type_answers:
            self._type_answers[name] = self._type_for(name)
        return self._type_answers[name]

    def unit_for(self, name: str, scope: Unit) -> tuple[Unit | None, str]:
        if name not in self._unit_answers:
            self._unit_answers[name] = self._unit_for(name, scope)
        return self._unit_answers[name]

    def _type_for(self, name: str) -> tuple[EquipmentType | None, str]:
        key = search_fold(name)
        found = self.types.get(key)
        if found:
            return found, ""
        return None, _("Không có chủng loại “%(name)s” trong danh mục.") % {"name": name} + self._suggest(
            key, self.types
        )

    def _unit_for(self, name: str, scope: Unit) -> tuple[Unit | None, str]:
        key = search_fold(name)
        found = self.units.get(key)
        if found:
            return found, ""
        message = _("Đơn vị “%(name)s” không có trong phạm vi %(scope)s.") % {"name": name, "scope": scope.name}
        return None, message + self._suggest(key, self.units)


# The columns written to the register as text, and the most characters each holds (PostgreSQL
# refuses a longer value at commit, where it used to end the import in "unexpected error").
TEXT_LIMITS = {
    "serial": Item._meta.get_field("serial").max_length,
    "origin": Item._meta.get_field("origin").max_length,
    "lot_number": Lot._meta.get_field("lot_number").max_length,
}
SHOWN_VALUE = 100  # characters of a cell quoted in an issue

PROGRESS_EVERY = 2000
TOTAL_ROWS = ("cong", "tong cong", "tong so", "cong:")


def build_plan(
    table: Table,
    *,
    actor,
    unit: Unit,
    default_day: date | None = None,
    columns: dict[int, str] | None = None,
    progress=None,
) -> Plan:
    """Validate every row of `table` for import into `unit`'s subtree; nothing is written.

    `progress(done, total)` is called every few thousand rows; it may raise to stop the check.
    """
    found = find_header(table.rows)
    if found is None and columns is None:
        from .reader import FileRefused

        raise FileRefused(
            _("Không tìm thấy dòng tiêu đề: cần ít nhất hai cột như “Số hiệu”, “Tên trang bị”, “Cấp chất lượng”.")
        )
    header_index, detected = found if found else (0, {})
    columns = columns or detected
    plan = Plan(table.name, table.file_hash, table.name, header_index + 1, columns)
    missing = [
        str(FIELDS[f][0])
        for f in ("name", "grade")
        if f not in columns.values() and not (f == "name" and "type_code" in columns.values())
    ]
    if missing:
        plan.issues.append(Issue(header_index + 1, "—", "", _("Thiếu cột: %(cols)s.") % {"cols": ", ".join(missing)}))
        return plan
    header = table.rows[header_index]
    resolver = Resolver(actor, unit)
    today = timezone.localdate()
    default_day = default_day or today
    seen: dict[tuple[int, str], int] = {}
    existing, elsewhere = _existing_serials(table.rows[header_index + 1 :], columns, actor)
    total = len(table.rows) - header_index - 1
    for index in range(header_index + 1, len(table.rows)):
        if progress and (index - header_index) % PROGRESS_EVERY == 0:
            progress(index - header_index, total)
        raw = table.rows[index]
        cells = {field: raw[col] if col < len(raw) else None for col, field in columns.items()}
        number = index + 1
        if not any(values.text(cells.get(f)) for f in columns.values() if f != "row_no"):
            plan.skipped += 1
            continue
        if search_fold(values.text(cells.get("name"))).startswith(TOTAL_ROWS) and not values.text(cells.get("serial")):
            plan.skipped += 1
            continue
        row = _plan_row(number, cells, columns, header, plan, resolver, unit, default_day, today)
        if row is None:
            continue
        if row.kind == "item":
            key = (row.equipment_type.pk, row.serial)
            if key in seen:
                plan.issues.append(
                    _issue(
                        number,
                        "serial",
                        columns,
                        header,
                        row.serial,
                        _("Trùng số hiệu với dòng %(row)s của tệp.") % {"row": seen[key]},
                    )
                )
                continue
            seen[key] = number
            if key in existing:
                plan.issues.append(
                    _issue(
                        number,
                        "serial",
                        columns,
                        header,
                        row.serial,
                        _("Số hiệu này đã có trong sổ (có thể là bản trùng)."),
                    )
                )
                plan.issues[-1].duplicate = True
                continue
            if key in elsewhere:
                # Held outside the actor's scope: a plain error with the generic wording, not a "duplicate"
                # (which would say it exists, and could be skipped to learn which rows those are).
                message = rules.unusable_serial(row.serial).message
                plan.issues.append(_issue(number, "serial", columns, header, row.serial, message))
                continue
        plan.rows.append(row)
    if not plan.rows and not plan.issues:
        plan.issues.append(Issue(header_index + 1, "—", "", _("Không có dòng dữ liệu nào dưới dòng tiêu đề.")))
    return plan


def _existing_serials(rows, columns, actor) -> tuple[set[tuple[int, str]], set[tuple[int, str]]]:
    """(type, serial) already in the register, looked up only for the serials this file names: those of
    the actor's scope, and those held elsewhere (of which the preview must reveal nothing)."""
    serial_column = next((c for c, f in columns.items() if f == "serial"), None)
    if serial_column is None:
        return set(), set()
    serials = {values.text(row[serial_column]) for row in rows if serial_column < len(row)} - {""}
    found: set[tuple[int, str]] = set()
    mine: set[tuple[int, str]] = set()
    chunk = sorted(serials)
    for start in range(0, len(chunk), 500):  # indexed lookups, under SQLite's variable limit
        part = chunk[start : start + 500]
        live = Item.objects.filter(serial__in=part).exclude(status=Status.VOID)
        here = set(live.values_list("equipment_type_id", "serial"))
        found |= here
        if here:
            mine.update(live.visible_to(actor).values_list("equipment_type_id", "serial"))
    return mine, found - mine


def _issue(number, field, columns, header, value, message) -> Issue:
    column = next((c for c, f in columns.items() if f == field), None)
    if column is None:
        where = str(FIELDS[field][0])
    else:
        label = values.text(header[column]) if column < len(header) else ""
        where = f"{column_letter(column)} – {label or FIELDS[field][0]}"
    shown = values.text(value)
    if len(shown) > SHOWN_VALUE:
        shown = shown[:SHOWN_VALUE] + "…"
    return Issue(number, where, shown, message)


def _plan_row(number, cells, columns, header, plan, resolver, scope, default_day, today) -> Row | None:
    problems = []
    failed = set()

    def parse(field, parser):
        try:
            return parser(cells.get(field))
        except values.BadValue as error:
            failed.add(field)
            problems.append(_issue(number, field, columns, header, cells.get(field), str(error)))
            return None

    name = values.text(cells.get("type_code")) or values.text(cells.get("name"))
    equipment_type = None
    if not name:
        problems.append(_issue(number, "name", columns, header, "", _("Thiếu tên trang bị.")))
    else:
        equipment_type, message = resolver.type_for(name)
        if equipment_type is None:
            field = "type_code" if values.text(cells.get("type_code")) else "name"
            problems.append(_issue(number, field, columns, header, name, message))
    unit = scope
    unit_name = values.text(cells.get("unit"))
    if unit_name:
        unit, message = resolver.unit_for(unit_name, scope)
        if unit is None:
            problems.append(_issue(number, "unit", columns, header, unit_name, message))
    grade = parse("grade", values.grade)
    if grade is None and "grade" not in failed:
        problems.append(_issue(number, "grade", columns, header, "", _("Thiếu cấp chất lượng.")))
    quantity = parse("quantity", values.quantity)
    year_made = parse("year_made", values.year)
    received_on = parse("received_on", values.day) or default_day
    if received_on > today:
        problems.append(
            _issue(number, "received_on", columns, header, cells.get("received_on"), _("Ngày tiếp nhận ở tương lai."))
        )
    for field, limit in TEXT_LIMITS.items():
        if len(values.text(cells.get(field))) > limit:
            message = _("%(field)s dài quá %(limit)s ký tự.") % {"field": FIELDS[field][0], "limit": limit}
            problems.append(_issue(number, field, columns, header, cells.get(field), message))
    serial = values.text(cells.get("serial"))
    kind = "item"
    if equipment_type is not None:
        if equipment_type.serialised:
            if not serial:
                problems.append(_issue(number, "serial", columns, header, "", _("Thiếu số hiệu.")))
            elif quantity not in (None, 1):
                problems.append(
                    _issue(
                        number,
                        "quantity",
                        columns,
                        header,
                        quantity,
                        _("Trang bị quản lý theo số hiệu: mỗi chiếc một dòng."),
                    )
                )
        else:
            kind = "lot"
            if not quantity:
                problems.append(
                    _issue(
                        number,
                        "quantity",
                        columns,
                        header,
                        cells.get("quantity"),
                        _("Thiếu số lượng cho trang bị quản lý theo lô."),
                    )
                )
    if problems:
        plan.issues.extend(problems)
        return None
    return Row(
        row=number,
        kind=kind,
        equipment_type=equipment_type,
        unit=unit,
        grade=grade,
        received_on=received_on,
        serial=serial if kind == "item" else "",
        quantity=quantity or 1,
        year_made=year_made,
        origin=values.text(cells.get("origin")),
        lot_number=values.text(cells.get("lot_number")) or (serial if kind == "lot" else ""),
        note=values.text(cells.get("note"))[:300],
    )
