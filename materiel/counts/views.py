"""Count pages: the campaigns of a subtree and the launch form, a campaign's progress board, a
sheet filled in the browser (all found, then the exceptions), its moves, its A4 print, its XLSX out
and back in, and the count minute (biên bản kiểm kê) with the units' totals by grade."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.page_scope import page_scope
from materiel.accounts.scoping import PermissionDenied, allowed
from materiel.catalog.grades import grade_numbers
from materiel.catalog.models import Category, EquipmentType
from materiel.core.days import parse_day
from materiel.core.errors import DomainError
from materiel.core.views import object_view
from materiel.core.xlsx import xlsx_response
from materiel.documents.letterhead import letterhead
from materiel.units.models import UnitKind

from . import discrepancies, services, workbook
from .models import Campaign, LineKind, Sheet, SheetLine, SheetState

MAX_UPLOAD = workbook.MAX_BYTES
BOARD_PAGE = 200  # units listed per page of a campaign's board


def _version(request) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def campaigns(request):
    """Kiểm kê: the campaigns of the subtree (launched in it, or with a sheet of it), newest first."""
    scope = page_scope(request)
    rows = list(services.campaigns_for(request.user, scope.unit)[:200])
    # The units the reader sees in each: the number its board opens.
    seen = dict(
        services.visible_sheets(request.user)
        .filter(campaign__in=[c.pk for c in rows])
        .order_by()
        .values_list("campaign")
        .annotate(n=Count("id"))
        .values_list("campaign", "n")
    )
    return render(
        request,
        "counts/list.html",
        {
            "scope": scope,
            "campaigns": [(c, seen.get(c.pk, 0)) for c in rows],
            "can_launch": services.may_launch(request.user, scope.unit),
        },
    )


def campaign_create(request):
    scope = page_scope(request)
    if not allowed(request.user, "counts.launch"):
        raise Forbidden(_("Vai trò của bạn không được phép mở trang này."))
    today = timezone.localdate()
    values = {
        "title": request.POST.get("title", _("Kiểm kê, đánh giá phân cấp chất lượng năm %(y)s") % {"y": today.year}),
        "reference_date": request.POST.get("reference_date", today.strftime("%d/%m/%Y")),
        "deadline": request.POST.get("deadline", ""),
        "categories": request.POST.getlist("categories"),
        "unit_kinds": request.POST.getlist("unit_kinds"),
    }
    error = None
    if request.method == "POST":
        try:
            reference = _day(values["reference_date"], "reference_date", _("Thời điểm kiểm kê"))
            deadline = _day(values["deadline"], "deadline", _("Hạn hoàn thành"))
            campaign = services.launch(
                actor=request.user,
                unit=scope.unit,
                title=values["title"],
                reference_date=reference,
                deadline=deadline,
                categories=list(Category.objects.filter(pk__in=_ids(values["categories"]))),
                unit_kinds=list(UnitKind.objects.filter(pk__in=_ids(values["unit_kinds"]))),
            )
        except PermissionDenied as refusal:
            raise Forbidden(refusal.message) from None
        except DomainError as refusal:
            error = refusal
        else:
            messages.success(
                request,
                _("Đã mở đợt kiểm kê: %(n)s phiếu của các đơn vị.") % {"n": campaign.sheets.count()},
            )
            return redirect("counts:detail", pk=campaign.pk)
    return render(
        request,
        "counts/create.html",
        {
            "scope": scope,
            "values": values,
            "error": error,
            "categories": Category.objects.all(),
            "unit_kinds": UnitKind.objects.all(),
        },
        status=422 if error else 200,
    )


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit() and len(str(v)) < 12]


def _day(text: str, field: str, label: str) -> date:
    day = parse_day(text)
    if day is None:
        raise DomainError(_("%(label)s phải có dạng dd/mm/yyyy.") % {"label": label}, field=field)
    return day


def _campaign_of(request, pk) -> Campaign:
    return get_object_or_404(services.visible_campaigns(request.user), pk=pk)


def _sheets(request, campaign: Campaign):
    return (
        services.visible_sheets(request.user)
        .filter(campaign=campaign)
        .annotate(count=Count("lines"))
        .order_by("unit__path")
    )


@object_view(Campaign)
def campaign(request, pk):
    """The progress board: how many units are in each state, each count opening exactly those units
    (a list paged by BOARD_PAGE, so a national campaign's board stays light)."""
    found = _campaign_of(request, pk)
    plain = services.visible_sheets(request.user).filter(campaign=found).order_by("unit__path")
    by_state = dict(plain.order_by().values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    state = request.GET.get("state", "")
    listed = plain.filter(state=state) if state in SheetState.values else plain
    page = Paginator(listed, BOARD_PAGE).get_page(request.GET.get("page"))
    sheets = list(page)
    lines = dict(
        SheetLine.objects.filter(sheet__in=[s.pk for s in sheets])
        .values_list("sheet")
        .annotate(n=Count("id"))
        .values_list("sheet", "n")
    )
    board = [
        (value, label, by_state.get(value, 0), reverse("counts:detail", args=[found.pk]) + f"?state={value}")
        for value, label in SheetState.choices
    ]
    return render(
        request,
        "counts/detail.html",
        {
            "campaign": found,
            "board": board,
            "total": sum(by_state.values()),
            "sheets": [(s, lines.get(s.pk, 0)) for s in sheets],
            "page": page,
            "query": f"state={state}" if state in SheetState.values else "",
            "state": state,
            "categories": found.categories.all(),
            "unit_kinds": found.unit_kinds.all(),
        },
    )


@object_view(Campaign)
def minute(request, pk):
    """Biên bản kiểm kê: each unit's totals by grade (the frozen figures of the approved sheets)."""
    found = _campaign_of(request, pk)
    sheets = list(_sheets(request, found))
    grades = list(grade_numbers())
    rows, totals = [], {"items": 0, "missing": 0, "surplus": 0, "grade": 0, "by_grade": dict.fromkeys(grades, 0)}
    for sheet in sheets:
        figures = discrepancies.figures(sheet)
        by_grade = [figures["by_grade"].get(str(g), 0) for g in grades]
        rows.append((sheet, figures, by_grade))
        for key in ("items", "missing", "surplus", "grade"):
            totals[key] += figures[key]
        for g, n in zip(grades, by_grade, strict=True):
            totals["by_grade"][g] += n
    return render(
        request,
        "counts/minute.html",
        {
            "campaign": found,
            "rows": rows,
            "grades": grades,
            "totals": totals,
            "total_by_grade": [totals["by_grade"][g] for g in grades],
            "letterhead": letterhead(found.launching_unit, timezone.localdate()),
            "signers": [
                (_("Tổ kiểm kê"), _("(Ký, ghi rõ họ tên)"), ""),
                (_("Thủ trưởng đơn vị"), _("(Ký, ghi rõ họ tên, đóng dấu)"), ""),
            ],
        },
    )


def _sheet_of(request, pk) -> Sheet:
    return get_object_or_404(services.visible_sheets(request.user), pk=pk)


def _lines(sheet: Sheet):
    return sheet.lines.select_related("equipment_type", "place", "lot").order_by("position")


def _context(request, sheet: Sheet) -> dict:
    lines = list(_lines(sheet))
    return {
        "sheet": sheet,
        "campaign": sheet.campaign,
        "lines": lines,
        "discrepancies": [d for line in lines for d in discrepancies.of_line(line)],
        "labels": discrepancies.LABELS,
        "figures": discrepancies.figures(sheet),
        "grades": list(grade_numbers()),
        "types": EquipmentType.objects.filter(serialised=True).order_by("name"),
        "steps": sheet.steps.select_related("by").order_by("id"),
        "events": sheet.event_lines.select_related("event__item", "event__lot").order_by("position"),
        "can_fill": services.can_fill(request.user, sheet),
        "can_approve_unit": services.can_approve_unit(request.user, sheet),
        "can_approve": services.can_approve(request.user, sheet),
        "unresolved": len(services.unresolved(sheet)),
        "LOT": LineKind.LOT,
        "SURPLUS": LineKind.SURPLUS,
    }


def _posted_changes(request, sheet: Sheet) -> list[services.LineChange]:
    """One change per line of the posted grid (field names carry the line's id)."""
    changes = []
    for line in sheet.lines.only("id", "position", "kind"):
        key = str(line.pk)
        if f"f-{key}" not in request.POST and f"q-{key}" not in request.POST:
            continue
        found = request.POST.get(f"f-{key}", "")
        changes.append(
            services.LineChange(
                line.pk,
                found={"1": True, "0": False}.get(found),
                serial_read=request.POST.get(f"s-{key}"),
                grade_found=request.POST.get(f"g-{key}") or None,
                kit_missing=request.POST.get(f"k-{key}"),
                quantity_counted=request.POST.get(f"q-{key}") or None,
                note=request.POST.get(f"n-{key}"),
            )
        )
    return changes


def _do(request, sheet: Sheet, action: str) -> str:
    user, version = request.user, _version(request)
    if action == "save":
        services.update_lines(sheet, _posted_changes(request, sheet), actor=user, version=version)
        return _("Đã lưu phiếu kiểm kê.")
    if action == "all_found":
        n = services.mark_all_found(sheet, actor=user, version=version)
        return _("Đã đánh dấu có %(n)s dòng; hãy sửa các dòng khác đi.") % {"n": n}
    if action == "add_surplus":
        kind = EquipmentType.objects.filter(pk=request.POST.get("equipment_type") or 0, serialised=True).first()
        if kind is None:
            raise DomainError(_("Chưa chọn loại trang bị."), field="equipment_type")
        services.add_surplus(
            sheet,
            actor=user,
            equipment_type=kind,
            serial=request.POST.get("serial", ""),
            grade=request.POST.get("grade", ""),
            kit_missing=request.POST.get("kit_missing", ""),
            note=request.POST.get("note", ""),
            version=version,
        )
        return _("Đã thêm trang bị thừa.")
    if action == "remove_surplus":
        line = request.POST.get("line", "")
        services.remove_surplus(
            sheet, int(line) if line.isdigit() and len(line) < 12 else 0, actor=user, version=version
        )
        return _("Đã bỏ dòng thừa.")
    if action == "submit":
        services.submit(sheet, actor=user, version=version)
        return _("Đã nộp phiếu kiểm kê.")
    if action == "approve_unit":
        services.approve_unit(sheet, actor=user, version=version)
        return _("Chỉ huy đơn vị đã duyệt phiếu kiểm kê.")
    if action == "send_back":
        services.send_back(sheet, actor=user, reason=request.POST.get("reason", ""), version=version)
        return _("Đã trả lại phiếu kiểm kê.")
    if action == "approve":
        approved = services.approve(sheet, actor=user, version=version)
        return _("Đã phê duyệt phiếu kiểm kê: %(n)s sự kiện đã ghi vào sổ.") % {"n": approved.event_lines.count()}
    if action == "import":
        upload = request.FILES.get("file")
        if upload is None:
            raise DomainError(_("Chưa chọn tệp."), field="file")
        if upload.size > MAX_UPLOAD:
            raise DomainError(_("Tệp lớn quá %(n)s MB.") % {"n": MAX_UPLOAD // 2**20}, field="file")
        n = workbook.import_sheet(sheet, upload.read(), actor=user)
        return _("Đã nhập %(n)s dòng từ tệp.") % {"n": n}
    raise DomainError(_("Thao tác không hợp lệ."), field="action")


@object_view(Sheet)
def sheet(request, pk):
    """A unit's sheet: the grid to fill (all found, then the exceptions), surplus, the moves its
    state allows, its discrepancies and log and, once approved, the events written."""
    found = _sheet_of(request, pk)
    if request.method == "POST":
        try:
            done = _do(request, found, request.POST.get("action", ""))
        except PermissionDenied as refusal:
            raise Forbidden(refusal.message) from None
        except DomainError as refusal:
            found.refresh_from_db()
            context = _context(request, found) | {"error": refusal, "posted": request.POST}
            return render(request, "counts/sheet.html", context, status=409 if refusal.code == "conflict" else 422)
        messages.success(request, done)
        return redirect("counts:sheet", pk=found.pk)
    return render(request, "counts/sheet.html", _context(request, found))


@object_view(Sheet)
def sheet_print(request, pk):
    """Phiếu kiểm kê on A4: the lines by place, with what the count found."""
    found = _sheet_of(request, pk)
    lines = list(_lines(found))
    return render(
        request,
        "counts/print.html",
        {
            "sheet": found,
            "campaign": found.campaign,
            "lines": lines,
            "figures": discrepancies.figures(found),
            "letterhead": letterhead(found.unit, found.campaign.reference_date),
            "signers": [
                (_("Người kiểm kê"), _("(Ký, ghi rõ họ tên)"), ""),
                (_("Thủ kho"), _("(Ký, ghi rõ họ tên)"), ""),
                (_("Chỉ huy đơn vị"), _("(Ký, ghi rõ họ tên, đóng dấu)"), ""),
            ],
        },
    )


@object_view(Sheet)
def sheet_export(request, pk):
    found = _sheet_of(request, pk)
    if request.method != "GET":
        raise Http404
    return xlsx_response(workbook.export_sheet(found), f"phieu-kiem-ke-{found.campaign_id}-{found.unit.code}.xlsx")
