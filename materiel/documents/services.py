"""Handing equipment over from one unit to another with its handover record, in one transaction;
receiving it from outside the unit tree with its record (biên bản giao nhận), the same way.

The record, its lines and the ledger's events are written together: any refused item rolls back the
whole handover, record included. Events are written only by the ledger's services; the record points
at them.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from materiel.accounts.scoping import PermissionDenied, require, require_receiver
from materiel.core.errors import DomainError
from materiel.core.text import nfc
from materiel.equipment.models import Item, Lot, Purpose, Status
from materiel.ledger import services as ledger
from materiel.units.models import Unit

from .models import HandoverLine, HandoverRecord

# How a field named by a ledger rule reads inside a message about one item of a handover.
FIELD_LABELS = {
    "occurred_on": gettext_lazy("ngày bàn giao"),
    "to_unit": gettext_lazy("đơn vị nhận"),
    "document_number": gettext_lazy("số biên bản"),
    "item": gettext_lazy("tình trạng trang bị"),
    "quantity": gettext_lazy("số lượng"),
    "grade": gettext_lazy("cấp chất lượng"),
    "reason": gettext_lazy("lý do"),
    "serial": gettext_lazy("số hiệu"),
    "year_made": gettext_lazy("năm sản xuất"),
    "purpose": gettext_lazy("mục đích"),
    "unit": gettext_lazy("đơn vị nhận"),
}


@dataclass
class Parties:
    """What the record says beyond the items: its number, date, place and the two signatories."""

    number: str
    handed_on: date
    place: str = ""
    giver_name: str = ""
    giver_title: str = ""
    receiver_name: str = ""
    receiver_title: str = ""
    reason: str = ""
    notes: str = ""


def _clean(value: str) -> str:
    return nfc(value or "").strip()


def item_subject(item) -> str:
    return _("Số hiệu %(serial)s (%(type)s)") % {"serial": item.serial, "type": item.equipment_type.name}


def lot_subject(lot) -> str:
    return _("Lô %(lot)s (%(type)s)") % {"lot": lot.lot_number or "—", "type": lot.equipment_type.name}


def giving_unit(items, lots) -> Unit:
    """The one unit everything comes from: a record has one giving side."""
    things = [(item.unit, item_subject(item)) for item in items] + [(lot.unit, lot_subject(lot)) for lot, _q in lots]
    if not things:
        raise DomainError(_("Chưa chọn trang bị nào để bàn giao."), field="items")
    first_unit = things[0][0]
    for unit, subject in things[1:]:
        if unit.pk != first_unit.pk:
            raise DomainError(
                _(
                    "%(subject)s thuộc %(unit)s, không cùng bên giao %(first)s: một biên bản chỉ có một bên giao, "
                    "hãy chọn trang bị của cùng một đơn vị."
                )
                % {"subject": subject, "unit": unit.name, "first": first_unit.name},
                field="items",
            )
    return first_unit


def about_item(error: DomainError, subject: str) -> DomainError:
    """The ledger's message, prefixed with the item or lot (`item_subject`, `lot_subject`) and the
    field it is about: for actions on many items."""
    if isinstance(error, PermissionDenied):
        return error  # about the user, not the item
    field = FIELD_LABELS.get(error.field or "")
    if field:
        message = _("%(subject)s, mục “%(field)s”: %(message)s") % {
            "subject": subject,
            "field": field,
            "message": error.message,
        }
    else:
        message = _("%(subject)s: %(message)s") % {"subject": subject, "message": error.message}
    return DomainError(message, field=error.field, code=error.code)


def _check_record(parties: Parties, from_unit: Unit, to_unit: Unit) -> str:
    number = _clean(parties.number)
    if not number:
        raise DomainError(_("Điều chuyển phải có số biên bản bàn giao."), field="document_number")
    if parties.handed_on is None:
        raise DomainError(_("Chưa nhập ngày bàn giao."), field="occurred_on")
    if parties.handed_on > timezone.localdate():
        raise DomainError(_("Ngày bàn giao ở tương lai."), field="occurred_on")
    if to_unit.pk == from_unit.pk:
        raise DomainError(_("Bên nhận trùng bên giao (%(unit)s).") % {"unit": to_unit.name}, field="to_unit")
    taken = HandoverRecord.objects.filter(
        issuing_unit=from_unit, year=parties.handed_on.year, number=number, outside_party=""
    )
    if taken.exists():
        raise DomainError(
            _("Số biên bản %(number)s năm %(year)s của %(unit)s đã dùng; hãy chọn số khác.")
            % {"number": number, "year": parties.handed_on.year, "unit": from_unit.name},
            field="document_number",
        )
    return number


@transaction.atomic
def hand_over(*, items=(), lots=(), to_unit: Unit, parties: Parties, actor) -> HandoverRecord:
    """Transfer `items` (serialised) and `lots` ([(lot, quantity)]) from their one unit to `to_unit`,
    drawing up the handover record whose number every transfer event carries."""
    items = sorted(items, key=lambda i: (i.equipment_type.name, i.serial))
    lots = list(lots)
    from_unit = giving_unit(items, lots)
    require(actor, "ledger.transfer", unit=from_unit)
    require_receiver(actor, from_unit, to_unit)
    number = _check_record(parties, from_unit, to_unit)
    record = _create_record(number, parties, issuing_unit=from_unit, from_unit=from_unit, to_unit=to_unit, actor=actor)
    common: dict[str, Any] = {
        "to_unit": to_unit,
        "occurred_on": parties.handed_on,
        "document_number": number,
        "reason": record.reason,
    }
    # The items in one batch (ledger.services.ManyItems): a list of hundreds is one insert.
    many = ledger.ManyItems(items, actor=actor) if items else None
    for item in many.items if many else ():
        if many.unit_of(item) != from_unit.pk:  # type: ignore[union-attr]  # set whenever there are items
            raise ledger.ConflictError(
                _("Số hiệu %(serial)s vừa được điều chuyển khỏi %(unit)s; hãy tải lại trang.")
                % {"serial": item.serial, "unit": from_unit.name}
            )
        try:
            many.transfer(item, document_date=parties.handed_on, **common)  # type: ignore[union-attr]  # as above
        except DomainError as error:
            raise about_item(error, item_subject(item)) from None
    events = many.save() if many else []
    for lot, quantity in lots:
        try:
            out, _into = ledger.record_lot_transfer(lot, quantity=quantity, actor=actor, **common)
        except DomainError as error:
            raise about_item(error, lot_subject(lot)) from None
        events.append(out)
    HandoverLine.link(record, events)
    return record


# ---- receipts (tiếp nhận) ------------------------------------------------------------------------


class LineRefused(DomainError):
    """A refusal about one entry of a list (`position`: its index), for a form that names the line."""

    def __init__(self, error: DomainError, subject: str, position: int):
        wrapped = about_item(error, subject)
        super().__init__(wrapped.message, field=error.field, code=error.code)
        self.position = position


def serial_subject(equipment_type, serial: str) -> str:
    return _("Số hiệu %(serial)s (%(type)s)") % {"serial": serial, "type": equipment_type.name}


def _receipt_record(*, to_unit: Unit, outside_party: str, parties: Parties, actor) -> HandoverRecord:
    """The record of a receipt from outside the tree, drawn up by the receiving unit under the number
    the outside party gave the document (unique per party, unit and year)."""
    party = _clean(outside_party)
    if not party:
        raise DomainError(_("Chưa nhập bên giao (kho, nhà máy, cơ quan…)."), field="outside_party")
    number = _clean(parties.number)
    if not number:
        raise DomainError(_("Tiếp nhận phải có số biên bản giao nhận."), field="document_number")
    if parties.handed_on is None:
        raise DomainError(_("Chưa nhập ngày giao nhận."), field="occurred_on")
    if parties.handed_on > timezone.localdate():
        raise DomainError(_("Ngày giao nhận ở tương lai."), field="occurred_on")
    taken = HandoverRecord.objects.filter(
        issuing_unit=to_unit, year=parties.handed_on.year, outside_party=party, number=number
    )
    if taken.exists():
        raise DomainError(
            _("Biên bản số %(number)s năm %(year)s của %(party)s đã được tiếp nhận vào %(unit)s.")
            % {"number": number, "year": parties.handed_on.year, "party": party, "unit": to_unit.name},
            field="document_number",
        )
    return _create_record(
        number, parties, issuing_unit=to_unit, from_unit=None, outside_party=party, to_unit=to_unit, actor=actor
    )


def _create_record(
    number, parties: Parties, *, issuing_unit, from_unit, to_unit, actor, outside_party=""
) -> HandoverRecord:
    """The record itself, with the parties' names as given; a number taken meanwhile is said so."""
    try:
        with transaction.atomic():
            return HandoverRecord.objects.create(
                number=number,
                year=parties.handed_on.year,
                issuing_unit=issuing_unit,
                handed_on=parties.handed_on,
                place=_clean(parties.place),
                from_unit=from_unit,
                outside_party=outside_party,
                to_unit=to_unit,
                giver_name=_clean(parties.giver_name),
                giver_title=_clean(parties.giver_title),
                receiver_name=_clean(parties.receiver_name),
                receiver_title=_clean(parties.receiver_title),
                reason=_clean(parties.reason),
                notes=_clean(parties.notes),
                created_by=actor,
            )
    except IntegrityError:
        # Someone took the same number between our check and our insert.
        raise DomainError(
            _("Số biên bản %(number)s vừa được dùng cho biên bản khác; hãy chọn số khác.") % {"number": number},
            field="document_number",
        ) from None


def _add_lines(record: HandoverRecord, events) -> None:
    HandoverLine.link(record, events)


@transaction.atomic
def receive_items(
    *,
    equipment_type,
    serials: list[str],
    to_unit: Unit,
    outside_party: str,
    parties: Parties,
    actor,
    grade,
    purpose: str = Purpose.IN_USE,
    year_made: int | None = None,
    origin: str = "",
    note: str = "",
) -> HandoverRecord:
    """Take new serialised items into `to_unit` from an outside party (tiếp nhận), all or none, with
    the receipt record whose number every receipt event carries. A refused serial raises LineRefused."""
    require(actor, "ledger.record", unit=to_unit)
    if not serials:
        raise DomainError(_("Chưa nhập số hiệu."), field="serial")
    record = _receipt_record(to_unit=to_unit, outside_party=outside_party, parties=parties, actor=actor)
    many = ledger.ManyItems([], actor=actor)  # one batch: a thousand serials, one insert
    many.expect_serials(equipment_type, [nfc(serial) for serial in serials])
    for position, serial in enumerate(serials):
        try:
            many.receipt(
                equipment_type=equipment_type,
                serial=serial,
                unit=to_unit,
                grade=grade,
                occurred_on=parties.handed_on,
                purpose=purpose,
                year_made=year_made,
                origin=origin,
                note=note,
                document_number=record.number,
                document_date=parties.handed_on,
                reason=record.reason,
            )
        except PermissionDenied:
            raise
        except DomainError as error:
            raise LineRefused(error, serial_subject(equipment_type, serial), position) from None
    _add_lines(record, many.save())
    return record


@transaction.atomic
def hand_over_serials(
    *, equipment_type, serials: list[str], from_unit: Unit, to_unit: Unit, parties: Parties, actor
) -> HandoverRecord:
    """A receipt whose giver is a unit of the tree is a transfer: the serials must be on the giver's
    books, and they move with their grade and history (`hand_over`)."""
    found = {
        item.serial: item
        for item in Item.objects.visible_to(actor)
        .filter(unit=from_unit, equipment_type=equipment_type, serial__in=serials)
        .exclude(status=Status.VOID)
        .select_related("equipment_type", "unit")
    }
    for position, serial in enumerate(serials):
        if serial not in found:
            error = DomainError(
                _("Không có trong sổ của %(unit)s, bên giao: hãy kiểm tra số hiệu, hoặc chọn bên giao ngoài hệ thống.")
                % {"unit": from_unit.name},
                field="serial",
            )
            raise LineRefused(error, serial_subject(equipment_type, serial), position)
    return hand_over(items=[found[s] for s in serials], to_unit=to_unit, parties=parties, actor=actor)


@transaction.atomic
def receive_lot(
    *,
    equipment_type,
    lot_number: str,
    grade,
    quantity,
    to_unit: Unit,
    outside_party: str,
    parties: Parties,
    actor,
) -> HandoverRecord:
    """Take counted stock into `to_unit` from an outside party (nhập lô), with its receipt record."""
    require(actor, "ledger.record", unit=to_unit)
    record = _receipt_record(to_unit=to_unit, outside_party=outside_party, parties=parties, actor=actor)
    event = ledger.record_lot_receipt(
        equipment_type=equipment_type,
        unit=to_unit,
        grade=grade,
        quantity=quantity,
        occurred_on=parties.handed_on,
        actor=actor,
        lot_number=lot_number,
        document_number=record.number,
        reason=record.reason,
    )
    _add_lines(record, [event])
    return record


@transaction.atomic
def hand_over_lot_of(
    *, equipment_type, lot_number: str, grade, quantity, from_unit: Unit, to_unit: Unit, parties: Parties, actor
) -> HandoverRecord:
    """A lot received from a unit of the tree: a lot transfer out of the giver's lot of that number
    and grade (`hand_over`)."""
    lot = (
        Lot.objects.visible_to(actor)
        .filter(unit=from_unit, equipment_type=equipment_type, lot_number=_clean(lot_number), grade=grade)
        .select_related("equipment_type", "unit")
        .first()
    )
    if lot is None:
        raise DomainError(
            _(
                "%(unit)s không có lô %(lot)s cấp %(grade)s của %(type)s: hãy kiểm tra, "
                "hoặc chọn bên giao ngoài hệ thống."
            )
            % {"unit": from_unit.name, "lot": _clean(lot_number) or "—", "grade": grade, "type": equipment_type.name},
            field="lot_number",
        )
    return hand_over(lots=[(lot, quantity)], to_unit=to_unit, parties=parties, actor=actor)


def save_profile(*, actor, form, profile=None):
    """Save a layout profile (reference data shared by the whole tree): `catalog.manage`, in one
    transaction; a replayed creation answers the code already taken, an edit writes the same values."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from materiel.accounts.scoping import allowed

    if not allowed(actor, "catalog.manage"):
        raise PermissionDenied(_("Vai trò của bạn không được phép thực hiện thao tác này."))
    with transaction.atomic():
        return form.save()
