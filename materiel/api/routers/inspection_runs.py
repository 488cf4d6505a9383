"""Inspection runs (lần kiểm tra): the runs of a subtree, one run with its grid, findings, actions,
events and work orders; opening a run, entering its results grid, finishing it (its events and
repair orders), and its corrective actions. The same services as the pages
(materiel.inspections.services, docs/inspections.md); the reference data: `inspections`."""

from datetime import date, datetime

from django.db.models import Func, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from materiel.core.errors import DomainError
from materiel.equipment.models import Item
from materiel.inspections import services
from materiel.inspections.models import (
    Check,
    ChecklistTemplate,
    CorrectiveAction,
    DutyRow,
    Result,
    Run,
    RunItem,
    RunState,
)
from materiel.storage import places

from ..common import MAX_LIMIT, Day, Grade, Id, Limit, Text, Version, keyset, unit_for, unit_named
from ..errors import responses
from .inspections import InspectionStepOut, number, step_out

router = Router(tags=["Kiểm tra kỹ thuật"])

# A run holds a unit's weapon room or depot: a few hundred items, a dozen steps each.
MAX_RUN_ITEMS = 2000
MAX_CELLS = 20000


class InspectionTemplateRef(Schema):
    id: int
    code: str
    version: int
    name: str


class InspectionRunSummaryOut(Schema):
    id: int
    number: str  # KT-<id>, the document number of the events it wrote
    unit: str
    template: InspectionTemplateRef
    place: int | None = None
    kind: str
    inspector: str
    inspected_on: date
    state: str
    items: int
    findings: int
    open_actions: int
    version: int


class InspectionRunPage(Schema):
    results: list[InspectionRunSummaryOut]
    next: int | None


class InspectionRunFilters(Schema):
    unit: Text(40) | None = None  # type: ignore[valid-type]
    state: RunState | None = None
    since: Day | None = None  # inspected on or after
    until: Day | None = None  # inspected on or before
    after: Id | None = None
    limit: Limit = 100


def _template_ref(template: ChecklistTemplate) -> dict:
    return {"id": template.pk, "code": template.code, "version": template.version, "name": template.name}


def _count(rows) -> Coalesce:
    return Coalesce(Subquery(rows.order_by().values(n=Func("pk", function="COUNT"))), 0)


def _runs(request):
    return Run.objects.visible_to(request.user).select_related("unit", "template", "place")


@router.get("/inspections/runs", response=responses(InspectionRunPage), summary="Các lần kiểm tra của một cây đơn vị")
def list_runs(request, filters: Query[InspectionRunFilters]):
    """Keyset pages in id order (`after` = the `next` of the page before)."""
    root = unit_for(request, filters.unit)
    runs = _runs(request).in_subtree(root)
    if filters.state:
        runs = runs.filter(state=filters.state)
    if filters.since:
        runs = runs.filter(inspected_on__gte=filters.since)
    if filters.until:
        runs = runs.filter(inspected_on__lte=filters.until)
    # One count per run each (joining the three would multiply the rows: items x results x actions).
    runs = runs.annotate(
        item_count=_count(RunItem.objects.filter(run=OuterRef("pk"))),
        finding_count=_count(Result.objects.filter(run_item__run=OuterRef("pk"), passed=False)),
        open_action_count=_count(CorrectiveAction.objects.filter(run=OuterRef("pk"), closed_on__isnull=True)),
    )
    page, cursor = keyset(runs, filters.after, min(filters.limit, MAX_LIMIT))
    return {
        "results": [
            {
                "id": run.pk,
                "number": f"KT-{run.pk}",
                "unit": run.unit.code,
                "template": _template_ref(run.template),
                "place": run.place_id,
                "kind": run.kind,
                "inspector": run.inspector,
                "inspected_on": run.inspected_on,
                "state": run.state,
                "items": run.item_count,
                "findings": run.finding_count,
                "open_actions": run.open_action_count,
                "version": run.version,
            }
            for run in page
        ],
        "next": cursor,
    }


class InspectionRunItemOut(Schema):
    position: int
    item: int  # the item's id (GET /items/{id}): what a results cell names as `item`
    serial: str
    type: str
    grade_before: int
    grade_proposed: int | None = None
    # The kit as found: [{"line", "missing", "damaged"}] per line short; null: not looked at.
    kit: list[dict[str, int]] | None = None


class InspectionResultOut(Schema):
    item: int
    serial: str
    step: int  # the step's position
    passed: bool
    value: float | None = None
    note: str
    work_order: int | None = None


class InspectionFindingOut(Schema):
    item: int
    serial: str
    step: int
    text: str
    severity: str
    effect: str
    value: float | None = None
    note: str
    work_order: int | None = None  # the repair order finishing the run opened for it


class InspectionActionOut(Schema):
    id: int
    run: int
    text: str
    responsible: str
    deadline: date
    done: str
    closed_on: date | None = None
    overdue: bool
    item: int | None = None  # the finding it answers, if one
    step: int | None = None


class InspectionRunOut(Schema):
    id: int
    number: str
    unit: str
    template: InspectionTemplateRef
    place: int | None = None
    place_name: str | None = None
    kind: str
    duty: int | None = None  # the matrix row it answers
    inspector: str
    inspected_on: date
    state: str
    finished_at: datetime | None = None
    version: int
    steps: list[InspectionStepOut]  # as the run copied them from its template version
    items: list[InspectionRunItemOut]
    results: list[InspectionResultOut]  # the cells entered: failed checks, measured values, notes
    findings: list[InspectionFindingOut]  # the failed cells
    actions: list[InspectionActionOut]
    events: list[int]  # the ledger events finishing wrote (grade changes, readiness)
    work_orders: list[int]


def action_out(action: CorrectiveAction, today: date) -> dict:
    result = action.result
    return {
        "id": action.pk,
        "run": action.run_id,
        "text": action.text,
        "responsible": action.responsible,
        "deadline": action.deadline,
        "done": action.done,
        "closed_on": action.closed_on,
        "overdue": action.overdue(today),
        "item": result.run_item.item_id if result else None,
        "step": result.step.position if result else None,
    }


def run_out(run: Run) -> dict:
    today = timezone.localdate()
    steps = list(run.steps.select_related("reason").order_by("position"))
    items = list(run.items.select_related("item__equipment_type").order_by("position"))
    results = list(
        Result.objects.filter(run_item__run=run)
        .select_related("run_item__item", "step")
        .order_by("run_item__position", "step__position")
    )
    actions = run.actions.select_related("result__run_item", "result__step").order_by("deadline", "pk")

    def cell(r: Result) -> dict:
        return {
            "item": r.run_item.item_id,
            "serial": r.run_item.item.serial,
            "step": r.step.position,
            "value": number(r.value),
            "note": r.note,
            "work_order": r.work_order_id,
        }

    return {
        "id": run.pk,
        "number": f"KT-{run.pk}",
        "unit": run.unit.code,
        "template": _template_ref(run.template),
        "place": run.place_id,
        "place_name": run.place.name if run.place else None,
        "kind": run.kind,
        "duty": run.duty_id,
        "inspector": run.inspector,
        "inspected_on": run.inspected_on,
        "state": run.state,
        "finished_at": run.finished_at,
        "version": run.version,
        "steps": [step_out(s) for s in steps],
        "items": [
            {
                "position": ri.position,
                "item": ri.item_id,
                "serial": ri.item.serial,
                "type": ri.item.equipment_type.code,
                "grade_before": ri.grade_before,
                "grade_proposed": ri.grade_proposed,
                "kit": ri.kit,
            }
            for ri in items
        ],
        "results": [{**cell(r), "passed": r.passed} for r in results],
        "findings": [
            {**cell(r), "text": r.step.text, "severity": r.step.severity, "effect": r.step.effect}
            for r in results
            if not r.passed
        ],
        "actions": [action_out(a, today) for a in actions],
        "events": list(run.event_lines.order_by("position").values_list("event_id", flat=True)),
        "work_orders": sorted({r.work_order_id for r in results if r.work_order_id is not None}),
    }


def _run(request, run_id: int) -> Run:
    return get_object_or_404(_runs(request), pk=run_id)


@router.get("/inspections/runs/{run_id}", response=responses(InspectionRunOut), summary="Một lần kiểm tra")
def get_run(request, run_id: Id):
    return run_out(_run(request, run_id))


class InspectionRunIn(Schema):
    # Defaults everywhere but the unit: the scope is checked first, then the content (422, named).
    unit: Text(60) = ""  # type: ignore[valid-type]
    template: Text(40) = ""  # type: ignore[valid-type]  # the template's code
    template_version: Version | None = None  # an older version of it; the current one when omitted
    kind: Text(20) = ""  # type: ignore[valid-type]  # the template's kind when omitted
    inspector: Text(150) = ""  # type: ignore[valid-type]
    inspected_on: Day | None = None  # today when omitted
    place: Id | None = None  # every item now in this storage place
    items: list[Id] = Field([], max_length=MAX_RUN_ITEMS)  # and/or these items, by id ...
    serials: list[Text(80)] = Field([], max_length=MAX_RUN_ITEMS)  # type: ignore[valid-type]  # ... or serial
    duty: Id | None = None  # the matrix row it answers (GET /inspections/matrix): counted by compliance


@router.post("/inspections/runs", response=responses(InspectionRunOut), summary="Mở một lần kiểm tra")
def open_run(request, payload: InspectionRunIn):
    """A run of the unit's items: those named (by id or serial) and every item now in `place`, with
    the template version's steps copied into it. Its results: POST …/results; then …/finish."""
    unit = unit_named(request, payload.unit, field="unit")
    templates = ChecklistTemplate.objects.filter(code=payload.template.strip())
    if payload.template_version is not None:
        template = templates.filter(version=payload.template_version).first()
    else:
        template = templates.filter(is_current=True).first()
    if template is None:
        raise DomainError(_("Không có mẫu phiếu kiểm tra mã này."), field="template")
    place = None
    if payload.place is not None:
        place = get_object_or_404(places.visible_places(request.user), pk=payload.place)
    held = Item.objects.visible_to(request.user).in_subtree(unit)
    items = []
    for n, pk in enumerate(payload.items):
        item = held.filter(pk=pk).first()
        if item is None:  # said alike whether the item is elsewhere or nowhere
            raise DomainError(
                _("Không tìm thấy trang bị #%(id)d trong %(unit)s.") % {"id": pk, "unit": unit.name},
                field=f"items.{n}",
            )
        items.append(item)
    for n, serial in enumerate(payload.serials):
        found = list(held.filter(serial=serial.strip()).exclude(status="void")[:2])
        if len(found) != 1:
            message = (
                _("Không tìm thấy trang bị số hiệu %(serial)s trong %(unit)s.")
                if not found
                else _("Có nhiều trang bị số hiệu %(serial)s trong %(unit)s: hãy gửi mã trang bị (items).")
            )
            raise DomainError(message % {"serial": serial, "unit": unit.name}, field=f"serials.{n}")
        items.extend(found)
    run = services.open_run(
        actor=request.user,
        unit=unit,
        template=template,
        inspector=payload.inspector,
        inspected_on=payload.inspected_on or timezone.localdate(),
        kind=payload.kind or template.kind,
        items=items,
        place=place,
        duty=_duty(payload.duty),
    )
    return run_out(_run(request, run.pk))


def _duty(pk: int | None) -> DutyRow | None:
    """The matrix row (shared reference data, like the templates), or a refusal naming the field."""
    if pk is None:
        return None
    duty = DutyRow.objects.select_related("place_kind").filter(pk=pk).first()
    if duty is None:
        raise DomainError(_("Không có dòng ma trận kiểm tra này."), field="duty")
    return duty


class InspectionCellIn(Schema):
    item: Id  # the item's id
    step: Id  # the step's position
    passed: bool | None = None  # a pass/fail step: false when failed (true, or left out, passes)
    value: float | Text(40) | None = None  # type: ignore[valid-type]  # a measure step: "0,7" or 0.7
    note: Text(300) = ""  # type: ignore[valid-type]


class InspectionGradeIn(Schema):
    item: Id
    grade: Grade | None = None  # the grade proposed; null: unchanged


class InspectionShortageIn(Schema):
    line: Id  # a line of the item's standard kit (GET /items/{id}/kit)
    missing: int = Field(0, ge=0, le=1000)
    damaged: int = Field(0, ge=0, le=1000)


class InspectionKitIn(Schema):
    item: Id
    # Every line short of the item's kit as found; an empty list: the kit is whole.
    shortages: list[InspectionShortageIn] = Field([], max_length=200)


class InspectionResultsIn(Schema):
    cells: list[InspectionCellIn] = Field([], max_length=MAX_CELLS)
    grades: list[InspectionGradeIn] = Field([], max_length=MAX_RUN_ITEMS)
    # The kits as found (đồng bộ); an item left out: its kit was not looked at in this run.
    kits: list[InspectionKitIn] = Field([], max_length=MAX_RUN_ITEMS)
    version: Version | None = None


def _draft(run: Run) -> None:
    """A finished run is refused before anything is read of the request (the service says the same)."""
    if run.is_finished:
        raise DomainError(
            _("Lần kiểm tra KT-%(pk)d đã kết thúc: không thể sửa; hãy lập lần kiểm tra mới.") % {"pk": run.pk},
            field="state",
        )


@router.post(
    "/inspections/runs/{run_id}/results",
    response=responses(InspectionRunOut),
    summary="Nhập lưới kết quả kiểm tra (thay cả lưới)",
)
def enter_results(request, run_id: Id, payload: InspectionResultsIn):
    """The whole grid at once, replacing what was entered: a cell left out passed, so only the
    exceptions need sending. Refused whole, naming the cell (`cells.3.value`), if one is wrong."""
    run = _run(request, run_id)
    _draft(run)
    run_items = {ri.item_id: ri for ri in run.items.select_related("item")}
    steps = {s.position: s for s in run.steps.all()}
    results: dict[tuple[int, int], object] = {}
    notes: dict[tuple[int, int], str] = {}
    named: dict[str, str] = {}  # the service's name of a cell -> the request's
    for n, cell in enumerate(payload.cells):
        run_item, step = run_items.get(cell.item), steps.get(cell.step)
        if run_item is None:
            raise DomainError(
                _("cells.%(n)d: trang bị #%(id)d không có trong lần kiểm tra này.") % {"n": n, "id": cell.item},
                field=f"cells.{n}.item",
            )
        if step is None:
            raise DomainError(
                _("cells.%(n)d: lần kiểm tra không có bước %(step)d.") % {"n": n, "step": cell.step},
                field=f"cells.{n}.step",
            )
        key = (run_item.pk, step.pk)
        where = _("Bước %(step)d “%(text)s”, trang bị %(serial)s") % {
            "step": step.position,
            "text": step.text,
            "serial": run_item.item.serial,
        }
        if key in results:
            raise DomainError(_("%(where)s: ô này được gửi hai lần.") % {"where": where}, field=f"cells.{n}")
        if step.method == Check.MEASURE:
            if cell.value is None or str(cell.value).strip() == "":
                raise DomainError(_("%(where)s: chưa nhập giá trị đo.") % {"where": where}, field=f"cells.{n}.value")
            if cell.passed is not None:
                raise DomainError(
                    _("%(where)s: bước đo được đánh giá theo giá trị đo, không gửi passed.") % {"where": where},
                    field=f"cells.{n}.passed",
                )
            results[key] = cell.value
            named[f"r-{run_item.pk}-{step.pk}"] = f"cells.{n}.value"
        else:
            if cell.value is not None:
                raise DomainError(
                    _("%(where)s: bước đạt/không đạt không có giá trị đo.") % {"where": where},
                    field=f"cells.{n}.value",
                )
            results[key] = cell.passed is not False
            named[f"r-{run_item.pk}-{step.pk}"] = f"cells.{n}.passed"
        if cell.note:
            notes[key] = cell.note
    grades: dict[int, object] = {}
    for n, row in enumerate(payload.grades):
        run_item = run_items.get(row.item)
        if run_item is None:
            raise DomainError(
                _("grades.%(n)d: trang bị #%(id)d không có trong lần kiểm tra này.") % {"n": n, "id": row.item},
                field=f"grades.{n}.item",
            )
        if run_item.pk in grades:
            raise DomainError(
                _("Trang bị %(serial)s: cấp đề nghị được gửi hai lần.") % {"serial": run_item.item.serial},
                field=f"grades.{n}",
            )
        grades[run_item.pk] = row.grade
        named[f"g-{run_item.pk}"] = f"grades.{n}.grade"
    kits: dict[int, list[dict[str, int]]] = {}
    for n, kit in enumerate(payload.kits):
        run_item = run_items.get(kit.item)
        if run_item is None or run_item.pk in kits:
            raise DomainError(
                _("kits.%(n)d: trang bị #%(id)d không có trong lần kiểm tra này hoặc được gửi hai lần.")
                % {"n": n, "id": kit.item},
                field=f"kits.{n}.item",
            )
        kits[run_item.pk] = [s.model_dump() for s in kit.shortages]
        for m, shortage in enumerate(kit.shortages):
            named[f"k-{run_item.pk}-{shortage.line}"] = f"kits.{n}.shortages.{m}"
    try:
        run = services.enter_results(
            run, actor=request.user, results=results, grades=grades, notes=notes, kits=kits, version=payload.version
        )
    except DomainError as error:
        if error.field in named:
            raise DomainError(error.message, field=named[error.field], code=error.code) from None
        raise
    return run_out(_run(request, run_id))


class InspectionFinishIn(Schema):
    version: Version | None = None


@router.post(
    "/inspections/runs/{run_id}/finish",
    response=responses(InspectionRunOut),
    summary="Kết thúc lần kiểm tra: ghi cấp chất lượng, lý do chưa sẵn sàng, mở phiếu sửa chữa",
)
def finish_run(request, run_id: Id, payload: InspectionFinishIn):
    """In one transaction: the grade changes proposed and the readiness reasons of the failed
    "not serviceable" steps (ledger events linked to the run: `events`), and a repair order per item
    with a failed "opens a work order" step (`work_orders`). A finished run is refused (422, `state`):
    finishing twice writes nothing more."""
    run = _run(request, run_id)
    _draft(run)
    services.finish_run(run, actor=request.user, version=payload.version)
    return run_out(_run(request, run_id))


class InspectionActionIn(Schema):
    text: Text(300) = ""  # type: ignore[valid-type]
    responsible: Text(150) = ""  # type: ignore[valid-type]
    deadline: Day | None = None
    item: Id | None = None  # the finding it answers: its item and step (both or neither)
    step: Id | None = None


@router.post(
    "/inspections/runs/{run_id}/actions",
    response=responses(InspectionActionOut),
    summary="Thêm biện pháp khắc phục cho lần kiểm tra",
)
def add_action(request, run_id: Id, payload: InspectionActionIn):
    run = _run(request, run_id)
    result = None
    if payload.item is not None or payload.step is not None:
        if payload.item is None or payload.step is None:
            missing = "item" if payload.item is None else "step"
            raise DomainError(
                _("Phát hiện được gọi bằng trang bị và bước (item, step): thiếu %(field)s.") % {"field": missing},
                field=missing,
            )
        result = (
            Result.objects.filter(
                run_item__run=run, run_item__item_id=payload.item, step__position=payload.step, passed=False
            )
            .select_related("run_item", "step")
            .first()
        )
        if result is None:
            raise DomainError(
                _("Lần kiểm tra không có phát hiện ở trang bị #%(id)s, bước %(step)s.")
                % {"id": payload.item, "step": payload.step},
                field="step",
            )
    action = services.add_action(
        run,
        actor=request.user,
        text=payload.text,
        responsible=payload.responsible,
        deadline=payload.deadline,  # type: ignore[arg-type]  # None is refused by the service, named
        result=result,
    )
    return action_out(_action(request, action.pk), timezone.localdate())


def _action(request, action_id: int) -> CorrectiveAction:
    return get_object_or_404(
        CorrectiveAction.objects.visible_to(request.user).select_related("result__run_item", "result__step"),
        pk=action_id,
    )


class InspectionCloseIn(Schema):
    done: Text(300) = ""  # type: ignore[valid-type]  # what was done: required
    closed_on: Day | None = None  # today when omitted


@router.post(
    "/inspections/actions/{action_id}/close",
    response=responses(InspectionActionOut),
    summary="Đóng biện pháp khắc phục (ghi kết quả thực hiện)",
)
def close_action(request, action_id: Id, payload: InspectionCloseIn):
    action = _action(request, action_id)
    services.close_action(action, actor=request.user, done=payload.done, closed_on=payload.closed_on)
    return action_out(_action(request, action_id), timezone.localdate())
