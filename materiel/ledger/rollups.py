"""Rollup maintenance: per (ancestor unit, type, grade, status) counts, and of them the items whose kit
is damaged or missing a part, moved by signed deltas."""

from collections import defaultdict
from functools import lru_cache
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from materiel.core import bounds
from materiel.core.errors import DomainError
from materiel.equipment.models import Kit, Status
from materiel.units.models import PATH_END, SEGMENT_WIDTH, Unit

from .models import Rollup

Cell = tuple[int, int, int, str]  # (unit_id, type_id, grade, status)
# (unit_path, grade, status, kit): an item's place in the rollups (kit: equipment.Kit, "" when complete).
Position = tuple[str, int, str, str]
COUNTS = 3  # what a cell counts: [quantity, kit damaged, kit missing]


@lru_cache(maxsize=65536)
def ancestor_ids(path: str) -> tuple[int, ...]:
    """The ids of a unit and its ancestors, decoded from its path (no query; cached, paths are few)."""
    return tuple(int(path[i : i + SEGMENT_WIDTH], 36) for i in range(0, len(path), SEGMENT_WIDTH))


def _kit_counts(kit: str, quantity: int) -> tuple[int, int, int]:
    if kit == Kit.MISSING:
        return quantity, 0, quantity
    if kit == Kit.DAMAGED:
        return quantity, quantity, 0
    return quantity, 0, 0


class Deltas:
    """Signed changes to rollup cells, accumulated then written in one statement batch.

    A cell counts the quantity, and of it the items whose kit is damaged or missing a part."""

    def __init__(self) -> None:
        self.cells: dict[Cell, list[int]] = defaultdict(lambda: [0] * COUNTS)

    def add(self, path: str, type_id: int, grade: int, status: str, quantity: int, kit: str = "") -> None:
        if status == Status.VOID or quantity == 0:
            return
        counts = _kit_counts(kit, quantity)
        for unit_id in ancestor_ids(path):
            cell = self.cells[(unit_id, type_id, grade, str(status))]
            for n, value in enumerate(counts):
                cell[n] += value

    def move(self, type_id: int, before: Position | None, after: Position | None, quantity: int = 1) -> None:
        if before == after:
            return
        if before is not None:
            path, grade, status, kit = before
            self.add(path, type_id, grade, status, -quantity, kit)
        if after is not None:
            path, grade, status, kit = after
            self.add(path, type_id, grade, status, quantity, kit)

    def nonzero(self) -> dict[Cell, tuple[int, ...]]:
        return {cell: tuple(counts) for cell, counts in self.cells.items() if any(counts)}

    def write(self) -> None:
        """Upsert the deltas; refuse (DomainError, the caller's transaction rolls back) any cell that
        would pass bounds.MAX_HOLDING.

        The bound keeps every cell, and any SQL SUM over cells, far below 2^63: past it SQLite
        silently stores a sum as a float and PostgreSQL fails the statement. Each statement returns
        the cells it wrote, so the check costs no extra round trip.
        """
        rows = sorted(self.nonzero().items())  # sorted: a fixed lock order on PostgreSQL
        self.cells.clear()
        if any(abs(counts[0]) > bounds.MAX_HOLDING for _cell, counts in rows):
            raise _holding_refused()
        table = Rollup._meta.db_table
        chunk = 100
        with connection.cursor() as cursor:
            for start in range(0, len(rows), chunk):
                part = rows[start : start + chunk]
                values = ",".join(["(%s,%s,%s,%s,%s,%s,%s)"] * len(part))
                params: list[Any] = [p for (cell, counts) in part for p in (*cell, *counts)]
                cursor.execute(
                    f"INSERT INTO {table} (unit_id, equipment_type_id, grade, status, quantity, kit_damaged, "
                    f"kit_missing) VALUES {values} ON CONFLICT (unit_id, equipment_type_id, grade, status) "
                    f"DO UPDATE SET quantity = {table}.quantity + excluded.quantity, "
                    f"kit_damaged = {table}.kit_damaged + excluded.kit_damaged, "
                    f"kit_missing = {table}.kit_missing + excluded.kit_missing RETURNING quantity",
                    params,
                )
                if any(quantity > bounds.MAX_HOLDING for (quantity,) in cursor.fetchall()):
                    raise _holding_refused()


def _holding_refused() -> DomainError:
    return DomainError(
        _("Số lượng vượt quá giới hạn: tổng của một đơn vị theo chủng loại, cấp và tình trạng tối đa %(limit)s.")
        % {"limit": bounds.shown(bounds.MAX_HOLDING)},
        field="quantity",
    )


def move_subtree_rollups(unit: Unit, old_parent_path: str, new_parent_path: str) -> None:
    """A unit moved: its subtree totals leave the old ancestors and join the new ones."""
    old = set(ancestor_ids(old_parent_path)) if old_parent_path else set()
    new = set(ancestor_ids(new_parent_path)) if new_parent_path else set()
    own = (
        Rollup.objects.filter(unit=unit)
        .exclude(quantity=0)
        .values_list("equipment_type_id", "grade", "status", "quantity", "kit_damaged", "kit_missing")
    )
    deltas = Deltas()
    for type_id, grade, status, *counts in own:
        for uid, sign in [(uid, -1) for uid in old - new] + [(uid, 1) for uid in new - old]:
            cell = deltas.cells[(uid, type_id, grade, status)]
            for n, value in enumerate(counts):
                cell[n] += sign * value
    deltas.write()


def subtree_filter(path: str) -> dict[str, str]:
    return {"unit__path__gte": path, "unit__path__lt": path + PATH_END}
