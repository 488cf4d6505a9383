"""Counted stock: lots with their quantities, and the lot event kinds."""

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja import Status as Reply

from materiel.catalog.models import EquipmentType
from materiel.equipment.models import Lot
from materiel.ledger import services

from ..common import (
    MAX_LIMIT,
    Day,
    Document,
    Grade,
    Id,
    Limit,
    LotNumber,
    Quantity,
    Reason,
    Version,
    keyset,
    receiving_unit_named,
    unit_for,
    unit_named,
)
from ..errors import responses

router = Router(tags=["Lô hàng"])


class LotOut(Schema):
    id: int
    type: str
    type_name: str
    unit: str
    lot_number: str
    grade: int
    quantity: int
    unit_of_measure: str
    version: int


class LotPage(Schema):
    results: list[LotOut]
    next: int | None


class LotFilters(Schema):
    unit: str | None = None
    category: str | None = None
    type: str | None = None
    grade: Grade | None = None
    after: Id | None = None
    limit: Limit = 100


def lot_out(lot: Lot) -> dict:
    return {
        "id": lot.pk,
        "type": lot.equipment_type.code,
        "type_name": lot.equipment_type.name,
        "unit": lot.unit.code,
        "lot_number": lot.lot_number,
        "grade": lot.grade,
        "quantity": lot.quantity,
        "unit_of_measure": lot.equipment_type.unit_of_measure,
        "version": lot.version,
    }


def visible_lot(request, lot_id: Id | None) -> Lot:
    return get_object_or_404(Lot.objects.visible_to(request.user).select_related("equipment_type", "unit"), pk=lot_id)


@router.get("/lots", response=responses(LotPage), summary="Lô hàng (đạn dược, vật tư) của một cây đơn vị")
def list_lots(request, filters: Query[LotFilters]):
    root = unit_for(request, filters.unit)
    lots = Lot.objects.visible_to(request.user).in_subtree(root).select_related("equipment_type", "unit")
    if filters.category:
        lots = lots.filter(equipment_type__category__code=filters.category)
    if filters.type:
        lots = lots.filter(equipment_type__code=filters.type)
    if filters.grade:
        lots = lots.filter(grade=filters.grade)
    rows, cursor = keyset(lots.filter(quantity__gt=0), filters.after, min(filters.limit, MAX_LIMIT))
    return {"results": [lot_out(lot) for lot in rows], "next": cursor}


@router.get("/lots/{lot_id}", response=responses(LotOut), summary="Một lô")
def get_lot(request, lot_id: Id):
    return lot_out(visible_lot(request, lot_id))


class LotReceiptIn(Schema):
    type: str
    unit: str
    grade: Grade
    quantity: Quantity
    occurred_on: Day
    lot_number: LotNumber = ""
    document_number: Document = ""


class LotChange(Schema):
    quantity: Quantity
    occurred_on: Day
    version: Version


class LotIssueIn(LotChange):
    reason: Reason


class LotTransferIn(LotChange):
    to_unit: str
    document_number: Document


class LotRegradeIn(LotChange):
    grade: Grade
    reason: Reason


@router.post("/lots", response=responses(LotOut, 201), summary="Nhập lô")
def receive_lot(request, payload: LotReceiptIn):
    equipment_type = get_object_or_404(EquipmentType, code=payload.type)
    event = services.record_lot_receipt(
        equipment_type=equipment_type,
        unit=unit_named(request, payload.unit, field="unit"),
        grade=payload.grade,
        quantity=payload.quantity,
        occurred_on=payload.occurred_on,
        actor=request.user,
        lot_number=payload.lot_number,
        document_number=payload.document_number,
    )
    return Reply(201, lot_out(visible_lot(request, event.lot_id)))


@router.post("/lots/{lot_id}/issue", response=responses(LotOut), summary="Xuất, tiêu hao")
def issue_lot(request, lot_id: Id, payload: LotIssueIn):
    lot = visible_lot(request, lot_id)
    services.record_lot_issue(
        lot,
        quantity=payload.quantity,
        occurred_on=payload.occurred_on,
        actor=request.user,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return lot_out(visible_lot(request, lot_id))


@router.post("/lots/{lot_id}/transfer", response=responses(LotOut), summary="Điều chuyển một phần lô")
def transfer_lot(request, lot_id: Id, payload: LotTransferIn):
    lot = visible_lot(request, lot_id)
    services.record_lot_transfer(
        lot,
        to_unit=receiving_unit_named(request, payload.to_unit, lot.unit),
        quantity=payload.quantity,
        occurred_on=payload.occurred_on,
        actor=request.user,
        document_number=payload.document_number,
        expected_version=payload.version,
    )
    return lot_out(visible_lot(request, lot_id))


@router.post("/lots/{lot_id}/regrade", response=responses(LotOut), summary="Phân cấp lại một phần lô")
def regrade_lot(request, lot_id: Id, payload: LotRegradeIn):
    lot = visible_lot(request, lot_id)
    services.record_lot_regrade(
        lot,
        grade=payload.grade,
        quantity=payload.quantity,
        occurred_on=payload.occurred_on,
        actor=request.user,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return lot_out(visible_lot(request, lot_id))
