"""Maintenance: the plans of the catalogue, the due board of a subtree (the page's rows: the same
dataset, maintenance.board), and a maintenance recorded on an item."""

from datetime import date
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema

from materiel.equipment.models import Item
from materiel.maintenance import board, due, services
from materiel.maintenance.models import MaintenancePlan

from ..common import MAX_LIMIT, Day, Id, Limit, Text, Version, keyset, unit_for
from ..errors import responses
from .events import EventOut, event_out

router = Router(tags=["Bảo dưỡng"])


class PlanOut(Schema):
    id: int
    type: str
    name: str
    every_km: float | None = None
    every_engine_hours: float | None = None
    every_rounds: float | None = None
    every_days: int | None = None
    tolerance_percent: float
    soon_percent: float
    soon_days: int
    statuses: list[str]
    labour_hours: float | None = None
    steps: list[str]
    starts_on: date


def _float(value):
    return None if value is None else float(value)


def plan_out(plan: MaintenancePlan) -> dict:
    return {
        "id": plan.pk,
        "type": plan.equipment_type.code,
        "name": plan.name,
        "every_km": _float(plan.every_km),
        "every_engine_hours": _float(plan.every_engine_hours),
        "every_rounds": _float(plan.every_rounds),
        "every_days": plan.every_days,
        "tolerance_percent": float(plan.tolerance_percent),
        "soon_percent": float(plan.soon_percent),
        "soon_days": plan.soon_days,
        "statuses": list(plan.statuses),
        "labour_hours": _float(plan.labour_hours),
        "steps": plan.step_list(),
        "starts_on": plan.starts_on,
    }


@router.get("/maintenance/plans", response=responses(list[PlanOut]), summary="Các kế hoạch bảo dưỡng")
def list_plans(request, type: str | None = None):  # noqa: A002 - the register's own filter name
    plans = MaintenancePlan.objects.select_related("equipment_type")
    if type:
        plans = plans.filter(equipment_type__code=type)
    return [plan_out(p) for p in plans]


class DueOut(Schema):
    id: int
    item: int
    serial: str
    type: str
    unit: str
    plan: int
    plan_name: str
    state: str
    trigger: str | None = None  # km, engine_hours, rounds or days
    last_done_on: date | None = None
    next_on: date | None = None
    projected_on: date | None = None
    meters: dict


class DuePage(Schema):
    results: list[DueOut]
    next: int | None


class DueFilters(Schema):
    unit: str | None = None
    category: str | None = None
    type: str | None = None
    plan: Id | None = None
    state: Literal["ok", "soon", "due", "overdue"] | None = None
    direct: bool = False
    after: Id | None = None
    limit: Limit = 100


@router.get("/maintenance/due", response=responses(DuePage), summary="Bảng theo dõi hạn bảo dưỡng của một cây đơn vị")
def list_due(request, filters: Query[DueFilters]):
    """The rows of the due board for the unit's subtree with the page's filters, in id order (the cursor)."""
    root = unit_for(request, filters.unit)
    today = timezone.localdate()
    params = {
        "category": filters.category,
        "type": filters.type,
        "plan": str(filters.plan or ""),
        "state": filters.state,
        "direct": "1" if filters.direct else "",
    }
    rows = board.board_rows(request.user, root, params, today)
    page, cursor = keyset(rows, filters.after, min(filters.limit, MAX_LIMIT))
    results = []
    for row in page:
        results.append(
            {
                "id": row.pk,
                "item": row.item_id,
                "serial": row.item.serial,
                "type": row.item.equipment_type.code,
                "unit": row.item.unit.code,
                "plan": row.plan_id,
                "plan_name": row.plan.name,
                "state": row.state,
                "trigger": due.trigger_on(row, today) or None,
                "last_done_on": row.last_done_on,
                "next_on": row.next_on,
                "projected_on": row.projected_on,
                "meters": row.meters,
            }
        )
    return {"results": results, "next": cursor}


class MaintenanceIn(Schema):
    plan: Id
    occurred_on: Day
    note: Text(300) = ""  # type: ignore[valid-type]
    version: Version | None = None


@router.post(
    "/items/{item_id}/maintenance", response=responses(EventOut), summary="Ghi bảo dưỡng xong cho một trang bị"
)
def record_maintenance(request, item_id: Id, payload: MaintenanceIn):
    item = get_object_or_404(Item.objects.visible_to(request.user), pk=item_id)
    plan = get_object_or_404(MaintenancePlan, pk=payload.plan, equipment_type_id=item.equipment_type_id)
    event = services.record_maintenance(
        item,
        plan=plan,
        occurred_on=payload.occurred_on,
        note=payload.note,
        actor=request.user,
        expected_version=payload.version,
    )
    return event_out(event)
