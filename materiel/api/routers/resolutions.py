"""Resolutions, directives and programmes with their targets and tasks, and a resolution's progress
for a unit subtree year by year: the same dataset as the pages (materiel.resolutions)."""

from datetime import date
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from materiel.resolutions import indicators
from materiel.resolutions.models import Resolution, Task
from materiel.resolutions.progress import progress

from ..common import Id, unit_for
from ..errors import responses

router = Router(tags=["Nghị quyết"])


class ResolutionTargetOut(Schema):
    id: int
    position: int
    text: str
    indicator: str  # a code of GET /resolutions/indicators; "" reported by hand
    params: dict[str, str]
    comparison: str  # gte or lte
    goal: Decimal


class ResolutionTaskOut(Schema):
    id: int
    unit: str
    text: str
    responsible: str
    deadline: date
    state: str
    done_on: date | None


class ResolutionOut(Schema):
    id: int
    number: str
    kind: str
    issued_on: date
    issuer: str
    title: str
    unit: str | None  # the issuing unit of the tree; null: issued above it
    implements: int | None
    starts_on: date
    ends_on: date | None
    targets: list[ResolutionTargetOut]
    tasks: list[ResolutionTaskOut]


class IndicatorOut(Schema):
    code: str
    name: str
    formula: str
    params: list[str]
    unit: str


class ProgressCellOut(Schema):
    year: int
    value: Decimal | None
    measured: bool  # false: the domain behind the indicator is not in the system yet
    met: bool | None
    gap: Decimal | None
    basis: str
    url: str  # the page that lists what the figure counts


class ProgressLineOut(Schema):
    target: int
    text: str
    goal: Decimal
    comparison: str
    cells: list[ProgressCellOut]


class ResolutionProgressOut(Schema):
    resolution: int
    unit: str
    years: list[int]
    targets: list[ProgressLineOut]
    tasks_done: int
    tasks_late: int
    tasks_open: int


def _visible(request):
    return Resolution.objects.visible_to(request.user)


def resolution_out(request, resolution: Resolution) -> dict:
    tasks = Task.objects.visible_to(request.user).filter(resolution=resolution).select_related("unit")
    return {
        "id": resolution.pk,
        "number": resolution.number,
        "kind": resolution.kind,
        "issued_on": resolution.issued_on,
        "issuer": resolution.issuer,
        "title": resolution.title,
        "unit": resolution.unit.code if resolution.unit else None,
        "implements": resolution.implements_id,
        "starts_on": resolution.starts_on,
        "ends_on": resolution.ends_on,
        "targets": [
            {
                "id": t.pk,
                "position": t.position,
                "text": t.text,
                "indicator": t.indicator,
                "params": {k: str(v) for k, v in t.params.items()},
                "comparison": t.comparison,
                "goal": t.goal,
            }
            for t in resolution.targets.order_by("position", "id")
        ],
        "tasks": [
            {
                "id": t.pk,
                "unit": t.unit.code,
                "text": t.text,
                "responsible": t.responsible,
                "deadline": t.deadline,
                "state": t.state,
                "done_on": t.done_on,
            }
            for t in tasks
        ],
    }


@router.get("/resolutions", response=responses(list[ResolutionOut]), summary="Nghị quyết, chỉ thị, chương trình")
def list_resolutions(request):
    documents = _visible(request).select_related("unit").order_by("issued_on", "number")
    return [resolution_out(request, r) for r in documents]


@router.get("/resolutions/indicators", response=responses(list[IndicatorOut]), summary="Danh mục chỉ số đo chỉ tiêu")
def list_indicators(request):
    return [
        {
            "code": i.code,
            "name": str(i.name),
            "formula": str(i.formula),
            "params": list(i.params.model_fields),
            "unit": i.unit_label,
        }
        for i in indicators.CATALOGUE.values()
    ]


@router.get("/resolutions/{resolution_id}", response=responses(ResolutionOut), summary="Một văn bản")
def get_resolution(request, resolution_id: Id):
    return resolution_out(request, get_object_or_404(_visible(request).select_related("unit"), pk=resolution_id))


@router.get(
    "/resolutions/{resolution_id}/progress",
    response=responses(ResolutionProgressOut),
    summary="Tiến độ thực hiện theo năm của một cây đơn vị",
)
def get_progress(request, resolution_id: Id, unit: str | None = None):
    resolution = get_object_or_404(_visible(request), pk=resolution_id)
    root = unit_for(request, unit)
    report = progress(request.user, resolution, root)
    return {
        "resolution": resolution.pk,
        "unit": root.code,
        "years": report.years,
        "targets": [
            {
                "target": line.target.pk,
                "text": line.target.text,
                "goal": line.target.goal,
                "comparison": line.target.comparison,
                "cells": [
                    {
                        "year": c.year,
                        "value": c.figure.value,
                        "measured": c.figure.measured,
                        "met": c.met,
                        "gap": c.gap,
                        "basis": c.figure.basis,
                        "url": c.figure.url,
                    }
                    for c in line.cells
                ],
            }
            for line in report.lines
        ],
        "tasks_done": len(report.tasks.done),
        "tasks_late": len(report.tasks.late),
        "tasks_open": len(report.tasks.open),
    }
