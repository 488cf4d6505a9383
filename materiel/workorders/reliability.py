"""Reliability figures (độ tin cậy) over a period and a unit subtree: one dataset function.

Per equipment type (and summed per category): failures are the repair orders opened in the period
(not cancelled) naming an item of the type; operating time comes from the meter readings in the
period where the type has meters (engine hours first, then km, then rounds: the rise of each item's
readings over the period), from calendar time otherwise (the type's items held × days); MTBF is
operating time ÷ failures; MTTR the mean downtime (repair start to repair end, in days) of those
orders that ended. Downtime is also summed per unit, and the faults are ranked. Every figure
carries the ids of the orders behind it, so a page drills down to exactly what it counts. Later
issues (Campaign 50, reviews) read `figures()`, not a page.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from materiel.catalog.models import EquipmentType, Meter
from materiel.core.text import fold
from materiel.equipment.models import HOLDINGS, Item
from materiel.ledger.models import Event, EventKind

from .models import OrderItem, OrderKind, OrderState, WorkOrder

METER_PREFERENCE = (Meter.ENGINE_HOURS, Meter.KM, Meter.ROUNDS)


@dataclass
class TypeFigures:
    type_id: int
    type_name: str
    category_name: str
    basis: str  # a meter, or "days"
    operating: Decimal = Decimal(0)
    failures: list[int] = field(default_factory=list)  # order ids
    repaired: list[int] = field(default_factory=list)  # order ids that ended (behind MTTR)
    repair_days: int = 0

    @property
    def mtbf(self) -> Decimal | None:
        return (self.operating / len(self.failures)).quantize(Decimal("0.1")) if self.failures else None

    @property
    def mttr(self) -> Decimal | None:
        return (Decimal(self.repair_days) / len(self.repaired)).quantize(Decimal("0.1")) if self.repaired else None


@dataclass
class Figures:
    start: date
    end: date
    types: list[TypeFigures]
    downtime_by_unit: list[tuple[str, int, list[int]]]  # unit name, days, order ids
    faults: list[tuple[str, list[int]]]  # fault as written first, order ids


def _downtimes(order_ids) -> dict[int, int]:
    """order id -> days from its first repair start to its last repair end, for orders that ended."""
    spans: dict[int, list[date]] = defaultdict(list)
    ends: dict[int, list[date]] = defaultdict(list)
    rows = Event.objects.filter(
        workorders_workorderline__record_id__in=order_ids, kind__in=[EventKind.REPAIR_START, EventKind.REPAIR_END]
    ).values_list("workorders_workorderline__record_id", "kind", "occurred_on")
    for order_id, kind, day in rows:
        (spans if kind == EventKind.REPAIR_START else ends)[order_id].append(day)
    return {o: (max(ends[o]) - min(spans[o])).days for o in spans if ends.get(o)}


def _operating(type_, items: list[int], start: date, end: date) -> tuple[str, Decimal]:
    meter = next((m for m in METER_PREFERENCE if m in (type_.meters or [])), None)
    if meter is None:
        return "days", Decimal(len(items) * ((end - start).days + 1))
    rise: dict[int, list[Decimal]] = defaultdict(list)
    readings = Event.objects.filter(
        item_id__in=items, kind=EventKind.METER_READING, occurred_on__gte=start, occurred_on__lte=end
    ).values_list("item_id", "details")
    for item_id, details in readings:
        if details.get("meter") == meter:
            rise[item_id].append(Decimal(str(details["value"])))
    return str(meter), sum((max(v) - min(v) for v in rise.values()), Decimal(0))


def figures(user, root, start: date, end: date, *, category=None, equipment_type=None) -> Figures:
    """MTBF, MTTR, downtime per unit and top faults of `root`'s subtree, as `user` sees it."""
    orders = (
        WorkOrder.objects.visible_to(user)
        .in_subtree(root)
        .filter(kind=OrderKind.REPAIR, opened_on__gte=start, opened_on__lte=end)
        .exclude(state=OrderState.CANCELLED)
    )
    selected = OrderItem.objects.filter(order__in=orders).select_related(
        "item__equipment_type__category", "order__unit"
    )
    if category is not None:
        selected = selected.filter(item__equipment_type__category=category)
    if equipment_type is not None:
        selected = selected.filter(item__equipment_type=equipment_type)
    rows = list(selected)
    downtime = _downtimes({r.order_id for r in rows})
    per_type: dict[int, TypeFigures] = {}
    by_unit: dict[str, tuple[int, set[int]]] = {}
    faults: dict[str, tuple[str, set[int]]] = {}
    for row in rows:
        type_ = row.item.equipment_type
        figures_ = per_type.setdefault(type_.pk, TypeFigures(type_.pk, type_.name, type_.category.name, basis=""))
        if row.order_id not in figures_.failures:
            figures_.failures.append(row.order_id)
            if row.order_id in downtime:
                figures_.repaired.append(row.order_id)
                figures_.repair_days += downtime[row.order_id]
        order = row.order
        if order.pk in downtime:
            days, ids = by_unit.get(order.unit.name, (0, set()))
            if order.pk not in ids:
                by_unit[order.unit.name] = (days + downtime[order.pk], ids | {order.pk})
        if order.fault:
            shown, ids = faults.get(fold(order.fault), (order.fault, set()))
            faults[fold(order.fault)] = (shown, ids | {order.pk})
    for figures_ in per_type.values():
        items = (
            Item.objects.visible_to(user)
            .in_subtree(root)
            .filter(equipment_type_id=figures_.type_id, status__in=HOLDINGS)
        )
        type_ = EquipmentType.objects.get(pk=figures_.type_id)
        figures_.basis, figures_.operating = _operating(type_, list(items.values_list("pk", flat=True)), start, end)
    return Figures(
        start=start,
        end=end,
        types=sorted(per_type.values(), key=lambda f: (f.category_name, f.type_name)),
        downtime_by_unit=sorted(((n, d, sorted(i)) for n, (d, i) in by_unit.items()), key=lambda t: -t[1]),
        faults=sorted(((s, sorted(i)) for s, i in faults.values()), key=lambda t: -len(t[1]))[:10],
    )
