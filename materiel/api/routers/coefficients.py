"""Readiness numbers for a subtree, now or on a past day; the rollups behind them."""

from datetime import date
from decimal import Decimal

from ninja import Router, Schema

from materiel.catalog.models import EquipmentType
from materiel.ledger import coefficients

from ..common import Day, unit_for
from ..errors import responses

router = Router(tags=["Hệ số"])


class CategoryCoefficient(Schema):
    category: str
    name: str
    serialised: bool
    grades: dict[int, int]
    total: int
    coefficient: Decimal | None


class ChildCoefficient(Schema):
    unit: str
    name: str
    total: int
    coefficient: Decimal | None
    fill_rate: Decimal | None


class CoefficientsOut(Schema):
    unit: str
    on: date | None
    coefficient: Decimal | None
    fill_rate: Decimal | None
    authorised: int
    filled: int
    grades: dict[int, int]
    in_repair: int
    sealed: int
    awaiting_disposal: int
    serviceable_grades: list[int]
    categories: list[CategoryCoefficient]
    children: list[ChildCoefficient]


@router.get(
    "/coefficients",
    response=responses(CoefficientsOut),
    summary="Phân cấp chất lượng, hệ số kỹ thuật và hệ số trang bị của một cây đơn vị",
)
def get_coefficients(request, unit: str | None = None, on: Day | None = None):
    root = unit_for(request, unit)
    past = coefficients.PastCounts.of_unit_and_children(on, root) if on else None
    summary = coefficients.summarise(root, on, past=past)
    children = coefficients.children_summaries(root, on, past=past)
    return {
        "unit": root.code,
        "on": on,
        "coefficient": summary.coefficient,
        "fill_rate": summary.fill_rate,
        "authorised": summary.authorised,
        "filled": summary.filled,
        "grades": summary.overall.by_grade,
        "in_repair": summary.in_repair,
        "sealed": summary.sealed,
        "awaiting_disposal": summary.awaiting_disposal,
        "serviceable_grades": list(summary.policy.serviceable_grades),
        "categories": [
            {
                "category": line.category.code,
                "name": line.category.name,
                "serialised": line.serialised,
                "grades": line.tally.by_grade,
                "total": line.tally.total,
                "coefficient": line.coefficient,
            }
            for line in summary.lines
        ],
        "children": [
            {
                "unit": c.unit.code,
                "name": c.unit.name,
                "total": c.overall.total,
                "coefficient": c.coefficient,
                "fill_rate": c.fill_rate,
            }
            for c in children
        ],
    }


class RollupOut(Schema):
    type: str
    grade: int
    status: str
    quantity: int


@router.get("/rollups", response=responses(list[RollupOut]), summary="Số tổng hợp theo chủng loại × cấp × tình trạng")
def get_rollups(request, unit: str | None = None, on: Day | None = None):
    root = unit_for(request, unit)
    cells = coefficients.PastCounts(on, within=root).cells(root.pk) if on else coefficients.current_cells(root)
    codes = dict(EquipmentType.objects.values_list("pk", "code"))
    return [
        {"type": codes[type_id], "grade": grade, "status": status, "quantity": quantity}
        for (type_id, grade, status), quantity in sorted(cells.items())
        if quantity
    ]
