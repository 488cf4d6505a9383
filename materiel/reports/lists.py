"""The other lists of the system as tables for XLSX export: lots, events, coefficients, audit log.

Each list is a column spec plus a row generator over an already scoped, filtered queryset, so the page,
the API and the export all show the same rows. Headers are Vietnamese and, where the importer knows
them, spelled so that the file can be imported again.
"""

from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from materiel.catalog.grades import grade_numbers
from materiel.core.xlsx import Column
from materiel.documents.signatories import signatory
from materiel.ledger import kinds

LOT_COLUMNS = [
    Column(_("STT"), 6, "int"),
    Column(_("Tên trang bị"), 32),
    Column(_("Số lô"), 16),
    Column(_("Đơn vị quản lý"), 34),
    Column(_("Cấp chất lượng"), 9, "int"),
    Column(_("Số lượng"), 12, "int"),
    Column(_("Đơn vị tính"), 10),
]


def lot_table(rows):
    """`rows`: (lot, quantity) pairs as the lots page lists them."""
    for number, (lot, quantity) in enumerate(rows, start=1):
        yield (
            number,
            lot.equipment_type.name,
            lot.lot_number,
            lot.unit.name,
            lot.grade,
            quantity,
            lot.equipment_type.unit_of_measure,
        )


EVENT_COLUMNS = [
    Column(_("Mã sự kiện"), 10, "id"),
    Column(_("Ngày phát sinh"), 13, "date"),
    Column(_("Loại sự kiện"), 22),
    Column(_("Chủng loại"), 28),
    Column(_("Số hiệu / số lô"), 16),
    Column(_("Đơn vị"), 30),
    Column(_("Từ đơn vị"), 26),
    Column(_("Đến đơn vị"), 26),
    Column(_("Cấp trước"), 8, "int"),
    Column(_("Cấp sau"), 8, "int"),
    Column(_("Số lượng"), 10, "int"),
    Column(_("Số văn bản"), 16),
    Column(_("Lý do"), 30),
    Column(_("Người ghi"), 16),
    Column(_("Thời điểm ghi"), 18, "datetime"),
    Column(_("Hủy sự kiện"), 10, "id"),
]

EVENT_RELATIONS = (
    "item__equipment_type",
    "lot__equipment_type",
    "unit",
    "from_unit",
    "to_unit",
    "recorded_by",
)


def event_table(events):
    labels = dict(kinds.choices())
    for event in events.select_related(*EVENT_RELATIONS).iterator(chunk_size=2000):
        thing = event.item or event.lot
        yield (
            event.pk,
            event.occurred_on,
            str(labels.get(event.kind, event.kind)),
            thing.equipment_type.name if thing else "",
            event.item.serial if event.item_id else (event.lot.lot_number if event.lot_id else ""),
            event.unit.name,
            event.from_unit.name if event.from_unit_id else "",
            event.to_unit.name if event.to_unit_id else "",
            event.grade_before,
            event.grade_after,
            event.quantity,
            event.document_number,
            event.reason,
            event.recorded_by.username,
            localtime(event.recorded_at).replace(tzinfo=None),
            event.reverses_id,
        )


def coefficient_columns() -> list[Column]:
    """A column per defined grade (catalog.grades), between the number of items and the holdings."""
    return [
        Column(_("Mã đơn vị"), 12),
        Column(_("Đơn vị"), 34),
        Column(_("Hệ số kỹ thuật"), 12, "decimal"),
        Column(_("Số trang bị"), 12, "int"),
        *(Column(gettext("Cấp %(grade)d") % {"grade": g}, 9, "int") for g in grade_numbers()),
        Column(_("Hệ số đồng bộ"), 12, "decimal"),
        Column(_("Không đồng bộ"), 12, "int"),
        Column(_("Biên chế"), 10, "int"),
        Column(_("Hiện có theo biên chế"), 12, "int"),
    ]


def coefficient_table(summaries):
    numbers = grade_numbers()
    for s in summaries:
        grades = s.overall.by_grade
        yield (
            s.unit.code,
            s.unit.name,
            float(s.coefficient) if s.coefficient is not None else None,
            sum(grades.values()),
            *(grades.get(g, 0) for g in numbers),
            float(s.completeness) if s.completeness is not None else None,
            s.incomplete,
            s.authorised,
            s.filled,
        )


HANDOVER_COLUMNS = [
    Column(_("Số biên bản"), 14),
    Column(_("Ngày bàn giao"), 13, "date"),
    Column(_("Bên giao"), 30),
    Column(_("Bên nhận"), 30),
    Column(_("Người giao"), 22),
    Column(_("Người nhận"), 22),
    Column(_("Số dòng"), 8, "int"),
    Column(_("Lý do, căn cứ"), 30),
]


def _person(name: str, title: str) -> str:
    """The rank before the name, then the position, as the printed record has it:
    Đại úy Lò Văn Giao – Trợ lý quân khí."""
    person = signatory(name, title)
    return " – ".join(p for p in (person.full_name, person.position) if p)


def handover_table(records):
    for r in records:
        yield (
            r.number,
            r.handed_on,
            r.giving_party,
            r.to_unit.name,
            _person(r.giver_name, r.giver_title),
            _person(r.receiver_name, r.receiver_title),
            r.line_count,
            r.reason,
        )


HOLDING_COLUMNS = [
    Column(_("Nhóm"), 22),
    Column(_("Mã chủng loại"), 12),
    Column(_("Chủng loại"), 32),
    Column(_("Đơn vị tính"), 10),
    Column(_("Của đơn vị"), 10, "int"),
    Column(_("Biên chế"), 10, "int"),
    Column(_("Hiện có"), 10, "int"),
    Column(_("Thiếu"), 10, "int"),
    Column(_("Tỷ lệ (%)"), 10, "decimal"),
]


def holding_table_rows(lines):
    for line in lines:
        t = line.equipment_type
        rate = line.fill_rate
        yield (
            t.category.name,
            t.code,
            t.name,
            t.unit_of_measure,
            line.own.quantity if line.own else None,
            line.authorised,
            line.held,
            line.shortfall,
            float(rate) if rate is not None else None,
        )


TYPE_COLUMNS = [
    Column(_("Nhóm"), 22),
    Column(_("Mã chủng loại"), 12),
    Column(_("Tên trang bị"), 32),
    Column(_("Tên ngắn"), 16),
    Column(_("Đơn vị tính"), 10),
    Column(_("Quản lý theo"), 14),
    Column(_("Niên hạn (năm)"), 10, "int"),
    Column(_("Nước sản xuất"), 14),
]


def type_table(types):
    for t in types:
        yield (
            t.category.name,
            t.code,
            t.name,
            t.short_name,
            t.unit_of_measure,
            str(_("số hiệu")) if t.serialised else str(_("lô")),
            t.service_life_years,
            t.origin,
        )
