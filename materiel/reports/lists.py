"""The other lists of the system as tables for XLSX export: lots, events, coefficients, audit log.

Each list is a column spec plus a row generator over an already scoped, filtered queryset, so the page,
the API and the export all show the same rows. Headers are Vietnamese and, where the importer knows
them, spelled so that the file can be imported again.
"""

import json

from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from materiel.ledger.models import EventKind

from .xlsx import Column

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
    Column(_("Mã sự kiện"), 10, "int"),
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
    Column(_("Hủy sự kiện"), 10, "int"),
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
    labels = dict(EventKind.choices)
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


COEFFICIENT_COLUMNS = [
    Column(_("Mã đơn vị"), 12),
    Column(_("Đơn vị"), 34),
    Column(_("Hệ số kỹ thuật"), 12, "decimal"),
    Column(_("Số trang bị"), 12, "int"),
    Column(_("Cấp 1"), 9, "int"),
    Column(_("Cấp 2"), 9, "int"),
    Column(_("Cấp 3"), 9, "int"),
    Column(_("Cấp 4"), 9, "int"),
    Column(_("Cấp 5"), 9, "int"),
    Column(_("Biên chế"), 10, "int"),
    Column(_("Hiện có theo biên chế"), 12, "int"),
]


def coefficient_table(summaries):
    for s in summaries:
        grades = s.overall.by_grade
        yield (
            s.unit.code,
            s.unit.name,
            float(s.coefficient) if s.coefficient is not None else None,
            sum(grades.values()),
            *(grades.get(g, 0) for g in range(1, 6)),
            s.authorised,
            s.filled,
        )


AUDIT_COLUMNS = [
    Column(_("Thời điểm"), 18, "datetime"),
    Column(_("Loại"), 24),
    Column(_("Tên đăng nhập"), 16),
    Column(_("Người thực hiện"), 16),
    Column(_("Tài khoản"), 16),
    Column(_("Địa chỉ"), 16),
    Column(_("Nội dung thay đổi"), 50),
]


def audit_table(entries):
    for entry in entries.select_related("actor", "target").iterator(chunk_size=2000):
        yield (
            localtime(entry.at).replace(tzinfo=None),
            entry.get_kind_display(),
            entry.username,
            entry.actor.username if entry.actor_id else "",
            entry.target.username if entry.target_id else "",
            entry.address or "",
            json.dumps(entry.changes, ensure_ascii=False) if entry.changes else "",
        )
