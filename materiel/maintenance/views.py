"""Maintenance pages: the due board (with its XLSX and its A4 print), the form recording a maintenance,
and the maintenance plans of the catalogue (read by all, edited with `catalog.manage`)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.page_scope import page_scope
from materiel.accounts.scoping import PermissionDenied, allowed
from materiel.catalog.models import EquipmentType, Meter
from materiel.core.errors import DomainError
from materiel.core.views import object_view
from materiel.core.xlsx import xlsx_response
from materiel.documents.letterhead import letterhead
from materiel.equipment.models import Item

from . import board, services
from .forms import DoneForm, PlanForm
from .models import STATE_ORDER, MaintenancePlan

PAGE_SIZE = 50
# The print of a board this long or longer asks to be filtered (the XLSX has every row).
PRINT_ROWS = 2000


def _require_page(user, action: str) -> None:
    if not allowed(user, action):
        raise Forbidden(_("Vai trò của bạn không được phép mở trang này."))


def _put_error(form, error: DomainError) -> None:
    field = error.field if error.field in form.fields and not form.fields[error.field].disabled else None
    form.add_error(field, error.message)


def board_url(unit, params, **changes) -> str:
    """The board of `unit` with the page's filters, some changed (None drops one)."""
    query = {"unit": unit.code, **{k: params.get(k) for k in board.FILTERS if params.get(k)}}
    query.update(changes)
    return "?" + urlencode({k: v for k, v in query.items() if v not in (None, "")})


def due_board(request):
    """Bảng theo dõi hạn bảo dưỡng: every (item, plan) of the chosen subtree, filtered, with counts per
    child unit whose every number opens exactly the rows it counts."""
    scope = page_scope(request)
    params = request.GET
    today = timezone.localdate()
    if params.get("format") == "xlsx":
        return xlsx_response(
            board.export(request.user, scope.unit, params, today), f"han-bao-duong-{scope.unit.code}.xlsx"
        )
    rows = board.board_rows(request.user, scope.unit, params, today)
    page = Paginator(rows, PAGE_SIZE).get_page(params.get("page"))
    count_lines, total = board.unit_counts(request.user, scope.unit, params, today)
    states = [(s.value, s.label) for s in STATE_ORDER]
    counts = []
    for line in count_lines:
        unit, direct = (line.unit, None) if line.unit is not None else (scope.unit, "1")
        counts.append(
            {
                "unit": line.unit,
                "cells": [
                    (line.counts[s], board_url(unit, params, state=s, direct=direct, page=None)) for s, _label in states
                ],
                "total": (line.total, board_url(unit, params, state=None, direct=direct, page=None)),
            }
        )
    totals = {
        "cells": [(total.counts[s], board_url(scope.unit, params, state=s, page=None)) for s, _label in states],
        "total": (total.total, board_url(scope.unit, params, state=None, page=None)),
    }
    query = board_url(scope.unit, params)[1:]
    return render(
        request,
        "maintenance/board.html",
        {
            "scope": scope,
            "params": params,
            "page": page,
            "lines": board.lines(page, today),
            "count": page.paginator.count,
            "counts": counts,
            "totals": totals,
            "states": states,
            "choices": board.choices(scope.unit),
            "query": query,
            "today": today,
            "can_record": allowed(request.user, "ledger.record"),
        },
    )


def board_print(request):
    """The board as filtered, on A4 sheets with the letterhead and the signatures."""
    scope = page_scope(request)
    params = request.GET
    today = timezone.localdate()
    rows = board.board_rows(request.user, scope.unit, params, today)
    total = rows.count()
    return render(
        request,
        "maintenance/board_print.html",
        {
            "scope": scope,
            "lines": board.lines(rows[:PRINT_ROWS], today) if total <= PRINT_ROWS else [],
            "total": total,
            "too_many": total > PRINT_ROWS,
            "limit": PRINT_ROWS,
            "filters": board.describe(params),
            "query": board_url(scope.unit, params)[1:],
            "today": today,
            "letterhead": letterhead(scope.unit, today),
            "signers": [
                (_("Người lập biểu"), "", str(request.user)),
                (_("Thủ trưởng đơn vị"), _("(Ký, ghi rõ họ tên, đóng dấu)"), ""),
            ],
        },
    )


@object_view(Item)
def record_done(request, pk):
    """Ghi bảo dưỡng xong: a maintenance of one item by one of its type's plans (a ledger event)."""
    item = get_object_or_404(Item.objects.visible_to(request.user).select_related("equipment_type", "unit"), pk=pk)
    _require_page(request.user, "ledger.record")
    initial = {"plan": request.GET.get("plan")} if str(request.GET.get("plan") or "").isdigit() else {}
    form = DoneForm(request.POST or None, equipment_type=item.equipment_type, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_maintenance(
                item, plan=data["plan"], occurred_on=data["occurred_on"], note=data["note"], actor=request.user
            )
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(
                request,
                _("Đã ghi %(plan)s cho %(item)s.") % {"plan": data["plan"].name, "item": f"{item.serial}"},
            )
            back = request.GET.get("back", "")
            return redirect(f"/bao-duong/{back}" if back.startswith("?") else f"/bao-duong/?unit={item.unit.code}")
    return render(
        request,
        "maintenance/done_form.html",
        {"item": item, "form": form},
        status=422 if form.errors else 200,
    )


def plans(request):
    """The maintenance plans of every type (định mức bảo dưỡng), with their triggers."""
    listed = MaintenancePlan.objects.select_related("equipment_type__category").prefetch_related("parts__part_type")
    if request.GET.get("type"):
        listed = listed.filter(equipment_type__code=request.GET["type"])
    meter_units = {Meter.KM: "km", Meter.ENGINE_HOURS: _("giờ máy"), Meter.ROUNDS: _("phát")}
    for plan in listed:
        plan.triggers = [(value, meter_units[meter]) for meter, value in plan.meter_intervals().items()]
    return render(
        request,
        "maintenance/plans.html",
        {
            "plans": listed,
            "types": EquipmentType.objects.filter(maintenance_plans__isnull=False).distinct(),
            "can_edit": allowed(request.user, "catalog.manage"),
        },
    )


PART_ROWS_BLANK = 3  # empty rows under a plan's parts, to add new ones


def part_rows(request, plan=None) -> list[dict]:
    """The rows of the plan's standard parts as the form shows them: posted, or stored plus blank ones."""
    if request.method == "POST":
        count = min(
            int(request.POST.get("parts-count") or 0) if str(request.POST.get("parts-count")).isdigit() else 0, 100
        )
        return [
            {"type": request.POST.get(f"parts-{n}-type", ""), "quantity": request.POST.get(f"parts-{n}-quantity", "")}
            for n in range(1, count + 1)
        ]
    stored = (
        [] if plan is None else [{"type": str(p.part_type_id), "quantity": str(p.quantity)} for p in plan.parts.all()]
    )
    return stored + [{"type": "", "quantity": ""} for _n in range(PART_ROWS_BLANK)]


def part_types():
    """What a standard part may be: the counted types (spare parts and materials, held in lots)."""
    return EquipmentType.objects.filter(serialised=False).select_related("category").order_by("category__order", "name")


def _parts_of(rows) -> list[tuple]:
    types = part_types().in_bulk([int(r["type"]) for r in rows if str(r["type"]).isdigit()])
    return [(types.get(int(r["type"])) if str(r["type"]).isdigit() else None, r["quantity"]) for r in rows]


@transaction.atomic
def _save_with_parts(request, form, rows, plan=None):
    """The plan and its standard parts in one transaction: a bad part row leaves the plan unchanged."""
    saved = _save(request, form, plan)
    services.save_plan_parts(saved, _parts_of(rows), actor=request.user, request=request)
    return saved


def _parts_context(rows, error=None) -> dict:
    bad_row = None
    if error is not None and (error.field or "").startswith("parts-"):
        bad_row = error.field
    return {"part_rows": rows, "part_types": part_types(), "part_error": bad_row}


def _save(request, form, plan=None):
    data = form.cleaned_data
    return services.save_plan(
        actor=request.user,
        equipment_type=plan.equipment_type if plan else data["equipment_type"],
        name=data["name"],
        every_km=data["every_km"],
        every_engine_hours=data["every_engine_hours"],
        every_rounds=data["every_rounds"],
        every_days=data["every_days"],
        tolerance_percent=data["tolerance_percent"] if data["tolerance_percent"] is not None else 10,
        soon_percent=data["soon_percent"],
        soon_days=data["soon_days"],
        statuses=data["statuses"],
        labour_hours=data["labour_hours"],
        steps=data["steps"],
        starts_on=data["starts_on"],
        plan=plan,
        request=request,
    )


def plan_create(request):
    _require_page(request.user, "catalog.manage")
    initial = {}
    if request.GET.get("type"):
        initial["equipment_type"] = EquipmentType.objects.filter(code=request.GET["type"]).first()
    form = PlanForm(request.POST or None, initial=initial)
    rows, error = part_rows(request), None
    if request.method == "POST" and form.is_valid():
        try:
            plan = _save_with_parts(request, form, rows)
        except DomainError as refused:
            error = refused
            _put_error(form, error)
        else:
            messages.success(request, _("Đã thêm kế hoạch bảo dưỡng %(name)s.") % {"name": plan.name})
            return redirect("maintenance:plans")
    context = {"form": form, "creating": True, **_parts_context(rows, error)}
    return render(request, "maintenance/plan_form.html", context, status=422 if form.errors else 200)


@object_view(MaintenancePlan)
def plan_edit(request, pk):
    plan = get_object_or_404(MaintenancePlan.objects.select_related("equipment_type"), pk=pk)
    _require_page(request.user, "catalog.manage")
    form = PlanForm(request.POST or None, initial=PlanForm.initial_of(plan), editing=True)
    rows, error = part_rows(request, plan), None
    if request.method == "POST" and form.is_valid():
        try:
            _save_with_parts(request, form, rows, plan)
        except DomainError as refused:
            error = refused
            _put_error(form, error)
        else:
            messages.success(request, _("Đã lưu kế hoạch bảo dưỡng %(name)s.") % {"name": plan.name})
            return redirect("maintenance:plans")
    context = {"form": form, "plan": plan, **_parts_context(rows, error)}
    return render(request, "maintenance/plan_form.html", context, status=422 if form.errors else 200)
