"""Low-level tree operations: paths, and the shape of the tree on a past day.

Only the reorganisation services (ledger.reorganisation) call the writers here, because moving a
subtree must also move its rollups in the same transaction.
"""

from collections import defaultdict
from datetime import date

from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from .models import PATH_END, SEGMENT_WIDTH, Unit, UnitVersion


def encode_segment(pk: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while pk:
        pk, rem = divmod(pk, 36)
        out = digits[rem] + out
    return out.rjust(SEGMENT_WIDTH, "0")


def assign_path(unit: Unit) -> None:
    """Give a freshly inserted unit its path (needs its id, so it follows the insert)."""
    prefix = unit.parent.path if unit.parent is not None else ""
    unit.path = prefix + encode_segment(unit.pk)
    unit.depth = len(unit.path) // SEGMENT_WIDTH - 1
    Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)


def reparent_paths(unit: Unit, new_parent: Unit) -> None:
    """Rewrite the paths of a unit and its whole subtree under a new parent, in one UPDATE."""
    old = unit.path
    new = new_parent.path + encode_segment(unit.pk)
    delta = (len(new) - len(old)) // SEGMENT_WIDTH
    Unit.objects.filter(path__gte=old, path__lt=old + PATH_END).update(
        path=Concat(Value(new), Substr("path", len(old) + 1)),
        depth=F("depth") + delta,
    )
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db()


class PastTree:
    """The unit tree as it stood on one day, from UnitVersion rows."""

    def __init__(self, day: date):
        self.day = day
        rows = UnitVersion.objects.filter(valid_from__lte=day).exclude(valid_to__lte=day)
        self.parent: dict[int, int | None] = {}
        self.name: dict[int, str] = {}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for unit_id, parent_id, name in rows.values_list("unit_id", "parent_id", "name"):
            self.parent[unit_id] = parent_id
            self.name[unit_id] = name
            self.children[parent_id].append(unit_id)

    def exists(self, unit_id: int) -> bool:
        return unit_id in self.parent

    def subtree(self, unit_id: int) -> set[int]:
        if unit_id not in self.parent:
            return set()
        found, stack = set(), [unit_id]
        while stack:
            uid = stack.pop()
            if uid in found:  # defensive: a loop in bad data must not hang a page
                continue
            found.add(uid)
            stack.extend(self.children.get(uid, ()))
        return found

    def ancestors(self, unit_id: int) -> list[int]:
        chain: list[int] = []
        current: int | None = unit_id
        while current is not None and current in self.parent and current not in chain:
            chain.append(current)
            current = self.parent[current]
        return chain
