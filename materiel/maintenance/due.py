"""The due computation: where an item stands against a plan, from the item's events alone.

One pure function, `compute(plan, history)`, is the whole rule (docs/maintenance.md has a worked
example). These callers use it and nothing else decides a due state:
- the `maintenance_done` kind's projection (`kinds.DueProjection`), at the writer's flush, once per
  item however many of its events the write holds;
- `refresh(items)`: before the board is read, the rows of the items that changed since their rows
  were computed (their version moved on: a meter reading, a status change, a maintenance) are
  recomputed, a few items' events read at a time;
- `materiel verify` (`kinds.DueProjection.compare`): every stored row recomputed from the events it
  was computed from, and compared;
- the tests, which drive it with hypothesis at the boundaries.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from materiel.equipment.models import Item, Status
from materiel.ledger.kinds import REVERSAL
from materiel.ledger.models import Event, EventKind

from .models import DAYS, PLAN_STATUSES, DueState, MaintenancePlan, State

MAINTENANCE_DONE = "maintenance_done"
RANK = {State.OK: 0, State.SOON: 1, State.DUE: 2, State.OVERDUE: 3}
HUNDRED = Decimal(100)
TENTH = Decimal("0.1")
# Items recomputed per read of their events.
CHUNK = 300


def classify(used: Decimal, interval: Decimal, tolerance: Decimal, soon: Decimal) -> State:
    """Where `used` (km, hours, rounds or days since the cycle began) stands against `interval`:
    overdue past the tolerance, due from the interval on, due soon within `soon` percent of it."""
    if used > interval * (1 + tolerance / HUNDRED):
        return State.OVERDUE
    if used >= interval:
        return State.DUE
    if used >= interval * (1 - soon / HUNDRED):
        return State.SOON
    return State.OK


def calendar_dates(base: date, days: int, tolerance: Decimal, soon: Decimal, soon_days: int):
    """(soon_on, due_on, overdue_on) of a calendar interval: the first day each state holds, so that
    `classify(day - base)` and comparing the day with these dates always agree."""
    due_on = base + timedelta(days=days)
    overdue_on = due_on + timedelta(days=math.floor(days * tolerance / HUNDRED) + 1)
    by_share = base + timedelta(days=math.ceil(days * (1 - soon / HUNDRED)))
    return min(by_share, due_on - timedelta(days=soon_days)), due_on, overdue_on


def state_on(row, day: date) -> State:
    """The state of a due row on `day` (the board asks the database the same: board.state_case)."""
    by_calendar = State.OK
    if row.overdue_on and day >= row.overdue_on:
        by_calendar = State.OVERDUE
    elif row.next_on and day >= row.next_on:
        by_calendar = State.DUE
    elif row.soon_on and day >= row.soon_on:
        by_calendar = State.SOON
    return max(State(row.meter_state), by_calendar, key=lambda state: RANK[state])


def trigger_on(row, day: date) -> str:
    """Which trigger makes the state on `day`: a meter, or the calendar (DAYS)."""
    state = state_on(row, day)
    if state == State.OK:
        return row.projected_trigger
    if row.meter_trigger and RANK[State(row.meter_state)] >= RANK[state]:
        return row.meter_trigger
    # Soon by a date: the calendar's, or a meter's projected due date within the warning days.
    return (row.projected_trigger or DAYS) if state == State.SOON else DAYS


@dataclass
class History:
    """What the due rule reads of an item's events: its receipt day, its status, its effective
    meter readings in order, and the latest effective maintenance of each plan."""

    received_on: date | None = None
    status: str = ""
    status_since: date | None = None  # the day the item entered its status (a seal starts its cycles)
    readings: dict[str, list[tuple[date, Decimal]]] = field(default_factory=lambda: defaultdict(list))
    done: dict[int, date] = field(default_factory=dict)
    events: int = 0

    @classmethod
    def of(cls, events) -> History:
        """From an item's events in id order (Event rows, or anything with the same attributes)."""
        events = list(events)
        reversed_ids = {e.reverses_id for e in events if e.reverses_id}
        history = cls(events=len(events))
        for event in events:
            if history.received_on is None:
                history.received_on = event.occurred_on
            if event.status_after != history.status:
                history.status, history.status_since = event.status_after, event.occurred_on
            if event.kind == REVERSAL or event.pk in reversed_ids:
                continue
            if event.kind == EventKind.METER_READING:
                history.readings[event.details["meter"]].append((event.occurred_on, Decimal(event.details["value"])))
            elif event.kind == MAINTENANCE_DONE:
                history.done[int(event.details["plan"])] = event.occurred_on
        return history


def _reading_on(readings, day: date) -> Decimal | None:
    """The meter at the start of a cycle: its latest reading on or before the day, else its first after."""
    before = [value for on, value in readings if on <= day]
    if before:
        return before[-1]
    return readings[0][1] if readings else None


def usage_rate(readings) -> Decimal | None:
    """Units per day over the readings of the last MATERIEL_USAGE_DAYS before the latest one (with the
    reading before that window when the window holds only the latest)."""
    if len(readings) < 2:
        return None
    last_on, last = readings[-1]
    start = last_on - timedelta(days=settings.MATERIEL_USAGE_DAYS)
    window = [r for r in readings if r[0] >= start]
    first_on, first = window[0]
    if first_on == last_on:
        earlier = [r for r in readings if r[0] < start]
        if not earlier:
            return None
        first_on, first = earlier[-1]
    days = (last_on - first_on).days
    if days <= 0 or last <= first:
        return None
    return (last - first) / days


def _meter_due_on(readings, base: date, threshold: Decimal, now: Decimal) -> date | None:
    """When the meter reaches `threshold`: the day of the reading that did, or projected at its rate."""
    if now >= threshold:
        return next((on for on, value in readings if on >= base and value >= threshold), readings[-1][0])
    rate = usage_rate(readings)
    if rate is None:
        return None
    return readings[-1][0] + timedelta(days=math.ceil((threshold - now) / rate))


def _text(value: Decimal) -> str:
    """A meter value as stored in the row (meters keep one decimal: ItemMeter.value)."""
    return str(value.quantize(TENTH))


def compute(plan: MaintenancePlan, history: History) -> dict:
    """The due row's fields for one plan, from the item's history (see the module's docstring)."""
    last_done = history.done.get(plan.pk)
    base = last_done or max(history.received_on or plan.starts_on, plan.starts_on)
    if Status.IN_SERVICE not in plan.statuses and history.status in plan.statuses and history.status_since:
        # A cycle of a status of its own (sealed storage: re-inspect, run up every N months) starts
        # when the item entered that status; a maintenance of an earlier spell does not carry over.
        base = max(base, history.status_since)
    meters, projections = {}, []
    meter_state, meter_trigger, worst = State.OK, "", (-1, Decimal(-1))
    soon_dates = []
    for meter, interval in plan.meter_intervals().items():
        readings = history.readings.get(meter, [])
        done = _reading_on(readings, base)
        if done is None:
            continue  # the item has no reading of this meter yet: it cannot trigger
        now = readings[-1][1]
        threshold = done + interval
        meters[str(meter)] = {"done": _text(done), "next": _text(threshold), "now": _text(now)}
        state = classify(now - done, interval, plan.tolerance_percent, plan.soon_percent)
        rank = (RANK[state], (now - done) / interval)
        if rank > worst:
            worst, meter_state, meter_trigger = rank, state, str(meter)
        due_on = _meter_due_on(readings, base, threshold, now)
        if due_on is not None:
            projections.append((due_on, str(meter)))
            soon_dates.append(due_on - timedelta(days=plan.soon_days))
    soon_on = next_on = overdue_on = None
    if plan.every_days:
        soon_on, next_on, overdue_on = calendar_dates(
            base, plan.every_days, plan.tolerance_percent, plan.soon_percent, plan.soon_days
        )
        projections.append((next_on, DAYS))
        soon_dates.append(soon_on)
    projected_on, projected_trigger = min(projections) if projections else (None, "")
    return {
        "applies": history.status in PLAN_STATUSES and history.status in plan.statuses,
        "last_done_on": last_done,
        "base_on": base,
        "meters": meters,
        "meter_state": meter_state,
        "meter_trigger": meter_trigger if meter_state != State.OK else "",
        "soon_on": min(soon_dates) if soon_dates else None,
        "next_on": next_on,
        "overdue_on": overdue_on,
        "projected_on": projected_on,
        "projected_trigger": projected_trigger,
    }


FIELDS = [
    "applies",
    "last_done_on",
    "base_on",
    "meters",
    "meter_state",
    "meter_trigger",
    "soon_on",
    "next_on",
    "overdue_on",
    "projected_on",
    "projected_trigger",
]


def stale_items(items):
    """Of `items` (a queryset), those of a type with a plan whose row for some plan is missing or
    older than the item (its version moved on), among the statuses a plan may apply to. Rows of
    items that left those statuses are stale too and never shown (board: item_version = version)."""
    fresh = DueState.objects.filter(
        item=OuterRef(OuterRef("pk")), plan=OuterRef("pk"), item_version=OuterRef(OuterRef("version"))
    )
    lacking = MaintenancePlan.objects.filter(equipment_type=OuterRef("equipment_type")).filter(~Exists(fresh))
    return items.filter(status__in=PLAN_STATUSES).filter(Exists(lacking))


def refresh(items) -> int:
    """Recompute the due rows of the stale ones among `items`; returns how many items were."""
    ids = list(stale_items(items).order_by().values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        recompute(ids[start : start + CHUNK])
    return len(ids)


@transaction.atomic
def recompute(item_ids) -> None:
    """Every plan's row of these items, from their stored events, written in one upsert (also the
    kind's projection at the writer's flush, once the write's events are stored: kinds.DueProjection)."""
    types = dict(Item.objects.filter(pk__in=item_ids).values_list("pk", "equipment_type_id"))
    plans = defaultdict(list)
    for plan in MaintenancePlan.objects.filter(equipment_type_id__in=set(types.values())):
        plans[plan.equipment_type_id].append(plan)
    events = defaultdict(list)
    for event in Event.objects.filter(item_id__in=item_ids).order_by("item_id", "id").only(*EVENT_FIELDS):
        events[event.item_id].append(event)
    rows = []
    for item_id, type_id in types.items():
        history = History.of(events[item_id])
        for plan in plans[type_id]:
            rows.append(DueState(item_id=item_id, plan=plan, item_version=history.events, **compute(plan, history)))
    DueState.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["item", "plan"], update_fields=["item_version", *FIELDS]
    )


EVENT_FIELDS = ("id", "item_id", "kind", "occurred_on", "details", "reverses_id", "status_after")
