"""Resolution pages: the documents as a tree of what implements what, one document with its targets
and tasks, and its progress for a unit subtree year by year (docs/reviews.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.page_scope import page_scope
from materiel.accounts.scoping import PermissionDenied, allowed, can_see_unit, scope_root
from materiel.catalog.models import Category
from materiel.core.days import parse_day
from materiel.core.errors import DomainError
from materiel.core.views import object_view
from materiel.core.xlsx import Column, write_xlsx, xlsx_response
from materiel.formats.numbers import number
from materiel.units.models import Unit

from . import indicators, services
from .models import Comparison, Kind, Resolution, Target, Task, TaskState
from .progress import progress


def _visible(user):
    return Resolution.objects.visible_to(user).select_related("unit", "implements")


def resolution_list(request):
    """The documents the user reads, each under the one it implements."""
    documents = list(_visible(request.user).order_by("issued_on", "number"))
    ids = {d.pk for d in documents}
    children: dict[int | None, list[Resolution]] = {}
    for document in documents:
        parent = document.implements_id if document.implements_id in ids else None
        children.setdefault(parent, []).append(document)
    rows: list[tuple[int, Resolution]] = []

    def walk(parent: int | None, depth: int) -> None:
        for document in children.get(parent, []):
            rows.append((depth, document))
            walk(document.pk, depth + 1)

    walk(None, 0)
    return render(
        request,
        "resolutions/list.html",
        {"rows": rows, "can_add": allowed(request.user, services.ACTION)},
    )


def _units_for(user) -> list[Unit]:
    return list(Unit.objects.visible_to(user).filter(dissolved_on__isnull=True).order_by("path")[:500])


def resolution_create(request):
    if not allowed(request.user, services.ACTION):
        raise Forbidden(_("Vai trò của bạn không được phép mở trang này."))
    values: dict[str, Any] = request.POST.dict() if request.method == "POST" else {}
    error = None
    if request.method == "POST":
        try:
            unit = None
            if values.get("unit"):
                unit = Unit.objects.visible_to(request.user).filter(code=values["unit"]).first()
                if unit is None:
                    raise DomainError(_("Không tìm thấy đơn vị ban hành."), field="unit")
            implements = None
            if values.get("implements"):
                implements = _visible(request.user).filter(pk=_pk(values["implements"])).first()
                if implements is None:
                    raise DomainError(_("Không tìm thấy văn bản được thực hiện."), field="implements")
            resolution = services.save_resolution(
                actor=request.user,
                number=values.get("number", ""),
                issued_on=_day(values, "issued_on"),
                issuer=values.get("issuer", ""),
                title=values.get("title", ""),
                kind=values.get("kind", ""),
                starts_on=_day(values, "starts_on"),
                ends_on=_day(values, "ends_on", required=False),
                unit=unit,
                implements=implements,
            )
        except PermissionDenied as refusal:
            raise Forbidden(refusal.message) from None
        except DomainError as refusal:
            error = refusal
        else:
            messages.success(request, _("Đã ghi %(document)s.") % {"document": resolution})
            return redirect("resolutions:detail", pk=resolution.pk)
    root = scope_root(request.user)
    context = {
        "values": values,
        "error": error,
        "kinds": Kind.choices,
        "units": _units_for(request.user),
        "documents": _visible(request.user).order_by("-issued_on"),
        "above": request.user.is_superuser or (root is not None and root.parent_id is None),
    }
    return render(request, "resolutions/create.html", context, status=422 if error else 200)


def _pk(value: Any) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else 0


def _day(values: dict, field: str, *, required: bool = True):
    raw = (values.get(field) or "").strip()
    if not raw and not required:
        return None
    day = parse_day(raw)
    if day is None:
        raise DomainError(_("Ngày phải có dạng dd/mm/yyyy."), field=field)
    return day


def _context(request, resolution: Resolution) -> dict[str, Any]:
    today = timezone.localdate()
    tasks = list(
        Task.objects.visible_to(request.user)
        .filter(resolution=resolution)
        .select_related("unit")
        .prefetch_related("notes")
    )
    for task in tasks:
        task.is_late = task.late_on(today)
        task.may_edit = allowed(request.user, services.ACTION) and can_see_unit(request.user, task.unit)
    may_edit = allowed(request.user, services.ACTION) and (
        can_see_unit(request.user, resolution.unit) if resolution.unit else _at_top(request.user)
    )
    return {
        "resolution": resolution,
        "chain": _chain(request.user, resolution),
        "implemented_by": _visible(request.user).filter(implements=resolution),
        "targets": [(t, indicators.CATALOGUE.get(t.indicator)) for t in resolution.targets.order_by("position", "id")],
        "tasks": tasks,
        "may_edit": may_edit,
        "may_add_task": allowed(request.user, services.ACTION),
        "catalogue": list(indicators.CATALOGUE.values()),
        "categories": Category.objects.values_list("code", "name"),
        "comparisons": Comparison.choices,
        "states": TaskState.choices,
        "units": _units_for(request.user),
        "today": today,
    }


def _at_top(user) -> bool:
    root = scope_root(user)
    return user.is_superuser or (root is not None and root.parent_id is None)


def _chain(user, resolution: Resolution) -> list[Resolution]:
    """The documents this one implements, up to the first (the ones the user reads)."""
    chain, seen = [], {resolution.pk}
    current = resolution.implements
    visible = set(_visible(user).values_list("pk", flat=True))
    while current is not None and current.pk in visible and current.pk not in seen:
        chain.append(current)
        seen.add(current.pk)
        current = current.implements
    return list(reversed(chain))


@object_view(Resolution)
def resolution_detail(request, pk):
    resolution = get_object_or_404(_visible(request.user), pk=pk)
    error, posted = None, {}
    if request.method == "POST":
        posted = request.POST.dict()
        try:
            done = _act(request, resolution, posted)
        except PermissionDenied as refusal:
            raise Forbidden(refusal.message) from None
        except DomainError as refusal:
            error = refusal
        else:
            messages.success(request, done)
            return redirect("resolutions:detail", pk=pk)
    context = _context(request, resolution) | {"error": error, "posted": posted}
    return render(request, "resolutions/detail.html", context, status=422 if error else 200)


def _act(request, resolution: Resolution, posted: dict) -> str:
    action = posted.get("action")
    user = request.user
    if action == "add_target":
        params = {"category": posted["category"]} if posted.get("category") else {}
        target = services.add_target(
            resolution,
            actor=user,
            text=posted.get("text", ""),
            goal=posted.get("goal", ""),
            comparison=posted.get("comparison", Comparison.AT_LEAST),
            indicator=posted.get("indicator", ""),
            params=params,
        )
        return _("Đã thêm chỉ tiêu “%(text)s”.") % {"text": target.text}
    if action == "add_task":
        unit = Unit.objects.visible_to(user).filter(code=posted.get("unit", "")).first()
        if unit is None:
            raise DomainError(_("Không tìm thấy đơn vị thực hiện."), field="unit")
        task = services.add_task(
            resolution,
            actor=user,
            unit=unit,
            text=posted.get("text", ""),
            responsible=posted.get("responsible", ""),
            deadline=_day(posted, "deadline"),
        )
        return _("Đã giao nhiệm vụ “%(text)s”.") % {"text": task.text}
    if action == "note_task":
        noted = Task.objects.visible_to(user).filter(resolution=resolution, pk=_pk(posted.get("task"))).first()
        if noted is None:
            raise DomainError(_("Không tìm thấy nhiệm vụ."), field="task")
        services.note_task(
            noted,
            actor=user,
            text=posted.get("text", ""),
            written_on=_day(posted, "written_on"),
            state=posted.get("state", ""),
            version=_pk(posted.get("version")) or None,
        )
        return _("Đã ghi tiến độ nhiệm vụ “%(text)s”.") % {"text": noted.text}
    raise DomainError(_("Thao tác không hợp lệ."), field="action")


@object_view(Resolution)
def resolution_progress(request, pk):
    resolution = get_object_or_404(_visible(request.user), pk=pk)
    scope = page_scope(request)
    error, posted = None, {}
    if request.method == "POST":
        posted = request.POST.dict()
        try:
            target = Target.objects.filter(resolution=resolution, pk=_pk(posted.get("target"))).first()
            if target is None:
                raise DomainError(_("Không tìm thấy chỉ tiêu."), field="target")
            services.report_value(
                target,
                actor=request.user,
                unit=scope.unit,
                year=services.parse_year(posted.get("year")),
                value=posted.get("value", ""),
                evidence=posted.get("evidence", ""),
            )
        except PermissionDenied as refusal:
            raise Forbidden(refusal.message) from None
        except DomainError as refusal:
            error = refusal
        else:
            messages.success(request, _("Đã ghi số liệu báo cáo của chỉ tiêu “%(text)s”.") % {"text": target.text})
            return redirect(f"{request.path}?unit={scope.unit.code}")
    report = progress(request.user, resolution, scope.unit)
    context = {
        "scope": scope,
        "report": report,
        "charts": [(line, _trend(line)) for line in report.lines],
        "error": error,
        "posted": posted,
        "by_hand": [line.target for line in report.lines if line.indicator is None],
        "may_report": allowed(request.user, services.ACTION) and can_see_unit(request.user, scope.unit),
    }
    return render(request, "resolutions/progress.html", context, status=422 if error else 200)


def _trend(line) -> dict[str, Any] | None:
    """A small SVG polyline of the measured values, with the goal as a line (drawn by the template)."""
    points = [(c.year, float(c.figure.value)) for c in line.cells if c.figure.value is not None]
    if len(points) < 2:
        return None
    values = [v for _y, v in points] + [float(line.target.goal)]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    first, last = points[0][0], points[-1][0]
    width, height = 240, 60

    def x(year: int) -> float:
        return round(4 + (year - first) * (width - 8) / max(1, last - first), 1)

    def y(value: float) -> float:
        return round(height - 4 - (value - low) * (height - 8) / span, 1)

    return {
        "width": width,
        "height": height,
        "points": " ".join(f"{x(year)},{y(value)}" for year, value in points),
        "goal_y": str(y(float(line.target.goal))),  # a string: the template would localise "56,0"
    }


@object_view(Resolution)
def progress_xlsx(request, pk):
    resolution = get_object_or_404(_visible(request.user), pk=pk)
    scope = page_scope(request)
    report = progress(request.user, resolution, scope.unit)
    columns = [
        Column(_("Chỉ tiêu"), 40),
        Column(_("Mục tiêu"), 12),
        *(Column(str(y), 10, "decimal") for y in report.years),
    ]
    rows = [
        (
            line.target.text,
            f"{line.target.get_comparison_display()} {number(line.target.goal)}",
            *(float(c.figure.value) if c.figure.value is not None else None for c in line.cells),
        )
        for line in report.lines
    ]
    output = write_xlsx(
        title=_("TIẾN ĐỘ THỰC HIỆN %(document)s") % {"document": str(resolution).upper()},
        filters=scope.described(),
        columns=columns,
        rows=rows,
        sheet=_("Tiến độ"),
    )
    return xlsx_response(output, f"tien-do-{resolution.pk}-{scope.unit.code}.xlsx")
