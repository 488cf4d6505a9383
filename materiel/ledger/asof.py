"""State on a past day, folded from the ledger.

Events of an item are kept in date order and only the latest can be reversed, so the state of an
item on day D is the snapshot carried by its latest effective event (neither a reversal nor
reversed) dated on or before D. A lot's quantity is the sum of its effective events up to D.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection

from materiel.equipment.models import Status

from . import kinds
from .models import Event

EVENT = Event._meta.db_table
UNLIMITED = 2**62
Ids = Iterable[int]
Cells = dict[tuple[int, int, str], int]  # (type_id, grade, status) -> quantity


def _ints(ids: Ids) -> str:
    return ",".join(str(int(i)) for i in ids) or "0"


def ids_in(column: str, ids: Ids) -> tuple[str, list[list[int]]]:
    """`column` among `ids`: one array parameter on PostgreSQL (planning a literal list of thousands
    of values cost more than running the query), the ids written out on SQLite (no arrays)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [[int(i) for i in ids]]
    return f"{column} IN ({_ints(ids)})", []


def reversed_ids(limit: int | None = None) -> list[int]:
    """The events cancelled by a reversal (with id <= limit): a handful in a whole ledger.

    Read first and written into the folds as a list, rather than an anti-join or a correlated
    `NOT EXISTS` on `reverses_id`: PostgreSQL answered the anti-join by hashing every event, and,
    on tables without statistics, re-ran the `NOT EXISTS` for every event (docs/decisions.md)."""
    upto, params = ("AND id <= %s", [limit]) if limit is not None else ("", [])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT reverses_id FROM {EVENT} WHERE kind = '{kinds.REVERSAL}' {upto}", params)
        return sorted(row[0] for row in cursor.fetchall() if row[0])


def _not_among(column: str, ids: list[int]) -> str:
    return f"AND {column} NOT IN ({_ints(ids)})" if ids else ""


def state_counts(items: list[int], day: date, limit: int) -> list[tuple[int, int, int, str, int]]:
    """(unit, type, grade, status, count) of `items` on `day`, counting only events with id <= limit.

    Two steps with the ids written out, not one query with the item set as a subquery: PostgreSQL
    misjudged that subquery's size and hashed the whole events and items tables (2 s at 100k items,
    EXPLAIN ANALYZE); with literal ids both databases walk the (item, occurred_on, id) index and the
    primary keys."""
    if not items:
        return []
    with connection.cursor() as cursor:
        not_reversed = _not_among("m.id", reversed_ids(limit))
        of_items, params = ids_in("m.item_id", items)
        cursor.execute(
            f"SELECT MAX(m.id) FROM {EVENT} m WHERE {of_items} AND m.occurred_on <= %s "
            f"AND m.kind <> '{kinds.REVERSAL}' AND m.id <= %s {not_reversed} GROUP BY m.item_id",
            [*params, day, limit],
        )
        latest = [row[0] for row in cursor.fetchall()]
        if not latest:
            return []
        # The item ids again on the items side, so that both sides are read by primary key.
        of_events, event_params = ids_in("e.id", latest)
        of_items, item_params = ids_in("i.id", items)
        cursor.execute(
            f"SELECT e.unit_id, i.equipment_type_id, e.grade_after, e.status_after, COUNT(*) FROM {EVENT} e "
            f"JOIN equipment_item i ON i.id = e.item_id WHERE {of_events} AND {of_items} "
            "GROUP BY e.unit_id, i.equipment_type_id, e.grade_after, e.status_after",
            [*event_params, *item_params],
        )
        counts: list[tuple[int, int, int, str, int]] = cursor.fetchall()
        return counts


def id_list_sql(column: str, ids: Ids) -> str:
    """`column` among `ids`, written out: one array literal on PostgreSQL (a single constant, cheap to
    plan however long), a list on SQLite (no arrays)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY('{{{_ints(ids)}}}'::bigint[])"
    return f"{column} IN ({_ints(ids)})"


def latest_item_states_sql(
    day_param: str = "%s", *, limit: int | None = None, among: Ids | None = None, reversed_: list[int] | None = None
) -> str:
    """SQL giving (item_id, unit_id, grade_after, status_after, equipment_type_id) of the items on a
    day; one parameter: the day.

    An item's effective events are in date order (the services refuse back-dating), so its state on
    the day is the one left by its latest effective event dated on or before the day.

    The plan must not depend on the tables' statistics: a freshly seeded, imported or restored
    database has none, and PostgreSQL, estimating one row for every table, once chose nested loops
    that re-ran the per-item aggregate for every event (minutes in CI for 3,000 events). So on
    PostgreSQL each item finds its latest event through a LATERAL probe of the (item, occurred_on, id)
    index: a nested loop by construction, whose inner side is an index scan with its condition, and
    linear in the items whatever the estimates. SQLite keeps a MAX per item over that index joined by
    primary key: its planner does not reorder that join on estimates.

    limit: count only the events with id <= limit (what a snapshot saw when it was built);
    among: the ids of the only items to consider (`ever_held`), None for all;
    reversed_: the reversed events (`reversed_ids(limit)`), read here when not given.
    """
    if reversed_ is None:
        reversed_ = reversed_ids(limit)
    upto = "" if limit is None else f"AND m.id <= {int(limit)}"
    effective = f"m.kind <> '{kinds.REVERSAL}' {upto} {_not_among('m.id', reversed_)}"
    if connection.vendor == "postgresql":
        restricted = f"WHERE {id_list_sql('i.id', among)}" if among is not None else ""
        return f"""
            SELECT i.id AS item_id, s.unit_id, s.grade_after, s.status_after, i.equipment_type_id
            FROM equipment_item i CROSS JOIN LATERAL (
                SELECT m.unit_id, m.grade_after, m.status_after FROM {EVENT} m
                WHERE m.item_id = i.id AND m.occurred_on <= {day_param} AND {effective}
                ORDER BY m.occurred_on DESC, m.id DESC LIMIT 1
            ) s {restricted}
        """
    restricted = f"AND {id_list_sql('m.item_id', among)}" if among is not None else ""
    return f"""
        SELECT e.item_id, e.unit_id, e.grade_after, e.status_after, i.equipment_type_id
        FROM {EVENT} e JOIN (
            SELECT m.item_id, MAX(m.id) AS id FROM {EVENT} m
            WHERE m.item_id IS NOT NULL AND m.occurred_on <= {day_param} AND {effective} {restricted}
            GROUP BY m.item_id
        ) latest ON e.id = latest.id JOIN equipment_item i ON i.id = e.item_id
    """


def ever_held_sql(unit_ids: Ids, day: date) -> str:
    """SQL selecting the items with an event of one of `unit_ids` dated on or before `day`.

    Whatever a unit holds on a day came with an event of that unit dated then or before (the latest
    effective one carries the unit), so this is a superset of its items on the day: folding only
    these gives a subtree's counts without reading the rest of the ledger (a province's dashboard
    reads its own events, not the country's). Written out, not bound: it sits inside the fold's SQL.
    """
    return (
        f"SELECT h.item_id FROM {EVENT} h WHERE h.unit_id IN ({_ints(sorted(unit_ids))}) "
        f"AND h.occurred_on <= '{day.isoformat()}' AND h.item_id IS NOT NULL"
    )


def item_ids_sql(
    day: date,
    *,
    unit_ids: Ids | None = None,
    grade: int | str | Iterable[int | str] | None = None,
    status: str | Iterable[str] | None = None,
) -> tuple[str, list[Any]]:
    """SQL and params selecting the ids of items matching a state on `day` (for register filters)."""
    among = ever_held(unit_ids, day) if unit_ids is not None else None
    sql = f"SELECT s.item_id FROM ({latest_item_states_sql(among=among)}) s WHERE 1=1"
    params: list[Any] = [day]
    if unit_ids is not None:
        ids = sorted(unit_ids) or [0]
        sql += f" AND s.unit_id IN ({','.join(str(int(i)) for i in ids)})"
    if grade is not None:
        grades = [grade] if isinstance(grade, int | str) else list(grade)
        sql += f" AND s.grade_after IN ({','.join(['%s'] * len(grades))})"
        params.extend(int(g) for g in grades)
    if status is not None:
        statuses = [status] if isinstance(status, str) else list(status)
        sql += f" AND s.status_after IN ({','.join(['%s'] * len(statuses))})"
        params.extend(str(s) for s in statuses)
    return sql, params


def states_in_units_on(day: date, unit_ids: Ids) -> dict[int, tuple[int, int, str]]:
    """item_id -> (unit_id, grade, status) on `day` for the items then held by `unit_ids` (an export)."""
    ids = sorted(int(i) for i in unit_ids) or [0]
    latest = latest_item_states_sql(among=ever_held(ids, day))
    sql = f"SELECT * FROM ({latest}) s WHERE s.unit_id IN ({','.join(map(str, ids))})"
    with connection.cursor() as cursor:
        cursor.execute(sql, [day])
        return {row[0]: (row[1], row[2], row[3]) for row in cursor.fetchall()}


def item_states_on(day: date, item_ids: Ids) -> dict[int, tuple[int, int, str]]:
    """item_id -> (unit_id, grade, status) on `day`, for a handful of items (a register page)."""
    ids = [int(i) for i in item_ids]
    if not ids:
        return {}
    sql = f"SELECT * FROM ({latest_item_states_sql(among=ids)}) s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [day])
        return {row[0]: (row[1], row[2], row[3]) for row in cursor.fetchall()}


def ever_held(unit_ids: Ids, day: date) -> list[int]:
    """The items of `ever_held_sql`, as ids."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT held.item_id FROM ({ever_held_sql(unit_ids, day)}) held")
        return [row[0] for row in cursor.fetchall()]


def item_counts_by_unit_on(day: date, limit: int | None = None, unit_ids: Ids | None = None) -> dict[int, Cells]:
    """unit_id -> {(type_id, grade, status): items} held directly on `day` (the full fold of the ledger);
    limit: count only the events with id <= limit (what a snapshot built then saw);
    unit_ids: only these units, folding only the items they ever held (`ever_held_sql`)."""
    result: dict[int, Cells] = defaultdict(lambda: defaultdict(int))
    if unit_ids is not None:
        # Ids first, then their states by primary key (`state_counts`): with the items as a subquery
        # PostgreSQL hashed the whole events table twice (0.9 s for a province at 100k items).
        wanted = set(unit_ids)
        rows = state_counts(ever_held(unit_ids, day), day, UNLIMITED if limit is None else limit)
        rows = [row for row in rows if row[0] in wanted]
    else:
        items_sql = f"""
            SELECT s.unit_id, s.equipment_type_id, s.grade_after, s.status_after, COUNT(*)
            FROM ({latest_item_states_sql(limit=limit)}) s
            GROUP BY s.unit_id, s.equipment_type_id, s.grade_after, s.status_after
        """
        with connection.cursor() as cursor:
            cursor.execute(items_sql, [day])
            rows = cursor.fetchall()
    for unit_id, type_id, grade, status, count in rows:
        if status != Status.VOID:
            result[unit_id][(type_id, grade, status)] += count
    return result


def lot_sums_sql(only: str = "") -> str:
    """Each lot (id, unit_id, equipment_type_id, grade) with the sum of its effective events up to the
    day (the one parameter); `only`: a further condition on the lots `l`.

    Lots first, then each lot's events over the (lot, occurred_on, id) index, whatever the statistics
    say: a LATERAL subquery on PostgreSQL, whose planner otherwise reorders the join and, on tables
    not yet analysed, scanned every lot for each event; a CROSS JOIN on SQLite, which keeps the
    written order (its planner otherwise walks every event up to the day by date: 1.6 s instead of
    6 ms at 100k items)."""
    reversals = f"e.kind <> '{kinds.REVERSAL}' {_not_among('e.id', reversed_ids())}"
    if connection.vendor == "postgresql":
        # `occurred_on + 0`: no index can serve the day, so the planner cannot take the index on
        # occurred_on and filter it by lot for every lot (what CI's planner once did, with the
        # statistics other tests had left); the (lot, occurred_on, id) index then reads each lot's
        # own few events, whatever the estimates.
        return f"""
            SELECT l.id, l.unit_id, l.equipment_type_id, l.grade, q.quantity
            FROM equipment_lot l CROSS JOIN LATERAL (
                SELECT SUM(e.quantity) AS quantity FROM {EVENT} e
                WHERE e.lot_id = l.id AND e.occurred_on + 0 <= %s AND {reversals}
            ) q
            WHERE q.quantity IS NOT NULL {only}
        """
    return f"""
        SELECT l.id, l.unit_id, l.equipment_type_id, l.grade, SUM(e.quantity) AS quantity
        FROM equipment_lot l CROSS JOIN {EVENT} e
        WHERE e.lot_id = l.id AND e.occurred_on <= %s AND {reversals} {only}
        GROUP BY l.id, l.unit_id, l.equipment_type_id, l.grade
    """


def lot_counts_by_unit_on(day: date, unit_ids: Ids | None = None) -> dict[int, Cells]:
    """unit_id -> {(type_id, grade, in service): quantity} of lots held directly on `day`
    (unit_ids: only the lots of these units)."""
    result: dict[int, Cells] = defaultdict(lambda: defaultdict(int))
    only = "" if unit_ids is None else f"AND l.unit_id IN ({_ints(sorted(unit_ids))})"
    lots_sql = f"""
        SELECT s.unit_id, s.equipment_type_id, s.grade, SUM(s.quantity)
        FROM ({lot_sums_sql(only)}) s
        GROUP BY s.unit_id, s.equipment_type_id, s.grade
    """
    with connection.cursor() as cursor:
        cursor.execute(lots_sql, [day])
        for unit_id, type_id, grade, quantity in cursor.fetchall():
            if quantity:
                result[unit_id][(type_id, grade, Status.IN_SERVICE.value)] += int(quantity)
    return result


def counts_by_unit_on(day: date, unit_ids: Ids | None = None) -> dict[int, Cells]:
    """unit_id -> {(type_id, grade, status): quantity} of items and lots held directly on `day`
    (unit_ids: only these units, reading only their items' events)."""
    result = item_counts_by_unit_on(day, unit_ids=unit_ids)
    for unit_id, cells in lot_counts_by_unit_on(day, unit_ids).items():
        for key, quantity in cells.items():
            result[unit_id][key] += quantity
    return result


def lot_quantities_on(day: date) -> dict[int, int]:
    """lot_id -> quantity on `day` (effective events up to that day)."""
    sql = f"SELECT s.id, s.quantity FROM ({lot_sums_sql()}) s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [day])
        return {lot_id: int(qty) for lot_id, qty in cursor.fetchall() if qty}


KitCells = dict[tuple[int, int, str], list[int]]  # (type_id, grade, status) -> [kit damaged, kit missing]


def latest_details_on(kind: str, day: date, reversed_: list[int] | None = None) -> dict[int, dict[str, Any]]:
    """item_id -> the details of its latest effective `kind` event dated on or before `day`.

    For the kinds whose latest event is the item's fact of that day (a kit check, a readiness
    reason): reads those events only (a few in a ledger), not the items."""
    not_reversed = _not_among("m.id", reversed_ids() if reversed_ is None else reversed_)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(m.id) FROM {EVENT} m WHERE m.kind = %s AND m.occurred_on <= %s {not_reversed} "
            "GROUP BY m.item_id",
            [kind, day],
        )
        latest = [row[0] for row in cursor.fetchall()]
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(latest), 5000):  # SQLite bounds the parameters of one statement
        rows = Event.objects.filter(pk__in=latest[start : start + 5000]).values_list("item_id", "details")
        found.update(rows)
    return found


def kit_conditions_on(day: date, reversed_: list[int] | None = None) -> dict[int, str]:
    """item_id -> its kit condition on `day` (equipment.Kit), for the items not complete then.

    Only `kit` events carry the condition, so this reads the latest effective one of each item that
    has any."""
    from .kit import KIT

    details = latest_details_on(KIT, day, reversed_)
    return {item_id: d["kit"] for item_id, d in details.items() if d.get("kit")}


def kit_by_unit_on(day: date, unit_ids: Ids | None = None) -> dict[int, KitCells]:
    """unit_id -> {(type_id, grade, status): [damaged, missing]} of the items held directly on `day` whose
    kit was not complete then (unit_ids: only these units)."""
    from materiel.equipment.models import Kit

    reversed_ = reversed_ids()
    conditions = kit_conditions_on(day, reversed_)
    result: dict[int, KitCells] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    if not conditions:
        return result
    wanted = None if unit_ids is None else set(unit_ids)
    sql = f"SELECT * FROM ({latest_item_states_sql(among=list(conditions), reversed_=reversed_)}) s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [day])
        for item_id, unit_id, grade, status, type_id in cursor.fetchall():
            if status == Status.VOID or (wanted is not None and unit_id not in wanted):
                continue
            result[unit_id][(type_id, grade, status)][0 if conditions[item_id] == Kit.DAMAGED else 1] += 1
    return result
