"""Readiness by reason (NMCM/NMCS-like): how many items of a subtree carry each readiness reason
now, read from the projection (`ItemReadiness`: only the items not ready have a row), never by
scanning the subtree's items. The register's `readiness` filter opens exactly the items a count
counts: the same held statuses, the same reason."""

from collections import Counter
from dataclasses import dataclass

from materiel.equipment.models import HOLDINGS, Item
from materiel.units.models import Unit

from .models import ItemReadiness, ReadinessReason

CHUNK = 5000  # ids per statement: SQLite bounds a statement's parameters


@dataclass(frozen=True)
class ReasonCount:
    code: str
    name: str
    items: int


def reason_counts(user, unit: Unit) -> list[ReasonCount]:
    """The reasons carried by the held items of `unit`'s subtree now, the most frequent first.

    The projection first (only the items not ready have a row), then which of its items the user
    sees in the subtree, by primary key: joined the other way round, SQLite started from the
    subtree's units and read every item of them (8 ms for a 100k root), and without statistics on
    the small table it built a filter over the whole items table."""
    carried = dict(ItemReadiness.objects.values_list("item_id", "reason_id"))
    if not carried:
        return []
    counts: Counter[int] = Counter()
    ids = sorted(carried)
    for start in range(0, len(ids), CHUNK):
        held = (
            Item.objects.visible_to(user)
            .in_subtree(unit)
            .filter(pk__in=ids[start : start + CHUNK], status__in=HOLDINGS)
            .values_list("pk", flat=True)
        )
        counts.update(carried[pk] for pk in held)
    reasons = ReadinessReason.objects.in_bulk(list(counts))
    found = [ReasonCount(reasons[pk].code, reasons[pk].name, n) for pk, n in counts.items()]
    return sorted(found, key=lambda row: (-row.items, row.name))


def reasons_on(day) -> dict[int, str]:
    """item_id -> the readiness reason's code it carried on `day` (its latest `readiness` event
    then), for the items that carried one."""
    from materiel.ledger.asof import latest_details_on

    from .kinds import READINESS

    return {pk: d["reason"] for pk, d in latest_details_on(READINESS, day).items() if d.get("reason")}


def reason_counts_on(user, unit: Unit, day) -> list[ReasonCount]:
    """reason_counts on a past day: the items the subtree held on that day (on the tree of that day)
    with the reason they carried then."""
    from materiel.ledger.asof import item_states_on
    from materiel.units.tree import PastTree

    carried = reasons_on(day)
    if not carried:
        return []
    subtree = PastTree(day).subtree(unit.pk)
    states = item_states_on(day, sorted(carried))
    ids = sorted(pk for pk, (unit_id, _g, status) in states.items() if unit_id in subtree and status in HOLDINGS)
    counts: Counter[str] = Counter()
    for start in range(0, len(ids), CHUNK):
        seen = Item.objects.visible_to(user).filter(pk__in=ids[start : start + CHUNK]).values_list("pk", flat=True)
        counts.update(carried[pk] for pk in seen)
    names = dict(ReadinessReason.objects.filter(code__in=list(counts)).values_list("code", "name"))
    found = [ReasonCount(code, names.get(code, code), n) for code, n in counts.items()]
    return sorted(found, key=lambda row: (-row.items, row.name))
