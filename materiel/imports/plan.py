"""From rows of cells to a validated plan: what each row becomes, and every problem with its cell.

Nothing is written here. The preview (CLI, wizard) shows the plan; `commit.commit_plan` writes it.
"""

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import CharField
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from materiel.catalog.grades import grade_numbers
from materiel.catalog.models import EquipmentType
from materiel.core.errors import DomainError
from materiel.core.text import fold, nfc, search_fold
from materiel.equipment.models import Item, Lot, Status
from materiel.ledger import rules
from materiel.units.models import Unit

from . import values
from .columns import FIELDS, Header, fields, find_header, grade_of_field, read_header
from .history import LedgerCheck, fmt
from .models import TypeAlias
from .reader import FileRefused, Table


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
    kit: list[dict[str, int]] = field(default_factory=list)  # what is short of its kit (values.kit)
    # A historical row dated before its unit was founded (imports.history):
    original_on: date | None = None  # "founding-date": the date the file gives, kept in the record
    held_by: Unit | None = None  # "transfer": received at this unit, then transferred to `unit`
    transfer_on: date | None = None
    transfer_document: str = ""


# Rows of the standard form that are not equipment: recognised, skipped and listed in the preview.
SKIP_KINDS = {
    "blank": gettext_lazy("Dòng trống"),
    "column_numbers": gettext_lazy("Dòng đánh số cột"),
    "section": gettext_lazy("Dòng tên mục, nhóm"),
    "total": gettext_lazy("Dòng cộng, tổng cộng"),
    "signature": gettext_lazy("Phần ký tên"),
}


@dataclass
class Skipped:
    row: int
    kind: str  # a key of SKIP_KINDS
    text: str  # what the row says, shortened

    @property
    def label(self) -> str:
        return str(SKIP_KINDS[self.kind])


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
    skipped_rows: list[Skipped] = field(default_factory=list)  # every skipped row but the blank ones
    header_height: int = 1  # 2 when sub-headers sit under the header row
    labels: dict[int, str] = field(default_factory=dict)  # the headers as the file writes them
    sheets: list[str] = field(default_factory=list)
    registers: list[str] = field(default_factory=list)
    # Type names the catalogue does not know: name -> {"rows": count, "first_row": n, "suggestions": [types]}
    unknown_types: dict[str, dict] = field(default_factory=dict)
    # Names read through a mapping: name -> (type, "mapped" by the user for this file, or "remembered")
    mapped_types: dict[str, tuple[EquipmentType, str]] = field(default_factory=dict)
    # Units with rows dated before their founding: unit id -> history.Early; and the policy applied
    early: dict = field(default_factory=dict)
    before_founding: str | None = None

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


def types_by_code(mapping: dict[str, str]) -> dict[str, EquipmentType]:
    """{name in the file: type code} -> {name: type}, refusing a code the catalogue lacks."""
    wanted = {code for code in mapping.values() if code}
    found = {t.code: t for t in EquipmentType.objects.filter(code__in=wanted).select_related("category")}
    types = {}
    for name, code in mapping.items():
        if not code:
            continue
        if code not in found:
            raise DomainError(
                _("“%(name)s”: không có chủng loại mã “%(code)s” trong danh mục.") % {"name": name, "code": code},
                field="types",
            )
        types[nfc(name)] = found[code]
    return types


class Resolver:
    """Names in the file -> catalogue types and units of the scope, ignoring diacritics and case.

    A name the catalogue lacks may be mapped to a type: by the user for this file (`types`), or by a
    mapping remembered from an earlier import into the unit or a unit above it (TypeAlias)."""

    def __init__(self, actor, unit: Unit, types: dict[str, EquipmentType] | None = None):
        self.types: dict[str, EquipmentType] = {}
        for t in EquipmentType.objects.select_related("category"):
            for key in (t.name, t.short_name, t.code):
                if key:
                    self.types.setdefault(search_fold(key), t)
        self.mapped = {search_fold(name): (name, t) for name, t in (types or {}).items()}
        aliases = TypeAlias.objects.filter(unit__path__in=unit.ancestor_paths()).select_related(
            "equipment_type", "unit"
        )
        # The unit's own mapping wins over one remembered higher up.
        self.remembered = {a.key: a.equipment_type for a in sorted(aliases, key=lambda a: len(a.unit.path))}
        self.used: dict[str, tuple[EquipmentType, str]] = {}
        scope = Unit.objects.visible_to(actor).subtree_of(unit).filter(dissolved_on__isnull=True)
        self._type_answers: dict[str, tuple] = {}
        self._unit_answers: dict[str, tuple] = {}
        self._kits: dict[int, list] = {}
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

    def kit_lines(self, equipment_type: EquipmentType) -> list:
        """The type's standard kit, read once per type."""
        if equipment_type.pk not in self._kits:
            self._kits[equipment_type.pk] = list(equipment_type.kit_lines.all())
        return self._kits[equipment_type.pk]

    def unit_for(self, name: str, scope: Unit) -> tuple[Unit | None, str]:
        if name not in self._unit_answers:
            self._unit_answers[name] = self._unit_for(name, scope)
        return self._unit_answers[name]

    def suggestions(self, name: str) -> list[EquipmentType]:
        close = difflib.get_close_matches(search_fold(name), list(self.types), n=3, cutoff=0.6)
        return list(dict.fromkeys(self.types[c] for c in close))

    def _type_for(self, name: str) -> tuple[EquipmentType | None, str]:
        key = search_fold(name)
        if key in self.mapped:
            self.used[name] = (self.mapped[key][1], "mapped")
            return self.mapped[key][1], ""
        found = self.types.get(key)
        if found:
            return found, ""
        if key in self.remembered:
            self.used[name] = (self.remembered[key], "remembered")
            return self.remembered[key], ""
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
def _max_length(model: type[Item] | type[Lot], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, CharField) and field.max_length is not None
    return field.max_length


TEXT_LIMITS = {
    "serial": _max_length(Item, "serial"),
    "origin": _max_length(Item, "origin"),
    "lot_number": _max_length(Lot, "lot_number"),
}
SHOWN_VALUE = 100  # characters of a cell quoted in an issue

PROGRESS_EVERY = 2000
TOTAL_ROW = re.compile(r"^(tong cong|tong so)\b|^(cong|tong)\s*($|[:(\d]|(muc|nhom|phan|loai)\b|[ivx]+\b)")
COLUMN_NUMBER = re.compile(r"^\(?(\d{1,3})\)?\.?$")
SECTION_MARK = re.compile(r"^([ivx]{1,5}|[a-z])[.)]?$")
SIGNATURE = re.compile(
    r"^(nguoi lap|thu truong|chi huy truong|chinh tri vien|tro ly|thu kho|xac nhan|duyet|nguoi kiem tra)"
    r"|\(ky,? ghi ro ho ten|ngay\s*\S*\s*thang\s*\S*\s*nam"
)
# And the quantity column of each grade (columns.grade_of_field).
DATA_FIELDS = {"serial", "grade", "quantity", "received_on", "year_made", "lot_number"}


def _filled(raw) -> list[str]:
    return [t for t in (values.text(c) for c in raw) if t]


def _column_numbers(raw) -> bool:
    """The row of column numbers printed under the header: 1, 2, 3 … or (1), (2) …"""
    numbers = []
    for cell in raw:
        if values.text(cell) == "":
            continue
        match = COLUMN_NUMBER.match(values.text(cell))
        if not match:
            return False
        numbers.append(int(match.group(1)))
    return len(numbers) >= 3 and numbers[0] <= 2 and all(b > a for a, b in zip(numbers, numbers[1:], strict=False))


def _counts(cells) -> bool:
    """Whether the row holds a grade or a quantity that reads as one: equipment, not words."""
    by_grade = [name for name in cells if grade_of_field(name)]
    for name in ("grade", "quantity", *by_grade):
        raw = cells.get(name)
        if values.text(raw) == "":
            continue
        if name in by_grade and fold(values.text(raw)) in MARKS:
            return True
        try:
            if (values.grade if name == "grade" else values.quantity)(raw):
                return True
        except values.BadValue:
            continue
    return False


def _skip_kind(raw, cells, in_signature: bool, resolver) -> str | None:
    """Which kind of non-equipment row this is, or None for a row to read as data."""
    filled = _filled(raw)
    if not filled:
        return "blank"
    if _column_numbers(raw):
        return "column_numbers"
    has = {f for f, v in cells.items() if values.text(v)}
    counts = _counts(cells)
    if not counts and (in_signature or any(SIGNATURE.search(fold(t)) for t in filled)):
        return "signature"
    if "serial" not in has and any(TOTAL_ROW.match(fold(t)) for t in filled[:2]):
        return "total"
    data = has & (DATA_FIELDS - {"serial"}) or any(grade_of_field(f) for f in has)
    if not counts and not data:
        words = [t for t in filled if not SECTION_MARK.match(fold(t))]
        marked = bool(SECTION_MARK.match(fold(filled[0])))
        alone = "serial" not in has and len(words) <= 1 and not values.text(cells.get("row_no"))
        if (marked or alone) and (not words or resolver.type_for(words[0])[0] is None):
            return "section"
        if not has - {"row_no"}:
            return "blank"  # a number in the STT column and nothing else
    return None


def _header(table: Table, header_row: int | None) -> Header | None:
    if header_row is None:
        return find_header(table.rows, table.merged)
    if not 1 <= header_row <= len(table.rows):
        raise FileRefused(
            _("Dòng tiêu đề %(row)s nằm ngoài trang tính “%(sheet)s” (%(n)s dòng).")
            % {"row": header_row, "sheet": table.sheet, "n": len(table.rows)}
        )
    return read_header(table.rows, header_row - 1, table.merged)


def build_plan(
    table: Table,
    *,
    actor,
    unit: Unit,
    default_day: date | None = None,
    columns: dict[int, str] | None = None,
    header_row: int | None = None,
    types: dict[str, EquipmentType] | None = None,
    before_founding: str | None = None,
    predecessors: dict[str, str] | None = None,
    progress=None,
) -> Plan:
    """Validate every row of `table` for import into `unit`'s subtree; nothing is written.

    `header_row` (as Excel numbers it) overrides the header found; `columns` the fields it was read as;
    `types` maps names the catalogue lacks to types ({name in the file: type}); `before_founding`
    ("transfer" or "founding-date") places rows dated before their unit was founded, `predecessors`
    ({unit code: code of the unit that held its equipment before}) says where to receive them.
    Every row is checked against the ledger's rules as the commit will apply them (history.LedgerCheck).
    `progress(done, total)` is called every few thousand rows; it may raise to stop the check.
    """
    found = _header(table, header_row)
    if (found is None or not found.columns) and columns is None and header_row is None:
        looked = ", ".join(f"“{n}”" for n in (table.sheets or [table.sheet]))
        raise FileRefused(
            _(
                "Không tìm thấy dòng tiêu đề trong trang tính “%(sheet)s” (đã xem các trang tính: %(sheets)s): "
                "cần ít nhất hai cột như “Số hiệu”, “Tên trang bị”, “Cấp chất lượng”."
            )
            % {"sheet": table.sheet, "sheets": looked}
        )
    found = found or Header(0, {})
    header_index = found.index
    columns = columns or found.columns
    plan = Plan(
        table.name,
        table.file_hash,
        table.sheet,
        header_index + 1,
        columns,
        header_height=found.height,
        labels={c: found.labels.get(c, "") for c in columns},
        sheets=table.sheets,
        registers=table.registers,
    )
    if len(table.registers) > 1 and not table.chosen:
        names = ", ".join(f"“{n}”" for n in table.registers)
        message = _("Tệp có %(n)s trang tính chứa sổ: %(names)s. Đang đọc “%(sheet)s”: hãy chọn trang tính cần nhập.")
        message %= {"n": len(table.registers), "names": names, "sheet": table.sheet}
        plan.issues.append(Issue(header_index + 1, "—", "", message))
    fields = set(columns.values())
    missing = [
        str(FIELDS[f][0])
        for f in ("name", "grade")
        if f not in fields
        and not (f == "name" and "type_code" in fields)
        and not (f == "grade" and any(grade_of_field(g) for g in fields))
    ]
    if missing:
        plan.issues.append(Issue(header_index + 1, "—", "", _("Thiếu cột: %(cols)s.") % {"cols": ", ".join(missing)}))
        return plan
    written = table.rows[header_index] if header_index < len(table.rows) else []
    header = {c: plan.labels.get(c) or (written[c] if c < len(written) else "") for c in columns}
    resolver = Resolver(actor, unit, types)
    today = timezone.localdate()
    ledger = LedgerCheck(actor, policy=before_founding, chosen=predecessors, today=today)
    plan.before_founding = before_founding
    default_day = default_day or today
    seen: dict[tuple[int, str], int] = {}
    first_data = header_index + found.height
    existing, elsewhere = _existing_serials(table.rows[first_data:], columns, actor)
    total = len(table.rows) - first_data
    in_signature = False
    for index in range(first_data, len(table.rows)):
        if progress and (index - first_data + 1) % PROGRESS_EVERY == 0:
            progress(index - first_data + 1, total)
        raw = table.rows[index]
        cells = {field: raw[col] if col < len(raw) else None for col, field in columns.items()}
        number = index + 1
        kind = _skip_kind(raw, cells, in_signature, resolver)
        if kind is not None:
            plan.skipped += 1
            in_signature = in_signature or kind == "signature"
            if kind != "blank":
                plan.skipped_rows.append(Skipped(number, kind, " · ".join(_filled(raw))[:120]))
            continue
        in_signature = False
        for row in _plan_row(number, cells, columns, header, plan, resolver, unit, default_day, today):
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
                    # Held outside the actor's scope: a plain error with the generic wording, not a
                    # "duplicate" (which would say it exists, and could be skipped to learn which rows).
                    message = rules.unusable_serial(row.serial).message
                    plan.issues.append(_issue(number, "serial", columns, header, row.serial, message))
                    continue
            broken = ledger.check(row)
            if broken is not None:
                where, message = broken
                if where == "unit" and "unit" not in columns.values():
                    where = "received_on"  # the file names no unit: the date is the cell to look at
                shown = str(row.unit) if where == "unit" else fmt(row.original_on or row.received_on)
                plan.issues.append(_issue(number, where, columns, header, shown, message))
                continue
            plan.rows.append(row)
    if not plan.rows and not plan.issues:
        plan.issues.append(Issue(header_index + 1, "—", "", _("Không có dòng dữ liệu nào dưới dòng tiêu đề.")))
    plan.mapped_types = dict(resolver.used)
    plan.early = ledger.early
    for name, unknown in plan.unknown_types.items():
        unknown["suggestions"] = resolver.suggestions(name)
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
    """`header`: column index -> the header as the file writes it."""
    column = next((c for c, f in columns.items() if f == field), None)
    named = str(fields().get(field, (field,))[0])
    if column is None:
        where = named
    else:
        label = values.text(header.get(column))
        where = f"{column_letter(column)} – {label or named}"
    shown = values.text(value)
    if len(shown) > SHOWN_VALUE:
        shown = shown[:SHOWN_VALUE] + "…"
    return Issue(number, where, shown, message)


MARKS = {"x", "v", "\u2713", "\u2714", "+"}  # a tick in the column of the item's grade


def _plan_row(number, cells, columns, header, plan, resolver, scope, default_day, today) -> list[Row]:
    """What one row of the file becomes: one item, one lot receipt, or one per grade of a lot counted by grade."""
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
            unknown = plan.unknown_types.setdefault(name, {"rows": 0, "first_row": number})
            unknown["rows"] += 1
    unit = scope
    unit_name = values.text(cells.get("unit"))
    if unit_name:
        unit, message = resolver.unit_for(unit_name, scope)
        if unit is None:
            problems.append(_issue(number, "unit", columns, header, unit_name, message))
    grade = parse("grade", values.grade)
    by_grade: dict[int, int] = {}
    # The quantity columns of the grades the file writes, in grade order; one of a grade that the
    # reference data does not define is refused as a grade cell is.
    grade_columns = sorted((level, f) for f in columns.values() if (level := grade_of_field(f)))
    defined = grade_numbers()
    for level, field in grade_columns:
        if values.text(cells.get(field)):
            if level not in defined:
                failed.add(field)
                problems.append(_issue(number, field, columns, header, cells.get(field), str(values.grade_message())))
                continue
            mark = fold(values.text(cells.get(field))) in MARKS
            counted = 1 if mark else parse(field, values.quantity)
            if counted:
                by_grade[level] = counted
    first_grade_field = grade_columns[0][1] if grade_columns else "grade"
    if grade is None and not by_grade and not failed & ({"grade"} | {f for _level, f in grade_columns}):
        field = "grade" if "grade" in columns.values() else first_grade_field
        problems.append(_issue(number, field, columns, header, "", _("Thiếu cấp chất lượng.")))
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
    kit: list[dict[str, int]] = []
    if equipment_type is not None and values.text(cells.get("kit")):
        if not equipment_type.serialised:
            problems.append(
                _issue(
                    number, "kit", columns, header, cells.get("kit"), _("Đồng bộ chỉ ghi cho trang bị theo số hiệu.")
                )
            )
        else:
            kit = parse("kit", lambda value: values.kit(value, resolver.kit_lines(equipment_type))) or []
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
            if grade is None and by_grade:
                if len(by_grade) != 1 or set(by_grade.values()) != {1}:
                    message = _("Trang bị quản lý theo số hiệu: ghi 1 (hoặc x) vào đúng một cột cấp chất lượng.")
                    problems.append(_issue(number, first_grade_field, columns, header, "", message))
                else:
                    grade = next(iter(by_grade))
        else:
            kind = "lot"
            if grade is None and by_grade:
                counted = sum(by_grade.values())
                if quantity is not None and quantity != counted:
                    message = _("Tổng số %(total)s khác tổng số lượng các cấp (%(sum)s).") % {
                        "total": quantity,
                        "sum": counted,
                    }
                    problems.append(_issue(number, "quantity", columns, header, quantity, message))
            elif not quantity:
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
        return []
    common = {
        "row": number,
        "kind": kind,
        "equipment_type": equipment_type,
        "unit": unit,
        "received_on": received_on,
        "year_made": year_made,
        "origin": values.text(cells.get("origin")),
        "lot_number": values.text(cells.get("lot_number")) or (serial if kind == "lot" else ""),
        "note": values.text(cells.get("note"))[:300],
        "kit": kit,
    }
    if kind == "lot" and grade is None:
        return [Row(grade=level, quantity=counted, **common) for level, counted in sorted(by_grade.items())]
    return [Row(grade=grade, serial=serial if kind == "item" else "", quantity=quantity or 1, **common)]
