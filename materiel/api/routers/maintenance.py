"""Maintenance: the plans of the catalogue, the due board of a subtree (the page's rows: the same
dataset, maintenance.board), a maintenance recorded on an item, and the technical day (its
schedule, the planner's proposal, a session and its results: maintenance.techday)."""

from datetime import date
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from materiel.core.errors import DomainError
from materiel.equipment.models import Item
from materiel.maintenance import board, due, services, techday
from materiel.maintenance import schedule as schedules
from materiel.maintenance.models import DayPart, MaintenancePlan, TechnicalDaySession

from ..common import MAX_LIMIT, Day, Id, Limit, MeterValue, Text, Version, keyset, unit_for, unit_named
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
    parts: list[dict]  # standard parts per task: {"type": code, "quantity": n}


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
        "parts": [{"type": p.part_type.code, "quantity": p.quantity} for p in plan.parts.all()],
    }


@router.get("/maintenance/plans", response=responses(list[PlanOut]), summary="Các kế hoạch bảo dưỡng")
def list_plans(request, type: str | None = None):  # noqa: A002 - the register's own filter name
    plans = MaintenancePlan.objects.select_related("equipment_type").prefetch_related("parts__part_type")
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


# -- the technical day (ngày kỹ thuật) -------------------------------------------------------------
class ScheduleOut(Schema):
    frequency: str
    weekday: int  # 0 Monday … 6 Sunday
    week_of_month: int | None = None  # 1–4, 5 the last week (monthly schedules)
    part_of_day: str
    text: str


class ScheduleIn(Schema):
    unit: Text(80)  # type: ignore[valid-type]
    frequency: Literal["weekly", "monthly"]
    weekday: int = Field(ge=0, le=6)
    week_of_month: int | None = Field(None, ge=1, le=5)
    part_of_day: Literal["morning", "afternoon"] = "morning"


class ProposedTaskOut(Schema):
    item: int
    serial: str
    unit: str
    plan: int
    plan_name: str
    state: str  # on the session's day
    trigger: str | None = None
    projected_on: date | None = None


class TechnicalDayPartOut(Schema):
    type: str
    name: str
    needed: int
    in_stock: int
    short: int


class TechnicalDayProposalOut(Schema):
    unit: str
    schedule: ScheduleOut | None = None
    held_on: date | None = None
    horizon: date | None = None
    tasks: list[ProposedTaskOut]
    parts: list[TechnicalDayPartOut]


def _schedule_out(schedule) -> dict | None:
    if schedule is None:
        return None
    return {
        "frequency": schedule.frequency,
        "weekday": schedule.weekday,
        "week_of_month": schedule.week_of_month,
        "part_of_day": schedule.part_of_day,
        "text": schedules.describe(schedule),
    }


def _parts_out(parts) -> list[dict]:
    return [
        {
            "type": p.part_type.code,
            "name": p.part_type.name,
            "needed": p.needed,
            "in_stock": p.in_stock,
            "short": p.short,
        }
        for p in parts
    ]


@router.get(
    "/maintenance/technical-day/proposal",
    response=responses(TechnicalDayProposalOut),
    summary="Đề xuất ngày kỹ thuật tới của một đơn vị",
)
def technical_day_proposal(request, unit: str | None = None):
    """The unit's next session by its schedule and every task due, overdue or due soon up to the one
    after it (the due board's rows), with the parts they need against the unit's stock."""
    root = unit_for(request, unit)
    proposal = techday.propose(request.user, root)
    tasks = [
        {
            "item": t.row.item_id,
            "serial": t.row.item.serial,
            "unit": t.row.item.unit.code,
            "plan": t.row.plan_id,
            "plan_name": t.row.plan.name,
            "state": t.state.value,
            "trigger": due.trigger_on(t.row, proposal.held_on or timezone.localdate()) or None,
            "projected_on": t.row.projected_on,
        }
        for group in proposal.items
        for t in group.tasks
    ]
    parts = techday.parts_needed(request.user, root, [t["plan"] for t in tasks])
    return {
        "unit": root.code,
        "schedule": _schedule_out(proposal.schedule),
        "held_on": proposal.held_on,
        "horizon": proposal.horizon,
        "tasks": tasks,
        "parts": _parts_out(parts),
    }


@router.post(
    "/maintenance/technical-day/schedules", response=responses(ScheduleOut), summary="Đặt lịch ngày kỹ thuật của đơn vị"
)
def set_technical_day_schedule(request, payload: ScheduleIn):
    unit = unit_named(request, payload.unit, field="unit")
    schedule = schedules.save_schedule(
        actor=request.user,
        unit=unit,
        frequency=payload.frequency,
        weekday=payload.weekday,
        week_of_month=payload.week_of_month,
        part_of_day=payload.part_of_day,
    )
    return _schedule_out(schedule)


class TaskIn(Schema):
    item: Id
    plan: Id
    staff: Text(200) = ""  # type: ignore[valid-type]


class SessionIn(Schema):
    unit: Text(80)  # type: ignore[valid-type]
    held_on: Day | None = None  # the schedule's next day when omitted
    part_of_day: Literal["morning", "afternoon"] | None = None
    note: Text(500) = ""  # type: ignore[valid-type]
    tasks: list[TaskIn] = Field(max_length=techday.MAX_TASKS)


class SessionTaskOut(Schema):
    id: int
    position: int
    item: int
    serial: str
    plan: int
    plan_name: str
    staff: str
    done: bool | None = None
    reason: str
    notes: str


class SessionOut(Schema):
    id: int
    unit: str
    held_on: date
    part_of_day: str
    state: str
    version: int
    note: str
    tasks: list[SessionTaskOut]
    parts: list[TechnicalDayPartOut]
    events: list[int]  # the ledger events its results wrote (maintenance done, meter readings)


def session_out(request, session: TechnicalDaySession) -> dict:
    tasks = list(session.tasks.select_related("item", "plan").order_by("position"))
    parts = techday.parts_needed(request.user, session.unit, [t.plan_id for t in tasks])
    return {
        "id": session.pk,
        "unit": session.unit.code,
        "held_on": session.held_on,
        "part_of_day": session.part_of_day,
        "state": session.state,
        "version": session.version,
        "note": session.note,
        "tasks": [
            {
                "id": t.pk,
                "position": t.position,
                "item": t.item_id,
                "serial": t.item.serial,
                "plan": t.plan_id,
                "plan_name": t.plan.name,
                "staff": t.staff,
                "done": t.done,
                "reason": t.reason,
                "notes": t.notes,
            }
            for t in tasks
        ],
        "parts": _parts_out(parts),
        "events": list(session.lines.order_by("position").values_list("event_id", flat=True)),
    }


def _scoped_session(request, session_id: int) -> TechnicalDaySession:
    return get_object_or_404(TechnicalDaySession.objects.visible_to(request.user).select_related("unit"), pk=session_id)


@router.post(
    "/maintenance/technical-day/sessions", response=responses(SessionOut), summary="Lập kế hoạch một ngày kỹ thuật"
)
def create_technical_day(request, payload: SessionIn):
    unit = unit_named(request, payload.unit, field="unit")
    schedule = techday.schedule_of(unit)
    held_on = payload.held_on
    if held_on is None:
        if schedule is None:
            raise DomainError(_("Đơn vị chưa có lịch ngày kỹ thuật: nhập ngày thực hiện (held_on)."), field="held_on")
        held_on = schedules.next_day(schedule, timezone.localdate())
    part = payload.part_of_day or (schedule.part_of_day if schedule else DayPart.MORNING)
    tasks = [techday.TaskInput(t.item, t.plan, t.staff, n) for n, t in enumerate(payload.tasks, start=1)]
    session = techday.create_session(
        actor=request.user, unit=unit, held_on=held_on, part_of_day=part, tasks=tasks, note=payload.note
    )
    return session_out(request, session)


@router.get(
    "/maintenance/technical-day/sessions/{session_id}", response=responses(SessionOut), summary="Một ngày kỹ thuật"
)
def get_technical_day(request, session_id: Id):
    return session_out(request, _scoped_session(request, session_id))


class TaskResultIn(Schema):
    task: Id
    done: bool
    reason: Text(300) = ""  # type: ignore[valid-type]
    notes: Text(500) = ""  # type: ignore[valid-type]


class MeterReadingIn(Schema):
    item: Id
    meter: Literal["km", "engine_hours", "rounds"]
    value: MeterValue


class ResultsIn(Schema):
    version: Version
    occurred_on: Day | None = None  # the session's day when omitted
    results: list[TaskResultIn] = Field(max_length=techday.MAX_TASKS)
    readings: list[MeterReadingIn] = Field([], max_length=techday.MAX_TASKS * 3)


@router.post(
    "/maintenance/technical-day/sessions/{session_id}/results",
    response=responses(SessionOut),
    summary="Ghi kết quả cả ngày kỹ thuật (tất cả hoặc không)",
)
def record_technical_day_results(request, session_id: Id, payload: ResultsIn):
    """Every task's result and every meter reading in one transaction: a refused row (named by its
    serial and field) writes nothing. A session already recorded answers 409."""
    session = _scoped_session(request, session_id)
    results = {r.task: techday.TaskResult(r.done, r.reason, r.notes) for r in payload.results}
    readings: dict[int, dict[str, object]] = {}
    for reading in payload.readings:
        readings.setdefault(reading.item, {})[reading.meter] = reading.value
    session = techday.record_results(
        session,
        actor=request.user,
        version=payload.version,
        occurred_on=payload.occurred_on or session.held_on,
        results=results,
        readings=readings,
    )
    return session_out(request, session)
