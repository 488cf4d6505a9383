"""Work orders and repairs (phiếu công việc, sửa chữa): list, read, open, move, close; and the
reliability figures of a subtree (workorders.reliability). The same services as the pages."""

from datetime import date
from typing import Literal

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from materiel.core.errors import DomainError
from materiel.equipment.models import Item, Lot
from materiel.maintenance import compliance
from materiel.maintenance.models import MaintenancePlan
from materiel.workorders import reliability, services
from materiel.workorders.models import Facility, OrderKind, OrderState, RepairLevel, WorkOrder

from ..common import MAX_LIMIT, Day, Id, Limit, Text, Version, keyset, unit_for, unit_named
from ..errors import responses

router = Router(tags=["Phiếu công việc"])


class RowOut(Schema):
    position: int
    item: int
    serial: str
    plan: int | None = None
    grade_before: int | None = None
    grade_after: int | None = None


class LabourOut(Schema):
    person: str
    hours: float


class OrderPartOut(Schema):
    lot: int
    quantity: int


class ChangeOut(Schema):
    from_state: str
    to_state: str
    by: str
    at: str


class OrderOut(Schema):
    id: int
    number: str
    unit: str
    kind: str
    title: str
    state: str
    opened_on: date
    closed_on: date | None = None
    results: str
    fault: str
    level: str | None = None
    facility: str | None = None
    cost: float | None = None
    version: int
    items: list[RowOut]
    labour: list[LabourOut]
    parts: list[OrderPartOut]
    events: list[int]
    changes: list[ChangeOut]


def order_out(order: WorkOrder) -> dict:
    return {
        "id": order.pk,
        "number": order.number,
        "unit": order.unit.code,
        "kind": order.kind,
        "title": order.title,
        "state": order.state,
        "opened_on": order.opened_on,
        "closed_on": order.closed_on,
        "results": order.results,
        "fault": order.fault,
        "level": order.level.code if order.level else None,
        "facility": order.facility.name if order.facility else None,
        "cost": float(order.cost) if order.cost is not None else None,
        "version": order.version,
        "items": [
            {
                "position": r.position,
                "item": r.item_id,
                "serial": r.item.serial,
                "plan": r.plan_id,
                "grade_before": r.grade_before,
                "grade_after": r.grade_after,
            }
            for r in order.items.select_related("item")
        ],
        "labour": [{"person": lab.person, "hours": float(lab.hours)} for lab in order.labour.all()],
        "parts": [{"lot": p.lot_id, "quantity": p.quantity} for p in order.parts.all()],
        "events": list(order.event_lines.order_by("position").values_list("event_id", flat=True)),
        "changes": [
            {"from_state": c.from_state, "to_state": c.to_state, "by": str(c.by), "at": c.at.isoformat()}
            for c in order.changes.select_related("by")
        ],
    }


def _order(request, order_id: int) -> WorkOrder:
    return get_object_or_404(
        WorkOrder.objects.visible_to(request.user).select_related("unit", "level", "facility"), pk=order_id
    )


class OrderPage(Schema):
    results: list[OrderOut]
    next: int | None


class OrderFilters(Schema):
    unit: str | None = None
    state: Literal["draft", "open", "in_progress", "done", "cancelled"] | None = None
    kind: Literal["maintenance", "repair"] | None = None
    after: Id | None = None
    limit: Limit = 100


@router.get("/workorders", response=responses(OrderPage), summary="Các phiếu công việc của một cây đơn vị")
def list_orders(request, filters: Query[OrderFilters]):
    root = unit_for(request, filters.unit)
    orders = WorkOrder.objects.visible_to(request.user).in_subtree(root).select_related("unit", "level", "facility")
    if filters.state:
        orders = orders.filter(state=filters.state)
    if filters.kind:
        orders = orders.filter(kind=filters.kind)
    page, cursor = keyset(orders, filters.after, min(filters.limit, MAX_LIMIT))
    return {"results": [order_out(o) for o in page], "next": cursor}


@router.get("/workorders/{order_id}", response=responses(OrderOut), summary="Một phiếu công việc")
def get_order(request, order_id: Id):
    return order_out(_order(request, order_id))


class RowIn(Schema):
    item: Id
    plan: Id | None = None


class LabourIn(Schema):
    person: Text(150)  # type: ignore[valid-type]
    hours: float


class PartIn(Schema):
    lot: Id
    quantity: Id


class OrderIn(Schema):
    # Defaults everywhere but the unit: the scope is checked first, then the content (422, named).
    unit: Text(60) = ""  # type: ignore[valid-type]
    kind: Text(20) = OrderKind.MAINTENANCE  # type: ignore[valid-type]
    title: Text(200) = ""  # type: ignore[valid-type]
    opened_on: Day | None = None
    items: list[RowIn] = []
    labour: list[LabourIn] = []
    parts: list[PartIn] = []
    fault: Text(300) = ""  # type: ignore[valid-type]
    level: Text(30) | None = None  # type: ignore[valid-type]
    facility: Id | None = None
    cost: int | None = None
    open: bool = False


@router.post("/workorders", response=responses(OrderOut), summary="Lập phiếu công việc")
@transaction.atomic
def create_order(request, payload: OrderIn):
    """A work order of a unit with its items (and for a maintenance order, each item's plan), its
    labour and parts; `open` opens it at once. Closing it writes the events (POST …/close)."""
    unit = unit_named(request, payload.unit, field="unit")
    wanted = []
    for n, row in enumerate(payload.items, start=1):
        item = Item.objects.visible_to(request.user).filter(pk=row.item).first()
        if item is None:
            raise DomainError(
                _("Dòng %(n)d: không tìm thấy trang bị #%(id)d.") % {"n": n, "id": row.item}, field="items"
            )
        plan = MaintenancePlan.objects.filter(pk=row.plan).first() if row.plan else None
        if row.plan and plan is None:
            raise DomainError(
                _("Dòng %(n)d: không tìm thấy kế hoạch bảo dưỡng #%(id)d.") % {"n": n, "id": row.plan}, field="items"
            )
        wanted.append(services.Wanted(item, plan))
    level = RepairLevel.objects.filter(code=payload.level).first() if payload.level else None
    if payload.level and level is None:
        raise DomainError(_("Không có cấp sửa chữa mã này."), field="level")
    facility = (
        Facility.objects.usable_by(request.user).filter(pk=payload.facility).first() if payload.facility else None
    )
    if payload.facility and facility is None:
        raise DomainError(_("Không tìm thấy cơ sở sửa chữa."), field="facility")
    order = services.create_order(
        actor=request.user,
        unit=unit,
        kind=payload.kind,
        title=payload.title,
        items=wanted,
        opened_on=payload.opened_on,
        fault=payload.fault,
        level=level,
        facility=facility,
        cost=payload.cost,
    )
    for labour in payload.labour:
        services.add_labour(order, person=labour.person, hours=labour.hours, actor=request.user, version=None)
    for part in payload.parts:
        lot = Lot.objects.visible_to(request.user).filter(pk=part.lot).first()
        if lot is None:
            raise DomainError(_("Không tìm thấy lô #%(id)d.") % {"id": part.lot}, field="parts")
        services.add_part(order, lot=lot, quantity=part.quantity, actor=request.user, version=None)
    if payload.open:
        services.transition(order, OrderState.OPEN, actor=request.user)
    return order_out(_order(request, order.pk))


class MoveIn(Schema):
    to: Text(20) = ""  # type: ignore[valid-type]
    version: Version | None = None
    occurred_on: Day | None = None


@router.post(
    "/workorders/{order_id}/transition", response=responses(OrderOut), summary="Chuyển trạng thái phiếu công việc"
)
def move_order(request, order_id: Id, payload: MoveIn):
    """open, in_progress or cancelled; starting a repair order writes its items' repair start."""
    order = _order(request, order_id)
    services.transition(order, payload.to, actor=request.user, version=payload.version, occurred_on=payload.occurred_on)
    return order_out(_order(request, order_id))


class OrderReadingIn(Schema):
    item: Id
    meter: Literal["km", "engine_hours", "rounds"]
    value: Text(40)  # type: ignore[valid-type]


class OrderGradeIn(Schema):
    item: Id
    grade: int


class CloseIn(Schema):
    results: Text(5000) = ""  # type: ignore[valid-type]
    occurred_on: Day | None = None
    readings: list[OrderReadingIn] = []
    grades: list[OrderGradeIn] = []
    version: Version | None = None


@router.post("/workorders/{order_id}/close", response=responses(OrderOut), summary="Hoàn thành phiếu công việc")
def close_order(request, order_id: Id, payload: CloseIn):
    """Writes in one transaction the readings, maintenances done, repair ends with the grade after
    and the parts issued, each linked to the order; refused whole if any is refused."""
    order = _order(request, order_id)
    rows = {r.item_id: r.pk for r in order.items.all()}

    def row_of(item_id: int) -> int:
        if item_id not in rows:
            raise DomainError(_("Trang bị #%(id)d không có trong phiếu.") % {"id": item_id}, field="readings")
        return rows[item_id]

    services.close_order(
        order,
        actor=request.user,
        results=payload.results,
        occurred_on=payload.occurred_on,
        readings=[services.Reading(row_of(r.item), r.meter, r.value) for r in payload.readings],
        grades={row_of(g.item): g.grade for g in payload.grades},
        version=payload.version,
    )
    return order_out(_order(request, order_id))


class TypeFiguresOut(Schema):
    type: int
    type_name: str
    category: str
    basis: str
    operating: float
    failures: list[int]
    mtbf: float | None = None
    repaired: list[int]
    mttr_days: float | None = None


class UnitDowntimeOut(Schema):
    unit: str
    days: int
    orders: list[int]


class FaultOut(Schema):
    fault: str
    orders: list[int]


class ComplianceLineOut(Schema):
    key: str  # the unit's, category's or type's code
    name: str
    due: int  # on time + late + missed (pending left out)
    on_time: int
    late: int
    missed: int
    pending: int
    rate: float | None = None  # percent
    on_time_events: list[int]  # the maintenance events behind each number
    late_events: list[int]
    missed_items: list[int]


class ComplianceTaskOut(Schema):
    item: int
    serial: str
    plan: int
    plan_name: str
    due_on: date
    done_on: date | None = None
    event: int | None = None
    outcome: str  # on_time, late, missed, pending


class ComplianceOut(Schema):
    total: ComplianceLineOut
    by_unit: list[ComplianceLineOut]
    by_category: list[ComplianceLineOut]
    by_type: list[ComplianceLineOut]
    tasks: list[ComplianceTaskOut]


class ReliabilityOut(Schema):
    start: date
    end: date
    types: list[TypeFiguresOut]
    downtime_by_unit: list[UnitDowntimeOut]
    faults: list[FaultOut]
    compliance: ComplianceOut


def _compliance_line(line) -> dict:
    return {
        "key": line.key,
        "name": line.name,
        "due": line.counted,
        "on_time": line.on_time,
        "late": line.late_count,
        "missed": line.missed_count,
        "pending": line.pending_count,
        "rate": float(line.rate) if line.rate is not None else None,
        "on_time_events": [t.event_id for t in line.of(compliance.ON_TIME)],
        "late_events": [t.event_id for t in line.of(compliance.LATE)],
        "missed_items": [t.item_id for t in line.of(compliance.MISSED)],
    }


def compliance_out(kept) -> dict:
    return {
        "total": _compliance_line(kept.total),
        "by_unit": [_compliance_line(line) for line in kept.by_unit],
        "by_category": [_compliance_line(line) for line in kept.by_category],
        "by_type": [_compliance_line(line) for line in kept.by_type],
        "tasks": [
            {
                "item": t.item_id,
                "serial": t.serial,
                "plan": t.plan_id,
                "plan_name": t.plan_name,
                "due_on": t.due_on,
                "done_on": t.done_on,
                "event": t.event_id,
                "outcome": t.outcome,
            }
            for t in kept.total.tasks
        ],
    }


class ReliabilityFilters(Schema):
    unit: str | None = None
    start: Day | None = None
    end: Day | None = None


@router.get("/reliability", response=responses(ReliabilityOut), summary="MTBF, MTTR, thời gian nằm sửa, hư hỏng")
def reliability_figures(request, filters: Query[ReliabilityFilters]):
    """Every figure lists the ids of the repair orders behind it (GET /workorders/{id}); maintenance
    compliance (tasks done on time ÷ tasks due in the period) lists its maintenance events and items."""
    root = unit_for(request, filters.unit)
    today = timezone.localdate()
    end = filters.end or today
    start = filters.start or end.replace(year=end.year - 1)
    figures = reliability.figures(request.user, root, min(start, end), max(start, end))
    return {
        "start": figures.start,
        "end": figures.end,
        "types": [
            {
                "type": t.type_id,
                "type_name": t.type_name,
                "category": t.category_name,
                "basis": t.basis,
                "operating": float(t.operating),
                "failures": t.failures,
                "mtbf": float(t.mtbf) if t.mtbf is not None else None,
                "repaired": t.repaired,
                "mttr_days": float(t.mttr) if t.mttr is not None else None,
            }
            for t in figures.types
        ],
        "downtime_by_unit": [{"unit": n, "days": d, "orders": i} for n, d, i in figures.downtime_by_unit],
        "faults": [{"fault": f, "orders": i} for f, i in figures.faults],
        "compliance": compliance_out(compliance.compliance(request.user, root, figures.start, figures.end)),
    }
