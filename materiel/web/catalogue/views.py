"""Catalogue pages: everyone reads them; `catalog.manage` edits categories and types, and
`holdings.manage` sets authorised holdings inside the user's own subtree."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from materiel.accounts.page_scope import page_scope
from materiel.accounts.scoping import allowed
from materiel.catalog import services
from materiel.catalog.models import AuthorizedHolding, Category, EquipmentType, Meter
from materiel.core.errors import DomainError
from materiel.core.text import search_fold
from materiel.core.views import object_view
from materiel.core.xlsx import write_xlsx, xlsx_response
from materiel.ledger.kit import save_standard_kit
from materiel.reports.lists import HOLDING_COLUMNS, TYPE_COLUMNS, holding_table_rows, type_table

from .forms import CategoryForm, HoldingForm, KitFormSet, SearchForm, TypeForm
from .holdings import holding_table


def require_page(user, action: str) -> None:
    if not allowed(user, action):
        raise Forbidden(_("Vai trò của bạn không được phép mở trang này."))


def put_error(form, error: DomainError) -> None:
    """The service's message next to the field it names (or above the form)."""
    field = error.field if error.field in form.fields and not form.fields[error.field].disabled else None
    form.add_error(field, error.message)


def form_page(request, template: str, context: dict):
    return render(request, template, context, status=422 if context["form"].errors else 200)


def catalogue(request):
    """Categories and types, searchable without diacritics, filtered by category."""
    search = SearchForm(request.GET or None)
    types = EquipmentType.objects.select_related("category").annotate(kit_count=Count("kit_lines"))
    query = ""
    if search.is_valid():
        query = search_fold(search.cleaned_data["q"] or "")
        if search.cleaned_data["category"]:
            types = types.filter(category=search.cleaned_data["category"])
    types = list(types)
    if query:
        # The catalogue is small (hundreds of types): fold in Python, joiners and all.
        types = [t for t in types if query in search_fold(f"{t.search_key} {t.category.name}")]
    if request.GET.get("format") == "xlsx":
        described = [(_("Tìm"), search.cleaned_data["q"])] if query else []
        output = write_xlsx(
            title=_("DANH MỤC CHỦNG LOẠI TRANG BỊ"),
            filters=described,
            columns=TYPE_COLUMNS,
            rows=type_table(types),
            sheet=_("Danh mục trang bị"),
        )
        return xlsx_response(output, "danh-muc-chung-loai.xlsx")
    meter_names = dict(Meter.choices)
    for t in types:
        t.meter_names = [meter_names.get(m, m) for m in t.meters]
    return render(
        request,
        "catalogue/catalogue.html",
        {
            "search": search,
            "types": types,
            "categories": Category.objects.annotate(type_count=Count("types")),
            "can_edit": allowed(request.user, "catalog.manage"),
        },
    )


def _save_category(request, form, category=None):
    data = form.cleaned_data
    return services.save_category(
        actor=request.user,
        code=data.get("code") or "",
        name=data["name"],
        order=data.get("order") or 0,
        category=category,
        request=request,
    )


def category_create(request):
    require_page(request.user, "catalog.manage")
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = _save_category(request, form)
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Đã thêm nhóm %(name)s.") % {"name": category.name})
            return redirect("catalogue:index")
    return form_page(request, "catalogue/category_form.html", {"form": form, "creating": True})


@object_view(Category)
def category_edit(request, pk):
    category = get_object_or_404(Category, pk=pk)
    require_page(request.user, "catalog.manage")
    initial = {"code": category.code, "name": category.name, "order": category.order}
    form = CategoryForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            _save_category(request, form, category)
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Đã lưu nhóm %(name)s.") % {"name": category.name})
            return redirect("catalogue:index")
    return form_page(request, "catalogue/category_form.html", {"form": form, "category": category})


def _save_type(request, form, equipment_type=None):
    data = form.cleaned_data
    return services.save_type(
        actor=request.user,
        category=data["category"],
        code=data.get("code") or "",
        name=data["name"],
        short_name=data["short_name"],
        unit_of_measure=data["unit_of_measure"],
        serialised=data["serialised"],
        service_life_years=data["service_life_years"],
        origin=data["origin"],
        meters=data["meters"],
        equipment_type=equipment_type,
        request=request,
    )


def type_create(request):
    require_page(request.user, "catalog.manage")
    initial = {}
    if request.GET.get("category"):
        initial["category"] = Category.objects.filter(code=request.GET["category"]).first()
    form = TypeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            equipment_type = _save_type(request, form)
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Đã thêm chủng loại %(name)s.") % {"name": equipment_type.name})
            return redirect("catalogue:index")
    return form_page(request, "catalogue/type_form.html", {"form": form, "creating": True})


@object_view(EquipmentType)
def type_edit(request, pk):
    equipment_type = get_object_or_404(EquipmentType.objects.select_related("category"), pk=pk)
    require_page(request.user, "catalog.manage")
    form = TypeForm(request.POST or None, initial=TypeForm.initial_of(equipment_type), editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            _save_type(request, form, equipment_type)
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Đã lưu chủng loại %(name)s.") % {"name": equipment_type.name})
            return redirect("catalogue:index")
    return form_page(request, "catalogue/type_form.html", {"form": form, "equipment_type": equipment_type})


@object_view(EquipmentType)
def type_kit(request, pk):
    """The type's standard kit (bộ đồng bộ tiêu chuẩn): everyone reads it, `catalog.manage` edits it."""
    equipment_type = get_object_or_404(EquipmentType.objects.select_related("category"), pk=pk)
    lines = list(equipment_type.kit_lines.all())
    can_edit = allowed(request.user, "catalog.manage")
    initial = [{"line": line.pk, "part": line.part, "name": line.name, "quantity": line.quantity} for line in lines]
    formset = KitFormSet(request.POST if request.method == "POST" else None, initial=initial, prefix="kit")
    error = ""
    if request.method == "POST":
        require_page(request.user, "catalog.manage")
        if formset.is_valid():
            rows = [
                {**form.cleaned_data, "id": form.cleaned_data.get("line")}
                for form in formset.forms
                if form.cleaned_data
            ]
            try:
                save_standard_kit(actor=request.user, equipment_type=equipment_type, rows=rows, request=request)
            except DomainError as refused:
                error = refused.message
            else:
                messages.success(request, _("Đã lưu bộ đồng bộ của %(name)s.") % {"name": equipment_type.name})
                return redirect("catalogue:type_kit", pk=pk)
    context = {
        "equipment_type": equipment_type,
        "formset": formset,
        "lines": lines,
        "can_edit": can_edit,
        "error": error,
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "catalogue/type_kit.html", context, status=status)


def holdings(request):
    """The chosen unit's authorised holdings with what its subtree holds, now or on a past day."""
    scope = page_scope(request)
    table = holding_table(scope.unit, scope.day)
    if request.GET.get("format") == "xlsx":
        described = scope.described()
        output = write_xlsx(
            title=_("BIÊN CHẾ TRANG BỊ"),
            filters=described,
            columns=HOLDING_COLUMNS,
            rows=holding_table_rows(table.lines),
            sheet=_("Biên chế trang bị"),
        )
        return xlsx_response(output, f"bien-che-{scope.unit.code}.xlsx")
    return render(
        request,
        "catalogue/holdings.html",
        {
            "scope": scope,
            "table": table,
            "can_edit": allowed(request.user, "holdings.manage") and scope.day is None,
        },
    )


def holdings_url(unit) -> str:
    return f"{reverse('catalogue:holdings')}?unit={unit.code}"


def _set_holding(request, form, unit, equipment_type):
    data = form.cleaned_data
    return services.set_holding(
        actor=request.user,
        unit=unit,
        equipment_type=equipment_type,
        quantity=data["quantity"],
        valid_from=data["valid_from"],
        request=request,
    )


def holding_create(request):
    """Authorise a type for the chosen unit (?unit=CODE, 404 outside the user's subtree)."""
    scope = page_scope(request)
    require_page(request.user, "holdings.manage")
    form = HoldingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _set_holding(request, form, scope.unit, form.cleaned_data["equipment_type"])
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Đã lưu biên chế của %(unit)s.") % {"unit": scope.unit.name})
            return redirect(holdings_url(scope.unit))
    return form_page(request, "catalogue/holding_form.html", {"form": form, "scope": scope, "creating": True})


@object_view(AuthorizedHolding)
def holding_edit(request, pk):
    """Change one unit's authorisation of one type from a date; the earlier rows stay as history."""
    holding = get_object_or_404(
        AuthorizedHolding.objects.visible_to(request.user).select_related("unit", "equipment_type"), pk=pk
    )
    require_page(request.user, "holdings.manage")
    unit, equipment_type = holding.unit, holding.equipment_type
    history = AuthorizedHolding.objects.filter(unit=unit, equipment_type=equipment_type).order_by("-valid_from")
    form = HoldingForm(request.POST or None, fixed_type=equipment_type, initial={"quantity": holding.quantity})
    if request.method == "POST" and form.is_valid():
        try:
            _set_holding(request, form, unit, equipment_type)
        except DomainError as error:
            put_error(form, error)
        else:
            messages.success(request, _("Đã lưu biên chế của %(unit)s.") % {"unit": unit.name})
            return redirect(holdings_url(unit))
    return form_page(
        request,
        "catalogue/holding_form.html",
        {"form": form, "holding": holding, "unit": unit, "equipment_type": equipment_type, "history": history},
    )
