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
    kit_damaged: int  # of `total`, the items with a part of their kit damaged (serialised lines)
    kit_missing: int  # ... and those missing a part
    completeness: Decimal | None  # the đồng bộ coefficient (serialised lines)


class ChildCoefficient(Schema):
    unit: str
    name: str
    total: int
    coefficient: Decimal | None
    completeness: Decimal | None
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
    completeness: Decimal | None
    incomplete: int  # items not complete (đồng bộ) under the rule in force: what `completeness` leaves out
    kit_damaged: int
    kit_missing: int
    damaged_counts: bool  # the rule: a damaged part makes an item incomplete too
    serviceable_grades: list[int]
    categories: list[CategoryCoefficient]
    children: list[ChildCoefficient]


@router.get(
    "/coefficients",
    response=responses(CoefficientsOut),
    summary="Phân cấp chất lượng, hệ số kỹ thuật, hệ số đồng bộ và hệ số trang bị của một cây đơn vị",
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
        "completeness": summary.completeness,
        "incomplete": summary.incomplete,
        "kit_damaged": summary.kit.damaged,
        "kit_missing": summary.kit.missing,
        "damaged_counts": summary.completeness_policy.damaged_counts,
        "serviceable_grades": list(summary.policy.serviceable_grades),
        "categories": [
            {
                "category": line.category.code,
                "name": line.category.name,
                "serialised": line.serialised,
                "grades": line.tally.by_grade,
                "total": line.tally.total,
                "coefficient": line.coefficient,
                "kit_damaged": line.kit.damaged,
                "kit_missing": line.kit.missing,
                "completeness": line.completeness,
            }
            for line in summary.lines
        ],
        "children": [
            {
                "unit": c.unit.code,
                "name": c.unit.name,
                "total": c.overall.total,
                "coefficient": c.coefficient,
                "completeness": c.completeness,
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
    kit_damaged: int  # of `quantity`, the items with a part of their kit damaged
    kit_missing: int  # ... and those missing a part (đồng bộ)


@router.get("/rollups", response=responses(list[RollupOut]), summary="Số tổng hợp theo chủng loại × cấp × tình trạng")
def get_rollups(request, unit: str | None = None, on: Day | None = None):
    root = unit_for(request, unit)
    if on:
        past = coefficients.PastCounts(on, within=root)
        cells, kits = past.cells(root.pk), past.kit_cells(root.pk)
    else:
        cells, kits = coefficients.current_cells(root), coefficients.current_kit_cells(root)
    codes = dict(EquipmentType.objects.values_list("pk", "code"))
    return [
        {
            "type": codes[type_id],
            "grade": grade,
            "status": status,
            "quantity": quantity,
            "kit_damaged": kits.get((type_id, grade, status), [0, 0])[0],
            "kit_missing": kits.get((type_id, grade, status), [0, 0])[1],
        }
        for (type_id, grade, status), quantity in sorted(cells.items())
    ]
