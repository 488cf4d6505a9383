from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from materiel.units.models import Unit

from ..common import unit_for
from ..errors import responses

router = Router(tags=["Đơn vị"])


class UnitOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    parent: str | None
    depth: int
    founded_on: date
    dissolved_on: date | None


def unit_out(unit: Unit, parents: dict[int | None, str]) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind.code,
        "parent": parents.get(unit.parent_id),
        "depth": unit.depth,
        "founded_on": unit.founded_on,
        "dissolved_on": unit.dissolved_on,
    }


@router.get("/units", response=responses(list[UnitOut]), summary="Cây đơn vị trong phạm vi (hoặc dưới một đơn vị)")
def list_units(request, under: str | None = None, include_dissolved: bool = False):
    root = unit_for(request, under)
    units = Unit.objects.visible_to(request.user).subtree_of(root).select_related("kind")
    if not include_dissolved:
        units = units.filter(dissolved_on__isnull=True)
    rows = list(units)
    parents: dict[int | None, str] = dict(
        Unit.objects.filter(pk__in={u.parent_id for u in rows}).values_list("pk", "code")
    )
    return [unit_out(u, parents) for u in rows]


@router.get("/units/{code}", response=responses(UnitOut), summary="Một đơn vị")
def get_unit(request, code: str):
    unit = get_object_or_404(Unit.objects.visible_to(request.user).select_related("kind", "parent"), code=code)
    return unit_out(unit, {unit.parent_id: unit.parent.code} if unit.parent is not None else {})
