"""Rollup maintenance: per (ancestor unit, type, grade, status) counts, moved by signed deltas."""

from collections import defaultdict
from functools import lru_cache

from django.db import connection
from django.utils.translation import gettext as _

from materiel.core import bounds
from materiel.core.errors import DomainError
from materiel.equipment.models import Status
from materiel.units.models import PATH_END, SEGMENT_WIDTH, Unit

from .models import Rollup

Cell = tuple[int, int, int, str]  # (unit_id, type_id, grade, status)


@lru_cache(maxsize=65536)
def ancestor_ids(path: str) -> tuple[int, ...]:
    """The ids of a unit and its ancestors, decoded from its path (no query; cached, paths are few)."""
    return tuple(int(path[i : i + SEGMENT_WIDTH], 36) for i in range(0, len(path), SEGMENT_WIDTH))


class Deltas:
    """Signed changes to rollup cells, accumulated then written in one statement batch."""

    def __init__(self) -> None:
        self.cells: dict[Cell, int] = defaultdict(int)

    def add(self, path: str, type_id: int, grade: int, status: str, quantity: int) -> None:
        if status == Status.VOID or quantity == 0:
            return
        for unit_id in ancestor_ids(path):
            self.cells[(unit_id, type_id, grade, str(status))] += quantity

    def move(
        self, type_id: int, before: tuple[str, int, str] | None, after: tuple[str, int, str] | None, quantity: int = 1
    ) -> None:
        """before/after: (unit_path, grade, status) or None."""
        if before == after:
            return
        if before is not None:
            self.add(*_spread(before, type_id), -quantity)
        if after is not None:
            self.add(*_spread(after, type_id), quantity)

    def write(self) -> None:
        """Upsert the deltas; refuse (DomainError, the caller's transaction rolls back) any cell that
        would pass bounds.MAX_HOLDING.

        The bound keeps every cell, and any SQL SUM over cells, far below 2^63: past it SQLite
        silently stores a sum as a float and PostgreSQL fails the statement. Each statement returns
        the cells it wrote, so the check costs no extra round trip.
        """
        rows = sorted((k, v) for k, v in self.cells.items() if v)  # sorted: a fixed lock order on PostgreSQL
        self.cells.clear()
        if any(abs(qty) > bounds.MAX_HOLDING for _cell, qty in rows):
            raise _holding_refused()
        table = Rollup._meta.db_table
        chunk = 150
        with connection.cursor() as cursor:
            for start in range(0, len(rows), chunk):
                part = rows[start : start + chunk]
                values = ",".join(["(%s,%s,%s,%s,%s)"] * len(part))
                params = [p for (cell, qty) in part for p in (*cell, qty)]
                cursor.execute(
                    f"INSERT INTO {table} (unit_id, equipment_type_id, grade, status, quantity) VALUES {values} "
                    f"ON CONFLICT (unit_id, equipment_type_id, grade, status) "
                    f"DO UPDATE SET quantity = {table}.quantity + excluded.quantity RETURNING quantity",
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


def _spread(state: tuple[str, int, str], type_id: int) -> tuple[str, int, int, str]:
    path, grade, status = state
    return path, type_id, grade, status


def move_subtree_rollups(unit: Unit, old_parent_path: str, new_parent_path: str) -> None:
    """A unit moved: its subtree totals leave the old ancestors and join the new ones."""
    old = set(ancestor_ids(old_parent_path)) if old_parent_path else set()
    new = set(ancestor_ids(new_parent_path)) if new_parent_path else set()
    own = (
        Rollup.objects.filter(unit=unit)
        .exclude(quantity=0)
        .values_list("equipment_type_id", "grade", "status", "quantity")
    )
    deltas = Deltas()
    for type_id, grade, status, qty in own:
        for uid in old - new:
            deltas.cells[(uid, type_id, grade, status)] -= qty
        for uid in new - old:
            deltas.cells[(uid, type_id, grade, status)] += qty
    deltas.write()


def subtree_filter(path: str) -> dict[str, str]:
    return {"unit__path__gte": path, "unit__path__lt": path + PATH_END}
