"""The technical day (ngày kỹ thuật): the planner, the sessions, the parts they need, their results.

- `propose(user, unit)`: the next session's day by the unit's schedule, and every (item, plan) of
  the unit's subtree that is due soon, due or overdue on the day of the session after it — read from
  the due projection (`board.current_rows`, the board's own rows; nothing is computed per item here),
  less the tasks already in another planned session of the unit; grouped by item.
- `create_session` / `change_tasks`: a session and its tasks (removed, added, staff assigned), only
  while planned, each change raising its version.
- `parts_needed`: the plans' standard parts summed over the tasks, against the unit's lots of each
  part in a serviceable grade, shortages named.
- `record_results`: the whole session's results in one transaction through the ledger's `Writer`:
  every meter reading and every maintenance done, linked to the session by `TechnicalDayLine`s, the
  session moved to done once. Any refusal names the row (the item's serial) and the field, and
  nothing is written.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.scoping import require
from materiel.catalog.models import CoefficientPolicy, EquipmentType, Meter
from materiel.core.errors import ConflictError, DomainError
from materiel.equipment.models import Item, Lot
from materiel.ledger import services as ledger
from materiel.ledger.rules import check_day_in_range
from materiel.units.models import Unit

from . import board
from .due import MAINTENANCE_DONE
from .kinds import NOT_MAINTAINED
from .models import (
    DueState,
    MaintenancePlan,
    MaintenancePlanPart,
    SessionState,
    State,
    TechnicalDayLine,
    TechnicalDaySchedule,
    TechnicalDaySession,
    TechnicalDayTask,
)
from .schedule import PLAN_ACTION, next_day

MAX_TASKS = 2000  # a session longer than this is not one morning's work


# -- the planner -----------------------------------------------------------------------------------
@dataclass
class Proposed:
    """One (item, plan) proposed: its due row, its state on the session's day and on the horizon."""

    row: DueState  # with its item and plan
    state: State  # on the session's day
    line: board.Line


@dataclass
class ItemTasks:
    item: Item
    tasks: list[Proposed] = field(default_factory=list)


@dataclass
class Proposal:
    unit: Unit
    schedule: TechnicalDaySchedule | None
    held_on: date | None
    horizon: date | None  # the session after it: tasks due by then are done now
    items: list[ItemTasks]

    @property
    def task_count(self) -> int:
        return sum(len(group.tasks) for group in self.items)


def schedule_of(unit: Unit) -> TechnicalDaySchedule | None:
    return TechnicalDaySchedule.objects.filter(unit=unit).first()


def propose(user, unit: Unit, today: date | None = None) -> Proposal:
    """The next session of `unit` and its proposed tasks (see the module's docstring)."""
    today = today or timezone.localdate()
    schedule = schedule_of(unit)
    if schedule is None:
        return Proposal(unit, None, None, None, [])
    held_on = next_day(schedule, today)
    horizon = next_day(schedule, held_on + timedelta(days=1))
    planned = TechnicalDayTask.objects.filter(
        session__unit=unit, session__state=SessionState.PLANNED, item=OuterRef("item"), plan=OuterRef("plan")
    )
    rows = (
        board.current_rows(user, unit)
        .annotate(on_horizon=board.state_case(horizon), state=board.state_case(held_on))
        .exclude(on_horizon=State.OK)
        .exclude(Exists(planned))
        .select_related("item__equipment_type", "item__unit", "plan")
        .order_by("item__unit__path", "item__serial", "item_id", "plan__name")
    )
    groups: dict[int, ItemTasks] = {}
    for row in rows[:MAX_TASKS]:
        group = groups.setdefault(row.item_id, ItemTasks(row.item))
        group.tasks.append(Proposed(row, State(row.state), board.line_of(row, held_on)))
    return Proposal(unit, schedule, held_on, horizon, list(groups.values()))


# -- sessions and their tasks ----------------------------------------------------------------------
@dataclass
class TaskInput:
    """A task as a form or the API gives it; `row` names it in a refusal (1-based)."""

    item_id: int
    plan_id: int
    staff: str = ""
    row: int = 0


def _row_error(row: int, serial: str, what: str, message: str, name: str) -> DomainError:
    where = (
        _("Dòng %(row)d (%(serial)s)") % {"row": row, "serial": serial} if serial else _("Dòng %(row)d") % {"row": row}
    )
    return DomainError(f"{where} – {what}: {message}", field=name)


def _checked_tasks(actor, unit: Unit, tasks: list[TaskInput]) -> list[TechnicalDayTask]:
    if not tasks:
        raise DomainError(_("Ngày kỹ thuật chưa có công việc nào."), field="tasks")
    if len(tasks) > MAX_TASKS:
        raise DomainError(_("Một ngày kỹ thuật tối đa %(n)d công việc.") % {"n": MAX_TASKS}, field="tasks")
    items = Item.objects.visible_to(actor).in_subtree(unit).in_bulk({t.item_id for t in tasks})
    plans = MaintenancePlan.objects.in_bulk({t.plan_id for t in tasks})
    made: list[TechnicalDayTask] = []
    seen: dict[tuple[int, int], int] = {}
    for n, task in enumerate(tasks, start=1):
        row = task.row or n
        item = items.get(task.item_id)
        if item is None:
            raise _row_error(
                row, "", _("trang bị"), _("không có trong đơn vị %(unit)s.") % {"unit": unit.name}, f"tasks-{row}-item"
            )
        if item.status in NOT_MAINTAINED:
            raise _row_error(row, item.serial, _("trang bị"), _("đã thanh lý, mất hoặc hủy."), f"tasks-{row}-item")
        plan = plans.get(task.plan_id)
        if plan is None or plan.equipment_type_id != item.equipment_type_id:
            raise _row_error(
                row,
                item.serial,
                _("kế hoạch bảo dưỡng"),
                _("không áp dụng cho chủng loại của trang bị này."),
                f"tasks-{row}-plan",
            )
        if (item.pk, plan.pk) in seen:
            raise _row_error(
                row,
                item.serial,
                _("kế hoạch bảo dưỡng"),
                _("trùng với dòng %(other)d.") % {"other": seen[(item.pk, plan.pk)]},
                f"tasks-{row}-plan",
            )
        seen[(item.pk, plan.pk)] = row
        staff = (task.staff or "").strip()
        if len(staff) > 200:
            raise _row_error(row, item.serial, _("người thực hiện"), _("dài tối đa 200 ký tự."), f"tasks-{row}-staff")
        made.append(TechnicalDayTask(item=item, plan=plan, staff=staff, position=n))
    return made


@transaction.atomic
def create_session(
    *, actor, unit: Unit, held_on: date, part_of_day: str, tasks: list[TaskInput], note: str = ""
) -> TechnicalDaySession:
    """A planned session of the unit with its tasks."""
    require(actor, PLAN_ACTION, unit=unit)
    check_day_in_range(held_on)
    if len(note or "") > 500:
        raise DomainError(_("Dài tối đa %(n)d ký tự.") % {"n": 500}, field="note")
    rows = _checked_tasks(actor, unit, tasks)
    session = TechnicalDaySession.objects.create(
        unit=unit, held_on=held_on, part_of_day=part_of_day, note=note or "", created_by=actor
    )
    for row in rows:
        row.session = session
    TechnicalDayTask.objects.bulk_create(rows)
    return session


def _locked(session: TechnicalDaySession, version: int | None) -> TechnicalDaySession:
    """The session row locked and read afresh; refused if changed since the caller read it, or done."""
    locked = TechnicalDaySession.objects.select_for_update().get(pk=session.pk)
    if locked.state == SessionState.DONE:
        raise ConflictError(_("Ngày kỹ thuật này đã ghi kết quả: không sửa được nữa."))
    if version is not None and version != locked.version:
        raise ConflictError(_("Ngày kỹ thuật vừa được người khác cập nhật; hãy tải lại trang rồi thử lại."))
    return locked


@transaction.atomic
def change_tasks(
    session: TechnicalDaySession, *, actor, tasks: list[TaskInput], version: int | None, held_on: date | None = None
) -> TechnicalDaySession:
    """Replace a planned session's tasks (some removed, some added, staff changed)."""
    session = _locked(session, version)
    require(actor, PLAN_ACTION, unit=session.unit)
    rows = _checked_tasks(actor, session.unit, tasks)
    if held_on is not None:
        check_day_in_range(held_on)
        session.held_on = held_on
    session.tasks.all().delete()
    for row in rows:
        row.session = session
    TechnicalDayTask.objects.bulk_create(rows)
    session.version += 1
    session.save(update_fields=["held_on", "version"])
    return session


# -- parts -----------------------------------------------------------------------------------------
@dataclass
class PartNeed:
    part_type: EquipmentType
    needed: int
    in_stock: int

    @property
    def short(self) -> int:
        return max(0, self.needed - self.in_stock)


def parts_needed(user, unit: Unit, plan_ids) -> list[PartNeed]:
    """The standard parts of the tasks' plans (`plan_ids`: one per task), summed, against the lots of
    each part type held in the unit's subtree in a serviceable grade (the coefficient policy's)."""
    tasks_per_plan = Counter(plan_ids)
    needed: Counter[int] = Counter()
    for part in MaintenancePlanPart.objects.filter(plan_id__in=tasks_per_plan):
        needed[part.part_type_id] += part.quantity * tasks_per_plan[part.plan_id]
    if not needed:
        return []
    usable = CoefficientPolicy.objects.in_force(timezone.localdate()).serviceable_grades
    stock = dict(
        Lot.objects.visible_to(user)
        .in_subtree(unit)
        .filter(equipment_type_id__in=needed, grade__in=usable, quantity__gt=0)
        .values("equipment_type_id")
        .annotate(total=Sum("quantity"))
        .values_list("equipment_type_id", "total")
    )
    types = EquipmentType.objects.in_bulk(needed)
    lines = [PartNeed(types[pk], n, stock.get(pk, 0)) for pk, n in needed.items()]
    return sorted(lines, key=lambda line: line.part_type.name)


# -- results ---------------------------------------------------------------------------------------
@dataclass
class TaskResult:
    done: bool | None
    reason: str = ""
    notes: str = ""  # checklist steps that failed, in words


def _meter_label(meter: str) -> str:
    return str(Meter(meter).label).lower() if meter in Meter.values else meter


@transaction.atomic
def record_results(
    session: TechnicalDaySession,
    *,
    actor,
    version: int | None,
    occurred_on: date,
    results: dict[int, TaskResult],
    readings: dict[int, dict[str, object]] | None = None,
) -> TechnicalDaySession:
    """The session's results, all of them or nothing: `results` by task id (every task needs one),
    `readings` by item id, meter -> value (optional; empty values are skipped)."""
    session = _locked(session, version)
    require(actor, PLAN_ACTION, unit=session.unit)
    tasks = list(session.tasks.select_related("item", "plan").order_by("position"))
    readings = readings or {}
    by_item: dict[int, list[TechnicalDayTask]] = defaultdict(list)
    for task in tasks:
        by_item[task.item_id].append(task)
    labels = {"reason": _("lý do chưa làm"), "notes": _("các bước không đạt")}
    for n, task in enumerate(tasks, start=1):
        result = results.get(task.pk)
        if result is None or result.done is None:
            raise _row_error(n, task.item.serial, _("kết quả"), _("chọn đã làm hoặc chưa làm."), f"task-{task.pk}-done")
        if not result.done and not (result.reason or "").strip():
            raise _row_error(n, task.item.serial, _("lý do chưa làm"), _("chưa nhập lý do."), f"task-{task.pk}-reason")
        for text, name, limit in ((result.reason, "reason", 300), (result.notes, "notes", 500)):
            if len(text or "") > limit:
                raise _row_error(
                    n, task.item.serial, labels[name],
                    _("dài tối đa %(n)d ký tự.") % {"n": limit}, f"task-{task.pk}-{name}",
                )  # fmt: skip
    unknown = set(readings) - set(by_item)
    if unknown:
        raise DomainError(_("Chỉ số đồng hồ của trang bị không có trong ngày kỹ thuật này."), field="readings")
    row_of = {item_id: n for n, item_id in enumerate(by_item, start=1)}
    writer = ledger.Writer([group[0].item for group in by_item.values()], actor=actor)
    for item in writer.items:
        serial, row = item.serial, row_of[item.pk]
        for meter, value in readings.get(item.pk, {}).items():
            if value in (None, ""):
                continue
            try:
                writer.meter_reading(item, meter=meter, value=value, occurred_on=occurred_on)
            except DomainError as error:
                raise _row_error(
                    row, serial, _("đồng hồ %(meter)s") % {"meter": _meter_label(meter)}, error.message,
                    f"reading-{item.pk}-{meter}",
                ) from error  # fmt: skip
        for task in by_item[item.pk]:
            result = results[task.pk]
            if not result.done:
                continue
            details = {"plan": task.plan_id, "note": (result.notes or "").strip()[:300]}
            try:
                writer.record(item, MAINTENANCE_DONE, occurred_on=occurred_on, details=details)
            except DomainError as error:
                field_name = "occurred_on" if error.field == "occurred_on" else f"task-{task.pk}-done"
                raise _row_error(row, serial, task.plan.name, error.message, field_name) from error
    events = writer.save()
    TechnicalDayLine.link(session, events)
    for task in tasks:
        result = results[task.pk]
        task.done = bool(result.done)
        task.reason = "" if result.done else (result.reason or "").strip()
        task.notes = (result.notes or "").strip()
    TechnicalDayTask.objects.bulk_update(tasks, ["done", "reason", "notes"])
    session.state = SessionState.DONE
    session.held_on = occurred_on
    session.version += 1
    session.recorded_by = actor
    session.recorded_at = timezone.now()
    session.save(update_fields=["state", "held_on", "version", "recorded_by", "recorded_at"])
    return session


# -- what the session's pages show -----------------------------------------------------------------
@dataclass
class SessionItem:
    item: Item
    tasks: list[TechnicalDayTask]
    meters: list[tuple[str, str]]  # (meter, its label) of its type, for the results grid
    readings: dict[str, Decimal] = field(default_factory=dict)  # recorded by the session

    @property
    def reading_list(self) -> list[tuple[str, Decimal]]:
        return [(label, self.readings[meter]) for meter, label in self.meters if meter in self.readings]


def session_items(session: TechnicalDaySession) -> list[SessionItem]:
    """The session's tasks grouped by item, with the readings its results wrote."""
    groups: dict[int, SessionItem] = {}
    tasks = session.tasks.select_related("item__equipment_type", "item__unit", "plan").order_by("position")
    for task in tasks:
        group = groups.get(task.item_id)
        if group is None:
            meters = [(m, str(Meter(m).label)) for m in task.item.equipment_type.meters if m in Meter.values]
            group = groups[task.item_id] = SessionItem(task.item, [], meters)
        group.tasks.append(task)
    for line in session.lines.select_related("event").filter(event__kind="meter_reading"):
        event = line.event
        if event.item_id in groups:
            groups[event.item_id].readings[event.details["meter"]] = Decimal(event.details["value"])
    return list(groups.values())


def staff_names(session: TechnicalDaySession) -> list[str]:
    """Everyone assigned to a task, once each, in order (the minute's list of who took part)."""
    names: dict[str, None] = {}
    for staff in session.tasks.order_by("position").values_list("staff", flat=True):
        for name in staff.split(","):
            if name.strip():
                names.setdefault(name.strip(), None)
    return list(names)


def maintenance_events(session: TechnicalDaySession) -> int:
    return session.lines.filter(event__kind=MAINTENANCE_DONE).count()
