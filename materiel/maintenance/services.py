"""Maintenance verbs: a plan saved (catalogue, `catalog.manage`), a maintenance recorded (ledger).

A plan is reference data shared by the whole tree, like the equipment type it belongs to; saving it
writes an audit entry and drops its due rows, which the board rebuilds by the new norm. A maintenance
is a ledger event, written by the one writer through `ledger.services` (permission `ledger.record`
on the item's unit, checked there).
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts import audit
from materiel.accounts.models import AuditKind
from materiel.catalog.models import EquipmentType, Meter
from materiel.catalog.services import require_catalogue
from materiel.core.errors import DomainError
from materiel.core.text import fold, nfc
from materiel.equipment.models import Item
from materiel.ledger import services as ledger

from .due import MAINTENANCE_DONE
from .models import EVERY, PLAN_STATUSES, DueState, MaintenancePlan, MaintenancePlanPart

MAX_INTERVAL = Decimal("10000000")
MAX_DAYS = 36600  # a hundred years


def _interval(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    if value <= 0 or value > MAX_INTERVAL:
        raise DomainError(_("Chu kỳ phải lớn hơn 0 và không quá 10.000.000."), field=field)
    return Decimal(value)


def _percent(value, field: str) -> Decimal:
    if value is None or not 0 <= value <= 100:
        raise DomainError(_("Tỷ lệ phần trăm phải từ 0 đến 100."), field=field)
    return Decimal(value)


@transaction.atomic
def save_plan(
    *,
    actor,
    equipment_type: EquipmentType,
    name: str,
    every_km=None,
    every_engine_hours=None,
    every_rounds=None,
    every_days: int | None = None,
    tolerance_percent=Decimal(10),
    soon_percent=None,
    soon_days: int | None = None,
    statuses=(),
    labour_hours=None,
    steps: str = "",
    starts_on: date | None = None,
    plan: MaintenancePlan | None = None,
    request=None,
) -> MaintenancePlan:
    """Create a maintenance plan of a type, or change one; the type's due rows of it are rebuilt."""
    require_catalogue(actor)
    name = nfc(name or "")
    if not name:
        raise DomainError(_("Chưa nhập tên kế hoạch bảo dưỡng."), field="name")
    if len(name) > 120:
        raise DomainError(_("Dài tối đa %(n)d ký tự.") % {"n": 120}, field="name")
    others = MaintenancePlan.objects.filter(equipment_type=equipment_type)
    if plan is not None:
        others = others.exclude(pk=plan.pk)
    if any(fold(other) == fold(name) for other in others.values_list("name", flat=True)):
        raise DomainError(
            _("%(type)s đã có kế hoạch bảo dưỡng tên %(name)s.") % {"type": equipment_type.name, "name": name},
            field="name",
        )
    values: dict[str, Any] = {
        "name": name,
        "every_km": _interval(every_km, "every_km"),
        "every_engine_hours": _interval(every_engine_hours, "every_engine_hours"),
        "every_rounds": _interval(every_rounds, "every_rounds"),
        "every_days": every_days or None,
        "tolerance_percent": _percent(tolerance_percent, "tolerance_percent"),
        "labour_hours": labour_hours if labour_hours not in ("",) else None,
        "steps": "\n".join(nfc(line) for line in (steps or "").splitlines() if nfc(line)),
        "statuses": [s for s in PLAN_STATUSES if s in set(statuses)],
    }
    if values["every_days"] is not None and not 1 <= values["every_days"] <= MAX_DAYS:
        raise DomainError(_("Chu kỳ theo ngày phải từ 1 đến 36.600 ngày."), field="every_days")
    if soon_percent is not None:
        values["soon_percent"] = _percent(soon_percent, "soon_percent")
    if soon_days is not None:
        values["soon_days"] = soon_days
    for meter, field in EVERY.items():
        if values[field] is not None and meter not in equipment_type.meters:
            raise DomainError(
                _("%(type)s không theo dõi %(meter)s: bỏ chu kỳ này hoặc thêm đồng hồ cho chủng loại.")
                % {"type": equipment_type.name, "meter": Meter(meter).label.lower()},
                field=field,
            )
    if not any(values[f] for f in (*EVERY.values(), "every_days")):
        raise DomainError(_("Nhập ít nhất một chu kỳ: km, giờ máy, phát bắn hoặc số ngày."), field="every_days")
    if not values["statuses"]:
        raise DomainError(_("Chọn ít nhất một tình trạng áp dụng."), field="statuses")
    if labour_hours is not None and not 0 <= labour_hours <= 10000:
        raise DomainError(_("Giờ công phải từ 0 đến 10.000."), field="labour_hours")
    if plan is None:
        values["starts_on"] = starts_on or timezone.localdate()
        plan = MaintenancePlan.objects.create(equipment_type=equipment_type, **values)
        changes: dict[str, Any] = {"created": True}
    else:
        if starts_on is not None:
            values["starts_on"] = starts_on
        changes = {k: [str(getattr(plan, k)), str(v)] for k, v in values.items() if getattr(plan, k) != v}
        if not changes:
            return plan
        for key, value in values.items():
            setattr(plan, key, value)
        plan.save()
        DueState.objects.filter(plan=plan).delete()  # rebuilt by the new norm on the next read
    audit.record(
        AuditKind.CATALOG_CHANGED,
        request=request,
        actor=actor,
        changes={"object": "maintenance_plan", "type": equipment_type.code, "name": plan.name, **changes},
    )
    return plan


def record_maintenance(
    item: Item,
    *,
    plan: MaintenancePlan,
    occurred_on: date,
    actor,
    note: str = "",
    expected_version: int | None = None,
):
    """One maintenance done (bảo dưỡng xong) by a plan, as a ledger event of its own transaction."""
    details = {"plan": plan.pk, "note": note or ""}
    return ledger.record(
        MAINTENANCE_DONE, item, actor=actor, occurred_on=occurred_on, details=details, expected_version=expected_version
    )


MAX_PART_QUANTITY = 100000


def save_plan_parts(plan: MaintenancePlan, parts: list[tuple[Any, Any]], *, actor, request=None) -> None:
    """Set a plan's standard parts: (part type or None, quantity text or number) per row, rows left
    empty skipped. A refusal names its row and field (`parts-<row>-type`, `parts-<row>-quantity`)."""
    require_catalogue(actor)
    wanted: dict[int, int] = {}
    types: dict[int, EquipmentType] = {}
    for row, (part_type, quantity) in enumerate(parts, start=1):
        if part_type in (None, "") and quantity in (None, ""):
            continue
        where = _("Phụ tùng dòng %(row)d") % {"row": row}
        if part_type in (None, ""):
            raise DomainError(f"{where} – {_('phụ tùng, vật tư')}: {_('chưa chọn.')}", field=f"parts-{row}-type")
        if part_type.serialised:
            raise DomainError(
                f"{where} – {_('phụ tùng, vật tư')}: "
                + _("%(type)s quản lý theo từng chiếc, không phải phụ tùng tính theo lô.") % {"type": part_type.name},
                field=f"parts-{row}-type",
            )
        text = str(quantity if quantity is not None else "").strip()
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_PART_QUANTITY:
            raise DomainError(
                f"{where} – {_('số lượng')}: " + _("phải là số nguyên từ 1 đến 100.000."),
                field=f"parts-{row}-quantity",
            )
        if part_type.pk in wanted:
            raise DomainError(
                f"{where} – {_('phụ tùng, vật tư')}: " + _("%(type)s đã có ở dòng trên.") % {"type": part_type.name},
                field=f"parts-{row}-type",
            )
        wanted[part_type.pk] = int(text)
        types[part_type.pk] = part_type
    before = dict(MaintenancePlanPart.objects.filter(plan=plan).values_list("part_type_id", "quantity"))
    if before == wanted:
        return
    MaintenancePlanPart.objects.filter(plan=plan).delete()
    MaintenancePlanPart.objects.bulk_create(
        MaintenancePlanPart(plan=plan, part_type_id=pk, quantity=n) for pk, n in wanted.items()
    )
    audit.record(
        AuditKind.CATALOG_CHANGED,
        request=request,
        actor=actor,
        changes={
            "object": "maintenance_plan_parts",
            "plan": plan.name,
            "parts": {types[pk].code: n for pk, n in wanted.items()},
        },
    )
