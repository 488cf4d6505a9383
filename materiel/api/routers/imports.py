"""Import batches over HTTP: upload a register file, follow its check, fix the columns, commit or cancel.

The same job, worker and rules as the wizard (imports.views / imports.jobs): a client uploads, polls
GET /imports/{id} until `state` is "review", reads the issues, then commits and polls until "done".
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja import Status as Reply
from ninja.files import UploadedFile

from materiel.accounts.scoping import require
from materiel.core.errors import DomainError
from materiel.imports import progress, steps
from materiel.imports.jobs import expire_if_gone
from materiel.imports.models import ImportJob
from materiel.imports.reader import MAX_BYTES

from ..common import MAX_LIMIT, Day, Id, Limit, keyset, unit_for, unit_named
from ..errors import responses

router = Router(tags=["Nhập Excel"])


class ProgressOut(Schema):
    phase: str
    done: int
    total: int


class ImportOut(Schema):
    id: int
    file_name: str
    unit: str
    state: str
    state_label: str
    message: str
    created_at: str
    created_by: str
    progress: ProgressOut | None
    summary: dict
    batch: int | None


class ImportPage(Schema):
    results: list[ImportOut]
    next: int | None


class ImportFilters(Schema):
    unit: str | None = None
    after: Id | None = None
    limit: Limit = 50


class ColumnsIn(Schema):
    columns: dict[str, str]


class SheetIn(Schema):
    sheet: str | None = None
    header_row: int | None = None


class TypesIn(Schema):
    types: dict[str, str]


class HistoryIn(Schema):
    before_founding: str
    predecessors: dict[str, str] = {}


class CommitIn(Schema):
    force: bool = False
    skip_duplicates: bool = False


def import_out(job: ImportJob) -> dict:
    return {
        "id": job.pk,
        "file_name": job.file_name,
        "unit": job.unit.code,
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "message": job.message,
        "created_at": job.created_at.isoformat(),
        "created_by": job.created_by.username,
        "progress": progress.read(job.key) if job.running else None,
        "summary": job.summary,
        "batch": job.batch_id,
    }


def visible_job(request, import_id: Id) -> ImportJob:
    """The caller's job, marked failed first if the process running it is gone (its lease expired)."""
    jobs = ImportJob.objects.visible_to(request.user).select_related("unit", "created_by").defer("data")
    job = get_object_or_404(jobs, pk=import_id)
    expire_if_gone(job)
    return job


@router.get("/imports", response=responses(ImportPage), summary="Các lượt nhập Excel của một cây đơn vị")
def list_imports(request, filters: Query[ImportFilters]):
    root = unit_for(request, filters.unit)
    jobs = ImportJob.objects.visible_to(request.user).in_subtree(root).select_related("unit", "created_by")
    rows, cursor = keyset(jobs.defer("data"), filters.after, min(filters.limit, MAX_LIMIT))
    for job in rows:
        expire_if_gone(job)
    return {"results": [import_out(job) for job in rows], "next": cursor}


@router.post(
    "/imports",
    response=responses(ImportOut, 202),
    summary="Tải lên một tệp sổ (XLSX/CSV) để kiểm tra; chưa ghi gì",
)
def upload(request, file: File[UploadedFile], unit: Form[str], default_day: Form[Day | None] = None):
    target = unit_named(request, unit, field="unit")
    require(request.user, "ledger.record", unit=target)
    if (file.size or 0) > MAX_BYTES:
        raise DomainError(_("Tệp quá lớn; giới hạn %(limit)s MB.") % {"limit": MAX_BYTES // 2**20}, field="file")
    job = steps.create_job(request.user, target, file.name or "tep.xlsx", file.read(), default_day)
    return Reply(202, import_out(job))


@router.get("/imports/{import_id}", response=responses(ImportOut), summary="Trạng thái, tiến độ và kết quả kiểm tra")
def get_import(request, import_id: Id):
    return import_out(visible_job(request, import_id))


@router.post(
    "/imports/{import_id}/columns",
    response=responses(ImportOut, 202),
    summary="Kiểm tra lại với cách hiểu cột khác ({chỉ số cột: trường})",
)
def remap(request, import_id: Id, payload: ColumnsIn):
    job = visible_job(request, import_id)
    require(request.user, "ledger.record", unit=job.unit)
    steps.remap(job, payload.columns)
    return Reply(202, import_out(visible_job(request, import_id)))


@router.post(
    "/imports/{import_id}/sheet",
    response=responses(ImportOut, 202),
    summary="Kiểm tra lại từ trang tính và/hoặc dòng tiêu đề khác (số dòng như Excel đánh)",
)
def choose_sheet(request, import_id: Id, payload: SheetIn):
    job = visible_job(request, import_id)
    require(request.user, "ledger.record", unit=job.unit)
    steps.choose_sheet(job, sheet=payload.sheet, header_row=payload.header_row)
    return Reply(202, import_out(visible_job(request, import_id)))


@router.post(
    "/imports/{import_id}/types",
    response=responses(ImportOut, 202),
    summary="Kiểm tra lại, hiểu tên chủng loại trong tệp là chủng loại của danh mục ({tên trong tệp: mã})",
)
def map_types(request, import_id: Id, payload: TypesIn):
    job = visible_job(request, import_id)
    require(request.user, "ledger.record", unit=job.unit)
    steps.map_types(job, payload.types)
    return Reply(202, import_out(visible_job(request, import_id)))


@router.post(
    "/imports/{import_id}/history",
    response=responses(ImportOut, 202),
    summary="Kiểm tra lại, ghi các dòng trước ngày thành lập đơn vị theo cách đã chọn (transfer | founding-date)",
)
def place_history(request, import_id: Id, payload: HistoryIn):
    job = visible_job(request, import_id)
    require(request.user, "ledger.record", unit=job.unit)
    steps.place_history(job, policy=payload.before_founding, predecessors=payload.predecessors)
    return Reply(202, import_out(visible_job(request, import_id)))


@router.post("/imports/{import_id}/commit", response=responses(ImportOut, 202), summary="Ghi tệp đã kiểm tra vào sổ")
def commit(request, import_id: Id, payload: CommitIn):
    job = visible_job(request, import_id)
    require(request.user, "ledger.record", unit=job.unit)
    steps.start_commit(job, force=payload.force, skip_duplicates=payload.skip_duplicates)
    return Reply(202, import_out(visible_job(request, import_id)))


@router.post(
    "/imports/{import_id}/cancel",
    response={**responses(ImportOut), 202: ImportOut},
    summary="Hủy lượt nhập (không để lại gì): 200 đã hủy, 202 đã yêu cầu tiến trình đang chạy dừng, 409 đã xong",
)
def cancel(request, import_id: Id):
    job = visible_job(request, import_id)
    require(request.user, "ledger.record", unit=job.unit)
    if steps.cancel_job(job):
        return import_out(job)
    return Reply(202, import_out(job))


@router.post(
    "/imports/{import_id}/retry",
    response=responses(ImportOut, 202),
    summary="Chạy lại lượt nhập không ghi được (kiểm tra lại, hoặc ghi lại nếu đã xem trước)",
)
def retry(request, import_id: Id):
    job = visible_job(request, import_id)
    require(request.user, "ledger.record", unit=job.unit)
    steps.retry_job(job)
    return Reply(202, import_out(visible_job(request, import_id)))
