"""The import wizard (Nhập từ Excel): upload, preview and column mapping, commit, progress, cancel."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from materiel.accounts.page_scope import page_scope
from materiel.accounts.scoping import PermissionDenied, allowed, require
from materiel.catalog.models import EquipmentType
from materiel.core.days import parse_day
from materiel.core.errors import DomainError
from materiel.core.middleware import passive
from materiel.core.views import object_view
from materiel.units.models import Unit

from . import jobs, progress, steps
from .columns import fields
from .commit import earlier_import
from .models import ImportJob, JobState
from .reader import MAX_BYTES

JOBS_SHOWN = 30


def _require(request, action: str, unit) -> None:
    """The scoping rule, answered as a 403 page with its Vietnamese reason."""
    try:
        require(request.user, action, unit=unit)
    except PermissionDenied as error:
        raise DjangoPermissionDenied(error.message) from None


def _job(request, pk) -> ImportJob:
    """The user's job, marked failed first if the process running it is gone (its lease expired)."""
    job = get_object_or_404(ImportJob.objects.visible_to(request.user).select_related("unit", "batch"), pk=pk)
    jobs.expire_if_gone(job)
    return job


def import_list(request):
    """Nhập/Xuất: the subtree's recent imports, the upload form, and what can be exported."""
    scope = page_scope(request)
    recent = (
        ImportJob.objects.visible_to(request.user)
        .in_subtree(scope.unit)
        .select_related("unit", "created_by", "batch")
        .defer("data")[:JOBS_SHOWN]
    )
    for job in recent:
        jobs.expire_if_gone(job)
    return render(
        request,
        "imports/list.html",
        {
            "scope": scope,
            "jobs": recent,
            "can_import": allowed(request.user, "ledger.record"),
            "can_view_audit": allowed(request.user, "audit.view"),
            "max_mb": MAX_BYTES // 2**20,
        },
    )


@require_POST
def upload(request):
    scope = page_scope(request)
    _require(request, "ledger.record", scope.unit)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Chưa chọn tệp để nhập."))
        return redirect(f"/nhap-xuat/?unit={scope.unit.code}")
    if upload.size > MAX_BYTES:
        messages.error(request, _("Tệp quá lớn; giới hạn %(limit)s MB.") % {"limit": MAX_BYTES // 2**20})
        return redirect(f"/nhap-xuat/?unit={scope.unit.code}")
    day_text = request.POST.get("default_day", "")
    default_day = parse_day(day_text)
    if day_text and default_day is None:
        messages.error(request, _("Ngày tiếp nhận mặc định phải dạng dd/mm/yyyy."))
        return redirect(f"/nhap-xuat/?unit={scope.unit.code}")
    job = steps.create_job(request.user, scope.unit, upload.name, upload.read(), default_day)
    return redirect("imports:job", pk=job.pk)


@object_view(ImportJob)
def job_page(request, pk):
    job = _job(request, pk)
    earlier = None
    summary = job.summary or {}
    if job.state == JobState.REVIEW:
        earlier = earlier_import(summary.get("file_hash", ""), request.user)
    mapping = {int(c): f for c, f in summary.get("columns", {}).items()}
    headers = [dict(h, field=mapping.get(h["index"], "")) for h in summary.get("headers", [])]
    preview = [dict(r, received_on=date.fromisoformat(r["received_on"])) for r in summary.get("preview", [])]
    early = [dict(e, founded_on=date.fromisoformat(e["founded_on"])) for e in summary.get("early_units", [])]
    return render(
        request,
        "imports/job.html",
        {
            "job": job,
            "summary": summary,
            "preview": preview,
            "early": early,
            "held_before": _units_before(request.user, early),
            "headers": headers,
            "fields": [(name, label) for name, (label, _spellings) in fields().items()],
            "errors": [i for i in summary.get("issues", []) if not i["duplicate"]],
            "catalogue": EquipmentType.objects.order_by("name").values_list("code", "name")
            if summary.get("unknown_types") or summary.get("mapped_types")
            else [],
            "duplicates": [i for i in summary.get("issues", []) if i["duplicate"]],
            "earlier": earlier,
            "live": progress.read(job.key),
            "can_record": allowed(request.user, "ledger.record"),
        },
    )


def _units_before(user, early: list[dict]) -> list:
    """Units the user may name as the holder of a new unit's equipment before its founding."""
    if not early:
        return []
    first = min(e["founded_on"] for e in early)
    return list(Unit.objects.visible_to(user).filter(founded_on__lt=first).order_by("path").values_list("code", "name"))


@passive
@object_view(ImportJob)
def job_progress(request, pk):
    """The progress fragment the job page polls; once the job leaves its running state the page reloads."""
    job = _job(request, pk)
    if not job.running:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "imports/job.html#progress", {"job": job, "live": progress.read(job.key)})


@require_POST
@object_view(ImportJob)
def remap(request, pk):
    """Check the file again with the columns the user chose."""
    job = _job(request, pk)
    _require(request, "ledger.record", job.unit)
    if job.state != JobState.REVIEW:
        return redirect("imports:job", pk=job.pk)
    columns = {key[4:]: value for key, value in request.POST.items() if key.startswith("col-") and value}
    try:
        steps.remap(job, columns)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("imports:job", pk=job.pk)


@require_POST
@object_view(ImportJob)
def choose_sheet(request, pk):
    """Read the file again from the sheet and header row the user chose."""
    job = _job(request, pk)
    _require(request, "ledger.record", job.unit)
    if job.state != JobState.REVIEW:
        return redirect("imports:job", pk=job.pk)
    row_text = request.POST.get("header_row", "").strip()
    if row_text and not row_text.isdigit():
        messages.error(request, _("Dòng tiêu đề phải là một số dòng của trang tính."))
        return redirect("imports:job", pk=job.pk)
    sheet = request.POST.get("sheet", "").strip() or None
    header_row = int(row_text) if row_text else None
    if header_row == job.summary.get("header_row"):
        header_row = None  # not changed: found again on another sheet, kept on this one
    try:
        steps.choose_sheet(job, sheet=sheet, header_row=header_row)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("imports:job", pk=job.pk)


@require_POST
@object_view(ImportJob)
def map_types(request, pk):
    """Read names the catalogue lacks as the types the user chose, for the whole file."""
    job = _job(request, pk)
    _require(request, "ledger.record", job.unit)
    if job.state != JobState.REVIEW:
        return redirect("imports:job", pk=job.pk)
    types = {}
    for key, name in request.POST.items():
        if key.startswith("name-"):
            types[name] = request.POST.get(f"type-{key[5:]}", "")
    try:
        steps.map_types(job, types)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("imports:job", pk=job.pk)


@require_POST
@object_view(ImportJob)
def place_history(request, pk):
    """Place the rows dated before their unit's founding as the user chose."""
    job = _job(request, pk)
    _require(request, "ledger.record", job.unit)
    if job.state != JobState.REVIEW:
        return redirect("imports:job", pk=job.pk)
    chosen = {key[5:]: value for key, value in request.POST.items() if key.startswith("pred-") and value}
    try:
        steps.place_history(job, policy=request.POST.get("policy", ""), predecessors=chosen)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("imports:job", pk=job.pk)


@require_POST
@object_view(ImportJob)
def confirm(request, pk):
    """Write the previewed file into the ledger: inline when small, in the background when large."""
    job = _job(request, pk)
    _require(request, "ledger.record", job.unit)
    try:
        steps.start_commit(
            job, force=bool(request.POST.get("force")), skip_duplicates=bool(request.POST.get("skip_duplicates"))
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("imports:job", pk=job.pk)


@passive  # must answer while a commit holds SQLite's write lock: it writes neither the session nor the job
@require_POST
@object_view(ImportJob)
def cancel(request, pk):
    job = _job(request, pk)
    _require(request, "ledger.record", job.unit)
    try:
        if not steps.cancel_job(job):
            messages.info(request, job.message)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("imports:job", pk=job.pk)


@require_POST
@object_view(ImportJob)
def retry(request, pk):
    """Run a failed job's step again (its worker was gone, or an error stopped it)."""
    job = _job(request, pk)
    _require(request, "ledger.record", job.unit)
    try:
        steps.retry_job(job)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("imports:job", pk=job.pk)


@require_POST
@object_view(ImportJob)
def revert(request, pk):
    """Undo a committed import as a whole, with reversal events."""
    job = _job(request, pk)
    if job.batch is None:
        return redirect("imports:job", pk=job.pk)
    _require(request, "ledger.reverse", job.unit)
    try:
        steps.revert(job, actor=request.user, reason=request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("imports:job", pk=job.pk)
