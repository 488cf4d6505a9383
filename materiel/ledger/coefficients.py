"""Readiness numbers for a unit subtree, now (from rollups) or on a past day (from the ledger).

Technical coefficient (hệ số kỹ thuật) = quantity in serviceable grades / quantity in counted grades,
over holdings (not disposed, lost or void), per the CoefficientPolicy in force on the day. The
overall figure counts serialised items only: adding rounds of ammunition to vehicles would let the
ammunition decide it. Fill rate (hệ số trang bị) = Σ_types min(held, authorised) / Σ authorised.
Completeness (hệ số đồng bộ) = complete items / items held, serialised items only, where the
CompletenessPolicy in force says whether a damaged part, or only a missing one, makes an item
incomplete: read from the rollups' kit counts now, from the `kit` events on a past day.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from materiel.catalog.grades import grade_numbers
from materiel.catalog.models import AuthorizedHolding, Category, CoefficientPolicy, CompletenessPolicy, EquipmentType
from materiel.equipment.models import HOLDINGS, Status
from materiel.units.models import PATH_END, Unit
from materiel.units.tree import PastTree

from . import snapshots
from .asof import KitCells, counts_by_unit_on, kit_by_unit_on, lot_counts_by_unit_on
from .models import Rollup

Cells = dict[tuple[int, int, str], int]  # (type_id, grade, status) -> quantity


@dataclass
class Tally:
    """Quantities by grade and status for one slice (a category, a unit, everything)."""

    by_grade: dict[int, int] = field(default_factory=lambda: dict.fromkeys(grade_numbers(), 0))
    by_status: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    serviceable: int = 0
    counted: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_grade.values())

    def add(self, grade: int, status: str, quantity: int, policy: CoefficientPolicy) -> None:
        self.by_status[status] += quantity
        if status not in HOLDINGS:
            return
        self.by_grade[grade] = self.by_grade.get(grade, 0) + quantity
        if grade in policy.counted_grades:
            self.counted += quantity
            if grade in policy.serviceable_grades:
                self.serviceable += quantity

    def coefficient(self, decimals: int) -> Decimal | None:
        if not self.counted:
            return None
        share = Decimal(self.serviceable * 100) / Decimal(self.counted)
        return share.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@dataclass
class KitCount:
    """Of the items held (serialised), how many have a part of their kit damaged, how many miss one."""

    damaged: int = 0
    missing: int = 0

    def incomplete(self, policy: CompletenessPolicy) -> int:
        return self.missing + (self.damaged if policy.damaged_counts else 0)

    def completeness(self, held: int, policy: CompletenessPolicy) -> Decimal | None:
        if not held:
            return None
        share = Decimal((held - self.incomplete(policy)) * 100) / Decimal(held)
        return share.quantize(Decimal(1).scaleb(-policy.decimals), rounding=ROUND_HALF_UP)


# category_id -> what its items held lack of their kits
KitsByCategory = dict[int, KitCount]


@dataclass
class CategoryLine:
    category: Category
    serialised: bool
    tally: Tally
    coefficient: Decimal | None
    kit: KitCount = field(default_factory=KitCount)
    completeness: Decimal | None = None  # serialised lines only


@dataclass
class LotLine:
    """Counted stock of one type (pieces, kilograms, rounds: its own unit of measure), never added to
    items or to another type's quantities."""

    type_id: int
    category_id: int
    tally: Tally


@dataclass
class Summary:
    unit: Unit
    day: date | None
    policy: CoefficientPolicy
    lines: list[CategoryLine]
    overall: Tally
    coefficient: Decimal | None
    authorised: int
    filled: int
    lot_lines: list[LotLine] = field(default_factory=list)
    completeness_policy: CompletenessPolicy = field(default_factory=CompletenessPolicy)
    kit: KitCount = field(default_factory=KitCount)

    @property
    def completeness(self) -> Decimal | None:
        """The đồng bộ coefficient of the serialised items held."""
        return self.kit.completeness(self.overall.total, self.completeness_policy)

    @property
    def incomplete(self) -> int:
        return self.kit.incomplete(self.completeness_policy)

    @property
    def fill_rate(self) -> Decimal | None:
        if not self.authorised:
            return None
        return (Decimal(self.filled * 100) / self.authorised).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def in_repair(self) -> int:
        return self.overall.by_status.get(Status.IN_REPAIR, 0)

    @property
    def sealed(self) -> int:
        return self.overall.by_status.get(Status.SEALED, 0)

    @property
    def awaiting_disposal(self) -> int:
        return self.overall.by_status.get(Status.AWAITING_DISPOSAL, 0)


def type_index() -> dict[int, tuple[int, bool]]:
    # Plain cursors here and below: these run on every dashboard, and the ORM's per-row work costs
    # more than the query for a few thousand rows.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, category_id, serialised FROM {EquipmentType._meta.db_table}")
        return {pk: (cat, bool(ser)) for pk, cat, ser in cursor.fetchall()}


def current_kit_cells(unit: Unit) -> KitCells:
    """(type, grade, status) -> [damaged, missing] of the unit's subtree now, from its rollups."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT equipment_type_id, grade, status, kit_damaged, kit_missing FROM {Rollup._meta.db_table} "
            "WHERE unit_id = %s AND (kit_damaged <> 0 OR kit_missing <> 0)",
            [unit.pk],
        )
        return {(t, g, s): [d, m] for t, g, s, d, m in cursor.fetchall()}


def current_cells(unit: Unit) -> Cells:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT equipment_type_id, grade, status, quantity FROM {Rollup._meta.db_table} "
            "WHERE unit_id = %s AND quantity <> 0",
            [unit.pk],
        )
        return {(t, g, s): q for t, g, s, q in cursor.fetchall()}


# (category, lot type, grade, status) -> quantity; the lot type is None for serialised items, which are
# folded by category, while lots stay per type: their quantities are in each type's own unit of measure.
Folded = dict[tuple[int, int | None, int, str], int]
LOT_TYPE = "CASE WHEN t.serialised THEN NULL ELSE t.id END"  # Folded's second key, in SQL
HOLDING_STATUSES = ", ".join(f"'{s.value}'" for s in HOLDINGS)


def fold_cells(cells: Cells, types: dict[int, tuple[int, bool]]) -> tuple[Folded, dict[int, int]]:
    """A subtree has thousands of (type, grade, status) cells but only ~12 categories: fold the items
    by category (lots stay per type), and keep what each type holds (for the fill rate)."""
    folded: Folded = defaultdict(int)
    held_by_type: dict[int, int] = defaultdict(int)
    for (type_id, grade, status), qty in cells.items():
        category_id, serialised = types[type_id]
        folded[(category_id, None if serialised else type_id, grade, status)] += qty
        if status in HOLDINGS:
            held_by_type[type_id] += qty
    return folded, held_by_type


def current_folded(unit: Unit) -> tuple[Folded, dict[int, int]]:
    """fold_cells of the unit's rollups, done by the database: a national root has thousands of
    rollup rows, and summing them in Python was most of a dashboard's cost."""
    return current_folded_many([unit.pk]).get(unit.pk, ({}, {}))


def current_kits_many(unit_ids: list[int]) -> dict[int, KitsByCategory]:
    """unit_id -> category -> the kit counts of its serialised items held, from the rollups."""
    rollup, types = Rollup._meta.db_table, EquipmentType._meta.db_table
    ids = ",".join(str(int(i)) for i in unit_ids) or "0"
    found: dict[int, KitsByCategory] = {uid: {} for uid in unit_ids}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.unit_id, t.category_id, SUM(r.kit_damaged), SUM(r.kit_missing) FROM {rollup} r "
            f"JOIN {types} t ON t.id = r.equipment_type_id WHERE r.unit_id IN ({ids}) AND t.serialised "
            f"AND r.status IN ({HOLDING_STATUSES}) AND (r.kit_damaged <> 0 OR r.kit_missing <> 0) "
            "GROUP BY r.unit_id, t.category_id"
        )
        for uid, category_id, damaged, missing in cursor.fetchall():
            found[uid][category_id] = KitCount(int(damaged), int(missing))
    return found


def fold_kits(cells: KitCells, types: dict[int, tuple[int, bool]]) -> KitsByCategory:
    """A past day's kit counts of a subtree, (type, grade, status) -> [damaged, missing], by category."""
    found: KitsByCategory = {}
    for (type_id, _grade, status), (damaged, missing) in cells.items():
        category_id, serialised = types[type_id]
        if serialised and status in HOLDINGS and (damaged or missing):
            count = found.setdefault(category_id, KitCount())
            count.damaged += damaged
            count.missing += missing
    return found


def current_folded_many(unit_ids: list[int]) -> dict[int, tuple[Folded, dict[int, int]]]:
    """current_folded of several units in two statements (a dashboard's children: one round trip
    per child was most of Q2 on PostgreSQL)."""
    rollup, types = Rollup._meta.db_table, EquipmentType._meta.db_table
    ids = ",".join(str(int(i)) for i in unit_ids) or "0"
    found: dict[int, tuple[Folded, dict[int, int]]] = {uid: ({}, {}) for uid in unit_ids}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.unit_id, t.category_id, {LOT_TYPE}, r.grade, r.status, SUM(r.quantity) FROM {rollup} r "
            f"JOIN {types} t ON t.id = r.equipment_type_id WHERE r.unit_id IN ({ids}) AND r.quantity <> 0 "
            f"GROUP BY r.unit_id, t.category_id, {LOT_TYPE}, r.grade, r.status"
        )
        for uid, cat, lot_type, grade, status, q in cursor.fetchall():
            if q:
                found[uid][0][(cat, lot_type, grade, status)] = int(q)
        cursor.execute(
            f"SELECT unit_id, equipment_type_id, SUM(quantity) FROM {rollup} "
            f"WHERE unit_id IN ({ids}) AND status IN ({HOLDING_STATUSES}) GROUP BY unit_id, equipment_type_id"
        )
        for uid, type_id, q in cursor.fetchall():
            if q:
                found[uid][1][type_id] = int(q)
    return found


class PastCounts:
    """Holdings of the subtrees of a day, on that day's tree, computed once per page.

    A unit at the top of the tree starts from the latest quarterly snapshot (ledger.snapshots) and
    corrects it over the items that changed since; any other unit, or a day the snapshot cannot
    serve (no snapshot yet, the tree changed since), folds the ledger once per page: the whole
    ledger, or with `within` only the events of the items that subtree ever held (a province's
    dashboard then reads its own history, not the country's). Counts are then asked only for
    units of that subtree."""

    def __init__(self, day: date, within: Unit | None = None):
        self.day = day
        self.tree = PastTree(day)
        self.snapshot = snapshots.usable(day)
        self.within = None if within is None else self.tree.subtree(within.pk)
        self._by_unit: dict[int, dict[tuple[int, int, str], int]] | None = None
        self._correction: dict[int, Cells] | None = None
        self._lots: dict[int, dict[tuple[int, int, str], int]] | None = None
        self._kits: dict[int, KitCells] | None = None

    @property
    def by_unit(self) -> dict[int, dict[tuple[int, int, str], int]]:
        """Direct holdings of every unit (of `within`) on the day: the fold."""
        if self._by_unit is None:
            self._by_unit = counts_by_unit_on(self.day, unit_ids=self.within)
        return self._by_unit

    @classmethod
    def of_unit_and_children(cls, day: date, unit: Unit) -> "PastCounts":
        """The counts a page about `unit` and its children needs (a dashboard), read the cheaper way."""
        past = cls(day, within=unit)
        past.prepare([unit.pk, *past.tree.children.get(unit.pk, [])])
        return past

    def prepare(self, unit_ids: Iterable[int]) -> None:
        """Fold now if the snapshot cannot serve every one of `unit_ids` (a page about a unit and its
        children): the fold then serves them all, and the snapshot's correction is not read as well."""
        covered = self.snapshot.units if self.snapshot is not None else ()
        if any(uid not in covered for uid in unit_ids):
            self.by_unit  # noqa: B018 - computes and keeps the fold

    def cells(self, unit_id: int) -> Cells:
        if self._by_unit is None and self.snapshot is not None and unit_id in self.snapshot.units:
            return self._from_snapshot(unit_id)
        if self.within is not None and unit_id not in self.within and self.tree.exists(unit_id):
            raise ValueError(f"unit {unit_id} is outside the subtree these counts were folded for")
        return self._subtree_sum(unit_id, self.by_unit)

    def kit_cells(self, unit_id: int) -> KitCells:
        """(type, grade, status) -> [damaged, missing] of the subtree's items not complete on the day: read
        from the `kit` events of the items that had any, whatever the snapshot (docs/glossary.md)."""
        if self._kits is None:
            self._kits = kit_by_unit_on(self.day, self.within)
        total: KitCells = defaultdict(lambda: [0, 0])
        for uid in self.tree.subtree(unit_id):
            for key, (damaged, missing) in self._kits.get(uid, {}).items():
                total[key][0] += damaged
                total[key][1] += missing
        return total

    def _subtree_sum(self, unit_id: int, *by_units: dict[int, Cells]) -> Cells:
        total: Cells = defaultdict(int)
        for uid in self.tree.subtree(unit_id):
            for by_unit in by_units:
                for key, qty in by_unit.get(uid, {}).items():
                    total[key] += qty
        return total

    def _from_snapshot(self, unit_id: int) -> Cells:
        snapshot = self.snapshot
        assert snapshot is not None  # cells() reads a snapshot only when there is one
        if self._correction is None:
            self._correction = snapshots.correction(snapshot.day, self.day, snapshot.through_event_id)
            self._lots = lot_counts_by_unit_on(self.day)
        assert self._lots is not None  # read with the correction
        total = self._subtree_sum(unit_id, self._correction, self._lots)
        for key, qty in snapshots.stored_cells(snapshot, unit_id).items():
            total[key] += qty
        return {key: qty for key, qty in total.items() if qty}


def subtree_unit_ids(unit: Unit, day: date | None, past: PastCounts | None = None) -> set[int]:
    if day is None:
        return set(Unit.objects.filter(path__gte=unit.path, path__lt=unit.path + PATH_END).values_list("id", flat=True))
    return (past or PastCounts(day)).tree.subtree(unit.pk)


def summarise(
    unit: Unit,
    day: date | None = None,
    *,
    past: PastCounts | None = None,
    types: dict[int, tuple[int, bool]] | None = None,
    policy: CoefficientPolicy | None = None,
    categories: list[Category] | None = None,
    folded: tuple[Folded, dict[int, int]] | None = None,
    kits: KitsByCategory | None = None,
    completeness_policy: CompletenessPolicy | None = None,
) -> Summary:
    """Grade distribution, coefficients and fill rate of a unit's subtree, now or on `day`.

    types, policy, categories, folded (current_folded's result), kits (current_kits_many's),
    completeness_policy: read once by a caller that summarises several units (a dashboard)."""
    policy = policy or CoefficientPolicy.objects.in_force(day or timezone.localdate())
    completeness_policy = completeness_policy or CompletenessPolicy.objects.in_force(day or timezone.localdate())
    if day is None:
        cells, held_by_type = folded or current_folded(unit)
        kits = kits if kits is not None else current_kits_many([unit.pk])[unit.pk]
    else:
        types = types or type_index()
        past = past or PastCounts(day)
        cells, held_by_type = fold_cells(past.cells(unit.pk), types)
        kits = fold_kits(past.kit_cells(unit.pk), types)
    # Items and lots of one category are two lines: rounds of ammunition are not added to rifles.
    per_category: dict[tuple[int, bool], Tally] = defaultdict(Tally)
    per_lot_type: dict[tuple[int, int], Tally] = defaultdict(Tally)
    overall = Tally()
    for (category_id, lot_type, grade, status), qty in cells.items():
        serialised = lot_type is None
        per_category[(category_id, serialised)].add(grade, status, qty, policy)
        if lot_type is None:
            overall.add(grade, status, qty, policy)
        else:
            per_lot_type[(category_id, lot_type)].add(grade, status, qty, policy)
    categories = categories if categories is not None else list(Category.objects.all())
    lines = [
        CategoryLine(cat, serialised, tally, tally.coefficient(policy.decimals))
        for cat in categories
        for serialised in (True, False)
        if (tally := per_category.get((cat.pk, serialised))) is not None
    ]
    for line in lines:
        if line.serialised:
            line.kit = kits.get(line.category.pk, KitCount())
            line.completeness = line.kit.completeness(line.tally.total, completeness_policy)
    overall_kit = KitCount(sum(k.damaged for k in kits.values()), sum(k.missing for k in kits.values()))
    order = {cat.pk: n for n, cat in enumerate(categories)}
    lot_lines = [
        LotLine(type_id, category_id, tally)
        for (category_id, type_id), tally in sorted(per_lot_type.items(), key=lambda kv: (order.get(kv[0][0]), kv[0]))
    ]
    authorised, filled = fill(unit, day, held_by_type, past)
    return Summary(
        unit,
        day,
        policy,
        lines,
        overall,
        overall.coefficient(policy.decimals),
        authorised,
        filled,
        lot_lines,
        completeness_policy,
        overall_kit,
    )


# Authorised totals per subtree, keyed by the versions of what they are made of: a national subtree
# has a row per unit and type (half a million at a million items), far too many to sum per request,
# and they change a few times a year. The triggers of ledger/0005 raise the holdings counter on any
# write; every reorganisation appends a UnitChange. Per process, bounded.
_AUTHORISED: dict[tuple[object, ...], dict[int, int]] = {}
_AUTHORISED_MAX = 512


def _versions() -> tuple[object, ...] | None:
    """The cache key's versions, or None when caching would be unsafe: inside a transaction (its
    writes, or a rollback, would put uncommitted totals under a version that another write later
    reaches) or without the counter row (a flushed test database)."""
    if connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT value FROM ledger_changecounter WHERE name = 'authorised_holdings'), "
            "(SELECT MAX(id) FROM units_unitchange)"
        )
        found = tuple(cursor.fetchone())
    return found if found[0] is not None else None


def authorised_by_type(unit: Unit, day: date | None, past: PastCounts | None = None) -> dict[int, int]:
    """type_id -> quantity authorised in the unit's subtree, now or on `day` (that day's tree)."""
    on = day or timezone.localdate()
    versions = _versions()
    key = (unit.pk, unit.path, on, day is None, *versions) if versions else None
    found = _AUTHORISED.get(key) if key else None
    if found is not None:
        return found
    holdings = AuthorizedHolding.objects.valid_on(on)
    if day is None:
        holdings = holdings.filter(unit__path__gte=unit.path, unit__path__lt=unit.path + PATH_END)
    else:
        holdings = holdings.filter(unit_id__in=subtree_unit_ids(unit, day, past))
    # Summed in the database, not row by row in Python.
    totals = holdings.order_by().values_list("equipment_type_id").annotate(total=Sum("quantity"))
    found = {type_id: int(total) for type_id, total in totals}
    if key:
        if len(_AUTHORISED) >= _AUTHORISED_MAX:
            _AUTHORISED.clear()
        _AUTHORISED[key] = found
    return found


def fill(unit: Unit, day: date | None, held_by_type: dict[int, int], past: PastCounts | None = None) -> tuple[int, int]:
    authorised = authorised_by_type(unit, day, past)
    filled = sum(min(held_by_type.get(t, 0), a) for t, a in authorised.items())
    return sum(authorised.values()), filled


def children_summaries(unit: Unit, day: date | None = None, *, past: PastCounts | None = None) -> list[Summary]:
    """Each child unit of `unit` (as the tree stood on `day`) with its own summary."""
    shared: dict[str, Any] = {
        "types": type_index() if day else None,
        "policy": CoefficientPolicy.objects.in_force(day or timezone.localdate()),
        "completeness_policy": CompletenessPolicy.objects.in_force(day or timezone.localdate()),
        "categories": list(Category.objects.all()),
    }
    if day is None:
        children = list(unit.children.filter(dissolved_on__isnull=True).order_by("path"))
        ids = [child.pk for child in children]
        folded, kits = current_folded_many(ids), current_kits_many(ids)
        return [summarise(child, None, folded=folded[child.pk], kits=kits[child.pk], **shared) for child in children]
    past = past or PastCounts(day, within=unit)
    ids = past.tree.children.get(unit.pk, [])
    past.prepare(ids)
    children = list(Unit.objects.filter(pk__in=ids).order_by("path"))
    return [summarise(child, day, past=past, **shared) for child in children]
