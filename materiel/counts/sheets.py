"""What a unit held on the reference date, as a count sheet lists it: the items and lots from the
ledger's past-day reads (`ledger.asof`), each item with the storage place it was kept in that day."""

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection

from materiel.equipment.models import Item, Lot, Status
from materiel.ledger import asof, kinds
from materiel.storage.kinds import RELOCATION
from materiel.storage.models import StoragePlace

# What a unit is expected to hold: anything not lost, disposed or void on the day.
HELD = (Status.IN_SERVICE, Status.IN_REPAIR, Status.SEALED, Status.AWAITING_DISPOSAL)
CHUNK = 500


@dataclass(frozen=True)
class Held:
    """One thing a unit held on the day: an item (with its grade and place) or a lot's quantity."""

    unit_id: int
    type_id: int
    grade: int
    item_id: int | None = None
    serial: str = ""
    lot_id: int | None = None
    quantity: int | None = None
    place_id: int | None = None


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def places_on(item_ids: Sequence[int], day: date) -> dict[int, int]:
    """item id -> the place it was kept in on `day`: its last effective relocation up to the day,
    unless a later event (up to the day) took it to another unit.

    One pass over the (item, occurred_on, id) index per chunk of items, the reversed events written
    out as `ledger.asof` does (a join on `reversed_by` cost 9 s for a province's 30,000 items)."""
    places: dict[int, int] = {}
    if not item_ids:
        return places
    skipped = asof.reversed_ids()
    not_reversed = f"AND e.id NOT IN ({','.join(str(int(i)) for i in skipped)})" if skipped else ""
    for chunk in _chunks(list(item_ids)):
        among, params = asof.ids_in("e.item_id", chunk)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.item_id, e.kind, e.details FROM {asof.EVENT} e WHERE {among} AND e.occurred_on <= %s "
                f"AND (e.kind = '{RELOCATION}' OR e.to_unit_id IS NOT NULL) AND e.kind <> '{kinds.REVERSAL}' "
                f"{not_reversed} ORDER BY e.item_id, e.occurred_on, e.id",
                [*params, day],
            )
            for item_id, kind, details in cursor.fetchall():
                if kind == RELOCATION:
                    data = json.loads(details) if isinstance(details, str) else details
                    places[item_id] = int(data["place"])
                else:
                    places.pop(item_id, None)
    return places


def held_on(day: date, unit_ids: Sequence[int], category_ids: Sequence[int] = ()) -> dict[int, list[Held]]:
    """unit id -> what it held directly on `day` (items in HELD statuses, lots with a quantity),
    restricted to the categories given (none: all)."""
    states = {item_id: state for item_id, state in asof.states_in_units_on(day, unit_ids).items() if state[2] in HELD}
    result: dict[int, list[Held]] = defaultdict(list)
    ids = sorted(states)
    # Only a unit with storage places can have put an item in one.
    placed_units = set(StoragePlace.objects.filter(unit_id__in=unit_ids).values_list("unit_id", flat=True))
    places = places_on([i for i in ids if states[i][0] in placed_units], day)
    for chunk in _chunks(ids):
        items = Item.objects.filter(pk__in=chunk).select_related("equipment_type")
        if category_ids:
            items = items.filter(equipment_type__category_id__in=category_ids)
        for item_id, type_id, serial in items.values_list("id", "equipment_type_id", "serial"):
            unit_id, grade, _status = states[item_id]
            result[unit_id].append(
                Held(unit_id, type_id, grade, item_id=item_id, serial=serial, place_id=places.get(item_id))
            )
    if unit_ids:
        only = f"AND l.unit_id IN ({','.join(str(int(i)) for i in sorted(unit_ids))})"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM ({asof.lot_sums_sql(only)}) s", [day])
            lots = [row for row in cursor.fetchall() if row[4]]
        wanted = None
        if category_ids:
            wanted = set(
                Lot.objects.filter(
                    pk__in=[r[0] for r in lots], equipment_type__category_id__in=category_ids
                ).values_list("id", flat=True)
            )
        for lot_id, unit_id, type_id, grade, quantity in lots:
            if wanted is None or lot_id in wanted:
                result[unit_id].append(Held(unit_id, type_id, grade, lot_id=lot_id, quantity=int(quantity)))
    return result
