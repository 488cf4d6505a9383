"""The steps a user takes with an import job, shared by the wizard pages and the API.

Each step changes the job's state and starts the work: inline when the file is small, otherwise as a
background task for the worker.
"""

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from materiel.core.errors import DomainError

from . import jobs, progress, tasks
from .columns import fields
from .commit import FLUSH_EVERY
from .history import POLICIES
from .models import ImportJob, JobState
from .plan import types_by_code


def create_job(user, unit, name: str, data: bytes, default_day=None) -> ImportJob:
    """Keep the uploaded file and start its check."""
    job = ImportJob.objects.create(
        unit=unit, created_by=user, file_name=name[:255], file_size=len(data), data=data, default_day=default_day
    )
    _start_check(job)
    return job


def _start_check(job: ImportJob) -> None:
    if job.file_size <= jobs.INLINE_BYTES:
        jobs.run_check(job.pk)
    else:
        tasks.check_import.enqueue(job.pk)
    job.refresh_from_db()


def _require_review(job: ImportJob) -> None:
    if job.retryable:
        message = _("Lượt nhập này không ghi được; bấm “Thử lại” (API: POST …/retry) để chạy lại.")
        raise DomainError(message, field="state", code="conflict")
    if job.state != JobState.REVIEW:
        raise DomainError(_("Lượt nhập này không ở bước chờ xác nhận."), field="state", code="conflict")


def remap(job: ImportJob, columns: dict[str, str]) -> None:
    """Check the file again reading its columns as the user says ({column index: field})."""
    _require_review(job)
    chosen: dict[str, str] = {}
    known = fields()
    for index, name in columns.items():
        if not str(index).isdigit() or name not in known:
            message = _("Cột %(col)s: không có trường “%(name)s”.") % {"col": index, "name": name}
            raise DomainError(message, field="columns")
        if name in chosen.values():
            raise DomainError(_("Cột “%(field)s” được chọn hai lần.") % {"field": known[name][0]}, field="columns")
        chosen[str(index)] = name
    job.columns = chosen
    job.state = JobState.QUEUED
    job.save(update_fields=["columns", "state"])
    _start_check(job)


def choose_sheet(job: ImportJob, *, sheet: str | None = None, header_row: int | None = None) -> None:
    """Check the file again from another sheet and/or header row (as Excel numbers it); the columns are
    detected afresh under the new header."""
    _require_review(job)
    sheets = job.summary.get("sheets") or []
    if sheet and sheets and sheet not in sheets:
        raise DomainError(_("Tệp không có trang tính “%(name)s”.") % {"name": sheet}, field="sheet")
    if header_row is not None and not 1 <= header_row <= 1_048_576:
        raise DomainError(_("Dòng tiêu đề phải là một số dòng của trang tính."), field="header_row")
    options = dict(job.options or {})
    if sheet:
        if sheet != options.get("sheet"):
            options.pop("header_row", None)  # another sheet: its header is found again unless given
        options["sheet"] = sheet
    if header_row is not None:
        options["header_row"] = header_row
    job.options = options
    job.columns = {}
    job.state = JobState.QUEUED
    job.save(update_fields=["options", "columns", "state"])
    _start_check(job)


def map_types(job: ImportJob, types: dict[str, str]) -> None:
    """Check the file again reading each name the catalogue lacks as the type the user chose
    ({name in the file: type code}, "" to drop a mapping); once for the whole file."""
    _require_review(job)
    types_by_code(types)  # refuses an unknown code before anything changes
    options = dict(job.options or {})
    mapping = dict(options.get("types") or {})
    for name, code in types.items():
        if code:
            mapping[name] = code
        else:
            mapping.pop(name, None)
    options["types"] = mapping
    job.options = options
    job.state = JobState.QUEUED
    job.save(update_fields=["options", "state"])
    _start_check(job)


def place_history(job: ImportJob, *, policy: str, predecessors: dict[str, str] | None = None) -> None:
    """Check the file again placing rows dated before their unit was founded as the user chose:
    "transfer" (received by the unit that held them, {unit code: its code}, then transferred on the
    founding day) or "founding-date" (received on the founding day, the original date kept)."""
    _require_review(job)
    if policy not in POLICIES:
        message = _("Cách ghi “%(policy)s” không có; chọn “transfer” hoặc “founding-date”.") % {"policy": policy}
        raise DomainError(message, field="before_founding")
    options = dict(job.options or {})
    options["before_founding"] = policy
    chosen = dict(options.get("predecessors") or {})
    chosen.update({unit: code for unit, code in (predecessors or {}).items() if code})
    options["predecessors"] = chosen
    job.options = options
    job.state = JobState.QUEUED
    job.save(update_fields=["options", "state"])
    _start_check(job)


def start_commit(job: ImportJob, *, force: bool, skip_duplicates: bool) -> None:
    """Write the previewed file into the ledger (checked again first, against today's register)."""
    _require_review(job)
    job.force = force
    job.skip_duplicates = skip_duplicates
    job.state = JobState.COMMIT_QUEUED
    job.save(update_fields=["force", "skip_duplicates", "state"])
    _start_commit(job)


def _start_commit(job: ImportJob) -> None:
    if job.summary.get("rows", 0) <= jobs.INLINE_ROWS:
        jobs.run_commit(job.pk)
    else:
        tasks.commit_import.enqueue(job.pk)
    job.refresh_from_db()


def retry_job(job: ImportJob) -> None:
    """Run a failed job's step again: the commit when the file had been previewed, else the check."""
    if not job.retryable:
        raise DomainError(_("Chỉ thử lại được lượt nhập không ghi được."), field="state", code="conflict")
    was_committing = bool(job.summary.get("rows"))
    next_state = JobState.COMMIT_QUEUED if was_committing else JobState.QUEUED
    message = _("Đang thử lại…")
    if not ImportJob.objects.filter(pk=job.pk, state=JobState.FAILED).update(state=next_state, message=message):
        raise DomainError(_("Lượt nhập này vừa thay đổi; hãy tải lại trang."), field="state", code="conflict")
    job.refresh_from_db()
    if was_committing:
        _start_commit(job)
    else:
        _start_check(job)


def cancel_job(job: ImportJob) -> bool:
    """Cancel the job, or say why not. True when it is cancelled now; False when it runs in a live
    process that was asked to stop (it does at its next progress report and rolls back)."""
    jobs.expire_if_gone(job)
    if job.finished and not job.retryable:
        raise DomainError(_("Lượt nhập này đã kết thúc, không hủy được."), field="state", code="conflict")
    if job.state not in jobs.LEASED:
        # A waiting job, or a failed one that kept its file for a retry: cancelled here and now.
        waiting = [JobState.QUEUED, JobState.REVIEW, JobState.COMMIT_QUEUED, JobState.FAILED]
        stopped = ImportJob.objects.filter(pk=job.pk, state__in=waiting).update(
            state=JobState.CANCELLED, message=_("Đã hủy theo yêu cầu."), data=b"", finished_at=timezone.now()
        )
        if stopped:
            progress.clear(job.key)
            job.refresh_from_db()
            return True
    # Running in a process holding its lease. On SQLite that process holds the write lock (even an UPDATE
    # matching no row would wait for it), so the request goes through the progress channel and the job row
    # is left alone; the message is for this answer only.
    progress.request_cancel(job.key)
    progress.report(job.key, "cancelling")
    job.message = _(
        "Đã gửi yêu cầu hủy: lượt nhập dừng ở lần báo tiến độ tới (tối đa %(n)s dòng nữa) và không để lại gì."
    ) % {"n": number_format(FLUSH_EVERY, force_grouping=True)}
    return False


def revert(job: ImportJob, *, actor, reason: str) -> bool:
    """Undo a committed import as a whole; True when done at once, False when left to the worker."""
    if job.batch is None or job.batch.status != "committed":
        raise DomainError(_("Lượt nhập này không có đợt nhập nào để hủy."), field="batch", code="conflict")
    if not reason.strip():
        raise DomainError(_("Cần ghi lý do hủy đợt nhập."), field="reason")
    if job.batch.items + job.batch.lots <= jobs.INLINE_ROWS:
        jobs.run_revert(job.pk, actor.pk, reason.strip())
        return True
    job.message = _("Đang hủy cả đợt nhập trong nền…")
    job.save(update_fields=["message"])
    tasks.revert_import.enqueue(job.pk, actor.pk, reason.strip())
    return False
