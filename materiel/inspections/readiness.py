"""Readiness by reason (NMCM/NMCS-like): how many items of a subtree carry each readiness reason
now, read from the projection (`ItemReadiness`: only the items not ready have a row), never by
scanning the subtree's items. The register's `readiness` filter opens exactly the items a count
counts: the same held statuses, the same reason."""

from dataclasses import dataclass

from django.db.models import Count

from materiel.equipment.models import HOLDINGS
from materiel.units.models import Unit

from .models import ItemReadiness


@dataclass(frozen=True)
class ReasonCount:
    code: str
    name: str
    items: int


def reason_counts(user, unit: Unit) -> list[ReasonCount]:
    """The reasons carried by the held items of `unit`'s subtree now, the most frequent first."""
    rows = (
        ItemReadiness.objects.visible_to(user)
        .in_subtree(unit)
        .filter(item__status__in=HOLDINGS)
        .values("reason__code", "reason__name")
        .annotate(n=Count("id"))
        .order_by("-n", "reason__name")
    )
    return [ReasonCount(row["reason__code"], row["reason__name"], row["n"]) for row in rows]
