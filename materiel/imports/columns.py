"""Recognising a register's columns from the headers people actually write.

The spellings below are the data the importer matches headers against (docs/imports.md shows them);
a header split over two rows ("Số lượng" merged over "Tổng số / Cấp 1 / Cấp 2 …") is read as one.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from materiel.catalog.grades import grade_numbers
from materiel.core.text import search_fold

from .values import numeral

# field -> (label, header spellings, folded). Order matters only for display.
FIELDS: dict[str, tuple[StrOrPromise, tuple[str, ...]]] = {
    "row_no": (_("STT"), ("stt", "tt", "so tt", "so thu tu")),
    "serial": (
        _("Số hiệu"),
        (
            "so hieu",
            "so may",
            "so khung",
            "so seri",
            "so serial",
            "so hieu trang bi",
            "so hieu vu khi",
            "so dang ky",
            "bien so",
        ),
    ),
    "name": (
        _("Tên trang bị"),
        (
            "ten trang bi",
            "ten vktbkt",
            "ten vu khi",
            "ten vu khi trang bi",
            "ten vk tbkt",
            "ten",
            "chung loai",
            "ten chung loai",
        ),
    ),
    "type_code": (_("Mã chủng loại"), ("ma chung loai", "ma trang bi", "ma")),
    "category": (_("Loại"), ("loai", "nhom", "nhom trang bi", "loai trang bi")),
    "uom": (_("Đơn vị tính"), ("don vi tinh", "dvt", "dv tinh")),
    "quantity": (_("Số lượng"), ("so luong", "sl")),
    "grade": (
        _("Cấp chất lượng"),
        ("cap chat luong", "phan cap", "cap", "chat luong", "cap cl", "phan cap chat luong"),
    ),
    "year_made": (_("Năm sản xuất"), ("nam san xuat", "nam sx")),
    "origin": (_("Nước sản xuất"), ("nuoc san xuat", "nuoc sx", "xuat xu")),
    "unit": (_("Đơn vị quản lý"), ("don vi quan ly", "don vi", "don vi su dung", "noi quan ly")),
    "received_on": (
        _("Ngày tiếp nhận"),
        ("ngay tiep nhan", "ngay nhan", "ngay nhap", "ngay dua vao su dung", "nam dua vao su dung", "ngay nhap kho"),
    ),
    "lot_number": (_("Số lô"), ("so lo", "lo", "lo san xuat")),
    "kit": (
        _("Thiếu, hỏng đồng bộ"),
        ("thieu, hong dong bo", "thieu hong dong bo", "thieu dong bo", "dong bo", "tinh trang dong bo", "thieu hong"),
    ),
    "note": (_("Ghi chú"), ("ghi chu",)),
}
SYNONYMS = {search_fold(spelling): field for field, (_label, spellings) in FIELDS.items() for spelling in spellings}
SEARCH_ROWS = 30  # the header is looked for among the first rows (titles and blank rows sit above it)


# Sub-headers under a quantity or grade header: the total, and the quantity of each grade.
TOTAL_SUBHEADERS = {"tong so", "tong", "cong", "so luong"}


# The quantity of each grade, under a "Số lượng" or "Cấp chất lượng" header over "Cấp 1 … Cấp 5".
# Reading a header finds a grade column whatever its number, as the file writes it; the plan then reads
# the columns of the grades that the reference data defines (catalog.grades) and refuses the others.
GRADE_FIELD = "grade_"
NUMERAL = r"([1-9]|i{1,3}|iv|vi{0,3}|ix)"  # a grade as written: 1 to 9, I to IX
GRADE_SUBHEADER = re.compile(rf"^(?:cap |c)?{NUMERAL}(?: cl)?$")
GRADE_COLUMN = re.compile(rf"^so luong cap {NUMERAL}$")


def grade_of_field(name: str) -> int | None:
    """`grade_3` -> 3; None for a field that is not a grade's quantity."""
    number = name.removeprefix(GRADE_FIELD)
    return int(number) if name.startswith(GRADE_FIELD) and number.isdigit() else None


def grade_fields() -> dict[str, int]:
    """`grade_N` -> N, for each defined grade (catalog.grades)."""
    return {f"{GRADE_FIELD}{n}": n for n in grade_numbers()}


def fields() -> dict[str, tuple[StrOrPromise, tuple[str, ...]]]:
    """FIELDS and, after them, the quantity column of each defined grade."""
    by_grade = {
        field: (gettext("Số lượng cấp %(grade)d") % {"grade": n}, (f"so luong cap {n}",))
        for field, n in grade_fields().items()
    }
    return {**FIELDS, **by_grade}


def _grade_number(written: str) -> int | None:
    """ "3" or "iii" -> 3, as values.numeral reads it."""
    return numeral(written) or None


def field_for(header) -> str | None:
    text = search_fold(str(header or "")).strip(" :.*")
    found = SYNONYMS.get(text)
    if found is None and (match := GRADE_COLUMN.match(text)) and (n := _grade_number(match.group(1))):
        found = f"{GRADE_FIELD}{n}"
    return found


def _fold(cell) -> str:
    return search_fold(str(cell or "")).strip(" :.*()")


def field_under(parent, child) -> str | None:
    """The field of a column whose header is `child` under the (merged) `parent` header."""
    above = field_for(parent)
    below = _fold(child)
    match = GRADE_SUBHEADER.match(below) if above in ("quantity", "grade") else None
    if match and (n := _grade_number(match.group(1))):
        return f"{GRADE_FIELD}{n}"
    if above == "quantity" and below in TOTAL_SUBHEADERS:
        return "quantity"
    return field_for(child) or above


@dataclass
class Header:
    index: int  # 0-based row of the header (its first row when it spans two)
    columns: dict[int, str]  # column index -> field
    labels: dict[int, str] = field(default_factory=dict)  # column index -> the header as written
    height: int = 1  # rows the header takes: 1, or 2 when a row of sub-headers sits under it

    @property
    def first_data(self) -> int:
        return self.index + self.height

    @property
    def holds_register(self) -> bool:
        """Names a type (or its code) and a grade: a register, not any table with two known words."""
        fields = set(self.columns.values())
        named = bool(fields & {"name", "type_code"})
        graded = "grade" in fields or any(grade_of_field(f) for f in fields)
        return named and graded


def _text(cell) -> str:
    return " ".join(str(cell).split()) if cell is not None and str(cell).strip() else ""


def _spans(merged, index: int) -> dict[int, int]:
    """For a header row: column -> the first column of the horizontal merge it lies in."""
    spans = {}
    for (r0, c0), (r1, c1) in merged or ():
        if r0 <= index <= r1:
            for column in range(c0, c1 + 1):
                spans[column] = c0
    return spans


def read_header(rows: list[list], index: int, merged=None, height: int | None = None) -> Header:
    """The header at row `index`, on one row or (when it reads better, or `height` says so) with the
    row of sub-headers under it."""
    one = _one_row(rows[index] if index < len(rows) else [], index)
    if height == 1 or index + 1 >= len(rows):
        return one
    two = _two_rows(rows, index, merged)
    if height == 2:
        return two
    # Two rows only when the pair names more than either row alone (a title row over the header does not).
    alone = max(_count(one), _count(_one_row(rows[index + 1], index + 1)))
    return two if _count(two) > alone else one


def _count(header: Header) -> int:
    return len(set(header.columns.values()))


def _one_row(row: list, index: int) -> Header:
    header = Header(index, {})
    for column, cell in enumerate(row):
        found = field_for(cell)
        if found and found not in header.columns.values():
            header.columns[column] = found
            header.labels[column] = _text(cell)
    return header


def _two_rows(rows: list[list], index: int, merged) -> Header:
    top, below = rows[index], rows[index + 1]
    spans = _spans(merged, index)
    header = Header(index, {}, height=2)
    running = ""  # the header over the previous column's sub-header (files without merge information)
    for column in range(max(len(top), len(below))):
        cell = _text(top[column]) if column < len(top) else ""
        child = _text(below[column]) if column < len(below) else ""
        first = spans.get(column, column)
        if cell:
            owner = cell
        elif first != column:
            owner = _text(top[first]) if first < len(top) else ""
        elif child and running and not merged:
            owner = running
        else:
            owner = ""
        running = owner if child else ""
        if not owner and not child:
            continue
        found = field_under(owner, child) if child else field_for(owner)
        label = f"{owner} / {child}" if owner and child else owner or child
        if found and found not in header.columns.values():
            header.columns[column] = found
            header.labels[column] = label
    return header


def find_header(rows: list[list], merged=None) -> Header | None:
    """The header: the row (or two rows) among the first SEARCH_ROWS that names the most known columns."""
    best = None
    for index in range(min(len(rows), SEARCH_ROWS)):
        header = read_header(rows, index, merged)
        count = _count(header)
        if count >= 2 and (best is None or count > _count(best)):
            best = header
    return best
