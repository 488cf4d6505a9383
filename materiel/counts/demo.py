"""Example count campaigns for the demo, made through the services: last year's, closed (every
sheet counted, approved by its commander and by the launching unit, a missing rifle and a regraded
one written to the ledger on its reference date), and this year's in progress over the province
(one sheet submitted with a discrepancy, one being counted, the others not started)."""

from datetime import date, timedelta

from django.utils import timezone

from materiel.accounts.models import User
from materiel.catalog.models import KitLine
from materiel.equipment.models import Item
from materiel.storage.models import StoragePlace
from materiel.units.models import Unit

from . import services
from .models import Campaign, LineKind, Sheet


def _count(sheet: Sheet, actor: User, wanted: int, day: date, first: int = 0) -> int:
    """All found, then up to `wanted` exceptions, alternately a missing item and a regraded one
    (`first`: how many were made before), among the items whose book has nothing after the
    reference date (an event dated then must come last in it). How many it made."""
    services.mark_all_found(sheet, actor=actor)
    if wanted <= 0:
        return 0
    quiet = Item.objects.filter(
        pk__in=sheet.lines.filter(kind=LineKind.ITEM).values("item_id"), last_event_on__lte=day
    ).values("id")
    lines = list(sheet.lines.filter(item_id__in=quiet).order_by("position")[:wanted])
    changes = []
    for n, line in enumerate(lines, start=first):
        if n % 2 == 0:
            changes.append(services.LineChange(line.pk, found=False, note="Không thấy khi kiểm đếm (ví dụ)"))
        else:
            grade = (line.grade_expected or 2) + 1 if (line.grade_expected or 2) < 4 else 3
            kit = KitLine.objects.filter(equipment_type_id=line.equipment_type_id).order_by("position").first()
            missing = f"{kit.name} thiếu 1" if kit is not None else "Thiếu túi đựng (ví dụ)"
            changes.append(services.LineChange(line.pk, found=True, grade_found=grade, kit_missing=missing))
    if changes:
        services.update_lines(sheet, changes, actor=actor)
    return len(changes)


def seed_counts(actor: User, today: date | None = None) -> list[Campaign]:
    today = today or timezone.localdate()
    # A province's depot (below the region's own depots): the campaigns cover the province and the
    # units right under it, so the demo's build stays quick.
    depots = StoragePlace.objects.filter(code="K1").select_related("unit").order_by("-unit__depth", "unit__path")
    depot = depots.filter(unit__depth__gte=2).order_by("unit__path").first() or depots.first()
    if depot is None:
        return []
    unit = depot.unit
    province = unit.parent or unit
    kinds = list({u.kind for u in Unit.objects.subtree_of(province).filter(depth__lte=province.depth + 1)})
    last_year = date(today.year - 1, 12, 1)
    closed = services.launch(
        actor=actor,
        unit=province,
        title=f"Kiểm kê, đánh giá phân cấp chất lượng năm {last_year.year}",
        reference_date=last_year,
        deadline=last_year + timedelta(days=30),
        unit_kinds=kinds,
    )
    made = 0  # a missing item and a regraded one, in the first sheets that have quiet items
    for sheet in closed.sheets.order_by("unit__path"):
        made += _count(sheet, actor, 2 - made, last_year, first=made)
        services.submit(sheet, actor=actor)
        services.approve_unit(sheet, actor=actor)
        services.approve(sheet, actor=actor)
    reference = max(today - timedelta(days=3), date(today.year, 1, 1))
    current = services.launch(
        actor=actor,
        unit=province,
        title=f"Kiểm kê, đánh giá phân cấp chất lượng năm {today.year}",
        reference_date=reference,
        deadline=reference + timedelta(days=45),
        unit_kinds=kinds,
    )
    sheets = list(current.sheets.exclude(unit=province).order_by("unit__path"))
    first = next((s for s in sheets if s.unit_id == unit.pk), sheets[0] if sheets else None)
    if first is not None:
        _count(first, actor, 1, reference)  # one item not found
        services.submit(first, actor=actor)
        second = next((s for s in sheets if s.pk != first.pk), None)
        if second is not None:
            services.mark_all_found(second, actor=actor)
    return [closed, current]
