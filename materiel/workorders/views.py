"""Work order pages: the list, a new order (from a page or from a row of the due board), its page
with its rows, labour, parts, events and state log, its moves, its close, its A4 print; and the
repair reference data (levels, facilities) on the catalogue."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from materiel.accounts.page_scope import page_scope
from materiel.accounts.scoping import PermissionDenied, allowed, can_see_unit
from materiel.core.errors import DomainError
from materiel.core.views import object_view
from materiel.documents.letterhead import letterhead
from materiel.equipment.models import Item
from materiel.ledger.models import Event
from materiel.maintenance.compliance import compliance as maintenance_compliance
from materiel.maintenance.models import MaintenancePlan
from materiel.units.models import Unit

from . import reference, services
from .forms import CloseForm, EditForm, FacilityForm, ItemForm, LabourForm, LevelForm, OrderForm, PartForm
from .models import MOVES, Facility, OrderKind, OrderState, RepairLevel, WorkOrder
from .reliability import figures as reliability_figures

PAGE_SIZE = 50


def _require_page(user, action: str) -> None:
    if not allowed(user, action):
        raise Forbidden(_("Vai trò của bạn không được phép mở trang này."))


def _put_error(form, error: DomainError) -> None:
    field = error.field if error.field in form.fields and not form.fields[error.field].disabled else None
    form.add_error(field, error.message)


def _order_of(request, pk: int) -> WorkOrder:
    return get_object_or_404(
        WorkOrder.objects.visible_to(request.user).select_related("unit", "level", "facility", "created_by"), pk=pk
    )


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def _find_item(user, serial: str) -> Item:
    serial = (serial or "").strip()
    found = list(Item.objects.visible_to(user).filter(serial=serial).select_related("equipment_type", "unit")[:2])
    if not found:
        raise DomainError(_("Không tìm thấy trang bị số hiệu %(serial)s.") % {"serial": serial}, field="serial")
    if len(found) > 1:
        raise DomainError(
            _("Có nhiều trang bị số hiệu %(serial)s: lập phiếu từ trang của trang bị.") % {"serial": serial},
            field="serial",
        )
    return found[0]


def order_list(request):
    """Phiếu công việc of the chosen subtree, filtered by state and kind."""
    scope = page_scope(request)
    orders = WorkOrder.objects.visible_to(request.user).in_subtree(scope.unit).select_related("unit")
    state, kind = request.GET.get("state", ""), request.GET.get("kind", "")
    if state in OrderState.values:
        orders = orders.filter(state=state)
    if kind in OrderKind.values:
        orders = orders.filter(kind=kind)
    ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.isdigit() and len(i) < 12][:1000]
    if ids:  # a drill-down from the reliability figures: exactly the orders behind one number
        orders = orders.filter(pk__in=ids)
    query = urlencode(
        {
            k: v
            for k, v in {
                "unit": scope.unit.code,
                "state": state,
                "kind": kind,
                "ids": request.GET.get("ids", ""),
            }.items()
            if v
        }
    )
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workorders/list.html",
        {
            "scope": scope,
            "page": page,
            "states": OrderState.choices,
            "kinds": OrderKind.choices,
            "state": state,
            "kind": kind,
            "query": query,
            "can_manage": allowed(request.user, services.ACTION),
        },
    )


def order_create(request):
    """Lập phiếu công việc; ?item=<id>&plan=<id> (a row of the due board) fills in the item and plan."""
    _require_page(request.user, services.ACTION)
    item = None
    if str(request.GET.get("item", "")).isdigit():
        item = get_object_or_404(
            Item.objects.visible_to(request.user).select_related("equipment_type", "unit"), pk=request.GET["item"]
        )
    initial: dict = {"kind": OrderKind.MAINTENANCE}
    if item is not None:
        initial["serial"] = item.serial
        plan = None
        if str(request.GET.get("plan", "")).isdigit():
            plan = MaintenancePlan.objects.filter(pk=request.GET["plan"], equipment_type=item.equipment_type).first()
        initial["plan"] = plan
        initial["title"] = plan.name if plan else ""
    form = OrderForm(
        request.POST or None,
        initial=initial,
        user=request.user,
        equipment_type=item.equipment_type if item else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            chosen = item if item is not None and item.serial == data["serial"].strip() else None
            chosen = chosen or _find_item(request.user, data["serial"])
            order = services.create_order(
                actor=request.user,
                unit=chosen.unit,
                kind=data["kind"],
                title=data["title"],
                items=[services.Wanted(chosen, data["plan"])],
                opened_on=data["opened_on"],
                fault=data["fault"],
                level=data["level"],
                facility=data["facility"],
                cost=data["cost"],
                state=OrderState.OPEN if data["open_now"] else OrderState.DRAFT,
            )
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(request, _("Đã lập phiếu công việc %(number)s.") % {"number": order.number})
            return redirect("workorders:detail", pk=order.pk)
    return render(request, "workorders/form.html", {"form": form, "item": item}, status=422 if form.errors else 200)


def _detail_context(request, order: WorkOrder) -> dict:
    rows = list(order.items.select_related("item__equipment_type", "item__unit", "plan"))
    events = list(
        Event.objects.filter(workorders_workorderline__record=order)
        .select_related("item", "lot__equipment_type")
        .order_by("workorders_workorderline__position")
    )
    can_manage = allowed(request.user, services.ACTION) and can_see_unit(request.user, order.unit)
    return {
        "order": order,
        "rows": rows,
        "labour": list(order.labour.all()),
        "labour_total": order.labour.aggregate(total=Sum("hours"))["total"],
        "parts": list(order.parts.select_related("lot__equipment_type")),
        "events": events,
        "changes": list(order.changes.select_related("by")),
        "moves": [(s, OrderState(s).label) for s in MOVES.get(order.state, ())],
        "can_manage": can_manage and not order.is_closed,
        "can_close": can_manage and order.state in (OrderState.OPEN, OrderState.IN_PROGRESS),
        "downtime": services.downtime_days(order) if order.is_repair else None,
    }


@object_view(WorkOrder)
def order_detail(request, pk):
    order = _order_of(request, pk)
    context = _detail_context(request, order)
    if context["can_manage"]:
        context.update(
            item_form=ItemForm(prefix="item"),
            labour_form=LabourForm(prefix="labour"),
            part_form=PartForm(prefix="part", unit=order.unit),
        )
        context["item_form"].fields["plan"].queryset = (
            MaintenancePlan.objects.filter(equipment_type__in={r.item.equipment_type_id for r in context["rows"]})
            or MaintenancePlan.objects.all()
        )
    return render(request, "workorders/detail.html", context)


def _refusal(request, order, error: DomainError, forms: dict | None = None):
    """The order's page again, with the refusal next to its field (422), nothing written."""
    context = _detail_context(request, order)
    context.update(
        item_form=ItemForm(prefix="item"),
        labour_form=LabourForm(prefix="labour"),
        part_form=PartForm(prefix="part", unit=order.unit),
    )
    context.update(forms or {})
    context["error"] = error.message
    return render(request, "workorders/detail.html", context, status=409 if error.code == "conflict" else 422)


def _act(request, order, do, success: str, forms: dict | None = None):
    try:
        do()
    except PermissionDenied as error:
        raise Forbidden(error.message) from None
    except DomainError as error:
        for form in (forms or {}).values():
            if error.field in form.fields:
                form.add_error(error.field, error.message)
        order.refresh_from_db()
        return _refusal(request, order, error, forms)
    messages.success(request, success)
    return redirect("workorders:detail", pk=order.pk)


@require_POST
@object_view(WorkOrder)
def add_item(request, pk):
    order = _order_of(request, pk)
    _require_page(request.user, services.ACTION)
    form = ItemForm(request.POST, prefix="item")
    if not form.is_valid():
        return _refusal(request, order, DomainError(_("Kiểm tra lại trang bị.")), {"item_form": form})

    def do():
        item = _find_item(request.user, form.cleaned_data["serial"])
        services.add_item(
            order, item=item, plan=form.cleaned_data["plan"], actor=request.user, version=_version(request)
        )

    return _act(request, order, do, _("Đã thêm trang bị."), {"item_form": form})


@require_POST
@object_view(WorkOrder)
def add_labour(request, pk):
    order = _order_of(request, pk)
    _require_page(request.user, services.ACTION)
    form = LabourForm(request.POST, prefix="labour")
    if not form.is_valid():
        return _refusal(request, order, DomainError(_("Kiểm tra lại dòng giờ công.")), {"labour_form": form})

    def do():
        services.add_labour(order, actor=request.user, version=_version(request), **form.cleaned_data)

    return _act(request, order, do, _("Đã ghi giờ công."), {"labour_form": form})


@require_POST
@object_view(WorkOrder)
def add_part(request, pk):
    order = _order_of(request, pk)
    _require_page(request.user, services.ACTION)
    form = PartForm(request.POST, prefix="part", unit=order.unit)
    if not form.is_valid():
        return _refusal(request, order, DomainError(_("Kiểm tra lại dòng phụ tùng.")), {"part_form": form})

    def do():
        services.add_part(order, actor=request.user, version=_version(request), **form.cleaned_data)

    return _act(request, order, do, _("Đã thêm phụ tùng."), {"part_form": form})


@require_POST
@object_view(WorkOrder)
def remove_line(request, pk):
    order = _order_of(request, pk)
    _require_page(request.user, services.ACTION)
    line = request.POST.get("line", "")

    def do():
        services.remove_line(
            order,
            what=request.POST.get("what", ""),
            pk=int(line) if line.isdigit() and len(line) < 12 else 0,
            actor=request.user,
            version=_version(request),
        )

    return _act(request, order, do, _("Đã bỏ dòng."))


@require_POST
@object_view(WorkOrder)
def move(request, pk):
    order = _order_of(request, pk)
    _require_page(request.user, services.ACTION)
    to = request.POST.get("to", "")

    def do():
        services.transition(order, to, actor=request.user, version=_version(request))

    label = OrderState(to).label if to in OrderState.values else to
    return _act(request, order, do, _("Phiếu đã chuyển sang “%(state)s”.") % {"state": label})


@object_view(WorkOrder)
def edit(request, pk):
    order = _order_of(request, pk)
    _require_page(request.user, services.ACTION)
    if order.is_closed:
        messages.error(request, _("Phiếu %(number)s đã đóng: không thể sửa.") % {"number": order.number})
        return redirect("workorders:detail", pk=order.pk)
    initial = {
        "title": order.title,
        "fault": order.fault,
        "level": order.level,
        "facility": order.facility,
        "cost": order.cost,
        "version": order.version,
    }
    form = EditForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_order(order, actor=request.user, **data)
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(request, _("Đã lưu phiếu %(number)s.") % {"number": order.number})
            return redirect("workorders:detail", pk=order.pk)
    return render(request, "workorders/edit.html", {"form": form, "order": order}, status=422 if form.errors else 200)


@object_view(WorkOrder)
def close(request, pk):
    """Hoàn thành phiếu: the results, the day, the meters read and the grades after a repair; writes
    every event of the order in one transaction."""
    order = _order_of(request, pk)
    _require_page(request.user, services.ACTION)
    rows = list(order.items.select_related("item__equipment_type").order_by("position"))
    form = CloseForm(request.POST or None, initial={"version": order.version}, order=order, rows=rows)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        readings = [
            services.Reading(line=row.pk, meter=meter, value=data[f"reading-{row.pk}-{meter}"])
            for row in rows
            for meter in row.item.equipment_type.meters
        ]
        grades = {row.pk: data.get(f"grade-{row.pk}") for row in rows}
        try:
            services.close_order(
                order,
                actor=request.user,
                results=data["results"],
                occurred_on=data["occurred_on"],
                readings=readings,
                grades=grades,
                version=data["version"],
            )
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except DomainError as error:
            _put_error(form, error)
        else:
            messages.success(request, _("Đã hoàn thành phiếu %(number)s.") % {"number": order.number})
            return redirect("workorders:detail", pk=order.pk)
    return render(request, "workorders/close.html", {"form": form, "order": order}, status=422 if form.errors else 200)


@object_view(WorkOrder)
def order_print(request, pk):
    order = _order_of(request, pk)
    context = _detail_context(request, order)
    context.update(
        letterhead=letterhead(order.unit, timezone.localdate()),
        signers=[
            (_("Người thực hiện"), _("(Ký, ghi rõ họ tên)"), ""),
            (_("Người lập phiếu"), "", str(order.created_by)),
            (_("Thủ trưởng đơn vị"), _("(Ký, ghi rõ họ tên, đóng dấu)"), ""),
        ],
    )
    return render(request, "workorders/print.html", context)


# ---- repair reference data -------------------------------------------------------------------------


def repair_catalogue(request):
    """Cấp sửa chữa and cơ sở sửa chữa: read by all, edited with `catalog.manage`."""
    can_edit = allowed(request.user, "catalog.manage")
    level_form = LevelForm(prefix="level")
    facility_form = FacilityForm(prefix="facility")
    status = 200
    if request.method == "POST":
        _require_page(request.user, "catalog.manage")
        try:
            if "level-name" in request.POST:
                level_form = LevelForm(request.POST, prefix="level")
                if level_form.is_valid():
                    data = level_form.cleaned_data
                    reference.save_level(actor=request.user, request=request, **data)
                    messages.success(request, _("Đã lưu cấp sửa chữa %(name)s.") % {"name": data["name"]})
                    return redirect("workorders:repair_catalogue")
            else:
                facility_form = FacilityForm(request.POST, prefix="facility")
                if facility_form.is_valid():
                    data = facility_form.cleaned_data
                    unit = None
                    if data["unit"]:
                        unit = Unit.objects.visible_to(request.user).filter(code=data["unit"].strip()).first()
                        if unit is None:
                            raise DomainError(
                                _("Không tìm thấy đơn vị %(code)s.") % {"code": data["unit"]}, field="unit"
                            )
                    reference.save_facility(
                        actor=request.user, request=request, name=data["name"], kind=data["kind"], unit=unit
                    )
                    messages.success(request, _("Đã lưu cơ sở sửa chữa %(name)s.") % {"name": data["name"]})
                    return redirect("workorders:repair_catalogue")
        except PermissionDenied as error:
            raise Forbidden(error.message) from None
        except DomainError as error:
            _put_error(level_form if "level-name" in request.POST else facility_form, error)
        status = 422
    return render(
        request,
        "workorders/repair_catalogue.html",
        {
            "levels": RepairLevel.objects.all(),
            "facilities": Facility.objects.usable_by(request.user).select_related("unit"),
            "can_edit": can_edit,
            "level_form": level_form,
            "facility_form": facility_form,
        },
        status=status,
    )


# ---- reliability -----------------------------------------------------------------------------------


def _period(request) -> tuple:
    from materiel.core.days import parse_day

    today = timezone.localdate()
    start = parse_day(request.GET.get("from")) or today.replace(year=today.year - 1)
    end = parse_day(request.GET.get("to")) or today
    return (start, end) if start <= end else (end, start)


def reliability(request):
    """Độ tin cậy: MTBF, MTTR, downtime per unit and top faults, each drilling down to its orders."""
    scope = page_scope(request)
    start, end = _period(request)
    figures = reliability_figures(request.user, scope.unit, start, end)
    kept = maintenance_compliance(request.user, scope.unit, start, end)
    return render(
        request,
        "workorders/reliability.html",
        {"scope": scope, "figures": figures, "compliance": kept, "start": start, "end": end},
    )
