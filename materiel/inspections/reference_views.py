"""The inspections' reference data on pages: checklist templates (the current version of each, a
version with its older ones, an edit that saves the next version) and the duty matrix. Everyone
reads them; `inspections.manage` edits them."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from materiel.accounts.scoping import PermissionDenied, allowed
from materiel.catalog.models import Category, EquipmentType
from materiel.core.errors import ConflictError, DomainError
from materiel.core.views import object_view
from materiel.storage.models import PlaceKind
from materiel.units.models import UnitKind

from . import matrix, services
from .models import Check, ChecklistTemplate, DutyRow, Effect, Frequency, InspectionKind, ReadinessReason, Severity

BLANK_ROWS = 3  # empty step rows offered below a template's steps (more with ?rows=)
MAX_STEPS = 60


def _require_manage(user) -> None:
    if not allowed(user, services.ACTION):
        raise Forbidden(_("Vai trò của bạn không được phép mở trang này."))


def _pick(model, value: Any):
    value = str(value or "")
    return model.objects.filter(pk=int(value)).first() if value.isdigit() and len(value) < 12 else None


def template_list(request):
    """Mẫu phiếu kiểm tra: the current version of each, with its number of steps."""
    templates = (
        ChecklistTemplate.objects.filter(is_current=True)
        .select_related("category", "equipment_type")
        .annotate(step_count=Count("steps"))
        .order_by("name")
    )
    return render(
        request,
        "inspections/templates.html",
        {"templates": templates, "can_manage": allowed(request.user, services.ACTION)},
    )


@object_view(ChecklistTemplate)
def template_detail(request, pk):
    """One version of a template, its steps, and every version of its code."""
    template = get_object_or_404(ChecklistTemplate.objects.select_related("category", "equipment_type"), pk=pk)
    return render(
        request,
        "inspections/template.html",
        {
            "template": template,
            "steps": template.steps.select_related("reason").order_by("position"),
            "versions": ChecklistTemplate.objects.filter(code=template.code).order_by("-version"),
            "can_manage": allowed(request.user, services.ACTION),
        },
    )


def _step_rows(post, count: int) -> list[dict[str, str]]:
    names = ("text", "method", "measure_unit", "lower", "upper", "severity", "effect", "reason")
    return [{name: (post.get(f"s{n}-{name}") or "").strip() for name in names} for n in range(1, count + 1)]


def _steps_of(rows: list[dict[str, str]]) -> list[services.Step]:
    reasons = {str(r.pk): r for r in ReadinessReason.objects.all()}
    return [
        services.Step(
            text=row["text"],
            severity=row["severity"],
            method=row["method"] or Check.PASS_FAIL,
            measure_unit=row["measure_unit"],
            lower=row["lower"],
            upper=row["upper"],
            effect=row["effect"] or Effect.NOTE,
            reason=reasons.get(row["reason"]),
        )
        for row in rows
        if row["text"]
    ]


def _plain(value) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f").replace(".", ",")


def _template_form(request, base: ChecklistTemplate | None):
    _require_manage(request.user)
    extra = request.GET.get("rows", "")
    blank = min(int(extra), MAX_STEPS) if extra.isdigit() and len(extra) < 3 else BLANK_ROWS
    if request.method == "POST":
        count = request.POST.get("rows", "")
        count_n = min(int(count), MAX_STEPS) if count.isdigit() and len(count) < 4 else 0
        rows = _step_rows(request.POST, count_n)
        values = {name: request.POST.get(name, "") for name in ("code", "name", "kind", "category", "equipment_type")}
    else:
        steps = list(base.steps.order_by("position")) if base else []
        rows = [
            {
                "text": s.text,
                "method": s.method,
                "measure_unit": s.measure_unit,
                "lower": _plain(s.lower),
                "upper": _plain(s.upper),
                "severity": s.severity,
                "effect": s.effect,
                "reason": str(s.reason_id or ""),
            }
            for s in steps
        ]
        rows += [
            dict.fromkeys(("text", "method", "measure_unit", "lower", "upper", "severity", "effect", "reason"), "")
        ] * blank
        values = {
            "code": base.code if base else "",
            "name": base.name if base else "",
            "kind": base.kind if base else "",
            "category": str(base.category_id or "") if base else "",
            "equipment_type": str(base.equipment_type_id or "") if base else "",
        }
    error = None
    if request.method == "POST":
        try:
            if base is not None:
                values["code"] = base.code
                current = services.current(base.code)
                if current is None or str(current.pk) != request.POST.get("version", ""):
                    raise ConflictError(
                        _("Mẫu phiếu này vừa có phiên bản mới hơn; hãy mở phiên bản hiện hành rồi sửa lại.")
                    )
            elif not values["code"] or ChecklistTemplate.objects.filter(code=values["code"]).exists():
                raise DomainError(
                    _("Mã mẫu phiếu “%(code)s” đã có hoặc còn trống; hãy chọn mã khác.") % {"code": values["code"]},
                    field="code",
                )
            if len(values["code"]) > 40 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in values["code"]):
                raise DomainError(_("Mã mẫu phiếu chỉ gồm chữ, số và dấu gạch, tối đa 40 ký tự."), field="code")
            template = services.save_template(
                actor=request.user,
                code=values["code"],
                name=values["name"],
                kind=values["kind"],
                steps=_steps_of(rows),
                equipment_type=_pick(EquipmentType, values["equipment_type"]),
                category=_pick(Category, values["category"]),
            )
        except PermissionDenied as refusal:
            raise Forbidden(refusal.message) from None
        except DomainError as refusal:
            error = refusal
        else:
            messages.success(
                request,
                _("Đã lưu mẫu phiếu %(name)s, phiên bản %(version)d.")
                % {"name": template.name, "version": template.version},
            )
            return redirect("inspections:template", pk=template.pk)
    return render(
        request,
        "inspections/template_form.html",
        {
            "base": base,
            "current_pk": getattr(services.current(base.code), "pk", "") if base else "",
            "blank": blank,
            "values": values,
            "rows": rows,
            "error": error,
            "kinds": InspectionKind.choices,
            "methods": Check.choices,
            "severities": Severity.choices,
            "effects": Effect.choices,
            "reasons": ReadinessReason.objects.all(),
            "categories": Category.objects.order_by("order", "name"),
            "types": EquipmentType.objects.order_by("name"),
        },
        status=(409 if error.code == "conflict" else 422) if error else 200,
    )


def template_create(request):
    return _template_form(request, None)


@object_view(ChecklistTemplate)
def template_edit(request, pk):
    """Sửa mẫu phiếu: saves its next version; the runs that copied an older one keep their copy."""
    base = get_object_or_404(ChecklistTemplate, pk=pk)
    return _template_form(request, base)


# ---- the duty matrix ------------------------------------------------------------------------------


def duty_list(request):
    """Ma trận trách nhiệm kiểm tra: who inspects what, how often, with which template."""
    rows = DutyRow.objects.select_related("category", "equipment_type", "unit_kind", "place_kind").order_by("pk")
    names = dict(ChecklistTemplate.objects.filter(is_current=True).values_list("code", "name"))
    current = dict(ChecklistTemplate.objects.filter(is_current=True).values_list("code", "pk"))
    listed = list(rows)
    for row in listed:
        row.template_name = names.get(row.template_code, row.template_code)
        row.template_pk = current.get(row.template_code)
    return render(
        request,
        "inspections/duties.html",
        {"rows": listed, "can_manage": allowed(request.user, services.ACTION)},
    )


def _duty_form(request, row: DutyRow | None):
    _require_manage(request.user)
    fields = ("inspector", "frequency", "template_code", "category", "equipment_type", "unit_kind", "place_kind")
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in fields}
    elif row is not None:
        values = {
            "inspector": row.inspector,
            "frequency": row.frequency,
            "template_code": row.template_code,
            "category": str(row.category_id or ""),
            "equipment_type": str(row.equipment_type_id or ""),
            "unit_kind": str(row.unit_kind_id or ""),
            "place_kind": str(row.place_kind_id or ""),
        }
    else:
        values = dict.fromkeys(fields, "")
    error = None
    if request.method == "POST":
        try:
            saved = matrix.save_duty_row(
                actor=request.user,
                row=row,
                expected=request.POST.get("version") if row is not None else None,
                inspector=values["inspector"],
                frequency=values["frequency"],
                template_code=values["template_code"],
                category=_pick(Category, values["category"]),
                equipment_type=_pick(EquipmentType, values["equipment_type"]),
                unit_kind=_pick(UnitKind, values["unit_kind"]),
                place_kind=_pick(PlaceKind, values["place_kind"]),
            )
        except PermissionDenied as refusal:
            raise Forbidden(refusal.message) from None
        except DomainError as refusal:
            error = refusal
        else:
            messages.success(request, _("Đã lưu dòng ma trận: %(row)s.") % {"row": saved})
            return redirect("inspections:duties")
    return render(
        request,
        "inspections/duty_form.html",
        {
            "row": row,
            "stamp": matrix.stamp(row) if row is not None else "",
            "values": values,
            "error": error,
            "frequencies": Frequency.choices,
            "templates": ChecklistTemplate.objects.filter(is_current=True).order_by("name"),
            "categories": Category.objects.order_by("order", "name"),
            "types": EquipmentType.objects.order_by("name"),
            "unit_kinds": UnitKind.objects.order_by("name"),
            "place_kinds": PlaceKind.objects.order_by("name"),
        },
        status=(409 if error.code == "conflict" else 422) if error else 200,
    )


def duty_create(request):
    return _duty_form(request, None)


@object_view(DutyRow)
def duty_edit(request, pk):
    return _duty_form(request, get_object_or_404(DutyRow, pk=pk))
