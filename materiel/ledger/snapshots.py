"""Dated snapshots of subtree totals, so that a past day's dashboard does not fold the whole ledger.

A snapshot stores, for a day S (the first day of each quarter) and for the top of the tree as it
stood on S (the root units and their children), the items by (type, grade, status) in each
subtree, built from the events with id <= B (the snapshot's `through_event_id`).

The counts of day D >= S then come from the snapshot plus a correction over the few items X whose
state can differ from what the snapshot counted: the items with an event dated in (S, D], and the
items with an event recorded after the snapshot was built (id > B, any date: a back-dated receipt, a
reversal). For every other item nothing happened in (S, D] and nothing was written since, so its
state on D is the state the snapshot counted. For the items of X:

    counts(D) = snapshot(S) - states of X on S (events id <= B) + states of X on D (all events)

The snapshot is only used when the tree did not change in (S, D] (no UnitVersion starts or ends in
between), since its totals follow the tree of S; otherwise the caller folds the whole ledger.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Q

from materiel.core import statistics
from materiel.equipment.models import Status
from materiel.units.models import UnitVersion
from materiel.units.tree import PastTree

from . import kinds
from .asof import UNLIMITED, ids_in, state_counts
from .models import Event, RollupSnapshot, SnapshotDay

EVENT = Event._meta.db_table
Cells = dict[tuple[int, int, str], int]


def _recorded_since(day: date, through: int) -> set[int]:
    """Items with an event recorded after the snapshot (id > through) that can change their state on
    `day`: one dated on or before it (a back-dated receipt), or a reversal (it restores an older state
    whatever its own date). An event recorded later and dated after `day` changes nothing on `day`:
    an item's events are in date order."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT item_id FROM {EVENT} WHERE item_id IS NOT NULL AND id > %s "
            f"AND (occurred_on <= %s OR kind = '{kinds.REVERSAL}')",
            [through, day],
        )
        return {row[0] for row in cursor.fetchall()}


def _with_reversals() -> set[int]:
    """Items with a reversal anywhere in their history (rare): their events do not chain."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT item_id FROM {EVENT} WHERE item_id IS NOT NULL AND kind = '{kinds.REVERSAL}'")
        return {row[0] for row in cursor.fetchall()}


def _events_between(since: date, day: date, limit: int) -> list[tuple[Any, ...]]:
    """(item, kind, unit, from unit, grade and status before, grade and status after, type) of the
    item events dated in (since, day] with id <= limit, by item and in recording order."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT item_id, kind, unit_id, from_unit_id, grade_before, status_before, grade_after, status_after "
            f"FROM {EVENT} WHERE item_id IS NOT NULL AND occurred_on > %s AND occurred_on <= %s AND id <= %s "
            "ORDER BY item_id, id",
            [since, day, limit],
        )
        events = cursor.fetchall()
        # The items' types by primary key: joining made PostgreSQL hash the whole items table.
        of_items, params = ids_in("id", {row[0] for row in events})
        cursor.execute(f"SELECT id, equipment_type_id FROM equipment_item WHERE {of_items}", params)
        type_of = dict(cursor.fetchall())
    return [(*event, type_of[event[0]]) for event in events]


def _chain_cells(events: list[tuple[Any, ...]], skip: set[int]) -> tuple[list[tuple[Any, ...]], set[int]]:
    """Signed (unit, type, grade, status, ±1) of the items of `events` (`_events_between`) but `skip`:
    minus the state before the first of their events, plus the state after the last.

    For an item with no reversal and nothing recorded after the snapshot, its events are in date
    order and each carries the state before and after it, so its state on `since` is the "before"
    of its first event after `since`, and its state on `day` the "after" of its last one up to
    `day`: one range read of the period's events instead of two folds of the items' whole histories
    (1.9 s → 0.6 s at a million items on PostgreSQL). Also returns the items whose events did not
    chain (a transfer without its giving unit): the caller folds those."""
    rows: list[tuple[Any, ...]] = []
    odd: set[int] = set()
    current: int | None = None
    first: tuple[Any, ...] = ()  # the current item's first and last rows, read once it has one
    last: tuple[Any, ...] = ()
    for row in [*events, (None,) * 9]:
        if row[0] != current:
            if current is not None and current not in skip and not _chained(first, last, rows):
                odd.add(current)
            current, first = row[0], row
        last = row
    return rows, odd


def _chained(first: tuple[Any, ...], last: tuple[Any, ...], rows: list[tuple[Any, ...]]) -> bool:
    """Append the item's signed states to `rows`; False if its first event does not say where it was."""
    _item, kind, unit_id, from_unit_id, grade_before, status_before, _grade, _status, type_id = first
    spec = kinds.find(kind)
    if spec is None or not spec.creates:
        before_unit = from_unit_id or unit_id  # an event that moved the item names where it was
        if before_unit is None or grade_before is None or not status_before:
            return False
        rows.append((before_unit, type_id, grade_before, status_before, -1))
    rows.append((last[2], type_id, last[6], last[7], 1))
    return True


def correction(since: date, day: date, through: int, limit: int = UNLIMITED) -> dict[int, Cells]:
    """unit_id -> signed cells to add to a snapshot of `since` (built through event `through`) to get
    the direct holdings of `day` counted from the events with id <= `limit`.

    The items whose state can differ are those with an event dated in (since, day] and those of
    `_recorded_since`. Most are read off their events of the period (`_chain_cells`); those with a
    reversal or an event recorded after the snapshot are folded from the ledger on both days."""
    delta: dict[int, Cells] = defaultdict(lambda: defaultdict(int))
    events = _events_between(since, day, limit)
    in_period = {row[0] for row in events}
    folded = (_with_reversals() & in_period) | _recorded_since(day, through)
    chained, odd = _chain_cells(events, skip=folded)
    to_fold = sorted(folded | odd)
    for unit_id, type_id, grade, status, sign in chained:
        if status != Status.VOID:
            delta[unit_id][(type_id, grade, status)] += sign
    for on, upto, sign in ((since, through, -1), (day, limit, 1)):
        for unit_id, type_id, grade, status, count in state_counts(to_fold, on, upto):
            if status != Status.VOID:
                delta[unit_id][(type_id, grade, status)] += sign * count
    return delta


def tree_unchanged(since: date, day: date) -> bool:
    moved = Q(valid_from__gt=since, valid_from__lte=day) | Q(valid_to__gt=since, valid_to__lte=day)
    return not UnitVersion.objects.filter(moved).exists()


def usable(day: date) -> SnapshotDay | None:
    """The latest snapshot on or before `day` whose tree still holds on `day`."""
    snapshot = SnapshotDay.objects.filter(day__lte=day).order_by("-day").first()
    if snapshot is None or not tree_unchanged(snapshot.day, day):
        return None
    return snapshot


def stored_cells(snapshot: SnapshotDay, unit_id: int) -> Cells:
    rows = RollupSnapshot.objects.filter(snapshot=snapshot, unit_id=unit_id)
    return {(t, g, s): q for t, g, s, q in rows.values_list("equipment_type_id", "grade", "status", "quantity")}


def covered_units(tree: PastTree) -> list[int]:
    """The roots of the tree of that day and their children: the dashboards people open on a past day."""
    roots = tree.children.get(None, [])
    return sorted({*roots, *(c for r in roots for c in tree.children.get(r, []))})


def quarter_starts(first: date, last: date) -> list[date]:
    days, year, month = [], first.year, ((first.month - 1) // 3) * 3 + 1
    while date(year, month, 1) <= last:
        if date(year, month, 1) > first:
            days.append(date(year, month, 1))
        month += 3
        if month > 12:
            year, month = year + 1, 1
    return days


def settled_through() -> int:
    """The highest event id at or below which every event is committed.

    On PostgreSQL an id is taken when a row is inserted, not when its transaction commits: a writer
    still in flight can hold an id below the highest one visible, and a snapshot built "through" that
    highest id would never count its event. A SHARE lock on the events conflicts with inserts, so
    taking it waits for the writers in flight; it is released with its own short transaction (inside
    an outer transaction, at that one's end). The application's role may not take it itself: a
    function of the owner's takes it (migration ledger/0009). SQLite has one writer at a time:
    nothing is in flight."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT ledger_event_wait_for_writers()")
        return Event.objects.aggregate(m=Max("id"))["m"] or 0


def build(upto: date, progress: Callable[[date], object] | None = None) -> int:
    """Store the snapshots of every quarter start up to `upto` not stored yet; how many were built.

    Each one starts from the previous snapshot when the tree did not change in between (a
    correction over the items that moved), else from a full fold of the ledger."""
    return _build(upto, settled_through(), progress)


@transaction.atomic
def _build(upto: date, through: int, progress: Callable[[date], object] | None = None) -> int:
    from .asof import item_counts_by_unit_on

    days = Event.objects.filter(item__isnull=False).order_by("occurred_on").values_list("occurred_on", flat=True)
    first = days.first()
    if first is None:
        return 0
    done = set(SnapshotDay.objects.values_list("day", flat=True))
    built = 0
    previous = SnapshotDay.objects.filter(day__lte=first).order_by("-day").first()
    totals: dict[int, Cells] | None = None  # subtree totals of `previous`
    for day in quarter_starts(first, upto):
        if day in done:
            previous, totals = SnapshotDay.objects.get(day=day), None
            continue
        tree = PastTree(day)
        units = covered_units(tree)
        if previous is not None and totals is None:
            totals = {uid: stored_cells(previous, uid) for uid in previous.units}
        if (
            previous is not None
            and totals is not None  # read just above whenever there is a previous snapshot
            and tree_unchanged(previous.day, day)
            and set(units) <= set(totals)
        ):
            delta = correction(previous.day, day, previous.through_event_id, limit=through)
            new = {uid: _add(totals[uid], _subtree_sum(tree, uid, delta)) for uid in units}
        else:
            direct = item_counts_by_unit_on(day, limit=through)
            new = {uid: _subtree_sum(tree, uid, direct) for uid in units}
        snapshot = SnapshotDay.objects.create(day=day, through_event_id=through, units=units)
        _store(snapshot, new)
        previous, totals, built = snapshot, new, built + 1
        if progress:
            progress(day)
    if built:
        statistics.analyse(RollupSnapshot._meta.db_table, SnapshotDay._meta.db_table)
    return built


def _store(snapshot: SnapshotDay, totals: dict[int, Cells]) -> None:
    """Plain executemany: a quarter of a national tree is a few hundred thousand cells."""
    table = RollupSnapshot._meta.db_table
    rows = [(snapshot.pk, uid, t, g, s, q) for uid, cells in totals.items() for (t, g, s), q in cells.items() if q]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(
                f"INSERT INTO {table} (snapshot_id, unit_id, equipment_type_id, grade, status, quantity) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                rows[start : start + 5000],
            )


def _subtree_sum(tree: PastTree, unit_id: int, by_unit: dict[int, Cells]) -> Cells:
    total: Cells = defaultdict(int)
    for uid in tree.subtree(unit_id):
        for key, qty in by_unit.get(uid, {}).items():
            total[key] += qty
    return total


def _add(base: Cells, delta: Cells) -> Cells:
    out: Cells = defaultdict(int, base)
    for key, qty in delta.items():
        out[key] += qty
    return {k: v for k, v in out.items() if v}
