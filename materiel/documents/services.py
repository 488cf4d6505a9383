"""Handing equipment over from one unit to another with its handover record, in one transaction.

The record, its lines and the ledger's transfer events are written together: any refused item rolls
back the whole handover, record included. Events are written only by the ledger's services; the
record points at them.
"""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from materiel.accounts.scoping import PermissionDenied, require, require_receiver
from materiel.core.errors import DomainError
from materiel.core.text import nfc
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
    taken = HandoverRecord.objects.filter(issuing_unit=from_unit, year=parties.handed_on.year, number=number)
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
    try:
        with transaction.atomic():
            record = HandoverRecord.objects.create(
                number=number,
                year=parties.handed_on.year,
                issuing_unit=from_unit,
                handed_on=parties.handed_on,
                place=_clean(parties.place),
                from_unit=from_unit,
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
    common = {
        "to_unit": to_unit,
        "occurred_on": parties.handed_on,
        "document_number": number,
        "reason": record.reason,
    }
    # The items in one batch (ledger.services.ManyItems): a list of hundreds is one insert.
    many = ledger.ManyItems(items, actor=actor) if items else None
    for item in many.items if many else ():
        if many.unit_of(item) != from_unit.pk:
            raise ledger.ConflictError(
                _("Số hiệu %(serial)s vừa được điều chuyển khỏi %(unit)s; hãy tải lại trang.")
                % {"serial": item.serial, "unit": from_unit.name}
            )
        try:
            many.transfer(item, document_date=parties.handed_on, **common)
        except DomainError as error:
            raise about_item(error, item_subject(item)) from None
    events = many.save() if many else []
    for lot, quantity in lots:
        try:
            out, _into = ledger.record_lot_transfer(lot, quantity=quantity, actor=actor, **common)
        except DomainError as error:
            raise about_item(error, lot_subject(lot)) from None
        events.append(out)
    HandoverLine.objects.bulk_create(
        HandoverLine(record=record, position=n, event=event) for n, event in enumerate(events, start=1)
    )
    return record
