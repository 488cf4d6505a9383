"""Maintenance compliance (tỷ lệ bảo dưỡng đúng hạn) over a period and a unit subtree: one dataset
function, read by the reliability page and the API, and by later issues (Campaign 50, reviews).

A *task* is one cycle of an (item, plan): from the plan's last maintenance (or the item's receipt,
or the plan's start) to the maintenance that closes it. Its day is the day it fell due (the
calendar's due date, or the day of the reading that reached the meter's interval, or the projected
day: the due row's `projected_on` as it stood then), or the day it was done when done earlier. A
task whose day lies in the period is *due in the period*, and it was

- **on time** when the maintenance closing it was recorded before the row turned overdue (its state
  on that day, computed by `due.compute` from the events before the maintenance, was not *quá hạn*:
  within the tolerance, readings of that day included);
- **late** when it was closed overdue;
- **missed** when it is still open and overdue at the period's end;
- **pending** when it is still open and not yet overdue at the end: not counted against anyone.

Compliance = on time ÷ (on time + late + missed). Every task keeps its item, plan, days and the
maintenance event that closed it, so every number drills down to exactly the tasks it counts. The
cycles are replayed from the items' events with the due rule itself (`due.compute`), one event read
per few hundred items; items are those of the subtree now, like the reliability figures' operating
time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from materiel.equipment.models import Item
from materiel.ledger.kinds import REVERSAL
from materiel.ledger.models import Event, EventKind
from materiel.units.models import SEGMENT_WIDTH, Unit

from .due import CHUNK, EVENT_FIELDS, MAINTENANCE_DONE, History, compute, state_on
from .models import MaintenancePlan, State

ON_TIME, LATE, MISSED, PENDING = "on_time", "late", "missed", "pending"


@dataclass(frozen=True)
class Task:
    item_id: int
    serial: str
    plan_id: int
    plan_name: str
    due_on: date  # the task's day (see the module's docstring)
    done_on: date | None
    event_id: int | None  # the maintenance that closed it
    outcome: str  # ON_TIME, LATE, MISSED, PENDING


@dataclass
class Line:
    """The tasks of one type, category or unit branch, by outcome."""

    key: str
    name: str
    tasks: list[Task] = field(default_factory=list)

    def of(self, outcome: str) -> list[Task]:
        return [t for t in self.tasks if t.outcome == outcome]

    @property
    def counted(self) -> int:
        return sum(1 for t in self.tasks if t.outcome != PENDING)

    @property
    def on_time(self) -> int:
        return sum(1 for t in self.tasks if t.outcome == ON_TIME)

    @property
    def late_count(self) -> int:
        return sum(1 for t in self.tasks if t.outcome == LATE)

    @property
    def missed_count(self) -> int:
        return sum(1 for t in self.tasks if t.outcome == MISSED)

    @property
    def pending_count(self) -> int:
        return sum(1 for t in self.tasks if t.outcome == PENDING)

    @property
    def rate(self) -> Decimal | None:
        """On time ÷ due (pending left out), in percent with one decimal; None when nothing was due."""
        if not self.counted:
            return None
        return (Decimal(100) * self.on_time / self.counted).quantize(Decimal("0.1"))


@dataclass
class Compliance:
    start: date
    end: date
    total: Line
    by_category: list[Line]
    by_type: list[Line]
    by_unit: list[Line]  # the child units of the root, and its own items (key: the root's code)


def _tasks_of(events, plans: list[MaintenancePlan], start: date, end: date, serial: str) -> list[Task]:
    """The tasks of one item against its type's plans whose day lies in [start, end], replayed from
    its events in order (the rule's own History, built event by event)."""
    reversed_ids = {e.reverses_id for e in events if e.reverses_id}
    by_id = {plan.pk: plan for plan in plans}
    history = History()
    found: list[Task] = []

    def keep(plan, row, done_on, event_id):
        day = row["projected_on"]
        if done_on is not None and (day is None or done_on < day):
            day = done_on
        if day is None or not (start <= day <= end) or not row["applies"]:
            return
        state = state_on(SimpleNamespace(**row), done_on or end)
        if done_on is not None:
            outcome = LATE if state == State.OVERDUE else ON_TIME
        else:
            outcome = MISSED if state == State.OVERDUE else PENDING
        found.append(Task(history_item, serial, plan.pk, plan.name, day, done_on, event_id, outcome))

    history_item = events[0].item_id if events else 0
    for event in events:
        if history.received_on is None:
            history.received_on = event.occurred_on
        effective = event.kind != REVERSAL and event.pk not in reversed_ids
        if effective and event.kind == MAINTENANCE_DONE:
            plan = by_id.get(int(event.details.get("plan", 0)))
            if plan is not None and event.occurred_on >= plan.starts_on:
                keep(plan, compute(plan, history), event.occurred_on, event.pk)
        if event.status_after != history.status:
            history.status, history.status_since = event.status_after, event.occurred_on
        if not effective:
            continue
        if event.kind == EventKind.METER_READING:
            history.readings[event.details["meter"]].append((event.occurred_on, Decimal(event.details["value"])))
        elif event.kind == MAINTENANCE_DONE:
            history.done[int(event.details["plan"])] = event.occurred_on
    for plan in plans:  # the open cycle of each plan
        if events:
            keep(plan, compute(plan, history), None, None)
    return found


def compliance(user, root: Unit, start: date, end: date, *, category=None, equipment_type=None) -> Compliance:
    """Maintenance compliance of `root`'s subtree over [start, end], as `user` sees it."""
    plans: dict[int, list[MaintenancePlan]] = defaultdict(list)
    for plan in MaintenancePlan.objects.select_related("equipment_type__category").order_by("name"):
        plans[plan.equipment_type_id].append(plan)
    items = Item.objects.visible_to(user).in_subtree(root).filter(equipment_type_id__in=plans)
    if category is not None:
        items = items.filter(equipment_type__category=category)
    if equipment_type is not None:
        items = items.filter(equipment_type=equipment_type)
    rows = list(items.order_by("id").values_list("id", "serial", "equipment_type_id", "unit__path"))
    total = Line(root.code, root.name)
    by_type: dict[int, Line] = {}
    by_category: dict[int, Line] = {}
    by_branch: dict[str, list[Task]] = defaultdict(list)
    for begin in range(0, len(rows), CHUNK):
        chunk = rows[begin : begin + CHUNK]
        events = defaultdict(list)
        stored = Event.objects.filter(item_id__in=[r[0] for r in chunk]).order_by("item_id", "id")
        for event in stored.only(*EVENT_FIELDS):
            events[event.item_id].append(event)
        for item_id, serial, type_id, path in chunk:
            found = _tasks_of(events[item_id], plans[type_id], start, end, serial)
            if not found:
                continue
            etype = plans[type_id][0].equipment_type
            by_type.setdefault(type_id, Line(etype.code, etype.name)).tasks.extend(found)
            cat = etype.category
            by_category.setdefault(cat.pk, Line(cat.code, cat.name)).tasks.extend(found)
            by_branch[path[: len(root.path) + SEGMENT_WIDTH]].extend(found)
            total.tasks.extend(found)
    children = {u.path: u for u in Unit.objects.visible_to(user).filter(parent=root)}
    units = []
    for path in sorted(by_branch, key=lambda p: (p == root.path, children[p].name if p in children else "")):
        unit = children.get(path, root)
        units.append(Line(unit.code, unit.name, by_branch[path]))
    return Compliance(
        start=start,
        end=end,
        total=total,
        by_category=sorted(by_category.values(), key=lambda line: line.name),
        by_type=sorted(by_type.values(), key=lambda line: line.name),
        by_unit=units,
    )
