"""A unit's authorised holdings beside what its subtree actually holds.

The actual counts come from the ledger's rollups (now) or its past-day fold, through
`ledger.coefficients`, so each line adds up to the dashboard's fill rate: Σ min(held, authorised)
over Σ authorised, both over the unit's whole subtree.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils import timezone

from materiel.catalog.models import AuthorizedHolding, EquipmentType
from materiel.equipment.models import HOLDINGS
from materiel.ledger import coefficients
from materiel.units.models import PATH_END, Unit


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part * 100) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class HoldingLine:
    equipment_type: EquipmentType
    own: AuthorizedHolding | None  # the unit's own row in force on the day
    authorised: int  # the whole subtree's authorisation
    held: int  # what the whole subtree holds (not disposed, lost or void)

    @property
    def filled(self) -> int:
        return min(self.held, self.authorised)

    @property
    def shortfall(self) -> int:
        return max(self.authorised - self.held, 0)

    @property
    def fill_rate(self) -> Decimal | None:
        return percent(self.filled, self.authorised)


@dataclass
class HoldingTable:
    unit: Unit
    day: date | None
    lines: list[HoldingLine]

    @property
    def authorised(self) -> int:
        return sum(line.authorised for line in self.lines)

    @property
    def filled(self) -> int:
        return sum(line.filled for line in self.lines)

    @property
    def fill_rate(self) -> Decimal | None:
        return percent(self.filled, self.authorised)


def held_by_type(unit: Unit, day: date | None, past) -> dict[int, int]:
    cells = coefficients.current_cells(unit) if day is None else past.cells(unit.pk)
    held: dict[int, int] = defaultdict(int)
    for (type_id, _grade, status), quantity in cells.items():
        if status in HOLDINGS:
            held[type_id] += quantity
    return held


def holding_table(unit: Unit, day: date | None = None) -> HoldingTable:
    """Every type the subtree is authorised or holds, with the unit's own row, on `day` or now."""
    past = coefficients.PastCounts(day, within=unit) if day else None
    rows = AuthorizedHolding.objects.valid_on(day or timezone.localdate())
    if day is None:
        rows = rows.filter(unit__path__gte=unit.path, unit__path__lt=unit.path + PATH_END)
    else:
        rows = rows.filter(unit_id__in=coefficients.subtree_unit_ids(unit, day, past))
    # Summed by the database: a province authorises thousands of (unit, type) rows.
    totals = rows.order_by().values_list("equipment_type_id").annotate(total=Sum("quantity"))
    authorised: dict[int, int] = dict(totals)
    own = {row.equipment_type_id: row for row in rows.filter(unit=unit)}
    held = held_by_type(unit, day, past)
    types = EquipmentType.objects.filter(pk__in=set(authorised) | set(held)).select_related("category")
    lines = [HoldingLine(t, own.get(t.pk), authorised.get(t.pk, 0), held.get(t.pk, 0)) for t in types]
    return HoldingTable(unit, day, lines)
