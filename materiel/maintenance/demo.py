"""Example maintenance plans for the demo's vehicles, their standard parts, and the technical-day
schedules of its battalion-level units (the military's own intervals are not public: these are
plausible examples, labelled as such in docs/glossary.md; the product hard-codes none)."""

from datetime import timedelta
from decimal import Decimal

from materiel.catalog.models import EquipmentType
from materiel.equipment.models import Item, Status
from materiel.ledger.batch import LedgerBatch
from materiel.units.models import Unit

from . import due
from .models import (
    DayPart,
    Frequency,
    MaintenancePlan,
    MaintenancePlanPart,
    TechnicalDaySchedule,
    Weekday,
    WeekOfMonth,
)

# Standard parts per task of each example plan (type codes of the demo catalogue; examples too).
PARTS = {
    "Bảo dưỡng cấp 1": [("dau-dc", 6), ("loc-dau", 1), ("mo-bt", 1)],
    "Bảo dưỡng cấp 2": [("dau-dc", 6), ("loc-dau", 1), ("loc-gio", 1)],
}
# Spare parts each scheduled unit has in stock, by turns (some sessions find the oil or filters short).
STOCK = {"dau-dc": [40, 120, 20], "loc-dau": [4, 12, 2], "loc-gio": [2, 0, 4], "mo-bt": [5, 10, 0]}
# The units that hold a technical day of their own, and when: (frequency, weekday, week of month, part).
SCHEDULES = {
    "battalion": (Frequency.WEEKLY, Weekday.FRIDAY, None, DayPart.MORNING),
    "regiment": (Frequency.WEEKLY, Weekday.FRIDAY, None, DayPart.AFTERNOON),
    "border-post": (Frequency.WEEKLY, Weekday.SATURDAY, None, DayPart.MORNING),
    "regional-defence-command": (Frequency.MONTHLY, Weekday.FRIDAY, WeekOfMonth.LAST, DayPart.MORNING),
}

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


def seed_maintenance_plans(today, actor=None) -> int:
    """The example plans of every vehicle type (category XE) with their standard parts, and their due
    rows computed once so the first read of the board has nothing to rebuild; the technical-day
    schedules and (given the seeder's `actor`) the units' stock of parts. Returns how many plans."""
    vehicles = EquipmentType.objects.filter(category__code__iexact="xe", serialised=True)
    part_types = {t.code: t for t in EquipmentType.objects.filter(serialised=False)}
    parts = []
    made = 0
    for etype in vehicles:
        for name, km, hours, days, statuses, labour, steps, (earliest, latest) in EXAMPLES:
            ago = earliest + etype.pk * 37 % (latest - earliest)
            plan = MaintenancePlan.objects.create(
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
            parts += [
                MaintenancePlanPart(plan=plan, part_type=part_types[code], quantity=quantity)
                for code, quantity in PARTS.get(name, [])
                if code in part_types
            ]
            made += 1
    MaintenancePlanPart.objects.bulk_create(parts)
    due.refresh(Item.objects.filter(equipment_type__in=vehicles))
    seed_schedules()
    if actor is not None:
        stock_parts(actor, today)
    return made


def stock_parts(actor, today) -> None:
    """Lots of the standard parts at every scheduled unit (received a month ago, through the one writer)."""
    types = {t.code: t for t in EquipmentType.objects.filter(code__in=STOCK, serialised=False)}
    batch = LedgerBatch(actor, today=today, backdated=True)
    received = today - timedelta(days=30)
    schedules = TechnicalDaySchedule.objects.select_related("unit").order_by("unit__path")
    for n, schedule in enumerate(schedules):
        if schedule.unit.founded_on and schedule.unit.founded_on > received:
            continue
        for code, quantities in STOCK.items():
            quantity = quantities[n % len(quantities)]
            if code in types and quantity:
                batch.lot_receipt(
                    equipment_type=types[code], unit=schedule.unit, grade=1, quantity=quantity, occurred_on=received,
                    lot_number=f"PT-{received.year}-KT", document_number=f"{n + 1}/PN-PT",
                )  # fmt: skip
    batch.flush()


def seed_schedules() -> int:
    """A technical-day schedule for every open battalion-level unit (SCHEDULES), so the planner has
    a next session to propose on the first `make demo`. Returns how many."""
    units = Unit.objects.filter(kind__code__in=SCHEDULES, dissolved_on__isnull=True).select_related("kind")
    schedules = [
        TechnicalDaySchedule(
            unit=unit,
            frequency=SCHEDULES[unit.kind.code][0],
            weekday=SCHEDULES[unit.kind.code][1],
            week_of_month=SCHEDULES[unit.kind.code][2],
            part_of_day=SCHEDULES[unit.kind.code][3],
        )
        for unit in units
    ]
    TechnicalDaySchedule.objects.bulk_create(schedules)
    return len(schedules)
