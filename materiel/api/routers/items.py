"""Serialised items: the register with its filters, histories, and every item event kind."""

from datetime import date
from typing import TYPE_CHECKING, Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from materiel.catalog.models import EquipmentType, Meter
from materiel.equipment.models import Item, Purpose, Status
from materiel.ledger import asof, services
from materiel.ledger.history import item_history as history_of
from materiel.ledger.rules import STATUS_MOVES
from materiel.reports.register import filtered_items
from materiel.units.models import Unit

from ..common import (
    MAX_LIMIT,
    Day,
    Document,
    Grade,
    Holder,
    Id,
    Limit,
    MeterValue,
    Origin,
    Reason,
    Serial,
    Text,
    Version,
    Year,
    keyset,
    receiving_unit_named,
    unit_for,
    unit_named,
)
from ..errors import responses
from .events import EventOut, event_out

router = Router(tags=["Trang bị"])

# Built from the enums the ledger and the register define, never re-typed here: read when the module
# loads, so types to pydantic (validation, OpenAPI) only; to mypy they are plain strings.
if TYPE_CHECKING:
    StatusName = str
    StatusKind = str
    MeterName = str
else:
    StatusName = Literal[tuple(Status.values)]
    StatusKind = Literal[tuple(str(k) for k in STATUS_MOVES)]
    MeterName = Literal[tuple(Meter.values)]


class ItemOut(Schema):
    id: int
    serial: str
    type: str
    type_name: str
    category: str
    unit: str
    unit_name: str
    grade: int
    status: str
    holder: str
    purpose: str
    year_made: int | None
    origin: str
    received_on: date
    version: int
    kit: str  # completeness (đồng bộ): "" complete, "damaged" a part damaged, "missing" a part missing
    meters: dict[str, str] = {}


class ItemPage(Schema):
    results: list[ItemOut]
    next: int | None


class ItemFilters(Schema):
    unit: str | None = None
    category: str | None = None
    type: str | None = None
    grade: Grade | None = None
    place: Id | None = None  # a storage place (storage.ItemPlace): the items kept there now
    readiness: Text(30) | None = None  # type: ignore[valid-type]  # a readiness reason's code: items carrying it now
    # Completeness on the day: "incomplete" is what the đồng bộ coefficient leaves out (its rule in force).
    kit: Literal["incomplete", "missing", "damaged"] | None = None
    status: StatusName | None = None
    q: str | None = None
    holder: str | None = None
    purpose: Literal["in_use", "combat_reserve", "reserve"] | None = None
    year: Year | None = None
    on: Day | None = None
    after: Id | None = None
    limit: Limit = 100


def item_out(item: Item, state=None, units=None) -> dict:
    unit, grade, status = item.unit, item.grade, item.status
    if state is not None:
        unit, grade, status = units[state[0]], state[1], state[2]
    return {
        "id": item.pk,
        "serial": item.serial,
        "type": item.equipment_type.code,
        "type_name": item.equipment_type.name,
        "category": item.equipment_type.category.code,
        "unit": unit.code,
        "unit_name": unit.name,
        "grade": grade,
        "status": status,
        "holder": item.holder,
        "purpose": item.purpose,
        "year_made": item.year_made,
        "origin": item.origin,
        "received_on": item.received_on,
        "version": item.version,
        "kit": item.kit,
        "meters": {m.meter: str(m.value) for m in item.meters.all()},
    }


@router.get(
    "/items", response=responses(ItemPage), summary="Sổ đăng ký: lọc như trang Trang bị, phân trang theo con trỏ"
)
def list_items(request, filters: Query[ItemFilters]):
    root = unit_for(request, filters.unit)
    # The register page's filters, one definition (reports.register), in the API's id order (its cursor).
    params = {
        "category": filters.category,
        "type": filters.type,
        "q": filters.q,
        "holder": filters.holder,
        "purpose": filters.purpose,
        "year": filters.year,
        "status": filters.status,
        "grade": filters.grade,
        "place": filters.place,
        "readiness": filters.readiness,
        "kit": filters.kit,
    }
    params = {key: str(value) for key, value in params.items() if value not in (None, "")}
    items = filtered_items(request.user, root, filters.on, params).prefetch_related("meters")
    rows, cursor = keyset(items, filters.after, min(filters.limit, MAX_LIMIT))
    if filters.on is None:
        return {"results": [item_out(i) for i in rows], "next": cursor}
    states = asof.item_states_on(filters.on, [i.pk for i in rows])
    units = {u.pk: u for u in Unit.objects.filter(pk__in={s[0] for s in states.values()})}
    return {"results": [item_out(i, states[i.pk], units) for i in rows], "next": cursor}


def visible_item(request, item_id: Id | None) -> Item:
    items = Item.objects.visible_to(request.user).select_related("equipment_type__category", "unit")
    return get_object_or_404(items.prefetch_related("meters"), pk=item_id)


@router.get("/items/{item_id}", response=responses(ItemOut), summary="Một trang bị")
def get_item(request, item_id: Id):
    return item_out(visible_item(request, item_id))


@router.get("/items/{item_id}/history", response=responses(list[EventOut]), summary="Lý lịch: mọi sự kiện của trang bị")
def item_history(request, item_id: Id):
    history = history_of(request.user, visible_item(request, item_id))
    return [event_out(e, masked=history.masked(e), reversed_ids=history.reversed_ids) for e in history.events]


class ReceiptIn(Schema):
    type: str
    serial: Serial
    unit: str
    grade: Grade
    occurred_on: Day
    purpose: Literal["in_use", "combat_reserve", "reserve"] = "in_use"
    year_made: Year | None = None
    origin: Origin = ""
    document_number: Document = ""


class Versioned(Schema):
    occurred_on: Day
    version: Version


class TransferIn(Versioned):
    to_unit: str
    document_number: Document
    reason: Reason = ""


class GradeIn(Versioned):
    grade: Grade
    reason: Reason
    document_number: Document = ""


class IssueIn(Versioned):
    holder: Holder


class MeterIn(Versioned):
    meter: MeterName
    value: MeterValue


class ShortageIn(Schema):
    line: Id  # a line of the type's standard kit (GET /items/{id}/kit)
    missing: int = Field(0, ge=0, le=1000)
    damaged: int = Field(0, ge=0, le=1000)


class KitIn(Versioned):
    # Everything short of the kit after the check; an empty list: the kit is whole.
    shortages: list[ShortageIn] = Field(max_length=200)
    note: Reason = ""


class KitLineOut(Schema):
    line: int
    part: str
    name: str
    quantity: int
    missing: int
    damaged: int


class KitOut(Schema):
    kit: str
    version: int
    lines: list[KitLineOut]


class StatusIn(Versioned):
    kind: StatusKind
    reason: Reason = ""
    document_number: Document = ""
    grade: Grade | None = None


@router.post("/items", response=responses(ItemOut, 201), summary="Tiếp nhận một trang bị")
def receive_item(request, payload: ReceiptIn):
    equipment_type = get_object_or_404(EquipmentType, code=payload.type)
    event = services.record_receipt(
        equipment_type=equipment_type,
        serial=payload.serial,
        unit=unit_named(request, payload.unit, field="unit"),
        grade=payload.grade,
        occurred_on=payload.occurred_on,
        actor=request.user,
        purpose=payload.purpose or Purpose.IN_USE,
        year_made=payload.year_made,
        origin=payload.origin,
        document_number=payload.document_number,
    )
    return Reply(201, item_out(visible_item(request, event.item_id)))


@router.post("/items/{item_id}/transfer", response=responses(ItemOut), summary="Điều chuyển sang đơn vị khác")
def transfer_item(request, item_id: Id, payload: TransferIn):
    item = visible_item(request, item_id)
    services.record_transfer(
        item,
        to_unit=receiving_unit_named(request, payload.to_unit, item.unit),
        occurred_on=payload.occurred_on,
        actor=request.user,
        document_number=payload.document_number,
        reason=payload.reason,
        expected_version=payload.version,
    )
    # As written: handed to a depot above, the item has left the caller's scope.
    item.refresh_from_db()
    return item_out(item)


@router.post("/items/{item_id}/grade", response=responses(ItemOut), summary="Phân cấp chất lượng")
def grade_item(request, item_id: Id, payload: GradeIn):
    item = visible_item(request, item_id)
    services.record_grade_change(
        item,
        grade=payload.grade,
        reason=payload.reason,
        occurred_on=payload.occurred_on,
        actor=request.user,
        document_number=payload.document_number,
        expected_version=payload.version,
    )
    return item_out(visible_item(request, item_id))


@router.post("/items/{item_id}/issue", response=responses(ItemOut), summary="Cấp phát cho cá nhân")
def issue_item(request, item_id: Id, payload: IssueIn):
    item = visible_item(request, item_id)
    services.record_issue(
        item,
        holder=payload.holder,
        occurred_on=payload.occurred_on,
        actor=request.user,
        expected_version=payload.version,
    )
    return item_out(visible_item(request, item_id))


@router.post("/items/{item_id}/return", response=responses(ItemOut), summary="Thu hồi từ cá nhân")
def return_item(request, item_id: Id, payload: Versioned):
    item = visible_item(request, item_id)
    services.record_return(item, occurred_on=payload.occurred_on, actor=request.user, expected_version=payload.version)
    return item_out(visible_item(request, item_id))


@router.post("/items/{item_id}/meter", response=responses(ItemOut), summary="Ghi chỉ số đồng hồ")
def read_meter(request, item_id: Id, payload: MeterIn):
    item = visible_item(request, item_id)
    services.record_meter_reading(
        item,
        meter=payload.meter,
        value=payload.value,
        occurred_on=payload.occurred_on,
        actor=request.user,
        expected_version=payload.version,
    )
    return item_out(visible_item(request, item_id))


@router.post(
    "/items/{item_id}/status",
    response=responses(ItemOut),
    summary="Đổi tình trạng (sửa chữa, niêm cất, thanh lý, mất...)",
)
def change_status(request, item_id: Id, payload: StatusIn):
    item = visible_item(request, item_id)
    services.record_status_change(
        item,
        payload.kind,
        occurred_on=payload.occurred_on,
        actor=request.user,
        reason=payload.reason,
        document_number=payload.document_number,
        grade=payload.grade,
        expected_version=payload.version,
    )
    return item_out(visible_item(request, item_id))


def kit_out(item: Item) -> dict:
    short = {s.line_id: s for s in item.kit_shortages.all()}
    lines = [
        {
            "line": line.pk,
            "part": line.part,
            "name": line.name,
            "quantity": line.quantity,
            "missing": short[line.pk].missing if line.pk in short else 0,
            "damaged": short[line.pk].damaged if line.pk in short else 0,
        }
        for line in item.equipment_type.kit_lines.all()
    ]
    return {"kit": item.kit, "version": item.version, "lines": lines}


@router.get(
    "/items/{item_id}/kit", response=responses(KitOut), summary="Đồng bộ: bộ đồng bộ tiêu chuẩn và phần thiếu, hỏng"
)
def get_kit(request, item_id: Id):
    return kit_out(visible_item(request, item_id))


@router.post(
    "/items/{item_id}/kit", response=responses(KitOut), summary="Ghi đồng bộ sau kiểm tra (toàn bộ phần thiếu, hỏng)"
)
def record_kit(request, item_id: Id, payload: KitIn):
    item = visible_item(request, item_id)
    services.record_kit(
        item,
        shortages=[s.model_dump() for s in payload.shortages],
        occurred_on=payload.occurred_on,
        note=payload.note,
        actor=request.user,
        expected_version=payload.version,
    )
    return kit_out(visible_item(request, item_id))
