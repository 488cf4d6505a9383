"""Inspections (kiểm tra kỹ thuật), the reference data and the readiness: readiness reasons,
checklist templates and their versions, the duty matrix, and the items of a subtree not ready by
reason. The runs, their grid and actions: `inspection_runs`. The same services as the pages
(materiel.inspections.services, docs/inspections.md)."""

import re
from datetime import date

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from materiel.catalog.models import Category, EquipmentType
from materiel.core.errors import DomainError
from materiel.equipment.models import HOLDINGS
from materiel.inspections import services
from materiel.inspections.models import (
    Check,
    ChecklistTemplate,
    DutyRow,
    Effect,
    InspectionKind,
    ItemReadiness,
    ReadinessReason,
    Severity,
    StepFields,
)
from materiel.inspections.readiness import reason_counts

from ..common import MAX_LIMIT, Id, Limit, Text, unit_for
from ..errors import responses

router = Router(tags=["Kiểm tra kỹ thuật"])

MAX_STEPS = 100
CODE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")  # a template's code: a slug


def number(value) -> float | None:
    return float(value) if value is not None else None


# ---- reference data -------------------------------------------------------------------------------


class InspectionReasonOut(Schema):
    id: int
    code: str
    name: str


@router.get("/inspections/reasons", response=responses(list[InspectionReasonOut]), summary="Các lý do chưa sẵn sàng")
def list_reasons(request):
    return [{"id": r.pk, "code": r.code, "name": r.name} for r in ReadinessReason.objects.all()]


class InspectionStepOut(Schema):
    position: int  # the step's number: what a results cell names as `step`
    text: str
    method: str  # pass_fail or measure
    measure_unit: str
    lower: float | None = None
    upper: float | None = None
    severity: str  # minor, major, critical
    effect: str  # note, work_order, not_serviceable
    reason: str | None = None  # the readiness reason's code, for not_serviceable


def step_out(step: StepFields) -> dict:
    return {
        "position": step.position,
        "text": step.text,
        "method": step.method,
        "measure_unit": step.measure_unit,
        "lower": number(step.lower),
        "upper": number(step.upper),
        "severity": step.severity,
        "effect": step.effect,
        "reason": step.reason.code if step.reason else None,
    }


class InspectionTemplateOut(Schema):
    id: int
    code: str
    version: int
    name: str
    kind: str
    equipment_type: str | None = None
    category: str | None = None
    is_current: bool
    steps: list[InspectionStepOut]


def _templates():
    return ChecklistTemplate.objects.select_related("equipment_type", "category").prefetch_related("steps__reason")


def template_out(template: ChecklistTemplate) -> dict:
    return {
        "id": template.pk,
        "code": template.code,
        "version": template.version,
        "name": template.name,
        "kind": template.kind,
        "equipment_type": template.equipment_type.code if template.equipment_type else None,
        "category": template.category.code if template.category else None,
        "is_current": template.is_current,
        "steps": [step_out(s) for s in sorted(template.steps.all(), key=lambda s: s.position)],
    }


@router.get(
    "/inspections/templates",
    response=responses(list[InspectionTemplateOut]),
    summary="Các mẫu phiếu kiểm tra (phiên bản hiện hành)",
)
def list_templates(request):
    """The current version of every template, with its steps; older versions: GET …/templates/{id}."""
    return [template_out(t) for t in _templates().filter(is_current=True).order_by("code")]


@router.get(
    "/inspections/templates/{template_id}",
    response=responses(InspectionTemplateOut),
    summary="Một phiên bản mẫu phiếu kiểm tra",
)
def get_template(request, template_id: Id):
    return template_out(get_object_or_404(_templates(), pk=template_id))


class InspectionStepIn(Schema):
    text: Text(200) = ""  # type: ignore[valid-type]
    severity: Severity = Severity.MINOR
    method: Check = Check.PASS_FAIL
    measure_unit: Text(20) = ""  # type: ignore[valid-type]
    # A number, or text typed the Vietnamese way ("0,5").
    lower: float | Text(20) | None = None  # type: ignore[valid-type]
    upper: float | Text(20) | None = None  # type: ignore[valid-type]
    effect: Effect = Effect.NOTE
    reason: Text(30) | None = None  # type: ignore[valid-type]  # a readiness reason's code, for not_serviceable


class InspectionTemplateIn(Schema):
    code: Text(40)  # type: ignore[valid-type]
    name: Text(150) = ""  # type: ignore[valid-type]
    kind: InspectionKind
    equipment_type: Text(40) | None = None  # type: ignore[valid-type]
    category: Text(40) | None = None  # type: ignore[valid-type]
    steps: list[InspectionStepIn] = Field(..., max_length=MAX_STEPS)


@router.post(
    "/inspections/templates",
    response=responses(InspectionTemplateOut),
    summary="Lưu mẫu phiếu kiểm tra (phiên bản mới của một mã)",
)
def save_template(request, payload: InspectionTemplateIn):
    """A new code makes version 1; an existing code its next version. Runs already opened keep the
    steps they copied."""
    code = payload.code.strip()
    if not CODE.fullmatch(code):
        raise DomainError(
            _("Mã mẫu phiếu chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (trường %(field)s).")
            % {"field": "code"},
            field="code",
        )
    equipment_type = category = None
    if payload.equipment_type:
        equipment_type = EquipmentType.objects.filter(code=payload.equipment_type).first()
        if equipment_type is None:
            raise DomainError(_("Không có chủng loại mã này."), field="equipment_type")
    if payload.category:
        category = Category.objects.filter(code=payload.category).first()
        if category is None:
            raise DomainError(_("Không có nhóm trang bị mã này."), field="category")
    reasons = {r.code: r for r in ReadinessReason.objects.all()}
    steps = []
    for n, row in enumerate(payload.steps):
        reason = None
        if row.reason:
            reason = reasons.get(row.reason)
            if reason is None:
                raise DomainError(
                    _("Không có lý do chưa sẵn sàng mã “%(code)s”.") % {"code": row.reason}, field=f"steps.{n}.reason"
                )
        step = services.Step(
            text=row.text,
            severity=row.severity,
            method=row.method,
            measure_unit=row.measure_unit,
            lower=row.lower,
            upper=row.upper,
            effect=row.effect,
            reason=reason,
        )
        try:
            services.check_step(step, n + 1)
        except DomainError as error:
            raise DomainError(error.message, field=f"steps.{n}.{error.field}") from None
        steps.append(step)
    template = services.save_template(
        actor=request.user,
        code=code,
        name=payload.name,
        kind=payload.kind,
        steps=steps,
        equipment_type=equipment_type,
        category=category,
    )
    return template_out(get_object_or_404(_templates(), pk=template.pk))


class InspectionDutyOut(Schema):
    id: int
    inspector: str
    category: str | None = None
    equipment_type: str | None = None
    unit_kind: str | None = None
    place_kind: str | None = None
    frequency: str
    template_code: str
    template: int | None = None  # the id of the template's current version


@router.get("/inspections/matrix", response=responses(list[InspectionDutyOut]), summary="Ma trận trách nhiệm kiểm tra")
def duty_matrix(request):
    current = dict(ChecklistTemplate.objects.filter(is_current=True).values_list("code", "pk"))
    rows = DutyRow.objects.select_related("category", "equipment_type", "unit_kind", "place_kind")
    return [
        {
            "id": row.pk,
            "inspector": row.inspector,
            "category": row.category.code if row.category else None,
            "equipment_type": row.equipment_type.code if row.equipment_type else None,
            "unit_kind": row.unit_kind.code if row.unit_kind else None,
            "place_kind": row.place_kind.code if row.place_kind else None,
            "frequency": row.frequency,
            "template_code": row.template_code,
            "template": current.get(row.template_code),
        }
        for row in rows
    ]


# ---- readiness ------------------------------------------------------------------------------------


class InspectionReasonCount(Schema):
    code: str
    name: str
    count: int  # the number of items GET …/readiness?reason=<code> lists (over its pages)


class InspectionNotReadyOut(Schema):
    id: int
    serial: str
    type: str
    unit: str
    grade: int
    status: str
    reason: str
    since: date


class InspectionReadinessOut(Schema):
    unit: str
    total: int
    reasons: list[InspectionReasonCount]
    reason: str | None = None
    items: list[InspectionNotReadyOut]  # the items of `reason`, when asked
    next: int | None = None


class InspectionReadinessFilters(Schema):
    unit: Text(40) | None = None  # type: ignore[valid-type]
    reason: Text(30) | None = None  # type: ignore[valid-type]
    after: Id | None = None
    limit: Limit = 100


@router.get(
    "/inspections/readiness",
    response=responses(InspectionReadinessOut),
    summary="Trang bị chưa sẵn sàng theo lý do",
)
def readiness(request, filters: Query[InspectionReadinessFilters]):
    """The items of the subtree still held that carry a readiness reason, counted per reason; with
    `reason`, that reason's items in keyset pages. Each count is what its list holds."""
    root = unit_for(request, filters.unit)
    # The counts of the dashboard (one definition), the list from the same projection rows.
    rows = ItemReadiness.objects.visible_to(request.user).in_subtree(root).filter(item__status__in=HOLDINGS)
    counts = {row.code: row.items for row in reason_counts(request.user, root)}
    reasons = list(ReadinessReason.objects.all())
    answer: dict = {
        "unit": root.code,
        "total": sum(counts.values()),
        "reasons": [{"code": r.code, "name": r.name, "count": counts.get(r.code, 0)} for r in reasons],
        "reason": None,
        "items": [],
        "next": None,
    }
    if filters.reason:
        reason = next((r for r in reasons if r.code == filters.reason), None)
        if reason is None:
            raise DomainError(
                _("Không có lý do chưa sẵn sàng mã “%(code)s”.") % {"code": filters.reason}, field="reason"
            )
        # Pages in item id order: a readiness row is rewritten with each readiness event, its item stays.
        chosen = rows.filter(reason=reason).select_related("item__equipment_type", "item__unit")
        if filters.after:
            chosen = chosen.filter(item_id__gt=filters.after)
        limit = min(filters.limit, MAX_LIMIT)
        page = list(chosen.order_by("item_id")[: limit + 1])
        cursor = page[limit - 1].item_id if len(page) > limit else None
        page = page[:limit]
        answer["reason"] = reason.code
        answer["next"] = cursor
        answer["items"] = [
            {
                "id": row.item_id,
                "serial": row.item.serial,
                "type": row.item.equipment_type.code,
                "unit": row.item.unit.code,
                "grade": row.item.grade,
                "status": row.item.status,
                "reason": reason.code,
                "since": row.since,
            }
            for row in page
        ]
    return answer
