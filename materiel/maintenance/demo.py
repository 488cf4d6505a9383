"""Example maintenance plans for the demo's vehicles (the military's own intervals are not public:
these are plausible examples, labelled as such in docs/glossary.md; the product hard-codes none)."""

from datetime import timedelta
from decimal import Decimal

from materiel.catalog.models import EquipmentType
from materiel.equipment.models import Item, Status

from . import due
from .models import MaintenancePlan

# name, every km, every engine hours, every days, statuses, labour hours, steps, (earliest, latest) start in
# days ago: each type starts at its own day in the range, so the board shows every state
EXAMPLES = [
    (
        "Bảo dưỡng cấp 1", 5000, 250, 180, [Status.IN_SERVICE], 8,
        ["Thay dầu động cơ và lọc dầu", "Kiểm tra, bổ sung nước làm mát", "Kiểm tra phanh, lốp, đèn",
         "Bơm mỡ các khớp"],
        (120, 215),
    ),
    (
        "Bảo dưỡng cấp 2", 20000, 1000, 730, [Status.IN_SERVICE], 24,
        ["Các nội dung bảo dưỡng cấp 1", "Thay lọc nhiên liệu, lọc gió", "Kiểm tra, điều chỉnh ly hợp, hộp số",
         "Kiểm tra hệ thống lái và treo"],
        (500, 760),
    ),
    (
        "Nổ máy, chạy thử xe niêm cất", None, None, 90, [Status.SEALED], 2,
        ["Kiểm tra ắc quy", "Nổ máy 15–20 phút", "Chạy thử ngắn, kiểm tra rò rỉ", "Niêm cất lại"],
        (60, 130),
    ),
]  # fmt: skip


def seed_maintenance_plans(today) -> int:
    """The example plans of every vehicle type (category XE), and their due rows computed once so the
    first read of the board has nothing to rebuild. Returns how many plans were made."""
    vehicles = EquipmentType.objects.filter(category__code__iexact="xe", serialised=True)
    made = 0
    for etype in vehicles:
        for name, km, hours, days, statuses, labour, steps, (earliest, latest) in EXAMPLES:
            ago = earliest + etype.pk * 37 % (latest - earliest)
            MaintenancePlan.objects.create(
                equipment_type=etype,
                name=name,
                every_km=Decimal(km) if km and "km" in etype.meters else None,
                every_engine_hours=Decimal(hours) if hours and "engine_hours" in etype.meters else None,
                every_days=days,
                tolerance_percent=Decimal(10),
                statuses=[s.value for s in statuses],
                labour_hours=Decimal(labour),
                steps="\n".join(steps),
                starts_on=today - timedelta(days=ago),
            )
            made += 1
    due.refresh(Item.objects.filter(equipment_type__in=vehicles))
    return made
