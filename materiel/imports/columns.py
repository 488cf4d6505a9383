"""Recognising a register's columns from the headers people actually write."""

from django.utils.translation import gettext_lazy as _

from materiel.core.text import search_fold

# field -> (label, header spellings, folded). Order matters only for display.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
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
    "note": (_("Ghi chú"), ("ghi chu",)),
}
SYNONYMS = {search_fold(spelling): field for field, (_label, spellings) in FIELDS.items() for spelling in spellings}
SEARCH_ROWS = 30  # the header is looked for among the first rows (titles and blank rows sit above it)


def field_for(header) -> str | None:
    text = search_fold(str(header or "")).strip(" :.*")
    return SYNONYMS.get(text)


def find_header(rows: list[list]) -> tuple[int, dict[int, str]] | None:
    """(index of the header row, {column index: field}) for the row that names most known columns."""
    best = None
    for index, row in enumerate(rows[:SEARCH_ROWS]):
        mapping = {}
        for column, cell in enumerate(row):
            field = field_for(cell)
            if field and field not in mapping.values():
                mapping[column] = field
        if len(mapping) >= 2 and (best is None or len(mapping) > len(best[1])):
            best = (index, mapping)
    return best
