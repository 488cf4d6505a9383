"""Running an import job: checking the file into a preview, then committing it to the ledger.

The same two functions run inline for small files and in the background worker (tasks.py) for large
ones. Each step starts with a conditional state change, so a job cancelled while it waited in the
queue is never started, and two workers never run the same step.
"""

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from materiel.core.errors import DomainError

from . import progress
from .commit import commit_plan, revert_batch
from .models import ImportJob, JobState
from .plan import Plan, build_plan, column_letter, types_by_code
from .reader import FileRefused, read_table
from .values import text

log = logging.getLogger(__name__)

# Files up to this size are checked inside the request; larger ones go to the background worker.
INLINE_BYTES = 256 * 1024
# Plans up to this many rows are committed inside the request.
INLINE_ROWS = 2000
SHOWN_ISSUES = 500
SHOWN_ROWS = 20


def _claim(job: ImportJob, before: JobState, after: JobState) -> bool:
    """Move the job from `before` to `after` unless someone (a cancel, another worker) moved it first."""
    claimed = ImportJob.objects.filter(pk=job.pk, state=before).update(state=after)
    if claimed:
        job.state = after
    return bool(claimed)


def _finish(job: ImportJob, state: JobState, message: str = "", **fields) -> bool:
    """End the step the job is in, unless the job was taken from it meanwhile (its lease expired and it
    was marked failed, or it was cancelled): then that stands, and False says so."""
    fields.update(state=state, message=message, finished_at=timezone.now() if state != JobState.REVIEW else None)
    if state in (JobState.DONE, JobState.CANCELLED, JobState.REFUSED):
        fields["data"] = b""  # the file has served its purpose; its hash stays in the batch
    ended = ImportJob.objects.filter(pk=job.pk, state=job.state).update(**fields)
    progress.clear(job.key)
    return bool(ended)


class _Lost(Exception):
    """The job left COMMITTING while its commit ran (marked failed after a lost lease): roll back."""


# Steps that run in a process holding the job's lease; any other state needs no process.
LEASED = (JobState.CHECKING, JobState.COMMITTING)


def expire_if_gone(job: ImportJob) -> bool:
    """Mark the job failed, with the reason, if the process running its step is gone (lease expired).

    Called whenever a job is looked at (pages, API, cancel). Nothing of a commit whose process died was
    written (its transaction never committed), so the job keeps its file and can be retried.
    """
    if job.state not in LEASED or progress.alive(job.key):
        return False
    if job.state == JobState.CHECKING:
        message = _(
            "Tiến trình kiểm tra tệp đã dừng giữa chừng (máy chủ khởi động lại hoặc tiến trình bị dừng). "
            "Bấm “Thử lại” để kiểm tra lại."
        )
        fields: dict[str, Any] = {"summary": {}}
    else:
        message = _(
            "Tiến trình ghi đã dừng giữa chừng (máy chủ khởi động lại hoặc tiến trình bị dừng); "
            "không dòng nào được ghi. Bấm “Thử lại” để ghi lại."
        )
        fields = {}
    expired = _finish(job, JobState.FAILED, message, **fields)
    if expired:
        log.warning("import job %s: the lease of its %s step expired; marked failed", job.pk, job.state)
    job.refresh_from_db()
    return expired


def _plan(job: ImportJob, phase: str) -> tuple[Plan, list]:
    progress.report(job.key, "reading")
    options = job.options or {}
    table = read_table(bytes(job.data), job.file_name, sheet=options.get("sheet"))
    columns = {int(c): f for c, f in job.columns.items()} or None
    plan = build_plan(
        table,
        actor=job.created_by,
        unit=job.unit,
        default_day=job.default_day,
        columns=columns,
        header_row=options.get("header_row"),
        types=types_by_code(options.get("types") or {}),
        before_founding=options.get("before_founding"),
        predecessors=options.get("predecessors") or {},
        progress=progress.reporter(job.key, phase),
    )
    rows = table.rows[plan.header_row - 1 : plan.header_row - 1 + plan.header_height]
    header = [" / ".join(t for t in (text(r[i]) if i < len(r) else "" for r in rows) if t) for i in range(_width(rows))]
    return plan, header


def _width(rows: list[list]) -> int:
    return max((len(r) for r in rows), default=0)


def summarise(plan: Plan, header: list) -> dict:
    """What the preview page and the API show: counts, the column mapping, issues, the first rows."""
    width = max([len(header), *(c + 1 for c in plan.columns)], default=0)
    return {
        "file_hash": plan.file_hash,
        "sheet": plan.sheet,
        "sheets": plan.sheets,
        "registers": plan.registers,
        "header_row": plan.header_row,
        "header_height": plan.header_height,
        "headers": [
            {
                "index": i,
                "letter": column_letter(i),
                "label": plan.labels.get(i) or (text(header[i]) if i < len(header) else ""),
            }
            for i in range(width)
        ],
        "columns": {str(c): f for c, f in sorted(plan.columns.items())},
        "rows": len(plan.rows),
        "items": plan.items,
        "lots": plan.lots,
        "skipped": plan.skipped,
        "unknown_types": [
            {
                "name": name,
                "rows": unknown["rows"],
                "first_row": unknown["first_row"],
                "suggestions": [{"code": t.code, "name": t.name} for t in unknown.get("suggestions", [])],
            }
            for name, unknown in plan.unknown_types.items()
        ][:SHOWN_ISSUES],
        "mapped_types": [
            {"name": name, "code": t.code, "type": t.name, "remembered": how == "remembered"}
            for name, (t, how) in plan.mapped_types.items()
        ],
        "before_founding": plan.before_founding,
        "early_units": [
            {
                "code": e.unit.code,
                "name": e.unit.name,
                "founded_on": e.unit.founded_on.isoformat(),
                "rows": e.rows,
                "first_row": e.first_row,
                "candidates": [{"code": u.code, "name": u.name} for u in e.candidates],
                "predecessor": e.predecessor.code if e.predecessor else None,
            }
            for e in plan.early.values()
        ],
        "skipped_rows": [
            {"row": s.row, "kind": s.kind, "label": s.label, "text": s.text} for s in plan.skipped_rows[:SHOWN_ISSUES]
        ],
        "issue_count": sum(1 for i in plan.issues if not i.duplicate),
        "duplicate_count": sum(1 for i in plan.issues if i.duplicate),
        "issues": [
            {"row": i.row, "column": i.column, "value": i.value, "message": i.message, "duplicate": i.duplicate}
            for i in plan.issues[:SHOWN_ISSUES]
        ],
        "preview": [
            {
                "row": r.row,
                "kind": r.kind,
                "type": str(r.equipment_type),
                "serial": r.serial or r.lot_number,
                "quantity": r.quantity,
                "grade": r.grade,
                "unit": str(r.unit),
                "received_on": r.received_on.isoformat(),
            }
            for r in plan.rows[:SHOWN_ROWS]
        ],
    }


def run_check(job_id: int) -> None:
    """Read and validate the file; the job waits in REVIEW with its preview, or is refused."""
    job = ImportJob.objects.select_related("unit", "created_by").get(pk=job_id)
    with progress.heartbeat(job.key):
        if not _claim(job, JobState.QUEUED, JobState.CHECKING):
            return
        _check(job)


def _check(job: ImportJob) -> None:
    try:
        plan, header = _plan(job, "checking")
    except progress.Cancelled:
        _finish(job, JobState.CANCELLED, _("Đã hủy theo yêu cầu."))
    except FileRefused as error:
        _finish(job, JobState.REFUSED, error.message)
    except Exception:
        log.exception("import check %s failed", job.pk)
        _finish(job, JobState.FAILED, _("Lỗi không mong đợi khi đọc tệp; đã ghi vào nhật ký máy chủ."), summary={})
    else:
        _finish(job, JobState.REVIEW, summary=summarise(plan, header))


def run_commit(job_id: int) -> None:
    """Check the file again against today's register and write it as one batch, or write nothing."""
    job = ImportJob.objects.select_related("unit", "created_by").get(pk=job_id)
    with progress.heartbeat(job.key):
        if not _claim(job, JobState.COMMIT_QUEUED, JobState.COMMITTING):
            return
        _commit(job)


def _commit(job: ImportJob) -> None:
    try:
        plan, header = _plan(job, "checking")
        if plan.blocking(job.skip_duplicates):
            # The register changed since the preview (or the mapping did): show the new preview.
            message = _("Sổ đã thay đổi từ lúc xem trước: hãy xem lại các lỗi dưới đây.")
            _finish(job, JobState.REVIEW, message, summary=summarise(plan, header))
            return
        with transaction.atomic():
            batch = commit_plan(
                plan,
                actor=job.created_by,
                unit=job.unit,
                force=job.force,
                skip_duplicates=job.skip_duplicates,
                progress=progress.reporter(job.key, "writing"),
            )
            done = _("Đã nhập %(items)s trang bị và %(lots)s lô.") % {
                "items": number_format(batch.items, force_grouping=True),
                "lots": number_format(batch.lots, force_grouping=True),
            }
            # The job's new state commits with the batch, or neither does: a job marked failed meanwhile
            # (its lease lost) must not have its rows written behind the user's back.
            if not _finish(job, JobState.DONE, done, batch=batch):
                raise _Lost
    except _Lost:
        log.warning("import commit %s lost its job while writing; rolled back", job.pk)
    except progress.Cancelled:
        _finish(job, JobState.CANCELLED, _("Đã hủy theo yêu cầu; không ghi dòng nào."))
    except FileRefused as error:
        _finish(job, JobState.REFUSED, error.message)
    except DomainError as error:
        _finish(job, JobState.FAILED, error.message)
    except Exception:
        log.exception("import commit %s failed", job.pk)
        _finish(job, JobState.FAILED, _("Lỗi không mong đợi khi ghi; không dòng nào được ghi."))


def run_revert(job_id: int, actor_id: int, reason: str) -> None:
    """Undo a committed import with reversal events (one per event: slow for large batches, so here)."""
    from materiel.accounts.models import User

    job = ImportJob.objects.select_related("batch").get(pk=job_id)
    try:
        count = revert_batch(job.batch, actor=User.objects.get(pk=actor_id), reason=reason)
    except DomainError as error:
        job.message = error.message
    else:
        job.message = _("Đã hủy cả đợt nhập: %(n)s sự kiện hủy.") % {"n": number_format(count, force_grouping=True)}
    job.save(update_fields=["message"])
