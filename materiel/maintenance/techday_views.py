"""Technical-day pages (ngày kỹ thuật): the unit's schedule, the planner, a session (its tasks, parts,
edits), its A4 plan, the one results form, and its A4 minute (biên bản)."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.page_scope import page_scope
from materiel.accounts.scoping import PermissionDenied, allowed
from materiel.core.errors import ConflictError, DomainError
from materiel.core.views import object_view
from materiel.documents.letterhead import letterhead
from materiel.equipment.models import Item
from materiel.units.models import Unit

from . import schedule as schedules
from . import techday
from .forms import ResultsDayForm, ScheduleForm, SessionDayForm
from .models import DayPart, MaintenancePlan, SessionState, TechnicalDaySession

ADD_ROWS = 3  # blank rows under the tasks, to add any item of the unit by serial


def _require(user) -> None:
    if not allowed(user, schedules.PLAN_ACTION):
        raise Forbidden(_("Vai trò của bạn không được phép mở trang này."))


def _session(request, pk) -> TechnicalDaySession:
    return get_object_or_404(
        TechnicalDaySession.objects.visible_to(request.user).select_related("unit", "created_by", "recorded_by"), pk=pk
    )


def _posted_tasks(post, user, unit: Unit) -> list[techday.TaskInput]:
    """The tasks of a planner or session form: the listed rows kept (their box ticked), then the
    added rows (a serial of the unit's subtree and a plan). Rows are numbered as the page shows them."""
    count = int(post.get("task-count")) if str(post.get("task-count") or "").isdigit() else 0
    tasks = []
    for n in range(1, min(count, techday.MAX_TASKS) + 1):
        key = post.get(f"task-{n}-key", "")
        item_id, _sep, plan_id = key.partition(":")
        if not post.get(f"task-{n}-keep") or not (item_id.isdigit() and plan_id.isdigit()):
            continue
        tasks.append(techday.TaskInput(int(item_id), int(plan_id), post.get(f"task-{n}-staff", ""), n))
    for n in range(1, ADD_ROWS + 1):
        row = count + n
        serial = (post.get(f"add-{n}-serial") or "").strip()
        plan = post.get(f"add-{n}-plan") or ""
        if not serial and not plan:
            continue
        where = _("Dòng %(row)d") % {"row": row}
        found = Item.objects.visible_to(user).in_subtree(unit).filter(serial=serial).first() if serial else None
        if found is None:
            message = _("không có trang bị số hiệu %(serial)s trong đơn vị.") % {"serial": serial or "—"}
            raise DomainError(f"{where} – {_('số hiệu')}: {message}", field=f"add-{n}-serial")
        if not plan.isdigit():
            raise DomainError(
                f"{where} ({serial}) – {_('kế hoạch bảo dưỡng')}: {_('chưa chọn.')}", field=f"add-{n}-plan"
            )
        tasks.append(techday.TaskInput(found.pk, int(plan), post.get(f"add-{n}-staff", ""), row))
    return tasks


def _error_row(error) -> int | None:
    """The page row a refusal names (its field `tasks-<row>-…` or `add-<n>-…`, the latter after the listed rows)."""
    match = re.fullmatch(r"tasks-(\d+)-\w+", (error.field or "") if error else "")
    return int(match.group(1)) if match else None


def _task_rows(groups, post=None) -> list[dict]:
    """The rows of a tasks table, numbered, grouped by item; `groups`: (item, [(plan, staff, extra)])
    in order. A refused POST shows again what was ticked and typed."""
    rows, n = [], 0
    for item, tasks in groups:
        for index, (plan, staff, extra) in enumerate(tasks):
            n += 1
            row = {"n": n, "key": f"{item.pk}:{plan.pk}", "item": item, "plan": plan, "staff": staff, "keep": True,
                   "first": index == 0, **extra}  # fmt: skip
            if post is not None and "task-count" in post:
                row["keep"] = bool(post.get(f"task-{n}-keep"))
                row["staff"] = post.get(f"task-{n}-staff", staff)
            rows.append(row)
    return rows


def _add_rows(count: int, post=None) -> list[dict]:
    rows = []
    for n in range(1, ADD_ROWS + 1):
        posted = post or {}
        rows.append({"n": n, "row": count + n, "serial": posted.get(f"add-{n}-serial", ""),
                     "plan": posted.get(f"add-{n}-plan", ""), "staff": posted.get(f"add-{n}-staff", "")})  # fmt: skip
    return rows


def _plan_choices():
    return [(str(p.pk), f"{p.equipment_type.short_name or p.equipment_type.name} – {p.name}")
            for p in MaintenancePlan.objects.select_related("equipment_type")]  # fmt: skip


def planner(request):
    """Ngày kỹ thuật of a unit: its schedule, the next session proposed, and its past sessions."""
    scope = page_scope(request)
    unit = scope.unit
    proposal = techday.propose(request.user, unit)
    day_form = SessionDayForm(
        request.POST or None,
        initial={
            "held_on": proposal.held_on,
            "part_of_day": proposal.schedule.part_of_day if proposal.schedule else None,
        },
    )
    error = None
    if request.method == "POST":
        _require(request.user)
        if day_form.is_valid():
            data = day_form.cleaned_data
            try:
                tasks = _posted_tasks(request.POST, request.user, unit)
                session = techday.create_session(
                    actor=request.user, unit=unit, held_on=data["held_on"], part_of_day=data["part_of_day"],
                    tasks=tasks, note=data["note"],
                )  # fmt: skip
            except PermissionDenied as refused:
                raise Forbidden(refused.message) from None
            except DomainError as refused:
                error = refused
            else:
                messages.success(
                    request, _("Đã lập kế hoạch ngày kỹ thuật %(day)s.") % {"day": f"{session.held_on:%d/%m/%Y}"}
                )
                return redirect("maintenance:techday_session", session.pk)
    groups = [
        (group.item, [(t.row.plan, "", {"state": t.state, "line": t.line}) for t in group.tasks])
        for group in proposal.items
    ]
    rows = _task_rows(groups, request.POST if request.method == "POST" else None)
    parts = techday.parts_needed(request.user, unit, [row["plan"].pk for row in rows])
    sessions = TechnicalDaySession.objects.visible_to(request.user).filter(unit=unit).order_by("-held_on", "-id")[:20]
    return render(
        request,
        "maintenance/techday.html",
        {
            "scope": scope,
            "proposal": proposal,
            "schedule_text": schedules.describe(proposal.schedule),
            "form": day_form,
            "error": error,
            "error_field": error.field if error else "",
            "error_row": _error_row(error),
            "parts": parts,
            "shortages": [part for part in parts if part.short],
            "sessions": sessions,
            "rows": rows,
            "add_rows": _add_rows(len(rows), request.POST if request.method == "POST" else None),
            "task_count": len(rows),
            "plan_choices": _plan_choices(),
            "can_plan": allowed(request.user, schedules.PLAN_ACTION),
        },
        status=422 if error or day_form.errors else 200,
    )


def schedule_edit(request):
    """Lịch ngày kỹ thuật of a unit (one per unit), set by its technical officers."""
    scope = page_scope(request)
    _require(request.user)
    current = techday.schedule_of(scope.unit)
    initial = (
        {"frequency": current.frequency, "weekday": current.weekday, "week_of_month": current.week_of_month,
         "part_of_day": current.part_of_day}
        if current else {"weekday": 4, "part_of_day": DayPart.MORNING}
    )  # fmt: skip
    form = ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            schedules.save_schedule(actor=request.user, unit=scope.unit, **data)
        except PermissionDenied as refused:
            raise Forbidden(refused.message) from None
        except DomainError as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        else:
            messages.success(request, _("Đã lưu lịch ngày kỹ thuật của %(unit)s.") % {"unit": scope.unit.name})
            return redirect(f"/ngay-ky-thuat/?unit={scope.unit.code}")
    return render(
        request,
        "maintenance/techday_schedule.html",
        {"scope": scope, "form": form, "schedule_text": schedules.describe(current)},
        status=422 if form.errors else 200,
    )


def _session_context(request, session, **extra) -> dict:
    items = techday.session_items(session)
    plan_ids = [task.plan_id for group in items for task in group.tasks]
    parts = techday.parts_needed(request.user, session.unit, plan_ids)
    return {
        "session": session,
        "items": items,
        "task_count": len(plan_ids),
        "parts": parts,
        "shortages": [part for part in parts if part.short],
        "planned": session.state == SessionState.PLANNED,
        "can_plan": allowed(request.user, schedules.PLAN_ACTION),
        **extra,
    }


@object_view(TechnicalDaySession)
def session_detail(request, pk):
    """One session: its tasks by item, the parts they need against the stock; while planned, its
    tasks removed, added or given staff."""
    session = _session(request, pk)
    error = None
    if request.method == "POST":
        _require(request.user)
        version = int(request.POST["version"]) if str(request.POST.get("version") or "").isdigit() else None
        try:
            tasks = _posted_tasks(request.POST, request.user, session.unit)
            techday.change_tasks(session, actor=request.user, tasks=tasks, version=version)
        except PermissionDenied as refused:
            raise Forbidden(refused.message) from None
        except DomainError as refused:
            error = refused
        else:
            messages.success(request, _("Đã lưu các công việc của ngày kỹ thuật."))
            return redirect("maintenance:techday_session", session.pk)
    context = _session_context(
        request, session, error=error, error_field=error.field if error else "", error_row=_error_row(error)
    )
    post = request.POST if request.method == "POST" else None
    context["rows"] = _task_rows([(g.item, [(t.plan, t.staff, {}) for t in g.tasks]) for g in context["items"]], post)
    context["add_rows"] = _add_rows(len(context["rows"]), post)
    context["plan_choices"] = _plan_choices()
    status = 409 if isinstance(error, ConflictError) else 422 if error else 200
    return render(request, "maintenance/techday_session.html", context, status=status)


def _signers(request, session):
    return [
        (_("Trợ lý kỹ thuật"), "", str(session.recorded_by or session.created_by)),
        (_("Thủ trưởng đơn vị"), _("(Ký, ghi rõ họ tên, đóng dấu)"), ""),
    ]


@object_view(TechnicalDaySession)
def session_print(request, pk):
    """The session's plan on A4 (kế hoạch ngày kỹ thuật): tasks by item, staff, parts needed."""
    session = _session(request, pk)
    context = _session_context(
        request,
        session,
        letterhead=letterhead(session.unit, session.created_at.date()),
        signers=_signers(request, session),
    )
    return render(request, "maintenance/techday_print.html", context)


@object_view(TechnicalDaySession)
def session_minute(request, pk):
    """The session's minute on A4 (biên bản ngày kỹ thuật), once its results are recorded."""
    session = _session(request, pk)
    if session.state != SessionState.DONE:
        raise Http404(_("Ngày kỹ thuật chưa ghi kết quả: chưa có biên bản."))
    context = _session_context(
        request, session, letterhead=letterhead(session.unit, session.held_on), signers=_signers(request, session),
        staff=techday.staff_names(session),
    )  # fmt: skip
    context["done"] = sum(1 for group in context["items"] for task in group.tasks if task.done)
    return render(request, "maintenance/techday_minute.html", context)


def _posted_results(post, items) -> tuple[dict, dict]:
    results, readings = {}, {}
    for group in items:
        for task in group.tasks:
            choice = post.get(f"task-{task.pk}-done")
            results[task.pk] = techday.TaskResult(
                done=True if choice == "1" else False if choice == "0" else None,
                reason=post.get(f"task-{task.pk}-reason", ""),
                notes=post.get(f"task-{task.pk}-notes", ""),
            )
        values = {m: post.get(f"reading-{group.item.pk}-{m}", "").strip() for m, _label in group.meters}
        readings[group.item.pk] = {m: v for m, v in values.items() if v}
    return results, readings


@object_view(TechnicalDaySession)
def session_results(request, pk):
    """The results of the whole session in one form: per task done or not (with a reason) and the
    checklist steps that failed, per item its meter readings. All written at once, or nothing."""
    session = _session(request, pk)
    _require(request.user)
    if session.state == SessionState.DONE:
        messages.info(request, _("Ngày kỹ thuật này đã ghi kết quả."))
        return redirect("maintenance:techday_session", session.pk)
    items = techday.session_items(session)
    form = ResultsDayForm(request.POST or None, initial={"occurred_on": min(session.held_on, timezone.localdate())})
    error = None
    if request.method == "POST" and form.is_valid():
        version = int(request.POST["version"]) if str(request.POST.get("version") or "").isdigit() else None
        results, readings = _posted_results(request.POST, items)
        try:
            techday.record_results(
                session, actor=request.user, version=version, occurred_on=form.cleaned_data["occurred_on"],
                results=results, readings=readings,
            )  # fmt: skip
        except PermissionDenied as refused:
            raise Forbidden(refused.message) from None
        except DomainError as refused:
            error = refused
        else:
            messages.success(request, _("Đã ghi kết quả ngày kỹ thuật."))
            return redirect("maintenance:techday_session", session.pk)
    context = {
        "session": session,
        "items": items,
        "form": form,
        "error": error,
        "error_field": error.field if error else "",
        "post": request.POST,
    }
    status = 409 if isinstance(error, ConflictError) else 422 if error or form.errors else 200
    return render(request, "maintenance/techday_results.html", context, status=status)
