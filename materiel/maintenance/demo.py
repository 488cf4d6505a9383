"""Example maintenance plans for the demo's vehicles, their standard parts, and the technical-day
schedules of its battalion-level units (the military's own intervals are not public: these are
plausible examples, labelled as such in docs/glossary.md; the product hard-codes none)."""

import math
import random
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


def create_plans(today, starts_on=None) -> dict[int, list[MaintenancePlan]]:
    """The example plans of every vehicle type (category XE) with their standard parts; by type id.

    starts_on: the day every plan applies from (the demo's 15 years of history are maintained by
    them from its start); by default each type starts on its own day in the example's range, so
    that a data set without maintenance history (the bench's) still shows every state."""
    vehicles = EquipmentType.objects.filter(category__code__iexact="xe", serialised=True)
    part_types = {t.code: t for t in EquipmentType.objects.filter(serialised=False)}
    parts = []
    made: dict[int, list[MaintenancePlan]] = {}
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
                starts_on=starts_on or today - timedelta(days=ago),
            )
            parts += [
                MaintenancePlanPart(plan=plan, part_type=part_types[code], quantity=quantity)
                for code, quantity in PARTS.get(name, [])
                if code in part_types
            ]
            made.setdefault(etype.pk, []).append(plan)
    MaintenancePlanPart.objects.bulk_create(parts)
    return made


def seed_maintenance_plans(today, actor=None) -> int:
    """The example plans (unless the history made them already: `create_plans`), their due rows
    computed once so the first read of the board has nothing to rebuild, the technical-day schedules
    and (given the seeder's `actor`) the units' stock of parts. Returns how many plans there are."""
    if not MaintenancePlan.objects.exists():
        create_plans(today)
    vehicles = EquipmentType.objects.filter(category__code__iexact="xe", serialised=True)
    due.refresh(Item.objects.filter(equipment_type__in=vehicles))
    seed_schedules()
    if actor is not None:
        stock_parts(actor, today)
    return MaintenancePlan.objects.count()


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


# -- 15 years of maintenance history --------------------------------------------------------------
class Upkeep:
    """The maintenance life of the demo's vehicles, written through the seeder's batch between the
    other events of each item (`HistoryMaker` calls `until` before each of them, in date order).

    Each vehicle gets its own usage (km and engine hours a day) and its own rhythm from a generator
    seeded by its serial, so the rest of the seed's random sequence is untouched. While in service,
    each visit reads its meters and does the level-1 plan a little before it falls due (whichever
    trigger first); most visits are on time, some within the tolerance, a few late; the level-2 plan
    is done at the visit nearest its own due day. While sealed, the run-up plan every ~90 days. The
    last cycle stays open: by today some vehicles are due soon, due, or overdue."""

    ON_TIME, SLACK = 0.85, 0.95  # shares of visits: before the due day, then within the tolerance

    def __init__(self, batch, plans: dict[int, list[MaintenancePlan]], today) -> None:
        self.batch, self.plans, self.today = batch, plans, today
        self.items: dict[int, dict] = {}

    def start(self, item, etype, meters) -> None:
        """A vehicle just received: its usage and the start of its cycles."""
        if etype.pk not in self.plans:
            return
        rng = random.Random(f"upkeep:{item.serial}")
        self.items[item.pk] = {
            "rng": rng,
            "km": Decimal(rng.randint(6, 30)),
            "hours": Decimal(rng.randint(2, 12)) / 10,
            "read_on": item.received_on,
            "done": {},  # plan id -> (day, km, engine hours) of its last maintenance
            "since": item.received_on,  # when the vehicle entered its current status
            "status": "",
        }

    def until(self, item, etype, meters, day) -> None:
        """Every visit of the vehicle up to `day` (inclusive), dated before any later event."""
        life = self.items.get(item.pk)
        if life is None:
            return
        plans = self.plans[etype.pk]
        while True:
            state = self.batch.state_of(item)
            if state.status != life["status"]:
                life["status"], life["since"] = state.status, max(state.last_event_on, life["since"])
            applying = [p for p in plans if state.status in p.statuses]
            if not applying:
                return
            primary = applying[0]
            visit = self._next_visit(life, primary, meters, max(state.last_event_on, life["since"]))
            if visit > day or visit > self.today:
                return
            self._visit(item, etype, life, applying, meters, visit)

    def _due_on(self, life, plan, meters):
        """The day the plan falls due at the vehicle's usage, whichever trigger first."""
        last = life["done"].get(plan.pk)
        since = last[0] if last else max(life["since"], plan.starts_on)
        candidates = [since + timedelta(days=plan.every_days)] if plan.every_days else []
        for meter, interval in plan.meter_intervals().items():
            rate = life["km"] if meter == "km" else life["hours"]
            now = meters.get(meter, Decimal(0))
            done = (last[1] if meter == "km" else last[2]) if last else now
            left = max(Decimal(0), interval - (now - done))
            candidates.append(life["read_on"] + timedelta(days=math.ceil(left / rate)))
        return min(candidates) if candidates else self.today + timedelta(days=3650)

    def _next_visit(self, life, plan, meters, base):
        rng = life["rng"]
        due_on = self._due_on(life, plan, meters)
        roll = rng.random()
        if roll < self.ON_TIME:
            offset = -rng.randint(1, 15)
        elif roll < self.SLACK:
            offset = rng.randint(0, max(0, (plan.every_days or 180) // 12))  # within the 10 % tolerance
        else:
            offset = rng.randint(30, 120)  # late: past the tolerance
        return max(base + timedelta(days=1), due_on + timedelta(days=offset))

    def _visit(self, item, etype, life, applying, meters, day) -> None:
        batch = self.batch
        days = (day - life["read_on"]).days
        # One reading per visit in service, of the plan's first meter (km, else engine hours): both
        # meters move, the other is read by the item's other events. A run-up of a sealed vehicle
        # reads nothing (it hardly moves).
        if batch.state_of(item).status != Status.SEALED:
            for meter in ("km", "engine_hours"):
                rate = life["km"] if meter == "km" else life["hours"]
                if meter in etype.meters:
                    meters[meter] = meters.get(meter, Decimal(0)) + max((rate * days).quantize(Decimal(1)), Decimal(1))
            read = next((m for m in ("km", "engine_hours") if m in etype.meters), None)
            if read is not None:
                batch.meter_reading(item, meter=read, value=meters[read], occurred_on=day)
        life["read_on"] = day
        done_now = [applying[0]] + [
            p for p in applying[1:] if self._due_on(life, p, meters) <= day + timedelta(days=30)
        ]
        for plan in done_now:
            batch.record(item, due.MAINTENANCE_DONE, occurred_on=day, details={"plan": plan.pk})
            life["done"][plan.pk] = (day, meters.get("km", Decimal(0)), meters.get("engine_hours", Decimal(0)))
