from datetime import date

from django.utils import timezone
from ninja import Router, Schema

from materiel.catalog.models import AuthorizedHolding, Category, EquipmentType
from materiel.units.models import PATH_END

from ..common import Day, unit_for
from ..errors import responses

router = Router(tags=["Danh mục"])


class CategoryOut(Schema):
    code: str
    name: str


class TypeOut(Schema):
    code: str
    name: str
    short_name: str
    category: str
    unit_of_measure: str
    serialised: bool
    service_life_years: int | None
    origin: str
    meters: list[str]


class HoldingOut(Schema):
    unit: str
    type: str
    quantity: int
    valid_from: date
    valid_to: date | None


@router.get("/categories", response=responses(list[CategoryOut]), summary="Nhóm trang bị")
def list_categories(request):
    return list(Category.objects.values("code", "name"))


@router.get("/types", response=responses(list[TypeOut]), summary="Chủng loại trang bị")
def list_types(request, category: str | None = None):
    types = EquipmentType.objects.select_related("category")
    if category:
        types = types.filter(category__code=category)
    return [
        {
            "code": t.code,
            "name": t.name,
            "short_name": t.short_name,
            "category": t.category.code,
            "unit_of_measure": t.unit_of_measure,
            "serialised": t.serialised,
            "service_life_years": t.service_life_years,
            "origin": t.origin,
            "meters": list(t.meters),
        }
        for t in types
    ]


@router.get(
    "/authorized-holdings", response=responses(list[HoldingOut]), summary="Biên chế trang bị của một cây đơn vị"
)
def list_holdings(request, unit: str | None = None, on: Day | None = None):
    root = unit_for(request, unit)
    rows = AuthorizedHolding.objects.valid_on(on or timezone.localdate()).filter(
        unit__path__gte=root.path, unit__path__lt=root.path + PATH_END
    )
    return [
        {
            "unit": h.unit.code,
            "type": h.equipment_type.code,
            "quantity": h.quantity,
            "valid_from": h.valid_from,
            "valid_to": h.valid_to,
        }
        for h in rows.select_related("unit", "equipment_type").order_by("unit__path", "equipment_type__code")
    ]
