"""Inspection pages: the runs of a subtree, a new run (a weapon room and/or serials), a run's page
(its results grid, finish, findings and corrective actions), its A4 minute, the open and overdue
actions of a subtree; and the reference data: checklist templates (each edit a new version) and
the duty matrix (docs/inspections.md)."""

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.page_scope import page_scope
from materiel.accounts.scoping import PermissionDenied, allowed, can_see_unit
from materiel.catalog.models import KitLine
from materiel.core.days import parse_day
from materiel.core.errors import DomainError
from materiel.core.text import nfc
from materiel.core.views import object_view
from materiel.documents.letterhead import letterhead
from materiel.equipment.models import Item, ItemKitShortage, Status
from materiel.storage.models import StoragePlace
from materiel.units.models import Unit

from . import services
from .models import (
    Check,
    ChecklistTemplate,
    CorrectiveAction,
    DutyRow,
    InspectionKind,
    ReadinessReason,
    Result,
    Run,
    RunItem,
    RunState,
    RunStep,
)

PAGE_SIZE = 50
MAX_SERIALS = 500  # one form of serials; a whole weapon room is chosen as its place


def _require_page(user, action: str = services.ACTION) -> None:
    if not allowed(user, action):
        raise Forbidden(_("Vai trò của bạn không được phép mở trang này."))


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def _pk(value: Any) -> int | None:
    value = str(value or "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def visible_runs(user):
    return Run.objects.visible_to(user).select_related("unit", "template", "place")


# ---- runs -----------------------------------------------------------------------------------------


def run_list(request):
    """Lần kiểm tra of the chosen subtree: state, day, inspector, kind, items and findings; filters."""
    scope = page_scope(request)
    runs = visible_runs(request.user).in_subtree(scope.unit)
    state, kind = request.GET.get("state", ""), request.GET.get("kind", "")
    start, end = parse_day(request.GET.get("from")), parse_day(request.GET.get("to"))
    if state in RunState.values:
        runs = runs.filter(state=state)
    if kind in InspectionKind.values:
        runs = runs.filter(kind=kind)
    if start:
        runs = runs.filter(inspected_on__gte=start)
    if end:
        runs = runs.filter(inspected_on__lte=end)
    runs = runs.annotate(
        item_count=Count("items", distinct=True),
        finding_count=Count("items__results", filter=Q(items__results__passed=False), distinct=True),
    ).order_by("-inspected_on", "-pk")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(
        f"{k}={v}"
        for k, v in {
            "unit": scope.unit.code,
            "state": state,
            "kind": kind,
            "from": request.GET.get("from", "") if start else "",
            "to": request.GET.get("to", "") if end else "",
        }.items()
        if v
    )
    return render(
        request,
        "inspections/list.html",
        {
            "scope": scope,
            "page": page,
            "states": RunState.choices,
            "kinds": InspectionKind.choices,
            "state": state,
            "kind": kind,
            "start": start,
            "end": end,
            "query": query,
            "can_manage": allowed(request.user, services.ACTION) and can_see_unit(request.user, scope.unit),
        },
    )


def _serials(text: str) -> list[str]:
    seen: list[str] = []
    for line in (text or "").replace(",", "\n").replace(";", "\n").splitlines():
        serial = nfc(line.strip())
        if serial and serial not in seen:
            seen.append(serial)
    return seen


def _items_of(user, unit: Unit, serials: list[str]) -> list[Item]:
    """The unit's items of these serials, in the order typed; unknown serials are named."""
    if len(serials) > MAX_SERIALS:
        raise DomainError(
            _("Mỗi lần nhập tối đa %(n)d số hiệu; hãy chọn nơi cất giữ để kiểm tra cả phòng.") % {"n": MAX_SERIALS},
            field="serials",
        )
    found: dict[str, list[Item]] = {}
    rows = Item.objects.visible_to(user).in_subtree(unit).filter(serial__in=serials).exclude(status=Status.VOID)
    for item in rows.order_by("pk"):
        found.setdefault(item.serial, []).append(item)
    unknown = [s for s in serials if s not in found]
    if unknown:
        raise DomainError(
            _("Không tìm thấy trang bị số hiệu %(serials)s trong %(unit)s.")
            % {"serials": ", ".join(unknown), "unit": unit.name},
            field="serials",
        )
    return [item for serial in serials for item in found[serial]]


def run_create(request):
    """Lập lần kiểm tra: unit, template (its current version), kind, inspector, day, a storage place
    of the unit (every item in it) and/or serials one per line."""
    scope = page_scope(request)
    _require_page(request.user)
    templates = list(ChecklistTemplate.objects.filter(is_current=True).order_by("name"))
    places = list(
        StoragePlace.objects.visible_to(request.user)
        .in_subtree(scope.unit)
        .filter(closed_on__isnull=True)
        .select_related("unit", "kind")
        .order_by("unit__path", "code")[:500]
    )
    today = timezone.localdate()
    values = {
        "unit": request.POST.get("unit", scope.unit.code),
        "template": request.POST.get("template", ""),
        "kind": request.POST.get("kind", ""),
        "inspector": request.POST.get("inspector", ""),
        "inspected_on": request.POST.get("inspected_on", today.strftime("%d/%m/%Y")),
        "place": request.POST.get("place", request.GET.get("place", "")),
        "serials": request.POST.get("serials", request.GET.get("serial", "")[:80]),
        "duty": request.POST.get("duty", request.GET.get("duty", "")),
    }
    duties = list(DutyRow.objects.select_related("place_kind").order_by("pk"))
    error = None
    if request.method == "POST":
        try:
            unit = Unit.objects.visible_to(request.user).filter(code=values["unit"]).first()
            if unit is None:
                raise DomainError(_("Không tìm thấy đơn vị."), field="unit")
            duty = None
            if values["duty"]:
                duty = next((d for d in duties if str(d.pk) == values["duty"]), None)
                if duty is None:
                    raise DomainError(_("Không có dòng ma trận kiểm tra này."), field="duty")
            template = next((t for t in templates if str(t.pk) == values["template"]), None)
            if template is None and duty is not None:  # the row names its template
                template = next((t for t in templates if t.code == duty.template_code), None)
            if template is None:
                raise DomainError(_("Chưa chọn mẫu phiếu kiểm tra."), field="template")
            day = parse_day(values["inspected_on"])
            if day is None:
                raise DomainError(_("Ngày kiểm tra phải có dạng dd/mm/yyyy."), field="inspected_on")
            place = None
            if values["place"]:
                place = StoragePlace.objects.visible_to(request.user).filter(pk=_pk(values["place"]) or 0).first()
                if place is None:
                    raise DomainError(_("Không tìm thấy nơi cất giữ."), field="place")
            serials = _serials(values["serials"])
            if place is None and not serials:
                raise DomainError(_("Chọn một nơi cất giữ hoặc nhập số hiệu trang bị cần kiểm tra."), field="serials")
            run = services.open_run(
                actor=request.user,
                unit=unit,
                template=template,
                inspector=values["inspector"],
                inspected_on=day,
                kind=values["kind"] or template.kind,
                items=_items_of(request.user, unit, serials),
                place=place,
                duty=duty,
            )
        except PermissionDenied as refusal:
            raise Forbidden(refusal.message) from None
        except DomainError as refusal:
            error = refusal
        else:
            messages.success(
                request,
                _("Đã lập lần kiểm tra KT-%(pk)d với %(n)d trang bị.") % {"pk": run.pk, "n": run.items.count()},
            )
            return redirect("inspections:detail", pk=run.pk)
    return render(
        request,
        "inspections/create.html",
        {
            "scope": scope,
            "values": values,
            "error": error,
            "templates": templates,
            "kinds": InspectionKind.choices,
            "places": places,
            "duties": duties,
        },
        status=422 if error else 200,
    )


class Cell:
    """One cell of the grid as the page draws it: the step, what was entered or typed, and why it
    was refused if it was."""

    def __init__(self, run_item: RunItem, step: RunStep, result: Result | None) -> None:
        self.run_item, self.step, self.result = run_item, step, result
        self.name = f"r-{run_item.pk}-{step.pk}"
        self.passed = result is None or result.passed
        self.typed = "" if result is None or result.value is None else _typed(result.value)
        self.error = ""

    @property
    def measure(self) -> bool:
        return self.step.method == Check.MEASURE


def _typed(value) -> str:
    """A stored measure as a Vietnamese user types it: 27.500 -> "27,5"."""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


class KitCell:
    """One line of an item's kit in the grid: what is missing and damaged of it, as found."""

    def __init__(self, run_item: RunItem, line: KitLine, missing: int, damaged: int) -> None:
        self.line = line
        self.name = f"k-{run_item.pk}-{line.pk}"
        self.missing, self.damaged = str(missing or ""), str(damaged or "")
        self.error = ""


class Row:
    def __init__(self, run_item: RunItem, cells: list[Cell], kit: list[KitCell] | None = None) -> None:
        self.run_item, self.cells = run_item, cells
        self.item = run_item.item
        self.grade = "" if run_item.grade_proposed is None else str(run_item.grade_proposed)
        self.grade_error = ""
        self.kit = kit or []

    @property
    def failed(self) -> bool:
        return any(not c.passed for c in self.cells)

    @property
    def kit_short(self) -> bool:
        return any(k.missing or k.damaged for k in self.kit)


def _grid(run: Run) -> tuple[list[RunStep], list[Row]]:
    steps = list(run.steps.select_related("reason").order_by("position"))
    run_items = list(run.items.select_related("item__equipment_type").order_by("position"))
    results = {
        (r.run_item_id, r.step_id): r for r in Result.objects.filter(run_item__run=run).select_related("work_order")
    }
    kit_lines: dict[int, list[KitLine]] = defaultdict(list)
    for line in KitLine.objects.filter(equipment_type__in={ri.item.equipment_type_id for ri in run_items}):
        kit_lines[line.equipment_type_id].append(line)
    now: dict[int, list[dict[str, int]]] = defaultdict(list)
    for s in ItemKitShortage.objects.filter(item__in=[ri.item_id for ri in run_items if ri.kit is None]):
        now[s.item_id].append({"line": s.line_id, "missing": s.missing, "damaged": s.damaged})
    rows = [
        Row(
            ri,
            [Cell(ri, s, results.get((ri.pk, s.pk))) for s in steps],
            _kit_cells(ri, kit_lines[ri.item.equipment_type_id], now[ri.item_id] if ri.kit is None else ri.kit),
        )
        for ri in run_items
    ]
    return steps, rows


def _kit_cells(run_item: RunItem, lines: list[KitLine], found: list[dict[str, int]]) -> list[KitCell]:
    """The item's kit lines with what the run found short of them (before it is saved: what the
    item is short of now, so that an untouched kit records nothing)."""
    short = {s["line"]: s for s in found}
    return [
        KitCell(run_item, line, short.get(line.pk, {}).get("missing", 0), short.get(line.pk, {}).get("damaged", 0))
        for line in lines
    ]


def _posted_grid(post, rows: list[Row]) -> tuple[dict, dict, dict, list[str]]:
    """What the grid form sent, as the service takes it; the cells it cannot read are marked on
    the rows (what was typed kept) and their messages returned."""
    results: dict[tuple[int, int], Any] = {}
    grades: dict[int, Any] = {}
    kits: dict[int, list[dict[str, Any]]] = {}
    problems: list[str] = []
    for row in rows:
        for cell in row.cells:
            key = (row.run_item.pk, cell.step.pk)
            if cell.measure:
                cell.typed = (post.get(cell.name) or "").strip()[:40]
                results[key] = cell.typed
                if cell.typed:
                    try:
                        value = services.measured(row.run_item, cell.step, cell.typed)
                    except DomainError as refusal:
                        cell.error = refusal.message
                        problems.append(refusal.message)
                    else:
                        cell.passed = services.within_limits(cell.step, value)
                else:
                    cell.passed = True
            else:
                cell.passed = post.get(cell.name) == "1"
                results[key] = "1" if cell.passed else "0"
        if row.kit:
            kits[row.run_item.pk] = _posted_kit(post, row, problems)
        row.grade = (post.get(f"g-{row.run_item.pk}") or "").strip()[:4]
        grades[row.run_item.pk] = row.grade
        if row.grade and not (row.grade.isdigit() and 1 <= int(row.grade) <= 5):
            row.grade_error = _("Trang bị %(serial)s: cấp chất lượng đề nghị phải từ 1 đến 5.") % {
                "serial": row.item.serial
            }
            problems.append(row.grade_error)
    return results, grades, kits, problems


def _posted_kit(post, row: Row, problems: list[str]) -> list[dict[str, Any]]:
    """The row's kit as posted; a number it cannot read is marked on its cell (what was typed kept)."""
    shortages = []
    for cell in row.kit:
        cell.missing = (post.get(f"{cell.name}-m") or "").strip()[:6]
        cell.damaged = (post.get(f"{cell.name}-d") or "").strip()[:6]
        numbers = []
        for typed in (cell.missing, cell.damaged):
            if typed and not typed.isdigit():
                cell.error = _("Trang bị %(serial)s, “%(line)s”: số thiếu, hỏng phải là số nguyên không âm.") % {
                    "serial": row.item.serial,
                    "line": cell.line.name,
                }
            numbers.append(int(typed) if typed.isdigit() else 0)
        if cell.error:
            problems.append(cell.error)
        elif any(numbers):
            shortages.append({"line": cell.line.pk, "missing": numbers[0], "damaged": numbers[1]})
    return shortages


def _mark(rows: list[Row], refusal: DomainError) -> None:
    """Put the service's refusal on the cell or grade it names."""
    for row in rows:
        if refusal.field == f"g-{row.run_item.pk}":
            row.grade_error = refusal.message
        for kit_cell in row.kit:
            if refusal.field == kit_cell.name:
                kit_cell.error = refusal.message
        for cell in row.cells:
            if refusal.field == cell.name:
                cell.error = refusal.message


def _run_of(request, pk) -> Run:
    return get_object_or_404(visible_runs(request.user), pk=pk)


def _context(request, run: Run, rows: list[Row] | None = None, steps: list[RunStep] | None = None) -> dict:
    if rows is None or steps is None:
        steps, rows = _grid(run)
    failed = services.findings(run)
    today = timezone.localdate()
    actions = list(run.actions.select_related("result__step", "result__run_item__item").order_by("deadline", "pk"))
    for action in actions:
        action.is_overdue = action.overdue(today)  # for the template
    may_manage = allowed(request.user, services.ACTION) and can_see_unit(request.user, run.unit)
    return {
        "run": run,
        "steps": steps,
        "rows": rows,
        "has_kits": any(row.kit for row in rows),
        "findings": failed,
        "actions": actions,
        "editable": may_manage and not run.is_finished,
        "may_manage": may_manage,
        "events": [line.event for line in run.event_lines.select_related("event__item").order_by("position")],
        "work_orders": _orders(run),
        "reason_names": dict(ReadinessReason.objects.values_list("code", "name")),
        "today": today,
        "grades": range(1, 6),
    }


def _orders(run: Run) -> list:
    """The work orders the run opened, once each."""
    seen: dict[int, Any] = {}
    for result in Result.objects.filter(run_item__run=run, work_order__isnull=False).select_related(
        "work_order", "run_item__item"
    ):
        seen.setdefault(result.work_order_id or 0, (result.work_order, result.run_item.item))
    return list(seen.values())


def _do(request, run: Run, action: str, rows: list[Row]) -> str:
    """Run the posted action; the message to show once it is done."""
    user, version = request.user, _version(request)
    if action in ("save", "finish"):
        results, grades, kits, problems = _posted_grid(request.POST, rows)
        if problems:
            raise DomainError(
                _("Có %(n)d ô chưa đúng; không ô nào được ghi: %(first)s") % {"n": len(problems), "first": problems[0]},
                field="grid",
            )
        with transaction.atomic():
            saved = services.enter_results(run, actor=user, results=results, grades=grades, kits=kits, version=version)
            if action == "save":
                return _("Đã lưu kết quả kiểm tra KT-%(pk)d (bản nháp).") % {"pk": run.pk}
            services.finish_run(saved, actor=user, version=saved.version)
        return _("Đã kết thúc lần kiểm tra KT-%(pk)d: đã ghi vào sổ những gì kiểm tra phát hiện.") % {"pk": run.pk}
    if action == "add_action":
        deadline = parse_day(request.POST.get("deadline"))
        if deadline is None:
            raise DomainError(_("Thời hạn phải có dạng dd/mm/yyyy."), field="deadline")
        result = None
        if request.POST.get("result"):
            result = Result.objects.filter(run_item__run=run, pk=_pk(request.POST.get("result")) or 0).first()
            if result is None:
                raise DomainError(_("Phát hiện không thuộc lần kiểm tra này."), field="result")
        services.add_action(
            run,
            actor=user,
            text=request.POST.get("text", ""),
            responsible=request.POST.get("responsible", ""),
            deadline=deadline,
            result=result,
        )
        return _("Đã thêm biện pháp khắc phục.")
    if action == "close_action":
        found = CorrectiveAction.objects.filter(run=run, pk=_pk(request.POST.get("corrective")) or 0).first()
        if found is None:
            raise DomainError(_("Không tìm thấy biện pháp khắc phục."), field="corrective")
        closed_on = None
        if (request.POST.get("closed_on") or "").strip():
            closed_on = parse_day(request.POST.get("closed_on"))
            if closed_on is None:
                raise DomainError(_("Ngày hoàn thành phải có dạng dd/mm/yyyy."), field="closed_on")
        services.close_action(found, actor=user, done=request.POST.get("done", ""), closed_on=closed_on)
        return _("Đã đóng biện pháp “%(text)s”.") % {"text": found.text}
    raise DomainError(_("Thao tác không hợp lệ."), field="action")


@object_view(Run)
def run_detail(request, pk):
    """The run: its facts, its results grid (a draft: entered, saved again, finished; finished:
    read only, with the work orders and events it wrote), findings and corrective actions."""
    run = _run_of(request, pk)
    if request.method == "POST":
        steps, rows = _grid(run)
        try:
            done = _do(request, run, request.POST.get("action", ""), rows)
        except PermissionDenied as refusal:
            raise Forbidden(refusal.message) from None
        except DomainError as refusal:
            _mark(rows, refusal)
            run.refresh_from_db()
            context = _context(request, run, rows, steps) | {"error": refusal, "posted": request.POST}
            if request.POST.get("action") not in ("save", "finish") or run.is_finished:
                context["rows"] = _grid(run)[1]  # the grid as stored: only the grid's own cells are kept as typed
            return render(
                request, "inspections/detail.html", context, status=409 if refusal.code == "conflict" else 422
            )
        messages.success(request, done)
        return redirect("inspections:detail", pk=run.pk)
    return render(request, "inspections/detail.html", _context(request, run))


@object_view(Run)
def run_print(request, pk):
    """Biên bản kiểm tra kỹ thuật on A4: the facts, the grid or its findings, the grades proposed,
    the corrective actions, the signatures."""
    run = _run_of(request, pk)
    context = _context(request, run)
    context.update(
        letterhead=letterhead(run.unit, run.inspected_on),
        full_grid=len(context["steps"]) <= 8,
        proposed=[row for row in context["rows"] if row.run_item.grade_proposed is not None],
        signers=[
            (_("Người kiểm tra"), _("(Ký, ghi rõ họ tên)"), run.inspector),
            (_("Chỉ huy đơn vị"), _("(Ký, ghi rõ họ tên, đóng dấu)"), ""),
        ],
    )
    return render(request, "inspections/print.html", context)


def action_list(request):
    """Biện pháp khắc phục not yet closed in the subtree (the overdue ones first), or only the overdue."""
    scope = page_scope(request)
    today = timezone.localdate()
    rows = (
        CorrectiveAction.objects.visible_to(request.user)
        .in_subtree(scope.unit)
        .filter(closed_on__isnull=True)
        .select_related("run__unit", "result__step", "result__run_item__item")
        .order_by("deadline", "pk")
    )
    overdue_only = request.GET.get("overdue") == "1"
    if overdue_only:
        rows = rows.filter(deadline__lt=today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for action in page:
        action.is_overdue = action.overdue(today)
    return render(
        request,
        "inspections/actions.html",
        {"scope": scope, "page": page, "overdue_only": overdue_only, "today": today},
    )
