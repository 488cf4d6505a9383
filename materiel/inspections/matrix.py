"""The inspection-duty matrix (ma trận trách nhiệm kiểm tra) kept as data: a row is added or edited
by whoever may keep the inspections' reference data (`inspections.manage`, like the templates)."""

import hashlib
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from materiel.accounts.models import User
from materiel.core.errors import ConflictError, DomainError
from materiel.core.text import nfc

from .models import ChecklistTemplate, DutyRow, Frequency
from .services import require_reference


@transaction.atomic
def save_duty_row(
    *,
    actor: User,
    inspector: str,
    frequency: str,
    template_code: str,
    row: DutyRow | None = None,
    category: Any = None,
    equipment_type: Any = None,
    unit_kind: Any = None,
    place_kind: Any = None,
    expected: str | None = None,
) -> DutyRow:
    """A new row, or `row` changed. `expected`: the row's `stamp` when the editor read it; a row
    changed since is refused rather than overwritten."""
    require_reference(actor)
    inspector = nfc(inspector or "")
    if not inspector:
        raise DomainError(_("Chưa nhập người/cơ quan kiểm tra."), field="inspector")
    if frequency not in Frequency.values:
        raise DomainError(_("Tần suất không hợp lệ."), field="frequency")
    if not ChecklistTemplate.objects.filter(code=template_code).exists():
        raise DomainError(_("Không có mẫu phiếu mã “%(code)s”.") % {"code": template_code}, field="template_code")
    if category is None and equipment_type is None and unit_kind is None and place_kind is None:
        raise DomainError(
            _("Chọn điều được kiểm tra: nhóm, chủng loại, loại đơn vị hoặc loại nơi cất giữ."), field="place_kind"
        )
    if row is not None:
        row = DutyRow.objects.select_for_update().get(pk=row.pk)
        if expected is not None and expected != stamp(row):
            raise ConflictError(_("Dòng ma trận vừa được người khác sửa; hãy tải lại trang rồi thử lại."))
    else:
        row = DutyRow()
    row.inspector = inspector[:120]
    row.frequency = frequency
    row.template_code = template_code
    row.category, row.equipment_type, row.unit_kind, row.place_kind = category, equipment_type, unit_kind, place_kind
    row.save()
    return row


def stamp(row: DutyRow) -> str:
    """What an editor read of a row, as a short digest: its version, for lack of a column."""
    fields = {
        "inspector": row.inspector,
        "frequency": row.frequency,
        "template_code": row.template_code,
        "category": row.category_id,
        "equipment_type": row.equipment_type_id,
        "unit_kind": row.unit_kind_id,
        "place_kind": row.place_kind_id,
    }
    return hashlib.sha256(repr(sorted(fields.items())).encode()).hexdigest()[:16]
