"""Writing a plan: one import batch, all or nothing; reverting a batch as a whole."""

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from materiel.accounts.scoping import require
from materiel.core.errors import DomainError
from materiel.core.text import search_fold
from materiel.ledger import services
from materiel.ledger.batch import LedgerBatch
from materiel.ledger.kit import KIT, kit_details
from materiel.ledger.models import Batch, BatchStatus, EventKind

from .history import fmt
from .models import TypeAlias
from .plan import Plan

FLUSH_EVERY = 2000


def previous_import(plan: Plan, actor) -> Batch | None:
    """An earlier import of the same file into the actor's scope; another province's is not mentioned."""
    return earlier_import(plan.file_hash, actor)


def earlier_import(file_hash: str, actor) -> Batch | None:
    return Batch.objects.visible_to(actor).filter(file_hash=file_hash, status=BatchStatus.COMMITTED).first()


@transaction.atomic
def commit_plan(plan: Plan, *, actor, unit, force: bool = False, skip_duplicates: bool = False, progress=None) -> Batch:
    """All rows become receipt events of one batch in one transaction, or nothing is written.

    `progress(done, total)` is called after each flush; if it raises, the whole transaction rolls back.
    Rows whose serial is already in the register are left out when `skip_duplicates` is set.
    """
    blocking = plan.blocking(skip_duplicates)
    if blocking:
        raise DomainError(_("Tệp còn %(n)s lỗi: sửa tệp rồi nhập lại.") % {"n": len(blocking)}, field="file")
    earlier = previous_import(plan, actor)
    if earlier and not force:
        raise DomainError(
            _("Tệp này đã được nhập ngày %(day)s (đợt #%(id)s). Nếu vẫn muốn nhập lại, hãy xác nhận nhập lần nữa.")
            % {"day": date_format(earlier.created_at, "SHORT_DATE_FORMAT"), "id": earlier.pk},
            field="file",
            code="conflict",
        )
    for target in {row.unit for row in plan.rows} | {row.held_by for row in plan.rows if row.held_by} | {unit}:
        require(actor, "ledger.record", unit=target)
    batch = Batch.objects.create(
        label=plan.file_name[:255],
        file_hash=plan.file_hash,
        unit=unit,
        created_by=actor,
        items=plan.items,
        lots=plan.lots,
        details={
            "sheet": plan.sheet,
            "header_row": plan.header_row,
            "columns": plan.columns,
            "headers": {str(c): label for c, label in plan.labels.items()},
            "types": {name: t.code for name, (t, _how) in plan.mapped_types.items()},
            "skipped_duplicates": len(plan.issues),
            "before_founding": plan.before_founding,
        },
    )
    ledger = LedgerBatch(actor, batch=batch)
    for done, row in enumerate(plan.rows, start=1):
        try:
            _write_row(ledger, row)
        except DomainError as error:
            raise DomainError(
                _("Dòng %(row)s: %(message)s") % {"row": row.row, "message": error.message}, field=error.field
            ) from None
        if done % FLUSH_EVERY == 0:
            ledger.flush()
            if progress:
                progress(done, len(plan.rows))
    ledger.flush()
    remember_types(plan, unit=unit, actor=actor)
    if progress:
        progress(len(plan.rows), len(plan.rows))
    return batch


def remember_types(plan: Plan, *, unit, actor) -> None:
    """The names the user mapped to catalogue types for this file, kept for the unit's next imports."""
    for name, (equipment_type, how) in plan.mapped_types.items():
        if how == "mapped":
            TypeAlias.objects.update_or_create(
                unit=unit,
                key=search_fold(name),
                defaults={"name": name, "equipment_type": equipment_type, "created_by": actor},
            )


def _write_row(ledger: LedgerBatch, row) -> None:
    """One planned row: a receipt (at the unit that held it then, followed by the transfer of the
    reorganisation day, for a historical row under the "transfer" policy)."""
    at = row.held_by or row.unit
    reason = ""
    if row.original_on:
        reason = _("Ngày tiếp nhận theo sổ: %(day)s (trước ngày thành lập đơn vị; ghi theo ngày thành lập).") % {
            "day": fmt(row.original_on)
        }
    if row.kind == "item":
        item = ledger.receipt(
            equipment_type=row.equipment_type,
            serial=row.serial,
            unit=at,
            grade=row.grade,
            occurred_on=row.received_on,
            year_made=row.year_made,
            origin=row.origin,
            note=row.note,
            entered_service_on=row.original_on or row.received_on,
            reason=reason,
        )
        if row.held_by:
            ledger.transfer(
                item,
                to_unit=row.unit,
                occurred_on=row.transfer_on,
                document_number=row.transfer_document,
                reason=_("Tổ chức lại: %(from)s → %(to)s") % {"from": at.name, "to": row.unit.name},
            )
        if row.kit:
            # What the register's book says is short of the kit, as of the row's last day.
            ledger.record(
                item,
                KIT,
                occurred_on=row.transfer_on if row.held_by else row.received_on,
                details=kit_details(ledger.state_of(item).kit, row.kit, _("Theo sổ đăng ký nhập vào")),
            )
        return
    lot = ledger.lot_receipt(
        equipment_type=row.equipment_type,
        unit=at,
        grade=row.grade,
        quantity=row.quantity,
        occurred_on=row.received_on,
        lot_number=row.lot_number,
        reason=reason,
    )
    if row.held_by:
        ledger.lot_transfer(
            lot,
            to_unit=row.unit,
            quantity=row.quantity,
            occurred_on=row.transfer_on,
            document_number=row.transfer_document,
            reason=_("Tổ chức lại: %(from)s → %(to)s") % {"from": at.name, "to": row.unit.name},
        )


@transaction.atomic
def revert_batch(batch: Batch, *, actor, reason: str) -> int:
    """Cancel a whole import with reversal events, newest first; refused if anything was recorded since."""
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == BatchStatus.REVERTED:
        raise DomainError(_("Đợt nhập này đã được hủy."), field="batch")
    # The transfers of a historical import's "transfer" policy are undone before their receipts.
    kinds = [EventKind.RECEIPT, EventKind.LOT_RECEIPT, EventKind.TRANSFER, EventKind.LOT_TRANSFER, KIT]
    receipts = batch.events.filter(kind__in=kinds).order_by("-id")
    count = 0
    groups = set()
    for event in receipts.iterator():
        if event.group:
            if event.group in groups:
                continue  # a lot transfer's two rows are reversed together
            groups.add(event.group)
        try:
            services.reverse_event(event, reason=reason, actor=actor)
        except DomainError as error:
            raise DomainError(
                _("Không hủy được đợt nhập: %(message)s") % {"message": error.message}, field="batch"
            ) from None
        count += 1
    batch.status = BatchStatus.REVERTED
    batch.save(update_fields=["status"])
    return count
