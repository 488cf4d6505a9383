"""Repair orders of the demo's (and the bench's) 15 years, made from the repairs its history wrote.

The seeder writes every item's life through the ledger's one writer, its repairs among it: a
`repair_start` when the item goes to repair, a `repair_end` with the grade restored when it comes
back. Here each such repair gets the record a unit would have kept for it: a repair order
(*phiếu sửa chữa*) of the unit that held the item, with its fault, level (from the start's reason:
*vừa*, *lớn*), the facility that did it — the province's repair station for a medium repair, the
military region's workshop or a factory for a major one — its cost, its state log, and its lines
pointing at exactly those two events. No event is written here: the orders describe what the
ledger already holds, so downtime, MTBF and MTTR (`reliability.figures`) read them as they would
read orders closed through the pages.
"""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from materiel.ledger.models import Event, EventKind
from materiel.units.models import SEGMENT_WIDTH, Unit

from .models import (
    Facility,
    FacilityKind,
    OrderItem,
    OrderKind,
    OrderState,
    RepairLevel,
    StateChange,
    WorkOrder,
    WorkOrderLine,
)
from .reference import ensure_levels

FAULTS = [
    "Động cơ khó khởi động, hao dầu",
    "Hộp số kêu, vào số khó",
    "Hệ thống phanh kém hiệu lực",
    "Hư hỏng hệ thống điện, ắc quy",
    "Rò rỉ nhiên liệu",
    "Hệ thống lái rơ",
    "Cơ cấu cò, kim hỏa mòn",
    "Nòng mòn, rỉ sét",
    "Hư hỏng khối thu phát",
    "Vỏ, khung biến dạng",
]
FACTORY = "Nhà máy Z151 (ví dụ)"
CHUNK = 2000  # orders written per statement group


def _facilities() -> tuple[dict[str, Facility], Facility | None, Facility]:
    """(parent path -> the repair station under it, the region's workshop, a factory): each unit of
    kind repair-station becomes a facility of the tree, the region's *xưởng* a workshop."""
    by_parent: dict[str, Facility] = {}
    workshop = None
    stations = Unit.objects.filter(kind__code="repair-station", dissolved_on__isnull=True).select_related("parent")
    known = {f.unit_id: f for f in Facility.objects.filter(unit__in=stations)}
    for unit in stations.order_by("path"):
        kind = FacilityKind.WORKSHOP if "xuong" in unit.code else FacilityKind.STATION
        facility = known.get(unit.pk)
        if facility is None:
            name = unit.name if unit.parent is None else f"{unit.name} – {unit.parent.short_name or unit.parent.name}"
            facility = Facility.objects.create(name=name[:150], kind=kind, unit=unit)
        if kind == FacilityKind.WORKSHOP and workshop is None:
            workshop = facility
        elif unit.parent is not None:
            by_parent[unit.parent.path] = facility
    factory, _created = Facility.objects.get_or_create(name=FACTORY, defaults={"kind": FacilityKind.FACTORY})
    return by_parent, workshop, factory


def _station_for(path: str, stations: dict[str, Facility]) -> Facility | None:
    """The repair station of the nearest ancestor that has one (the province's)."""
    for end in range(len(path), 0, -SEGMENT_WIDTH):
        found = stations.get(path[:end])
        if found is not None:
            return found
    return None


@transaction.atomic
def seed_repair_orders(actor, *, seed: int = 3) -> int:
    """A repair order for every repair in the ledger that has none yet. Returns how many were made."""
    ensure_levels()
    rng = random.Random(seed)
    levels = {level.code: level for level in RepairLevel.objects.all()}
    stations, workshop, factory = _facilities()
    linked = WorkOrderLine.objects.values("event_id")
    events = (
        Event.objects.filter(kind__in=[EventKind.REPAIR_START, EventKind.REPAIR_END], item__isnull=False)
        .exclude(Q(pk__in=linked) | Q(reversed_by__isnull=False))
        .order_by("item_id", "id")
        .values_list("id", "item_id", "kind", "occurred_on", "unit_id", "reason", "grade_before", "grade_after")
    )
    paths = dict(Unit.objects.values_list("pk", "path"))
    repairs: list[tuple] = []  # (start, end or None)
    open_start: dict[int, tuple] = {}
    for row in events.iterator(chunk_size=5000):
        if row[2] == EventKind.REPAIR_START:
            open_start[row[1]] = row
        elif row[1] in open_start:
            repairs.append((open_start.pop(row[1]), row))
    repairs += [(start, None) for start in open_start.values()]
    repairs.sort(key=lambda pair: (pair[0][3], pair[0][0]))
    numbers: dict[tuple[int, int], int] = defaultdict(int)
    taken = set(WorkOrder.objects.values_list("unit_id", "number"))
    made = 0
    for begin in range(0, len(repairs), CHUNK):
        chunk = repairs[begin : begin + CHUNK]
        orders = []
        for start, end in chunk:
            _id, _item, _kind, day, unit_id, reason, _gb, _ga = start
            major = "lớn" in (reason or "")
            level = levels.get("lon" if major else "vua")
            facility = (workshop or factory) if major and rng.random() < 0.7 else factory if major else None
            facility = facility or _station_for(paths[unit_id], stations) or workshop or factory
            key = (unit_id, day.year)
            number = ""
            while not number or (unit_id, number) in taken:
                numbers[key] += 1
                number = f"PSC-{day.year}-{numbers[key]:04d}"
            taken.add((unit_id, number))
            cost = Decimal(rng.randint(20, 400) * (50_000 if major else 10_000))
            orders.append(
                WorkOrder(
                    number=number,
                    year=day.year,
                    unit_id=unit_id,
                    kind=OrderKind.REPAIR,
                    title=f"Sửa chữa {'lớn' if major else 'vừa'}",
                    state=OrderState.DONE if end else OrderState.IN_PROGRESS,
                    opened_on=day,
                    results=(end[5] or "Sửa chữa xong, nghiệm thu") if end else "",
                    closed_on=end[3] if end else None,
                    fault=rng.choice(FAULTS),
                    level=level,
                    facility=facility,
                    cost=cost,
                    created_by=actor,
                    version=4 if end else 3,
                )
            )
        WorkOrder.objects.bulk_create(orders, batch_size=500)
        items, lines, changes = [], [], []
        for order, (start, end) in zip(orders, chunk, strict=True):
            items.append(
                OrderItem(order=order, position=1, item_id=start[1], grade_before=start[6],
                          grade_after=end[7] if end else None)
            )  # fmt: skip
            lines.append(WorkOrderLine(record=order, position=1, event_id=start[0]))
            moves = [("", OrderState.OPEN), (OrderState.OPEN, OrderState.IN_PROGRESS)]
            if end:
                lines.append(WorkOrderLine(record=order, position=2, event_id=end[0]))
                moves.append((OrderState.IN_PROGRESS, OrderState.DONE))
            changes += [StateChange(order=order, from_state=a, to_state=b, by=actor) for a, b in moves]
        OrderItem.objects.bulk_create(items, batch_size=1000)
        WorkOrderLine.objects.bulk_create(lines, batch_size=1000)
        StateChange.objects.bulk_create(changes, batch_size=1000)
        made += len(orders)
    return made
