"""Work order verbs: open one, add its items, labour and parts, move its state, close it.

Who: the `workorders.manage` action on the order's unit (accounts.scoping), checked in every verb;
the ledger checks its own actions again on every event the order writes. Every verb locks the order
row and refuses a stale version (a replayed or outdated form) and a closed order. The events —
repair start when a repair order starts, and at close the meter readings, maintenances done, repair
ends with the grade after and the parts out of their lots — go through the ledger's `Writer` in the
verb's one transaction, each linked to the order by a `WorkOrderLine`: a refused event leaves nothing.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.models import User
from materiel.accounts.scoping import can_see_unit, require
from materiel.core.errors import ConflictError, DomainError
from materiel.core.text import nfc
from materiel.equipment.models import Item, Lot
from materiel.ledger import services as ledger
from materiel.ledger.models import Event, EventKind
from materiel.maintenance.due import MAINTENANCE_DONE
from materiel.maintenance.models import MaintenancePlan
from materiel.units.models import Unit

from .models import (
    MOVES,
    Facility,
    Labour,
    OrderItem,
    OrderKind,
    OrderState,
    Part,
    RepairLevel,
    StateChange,
    WorkOrder,
    WorkOrderLine,
)

ACTION = "workorders.manage"
PREFIX = "PCV"
MAX_HOURS = Decimal(1000)


def today() -> date:
    return timezone.localdate()


# ---- numbering ------------------------------------------------------------------------------------


def propose_number(unit: Unit, year: int) -> str:
    """The unit's next order number in `year`: PCV-2026-0001, one more than its highest that year."""
    numbers = WorkOrder.objects.filter(unit=unit, year=year).values_list("number", flat=True)
    used = [int(n.rsplit("-", 1)[-1]) for n in numbers if n.rsplit("-", 1)[-1].isdigit()]
    return f"{PREFIX}-{year}-{max(used, default=0) + 1:04d}"


# ---- checks ---------------------------------------------------------------------------------------


def check_facility(level: RepairLevel | None, facility: Facility | None) -> None:
    """A repair level is performed only by the kinds of facility it names."""
    if level is None or facility is None:
        return
    if facility.kind not in level.facility_kinds:
        raise DomainError(
            _("Cơ sở sửa chữa: %(facility)s (%(kind)s) không được thực hiện %(level)s; cấp này chỉ do %(kinds)s.")
            % {
                "facility": facility.name,
                "kind": facility.get_kind_display().lower(),
                "level": level.name.lower(),
                "kinds": ", ".join(level.kind_labels()).lower() or "—",
            },
            field="facility",
        )


def _title(title: str) -> str:
    title = nfc(title or "")
    if not title:
        raise DomainError(_("Chưa nhập nội dung công việc."), field="title")
    if len(title) > 200:
        raise DomainError(_("Dài tối đa %(n)d ký tự.") % {"n": 200}, field="title")
    return title


def _kind(kind: str) -> str:
    if kind not in OrderKind.values:
        raise DomainError(_("Loại phiếu phải là bảo dưỡng hoặc sửa chữa."), field="kind")
    return kind


def _cost(cost: Any) -> Decimal | None:
    if cost in (None, ""):
        return None
    try:
        value = Decimal(cost)
    except (InvalidOperation, TypeError, ValueError):
        raise DomainError(_("Chi phí phải là số."), field="cost") from None
    if not value.is_finite() or value < 0 or value >= Decimal(10) ** 14 or value != value.to_integral_value():
        raise DomainError(_("Chi phí phải là số đồng nguyên, không âm."), field="cost")
    return value


def _lock(order: WorkOrder, actor: User, version: int | None, *, editing: bool = True) -> WorkOrder:
    """The order's row locked and read afresh; refused if stale, or closed when it is to be edited."""
    locked = (
        WorkOrder.objects.select_for_update(of=("self",)).select_related("unit", "level", "facility").get(pk=order.pk)
    )
    require(actor, ACTION, unit=locked.unit)
    if version is not None and version != locked.version:
        raise ConflictError(_("Phiếu công việc vừa được người khác cập nhật; hãy tải lại trang rồi thử lại."))
    if editing and locked.is_closed:
        raise DomainError(
            _("Phiếu %(number)s ở trạng thái “%(state)s”: không thể sửa phiếu đã đóng.")
            % {"number": locked.number, "state": locked.get_state_display()}
        )
    return locked


def _touch(order: WorkOrder, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(order, name, value)
    WorkOrder.objects.filter(pk=order.pk).update(version=F("version") + 1, **fields)
    order.version += 1


def _log(order: WorkOrder, before: str, after: str, actor: User, note: str = "") -> None:
    StateChange.objects.create(order=order, from_state=before, to_state=after, by=actor, note=note[:300])


def _link(order: WorkOrder, events: Sequence[Event]) -> None:
    """The order's lines for `events`, numbered after those it already has (its repair start)."""
    start = order.event_lines.count()
    WorkOrderLine.objects.bulk_create(
        WorkOrderLine(record=order, position=start + n, event=event) for n, event in enumerate(events, start=1)
    )


# ---- opening and editing --------------------------------------------------------------------------


@dataclass
class Wanted:
    """An item the order is to cover, with the plan it is maintained by (maintenance orders)."""

    item: Item
    plan: MaintenancePlan | None = None


@transaction.atomic
def create_order(
    *,
    actor: User,
    unit: Unit,
    kind: str,
    title: str,
    items: Iterable[Wanted] = (),
    opened_on: date | None = None,
    fault: str = "",
    level: RepairLevel | None = None,
    facility: Facility | None = None,
    cost: Any = None,
    state: str = OrderState.DRAFT,
    authority: str = ACTION,
) -> WorkOrder:
    """A new order of `unit` in draft (or open at once), with its items; its number is the unit's next.

    `authority` is the action the actor must hold on the unit: `workorders.manage`, or the
    `inspections.manage` of an inspection whose finding opens the order (docs/security.md)."""
    require(actor, authority, unit=unit)
    kind = _kind(kind)
    title = _title(title)
    opened_on = opened_on or today()
    if opened_on > today():
        raise DomainError(_("Ngày lập phiếu không được ở tương lai."), field="opened_on")
    if kind == OrderKind.REPAIR:
        check_facility(level, facility)
    else:
        fault, level, facility, cost = "", None, None, None
    order = WorkOrder(
        unit=unit,
        kind=kind,
        title=title,
        opened_on=opened_on,
        year=opened_on.year,
        fault=nfc(fault or "")[:300],
        level=level,
        facility=facility,
        cost=_cost(cost),
        created_by=actor,
    )
    for _attempt in range(3):
        order.number = propose_number(unit, order.year)
        try:
            with transaction.atomic():
                order.save()
            break
        except IntegrityError:  # another order took the number meanwhile
            continue
    else:
        raise ConflictError(_("Không cấp được số phiếu; hãy thử lại."))
    _log(order, "", OrderState.DRAFT, actor)
    for wanted in items:
        _add_item(order, wanted.item, wanted.plan, actor)
    if state == OrderState.OPEN:
        return transition(order, OrderState.OPEN, actor=actor)
    return order


@transaction.atomic
def update_order(
    order: WorkOrder,
    *,
    actor: User,
    version: int | None,
    title: str,
    fault: str = "",
    level: RepairLevel | None = None,
    facility: Facility | None = None,
    cost: Any = None,
) -> WorkOrder:
    order = _lock(order, actor, version)
    fields: dict[str, Any] = {"title": _title(title)}
    if order.is_repair:
        check_facility(level, facility)
        fields.update(fault=nfc(fault or "")[:300], level=level, facility=facility, cost=_cost(cost))
    _touch(order, **fields)
    return order


def _add_item(order: WorkOrder, item: Item, plan: MaintenancePlan | None, actor: User) -> OrderItem:
    item = Item.objects.select_related("unit", "equipment_type").get(pk=item.pk)
    where = _("Trang bị %(serial)s") % {"serial": item.serial}
    if not can_see_unit(actor, item.unit) or not item.unit.is_within(order.unit):
        raise DomainError(
            _("%(where)s không thuộc %(unit)s.") % {"where": where, "unit": order.unit.name}, field="item"
        )
    if order.kind == OrderKind.MAINTENANCE:
        if plan is None:
            raise DomainError(_("%(where)s: chưa chọn kế hoạch bảo dưỡng.") % {"where": where}, field="plan")
        if plan.equipment_type_id != item.equipment_type_id:
            raise DomainError(
                _("%(where)s: kế hoạch %(plan)s không áp dụng cho chủng loại này.")
                % {"where": where, "plan": plan.name},
                field="plan",
            )
    else:
        plan = None
    if OrderItem.objects.filter(order=order, item=item, plan=plan).exists():
        raise DomainError(_("%(where)s đã có trong phiếu.") % {"where": where}, field="item")
    position = OrderItem.objects.filter(order=order).count() + 1
    return OrderItem.objects.create(order=order, position=position, item=item, plan=plan, grade_before=item.grade)


@transaction.atomic
def add_item(
    order: WorkOrder, *, item: Item, plan: MaintenancePlan | None, actor: User, version: int | None
) -> OrderItem:
    order = _lock(order, actor, version)
    if order.is_repair and order.state == OrderState.IN_PROGRESS:
        raise DomainError(_("Phiếu sửa chữa đang thực hiện: không thêm trang bị."), field="item")
    line = _add_item(order, item, plan, actor)
    _touch(order)
    return line


def _hours(hours: Any) -> Decimal:
    try:
        value = Decimal(str(hours).replace(",", ".")) if hours not in (None, "") else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise DomainError(_("Số giờ công phải là số."), field="hours")
    if not 0 < value <= MAX_HOURS or value != value.quantize(Decimal("0.1")):
        raise DomainError(_("Số giờ công phải lớn hơn 0, không quá 1.000, một chữ số thập phân."), field="hours")
    return value


@transaction.atomic
def add_labour(order: WorkOrder, *, person: str, hours: Any, actor: User, version: int | None) -> Labour:
    order = _lock(order, actor, version)
    person = nfc(person or "")
    if not person:
        raise DomainError(_("Chưa nhập người thực hiện."), field="person")
    if len(person) > 150:
        raise DomainError(_("Dài tối đa %(n)d ký tự.") % {"n": 150}, field="person")
    line = Labour.objects.create(order=order, position=order.labour.count() + 1, person=person, hours=_hours(hours))
    _touch(order)
    return line


def _part_check(order: WorkOrder, lot: Lot, quantity: int, row: int) -> None:
    """A lot of the order's unit, and no more of it than it holds (all rows of that lot together)."""
    if lot.unit_id != order.unit_id:
        raise DomainError(
            _("Phụ tùng dòng %(row)d: lô phải thuộc %(unit)s.") % {"row": row, "unit": order.unit.name}, field="lot"
        )
    if quantity > lot.quantity:
        raise DomainError(
            _("Phụ tùng dòng %(row)d, số lượng: lô %(lot)s chỉ còn %(balance)s, không thể xuất %(quantity)s.")
            % {"row": row, "lot": lot.lot_number or "—", "balance": lot.quantity, "quantity": quantity},
            field="quantity",
        )


@transaction.atomic
def add_part(order: WorkOrder, *, lot: Lot, quantity: Any, actor: User, version: int | None) -> Part:
    order = _lock(order, actor, version)
    row = order.parts.count() + 1
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        message = _("Phụ tùng dòng %(row)d, số lượng: phải là số nguyên.") % {"row": row}
        raise DomainError(message, field="quantity") from None
    if quantity <= 0:
        raise DomainError(_("Phụ tùng dòng %(row)d, số lượng: phải lớn hơn 0.") % {"row": row}, field="quantity")
    lot = Lot.objects.get(pk=lot.pk)
    already = sum(p.quantity for p in order.parts.filter(lot=lot))
    _part_check(order, lot, already + quantity, row)
    part = Part.objects.create(order=order, position=row, lot=lot, quantity=quantity)
    _touch(order)
    return part


@transaction.atomic
def remove_line(order: WorkOrder, *, what: str, pk: int, actor: User, version: int | None) -> None:
    """Take an item, a labour line or a part off an order that is not closed (before it writes them)."""
    order = _lock(order, actor, version)
    models: dict[str, Any] = {"item": OrderItem, "labour": Labour, "part": Part}
    model = models.get(what)
    if model is None:
        raise DomainError(_("Dòng không hợp lệ."))
    if what == "item" and order.is_repair and order.state == OrderState.IN_PROGRESS:
        raise DomainError(_("Phiếu sửa chữa đang thực hiện: không bỏ trang bị."), field="item")
    model.objects.filter(order=order, pk=pk).delete()
    _touch(order)


# ---- state ----------------------------------------------------------------------------------------


def _writer(order: WorkOrder, actor: User) -> tuple[ledger.Writer, list[OrderItem]]:
    lines = list(order.items.select_related("item", "plan").order_by("position"))
    writer = ledger.Writer([line.item for line in lines], actor=actor)
    adopted = {item.pk: item for item in writer.items}
    for line in lines:
        line.item = adopted[line.item_id]
    return writer, lines


def _row(line: OrderItem, error: DomainError, field: str | None = None) -> DomainError:
    """The ledger's refusal, said of the order's row it concerns."""
    return DomainError(
        _("Dòng %(row)d (trang bị %(serial)s): %(message)s")
        % {"row": line.position, "serial": line.item.serial, "message": error.message},
        field=field or error.field,
        code=error.code,
    )


def _start_repair(order: WorkOrder, actor: User, occurred_on: date) -> None:
    if order.level is None:
        raise DomainError(_("Phiếu sửa chữa chưa chọn cấp sửa chữa."), field="level")
    if order.facility is None:
        raise DomainError(_("Phiếu sửa chữa chưa chọn cơ sở sửa chữa."), field="facility")
    if not order.fault:
        raise DomainError(_("Phiếu sửa chữa chưa ghi hư hỏng."), field="fault")
    check_facility(order.level, order.facility)
    writer, lines = _writer(order, actor)
    for line in lines:
        try:
            writer.record(
                line.item,
                EventKind.REPAIR_START,
                occurred_on=occurred_on,
                reason=order.fault,
                document_number=order.number,
            )
        except DomainError as error:
            raise _row(line, error) from None
        OrderItem.objects.filter(pk=line.pk).update(grade_before=line.item.grade)
    _link(order, writer.save())


def _end_repair_on_cancel(order: WorkOrder, actor: User, occurred_on: date) -> None:
    writer, lines = _writer(order, actor)
    for line in lines:
        try:
            writer.record(
                line.item,
                EventKind.REPAIR_END,
                occurred_on=occurred_on,
                reason=_("Hủy phiếu %(number)s") % {"number": order.number},
                document_number=order.number,
                followed=False,  # not repaired: a readiness reason the item carries stays (inspections)
            )
        except DomainError as error:
            raise _row(line, error) from None
    _link(order, writer.save())


@transaction.atomic
def transition(
    order: WorkOrder,
    to: str,
    *,
    actor: User,
    version: int | None = None,
    occurred_on: date | None = None,
    note: str = "",
) -> WorkOrder:
    """Move an order: draft → open → in progress, or cancel it. Starting a repair order writes its
    items' repair start (trang bị vào sửa chữa); cancelling one in progress writes their repair end."""
    order = _lock(order, actor, version)
    if to not in MOVES.get(order.state, ()):
        raise DomainError(
            _("Không thể chuyển phiếu từ “%(from)s” sang “%(to)s”.")
            % {
                "from": order.get_state_display(),
                "to": OrderState(to).label if to in OrderState.values else to,
            },
            field="to",
        )
    if to in (OrderState.OPEN, OrderState.IN_PROGRESS) and not order.items.exists():
        raise DomainError(_("Phiếu chưa có trang bị nào."), field="item")
    day = occurred_on or today()
    if order.is_repair and to == OrderState.IN_PROGRESS:
        _start_repair(order, actor, day)
    if order.is_repair and to == OrderState.CANCELLED and order.state == OrderState.IN_PROGRESS:
        _end_repair_on_cancel(order, actor, day)
    before = order.state
    _touch(order, state=to)
    _log(order, before, to, actor, note)
    return order


# ---- close ----------------------------------------------------------------------------------------


@dataclass
class Reading:
    """A meter reading at close: the order's row (OrderItem id), the meter, the value as typed."""

    line: int
    meter: str
    value: Any


def _grade(line: OrderItem, value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError(
            _("Dòng %(row)d (trang bị %(serial)s): cấp chất lượng phải là số.")
            % {"row": line.position, "serial": line.item.serial},
            field=f"grade-{line.pk}",
        ) from None


@transaction.atomic
def close_order(
    order: WorkOrder,
    *,
    actor: User,
    results: str,
    occurred_on: date | None = None,
    readings: Iterable[Reading] = (),
    grades: dict[int, Any] | None = None,
    version: int | None = None,
) -> list[Event]:
    """Close an order (hoàn thành), writing in this one transaction, per item in the order's rows:
    its meter readings, its maintenance done by the row's plan (maintenance), its repair end with the
    grade after (repair); then every part out of its lot. Every event is linked to the order."""
    order = _lock(order, actor, version)
    allowed_from = (OrderState.IN_PROGRESS,) if order.is_repair else (OrderState.OPEN, OrderState.IN_PROGRESS)
    if order.state not in allowed_from:
        raise DomainError(
            _("Phiếu đang “%(state)s”: chỉ hoàn thành được phiếu %(allowed)s.")
            % {
                "state": order.get_state_display(),
                "allowed": " / ".join(str(OrderState(s).label).lower() for s in allowed_from),
            },
            field="to",
        )
    results = nfc(results or "")
    if not results:
        raise DomainError(_("Chưa ghi kết quả thực hiện: không thể hoàn thành phiếu."), field="results")
    if len(results) > 5000:
        raise DomainError(_("Dài tối đa %(n)d ký tự.") % {"n": 5000}, field="results")
    day = occurred_on or today()
    grades = grades or {}
    by_line: dict[int, list[Reading]] = {}
    for reading in readings:
        if reading.value not in (None, ""):
            by_line.setdefault(reading.line, []).append(reading)
    writer, lines = _writer(order, actor)
    if not lines:
        raise DomainError(_("Phiếu chưa có trang bị nào."), field="item")
    for line in lines:
        for reading in by_line.pop(line.pk, []):
            try:
                writer.meter_reading(line.item, meter=reading.meter, value=reading.value, occurred_on=day)
            except DomainError as error:
                field = f"reading-{line.pk}-{reading.meter}" if error.field in ("value", "meter") else None
                raise _row(line, error, field) from None
        try:
            if line.plan_id:
                note = _("Phiếu %(number)s") % {"number": order.number}
                writer.record(
                    line.item, MAINTENANCE_DONE, occurred_on=day, details={"plan": line.plan_id, "note": note}
                )
            if order.is_repair:
                grade = _grade(line, grades.get(line.pk))
                writer.record(
                    line.item,
                    EventKind.REPAIR_END,
                    occurred_on=day,
                    grade=grade,
                    reason=results[:300],
                    document_number=order.number,
                )
                OrderItem.objects.filter(pk=line.pk).update(grade_after=grade if grade else line.item.grade)
        except DomainError as error:
            raise _row(line, error, f"grade-{line.pk}" if error.field == "grade" else None) from None
    if by_line:
        raise DomainError(_("Chỉ số đồng hồ của dòng không có trong phiếu."))
    parts = list(order.parts.select_related("lot").order_by("position"))
    taken: dict[int, int] = {}
    for part in parts:  # all rows of one lot together against what the lot holds now
        taken[part.lot_id] = taken.get(part.lot_id, 0) + part.quantity
        _part_check(order, part.lot, taken[part.lot_id], part.position)
    for part in parts:
        try:
            writer.lot_issue(
                part.lot,
                quantity=part.quantity,
                occurred_on=day,
                reason=_("Phiếu công việc %(number)s") % {"number": order.number},
                document_number=order.number,
            )
        except DomainError as error:
            raise DomainError(
                _("Phụ tùng dòng %(row)d: %(message)s") % {"row": part.position, "message": error.message},
                field=error.field if error.field == "occurred_on" else f"part-{part.pk}",
            ) from None
    events = writer.save()
    _link(order, events)
    before = order.state
    _touch(order, state=OrderState.DONE, results=results, closed_on=day)
    _log(order, before, OrderState.DONE, actor)
    return events


def downtime_days(order: WorkOrder) -> int | None:
    """Days from the order's first repair start to its last repair end (None while not ended)."""
    events = Event.objects.filter(workorders_workorderline__record=order)
    starts = events.filter(kind=EventKind.REPAIR_START).values_list("occurred_on", flat=True)
    ends = events.filter(kind=EventKind.REPAIR_END).values_list("occurred_on", flat=True)
    if not starts or not ends:
        return None
    return (max(ends) - min(starts)).days
