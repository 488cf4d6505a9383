"""The register as a table: the same rows as the Trang bị page with its filters, for XLSX export."""

from materiel.equipment.models import Status

from .xlsx import Column

# Headers the importer recognises, so that an export can be imported again.
REGISTER_COLUMNS = [
    Column("STT", 6, "int"),
    Column("Số hiệu", 16),
    Column("Tên trang bị", 32),
    Column("Nhóm", 22),
    Column("Đơn vị quản lý", 34),
    Column("Cấp chất lượng", 9, "int"),
    Column("Tình trạng", 16),
    Column("Năm sản xuất", 9, "year"),
    Column("Nước sản xuất", 14),
    Column("Ngày tiếp nhận", 13, "date"),
    Column("Người giữ", 20),
    Column("Ghi chú", 24),
]


def register_rows(items, states=None):
    """Rows for REGISTER_COLUMNS; `states` (item -> (unit, grade, status)) gives a past day's values."""
    for number, item in enumerate(items.iterator(chunk_size=2000), start=1):
        unit, grade, status = item.unit.name, item.grade, item.status
        if states is not None and item.pk in states:
            unit, grade, status = states[item.pk]
        yield (
            number,
            item.serial,
            item.equipment_type.name,
            item.equipment_type.category.name,
            unit,
            grade,
            str(Status(status).label),
            item.year_made,
            item.origin,
            item.received_on,
            item.holder,
            item.note,
        )
