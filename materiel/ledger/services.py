"""The only writers of the ledger: one service per event kind.

Each service is keyword-only, takes the acting user, runs in one transaction, validates through
`rules`, and writes the event, the item or lot projection and the ancestor rollups together.
Views, the API, the CLI and the importer all call these; nothing else writes events.
"""

import uuid
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.scoping import require, require_receiver
from materiel.catalog.models import EquipmentType
from materiel.core.errors import ConflictError, DomainError
from materiel.core.numbers import parse_decimal
from materiel.core.text import nfc, search_fold
from materiel.equipment.models import Item, ItemMeter, Lot, Purpose, Status
from materiel.units.models import Unit

from . import rules
from .batch import LedgerBatch
from .hashing import GENESIS, event_hash, stream_of
from .models import Event, EventKind
from .rollups import Deltas
from .rules import ItemState


def today() -> date:
    return timezone.localdate()


def item_state(item: Item) -> ItemState:
    return ItemState(item.unit_id, item.grade, item.status, item.holder, item.last_event_on)


def item_search_key(item: Item, type_name: str) -> str:
    return search_fold(f"{item.serial} {type_name} {item.holder}")


def _lock_item(item: Item, expected_version: int | None) -> Item:
    # Lock the item row alone: with a join, PostgreSQL re-checks the join against the row a concurrent
    # transfer just changed (new unit_id), drops it, and the waiting writer would find no item at all.
    locked = Item.objects.select_for_update().get(pk=item.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("Trang bị vừa được người khác cập nhật; hãy tải lại trang rồi thử lại."))
    return locked


def _chain(event: Event, prev_hash: str) -> None:
    event.prev_hash = prev_hash or GENESIS
    event.hash = event_hash(event)


def _write_item_event(item: Item, before: ItemState | None, after: ItemState, event: Event) -> Event:
    """Append `event` for `item`, then bring the item and the rollups to `after`."""
    unit_after = event.unit if event.unit_id == after.unit_id else Unit.objects.get(pk=after.unit_id)
    event.unit_id = after.unit_id
    event.item = item
    event.grade_before = before.grade if before else None
    event.status_before = before.status if before else ""
    event.holder_before = before.holder if before else ""
    event.grade_after, event.status_after, event.holder_after = after.grade, after.status, after.holder
    event.stream = stream_of(item_id=item.pk)
    _chain(event, item.chain_head)
    event.save(force_insert=True)

    before_unit_path = item.unit.path if before else None
    item.unit_id, item.unit = after.unit_id, unit_after
    item.grade, item.status, item.holder = after.grade, after.status, after.holder
    item.last_event_on = after.last_event_on
    item.chain_head = event.hash
    item.version += 1
    item.search_key = item_search_key(item, item.equipment_type.name)
    item.save()

    deltas = Deltas()
    deltas.move(
        item.equipment_type_id,
        (before_unit_path, before.grade, before.status) if before else None,
        (unit_after.path, after.grade, after.status),
    )
    deltas.write()
    return event


def _new_event(kind: str, *, actor, occurred_on: date, unit: Unit, **fields) -> Event:
    return Event(kind=kind, occurred_on=occurred_on, recorded_by=actor, unit=unit, recorded_at=timezone.now(), **fields)


def _text(value) -> str:
    return nfc(value or "")


def _check_receipt_details(year_made, purpose: str, occurred_on: date) -> None:
    if year_made is not None and not (1900 <= int(year_made) <= occurred_on.year):
        raise DomainError(_("Năm sản xuất %(year)s không hợp lệ.") % {"year": year_made}, field="year_made")
    if purpose not in Purpose.values:
        raise DomainError(_("Mục đích sử dụng không hợp lệ."), field="purpose")


@transaction.atomic
def record_receipt(
    *,
    equipment_type: EquipmentType,
    serial: str,
    unit: Unit,
    grade,
    occurred_on: date,
    actor,
    purpose: str = Purpose.IN_USE,
    year_made: int | None = None,
    origin: str = "",
    entered_service_on: date | None = None,
    note: str = "",
    document_number: str = "",
    document_date=None,
    reason: str = "",
) -> Event:
    """Take a serialised item into a unit's register (tiếp nhận)."""
    require(actor, "ledger.record", unit=unit)
    serial = rules.check_serial(_text(serial))
    rules.check_serialised(equipment_type, True)
    taken = Item.objects.filter(equipment_type=equipment_type, serial=serial).exclude(status=Status.VOID)
    if taken.exists():
        if not taken.visible_to(actor).exists():
            raise rules.unusable_serial(serial)  # held outside the actor's scope: say nothing about it
        raise DomainError(
            _("Số hiệu %(serial)s của %(type)s đã có trong sổ.") % {"serial": serial, "type": equipment_type.name},
            field="serial",
        )
    _check_receipt_details(year_made, purpose, occurred_on)
    after = rules.receipt(unit=unit, grade=grade, occurred_on=occurred_on, today=today())
    item = Item.objects.create(
        equipment_type=equipment_type,
        serial=serial,
        unit=unit,
        grade=after.grade,
        status=after.status,
        purpose=purpose,
        year_made=year_made,
        origin=_text(origin) or equipment_type.origin,
        entered_service_on=entered_service_on,
        received_on=occurred_on,
        note=_text(note),
        search_key=search_fold(f"{serial} {equipment_type.name}"),
        last_event_on=occurred_on,
        chain_head="",
        version=0,
    )
    event = _new_event(
        EventKind.RECEIPT,
        actor=actor,
        occurred_on=occurred_on,
        unit=unit,
        to_unit=unit,
        document_number=_text(document_number),
        document_date=document_date,
        reason=_text(reason),
    )
    return _write_item_event(item, None, after, event)


@transaction.atomic
def record_transfer(
    item: Item,
    *,
    to_unit: Unit,
    occurred_on: date,
    actor,
    document_number: str,
    document_date=None,
    reason: str = "",
    expected_version: int | None = None,
) -> Event:
    """Hand an item over to another unit (điều chuyển), with its handover record number."""
    item = _lock_item(item, expected_version)
    require(actor, "ledger.transfer", unit=item.unit)
    require_receiver(actor, item.unit, to_unit)
    before = item_state(item)
    after = rules.transfer(
        before, to_unit=to_unit, occurred_on=occurred_on, today=today(), document_number=document_number
    )
    event = _new_event(
        EventKind.TRANSFER,
        actor=actor,
        occurred_on=occurred_on,
        unit=to_unit,
        from_unit=item.unit,
        to_unit=to_unit,
        document_number=_text(document_number),
        document_date=document_date,
        reason=_text(reason),
    )
    return _write_item_event(item, before, after, event)


class ManyItems:
    """The same event on many items in one transaction: a bulk action of the register, a handover of
    a list, a receipt of many serials. The rules and the permissions are those of record_transfer,
    record_grade_change and record_receipt; the
    writing is the batch path's (ledger.batch): one insert of all the events, one UPDATE statement
    for the items, one rollup upsert, instead of a transaction of about ten statements per item.

    Inside transaction.atomic(): the items are locked when the object is made; `save()` writes and
    returns the events, with their ids. A DomainError leaves nothing written (the caller's
    transaction is rolled back), so the caller can name the item it was about."""

    def __init__(self, items, *, actor, versions: dict[int, int] | None = None):
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("ManyItems must run inside transaction.atomic()")
        self.actor = actor
        self._batch = LedgerBatch(actor, all_units=False)
        self.items = self._batch.adopt(items, versions=versions)
        self._events: list[Event] = []
        self._allowed: set[tuple[str, int]] = set()

    def _require(self, action: str, unit_id: int) -> None:
        if (action, unit_id) not in self._allowed:
            require(self.actor, action, unit=self._batch.units[unit_id])
            self._allowed.add((action, unit_id))

    def unit_of(self, item: Item) -> int:
        """The unit holding the item now, after what this batch recorded so far."""
        return self._batch.state_of(item).unit_id

    def transfer(
        self, item: Item, *, to_unit: Unit, occurred_on: date, document_number: str, document_date=None, reason=""
    ) -> Event:
        giving = self.unit_of(item)
        self._require("ledger.transfer", giving)
        if ("receiver", giving, to_unit.pk) not in self._allowed:
            require_receiver(self.actor, self._batch.units[giving], to_unit)
            self._allowed.add(("receiver", giving, to_unit.pk))
        event = self._batch.transfer(
            item,
            to_unit=to_unit,
            occurred_on=occurred_on,
            document_number=_text(document_number),
            reason=_text(reason),
            document_date=document_date,
        )
        self._events.append(event)
        return event

    def expect_serials(self, equipment_type: EquipmentType, serials) -> None:
        """Before receiving exactly these serials of a type: look up only them, not every serial of
        the type (the batch path's default, right for an import, heavy for a form of ten rifles)."""
        taken = Item.objects.filter(equipment_type=equipment_type, serial__in=list(serials)).exclude(status=Status.VOID)
        self._batch.serials[equipment_type.pk] = set(taken.values_list("serial", flat=True))

    def receipt(
        self,
        *,
        equipment_type: EquipmentType,
        serial: str,
        unit: Unit,
        grade,
        occurred_on: date,
        purpose: str = Purpose.IN_USE,
        year_made: int | None = None,
        origin: str = "",
        note: str = "",
        document_number: str = "",
        document_date=None,
        reason: str = "",
    ) -> Event:
        """A new item taken in, with record_receipt's rules (a receipt of many serials at once)."""
        self._require("ledger.record", unit.pk)
        _check_receipt_details(year_made, purpose, occurred_on)
        self._batch.receipt(
            equipment_type=equipment_type,
            serial=serial,
            unit=unit,
            grade=grade,
            occurred_on=occurred_on,
            document_number=_text(document_number),
            document_date=document_date,
            reason=_text(reason),
            purpose=purpose,
            year_made=year_made,
            origin=_text(origin),
            note=_text(note),
        )
        event = self._batch.events[-1]
        self._events.append(event)
        return event

    def grade_change(self, item: Item, *, grade, reason: str, occurred_on: date, document_number: str = "") -> Event:
        self._require("ledger.grade", self.unit_of(item))
        event = self._batch.grade_change(
            item, grade=grade, reason=_text(reason), occurred_on=occurred_on, document_number=_text(document_number)
        )
        self._events.append(event)
        return event

    def save(self) -> list[Event]:
        self._batch.flush()
        ids = dict(Event.objects.filter(hash__in=[e.hash for e in self._events]).values_list("hash", "id"))
        for event in self._events:
            event.pk = ids[event.hash]
            event._state.adding = False
        return self._events


@transaction.atomic
def record_issue(
    item: Item, *, holder: str, occurred_on: date, actor, document_number: str = "", expected_version: int | None = None
) -> Event:
    """Issue an item to a person (cấp phát)."""
    item = _lock_item(item, expected_version)
    require(actor, "ledger.record", unit=item.unit)
    before = item_state(item)
    after = rules.issue(before, holder=_text(holder), occurred_on=occurred_on, today=today())
    event = _new_event(
        EventKind.ISSUE, actor=actor, occurred_on=occurred_on, unit=item.unit, document_number=_text(document_number)
    )
    return _write_item_event(item, before, after, event)


@transaction.atomic
def record_return(
    item: Item, *, occurred_on: date, actor, document_number: str = "", expected_version: int | None = None
) -> Event:
    """Take an item back from the person who held it (thu hồi)."""
    item = _lock_item(item, expected_version)
    require(actor, "ledger.record", unit=item.unit)
    before = item_state(item)
    after = rules.return_(before, occurred_on=occurred_on, today=today())
    event = _new_event(
        EventKind.RETURN, actor=actor, occurred_on=occurred_on, unit=item.unit, document_number=_text(document_number)
    )
    return _write_item_event(item, before, after, event)


@transaction.atomic
def record_grade_change(
    item: Item,
    *,
    grade,
    reason: str,
    occurred_on: date,
    actor,
    document_number: str = "",
    inspection: str = "",
    expected_version: int | None = None,
) -> Event:
    """Re-grade an item (phân cấp chất lượng), with the reason and the inspection or document behind it."""
    item = _lock_item(item, expected_version)
    require(actor, "ledger.grade", unit=item.unit)
    before = item_state(item)
    after = rules.grade_change(before, grade=grade, reason=_text(reason), occurred_on=occurred_on, today=today())
    details = {"inspection": _text(inspection)} if inspection else {}
    event = _new_event(
        EventKind.GRADE_CHANGE,
        actor=actor,
        occurred_on=occurred_on,
        unit=item.unit,
        reason=_text(reason),
        document_number=_text(document_number),
        details=details,
    )
    return _write_item_event(item, before, after, event)


@transaction.atomic
def record_status_change(
    item: Item,
    kind: str,
    *,
    occurred_on: date,
    actor,
    reason: str = "",
    document_number: str = "",
    grade=None,
    expected_version: int | None = None,
) -> Event:
    """Repair in/out, sealed storage in/out, awaiting disposal, disposal, loss, found."""
    if kind not in rules.STATUS_MOVES:
        raise DomainError(_("Loại sự kiện không hợp lệ."), field="kind")
    item = _lock_item(item, expected_version)
    require(actor, "ledger.record", unit=item.unit)
    before = item_state(item)
    after = rules.status_change(before, kind, occurred_on=occurred_on, today=today(), grade=grade, reason=reason)
    event = _new_event(
        kind,
        actor=actor,
        occurred_on=occurred_on,
        unit=item.unit,
        reason=_text(reason),
        document_number=_text(document_number),
    )
    return _write_item_event(item, before, after, event)


def record_repair_start(item, **kw):
    return record_status_change(item, EventKind.REPAIR_START, **kw)


def record_repair_end(item, **kw):
    return record_status_change(item, EventKind.REPAIR_END, **kw)


def record_seal(item, **kw):
    return record_status_change(item, EventKind.SEAL, **kw)


def record_unseal(item, **kw):
    return record_status_change(item, EventKind.UNSEAL, **kw)


def record_await_disposal(item, **kw):
    return record_status_change(item, EventKind.AWAIT_DISPOSAL, **kw)


def record_disposal(item, **kw):
    return record_status_change(item, EventKind.DISPOSE, **kw)


def record_loss(item, **kw):
    return record_status_change(item, EventKind.LOSE, **kw)


def record_found(item, **kw):
    return record_status_change(item, EventKind.FIND, **kw)


def parse_meter_value(value) -> Decimal:
    number = parse_decimal(value)
    if number is None:
        raise DomainError(_("Chỉ số đồng hồ phải là số (ví dụ 12.500 hoặc 1.234,5)."), field="value")
    return number


@transaction.atomic
def record_meter_reading(
    item: Item, *, meter: str, value, occurred_on: date, actor, expected_version: int | None = None
) -> Event:
    """Record a reading of one of the item's meters (km, engine hours, rounds)."""
    item = _lock_item(item, expected_version)
    require(actor, "ledger.record", unit=item.unit)
    value = parse_meter_value(value)
    current = ItemMeter.objects.filter(item=item, meter=meter).first()
    before = item_state(item)
    after = rules.meter_reading(
        before,
        meter=meter,
        value=value,
        allowed_meters=item.equipment_type.meters,
        previous=(current.value, current.read_on) if current else None,
        occurred_on=occurred_on,
        today=today(),
    )
    event = _new_event(
        EventKind.METER_READING,
        actor=actor,
        occurred_on=occurred_on,
        unit=item.unit,
        details={"meter": meter, "value": str(value)},
    )
    _write_item_event(item, before, after, event)
    ItemMeter.objects.update_or_create(item=item, meter=meter, defaults={"value": value, "read_on": occurred_on})
    return event


# ---- counted stock (lots) ------------------------------------------------------------------------


def _write_lot_event(lot: Lot, event: Event, quantity: int) -> Event:
    event.lot = lot
    event.unit_id = lot.unit_id
    event.quantity = quantity
    event.grade_after = lot.grade
    event.stream = stream_of(lot_id=lot.pk)
    _chain(event, lot.chain_head)
    event.save(force_insert=True)
    lot.quantity += quantity
    lot.chain_head = event.hash
    lot.last_event_on = max(lot.last_event_on, event.occurred_on)
    lot.version += 1
    lot.save()
    deltas = Deltas()
    deltas.add(lot.unit.path, lot.equipment_type_id, lot.grade, Status.IN_SERVICE, quantity)
    deltas.write()
    return event


def _lot_for(equipment_type, unit, lot_number: str, grade: int, occurred_on: date) -> Lot:
    lot, _created = Lot.objects.select_for_update().get_or_create(
        equipment_type=equipment_type,
        unit=unit,
        lot_number=lot_number,
        grade=grade,
        defaults={"quantity": 0, "last_event_on": occurred_on, "chain_head": ""},
    )
    lot.unit = unit
    rules.check_lot_date(occurred_on, lot.last_event_on, today())
    return lot


@transaction.atomic
def record_lot_receipt(
    *,
    equipment_type: EquipmentType,
    unit: Unit,
    grade,
    quantity,
    occurred_on: date,
    actor,
    lot_number: str = "",
    document_number: str = "",
    reason: str = "",
) -> Event:
    """Take counted stock into a unit (nhập lô)."""
    require(actor, "ledger.record", unit=unit)
    rules.check_serialised(equipment_type, False)
    quantity = rules.check_quantity(quantity)
    grade = rules.check_grade(grade)
    rules.check_date(None, occurred_on, today())
    rules.check_unit_open(unit, occurred_on)
    lot = _lot_for(equipment_type, unit, _text(lot_number), grade, occurred_on)
    event = _new_event(
        EventKind.LOT_RECEIPT,
        actor=actor,
        occurred_on=occurred_on,
        unit=unit,
        to_unit=unit,
        document_number=_text(document_number),
        reason=_text(reason),
    )
    return _write_lot_event(lot, event, quantity)


def _lock_lot(lot: Lot, expected_version: int | None = None) -> Lot:
    locked = Lot.objects.select_for_update().get(pk=lot.pk)  # row alone, as in _lock_item
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(_("Lô vừa được người khác cập nhật; hãy tải lại rồi thử lại."))
    return locked


@transaction.atomic
def record_lot_issue(
    lot: Lot,
    *,
    quantity,
    occurred_on: date,
    actor,
    reason: str,
    document_number: str = "",
    expected_version: int | None = None,
) -> Event:
    """Take stock out of a lot: expended, consumed, handed out (xuất, tiêu hao)."""
    lot = _lock_lot(lot, expected_version)
    require(actor, "ledger.record", unit=lot.unit)
    quantity = rules.lot_take(lot.quantity, quantity, occurred_on, lot.last_event_on, today())
    if not _text(reason):
        raise DomainError(_("Phải ghi lý do xuất."), field="reason")
    event = _new_event(
        EventKind.LOT_ISSUE,
        actor=actor,
        occurred_on=occurred_on,
        unit=lot.unit,
        reason=_text(reason),
        document_number=_text(document_number),
    )
    return _write_lot_event(lot, event, -quantity)


@transaction.atomic
def record_lot_transfer(
    lot: Lot,
    *,
    to_unit: Unit,
    quantity,
    occurred_on: date,
    actor,
    document_number: str,
    reason: str = "",
    expected_version: int | None = None,
) -> list[Event]:
    """Move part of a lot to another unit: two rows, out of one lot and into the other."""
    lot = _lock_lot(lot, expected_version)
    require(actor, "ledger.transfer", unit=lot.unit)
    require_receiver(actor, lot.unit, to_unit)
    quantity = rules.lot_take(lot.quantity, quantity, occurred_on, lot.last_event_on, today())
    if to_unit.pk == lot.unit_id:
        raise DomainError(_("Lô đã thuộc %(unit)s.") % {"unit": to_unit.name}, field="to_unit")
    rules.check_unit_open(to_unit, occurred_on, field="to_unit")
    if not _text(document_number):
        raise DomainError(_("Điều chuyển phải có số biên bản bàn giao."), field="document_number")
    group = str(uuid.uuid4())
    common = dict(
        actor=actor,
        occurred_on=occurred_on,
        from_unit=lot.unit,
        to_unit=to_unit,
        group=group,
        document_number=_text(document_number),
        reason=_text(reason),
    )
    out = _write_lot_event(lot, _new_event(EventKind.LOT_TRANSFER, unit=lot.unit, **common), -quantity)
    target = _lot_for(lot.equipment_type, to_unit, lot.lot_number, lot.grade, occurred_on)
    into = _write_lot_event(target, _new_event(EventKind.LOT_TRANSFER, unit=to_unit, **common), quantity)
    return [out, into]


@transaction.atomic
def record_lot_regrade(
    lot: Lot, *, grade, quantity, occurred_on: date, actor, reason: str, expected_version: int | None = None
) -> list[Event]:
    """Move part of a lot to another quality grade (phân cấp lại)."""
    lot = _lock_lot(lot, expected_version)
    require(actor, "ledger.grade", unit=lot.unit)
    grade = rules.check_grade(grade)
    quantity = rules.lot_take(lot.quantity, quantity, occurred_on, lot.last_event_on, today())
    if grade == lot.grade:
        raise DomainError(_("Lô đã ở cấp %(grade)s.") % {"grade": grade}, field="grade")
    if not _text(reason):
        raise DomainError(_("Phân cấp lại phải ghi lý do."), field="reason")
    group = str(uuid.uuid4())
    common = dict(actor=actor, occurred_on=occurred_on, unit=lot.unit, group=group, reason=_text(reason))
    out = _write_lot_event(lot, _new_event(EventKind.LOT_REGRADE, **common), -quantity)
    target = _lot_for(lot.equipment_type, lot.unit, lot.lot_number, grade, occurred_on)
    into = _write_lot_event(target, _new_event(EventKind.LOT_REGRADE, **common), quantity)
    return [out, into]


# ---- reversal ------------------------------------------------------------------------------------


def _latest_effective(**stream) -> Event | None:
    return Event.objects.filter(**stream).effective().order_by("-id").first()


def _check_reversible(event: Event, reason: str) -> None:
    if event.kind == EventKind.REVERSAL:
        raise DomainError(_("Không hủy một lần hủy; hãy ghi lại sự kiện đúng."), field="event")
    if Event.objects.filter(reverses=event).exists():
        raise DomainError(_("Sự kiện này đã được hủy."), field="event")
    if not _text(reason):
        raise DomainError(_("Phải ghi lý do hủy."), field="reason")


@transaction.atomic
def reverse_event(event: Event, *, reason: str, actor, occurred_on: date | None = None) -> list[Event]:
    """Cancel a mistaken event with a new one (hủy sự kiện ghi nhầm); the original stays.

    Only the latest effective event of an item or lot can be reversed, like an undo stack: a past
    day's state then stays a simple fold of the remaining events. A lot transfer or regrade reverses
    both of its rows together.
    """
    event = Event.objects.select_related("unit").get(pk=event.pk)
    occurred_on = occurred_on or today()
    rows = list(Event.objects.filter(group=event.group).order_by("id")) if event.group else [event]
    # Every unit the reversal touches must be the actor's: the receiver of a transfer cannot undo it
    # into the giver's books.
    touched = {uid for row in rows for uid in (row.unit_id, row.from_unit_id, row.to_unit_id) if uid}
    for unit in Unit.objects.filter(pk__in=touched):
        require(actor, "ledger.reverse", unit=unit)
    _check_reversible(event, reason)
    if occurred_on > today():
        raise DomainError(_("Ngày hủy ở tương lai."), field="occurred_on")
    if event.item_id:
        return [_reverse_item_event(event, reason=_text(reason), actor=actor, occurred_on=occurred_on)]
    return [_reverse_lot_event(row, reason=_text(reason), actor=actor, occurred_on=occurred_on) for row in rows]


def _reverse_item_event(event: Event, *, reason: str, actor, occurred_on: date) -> Event:
    item = _lock_item(event.item, None)
    if _latest_effective(item=item) != event:
        raise DomainError(
            _("Chỉ hủy được sự kiện gần nhất của trang bị; hãy hủy các sự kiện sau nó trước."), field="event"
        )
    before = item_state(item)
    earlier = Event.objects.filter(item=item, id__lt=event.id).effective().order_by("-id").first()
    last_on = earlier.occurred_on if earlier else item.last_event_on
    if event.kind == EventKind.RECEIPT:
        # The item never existed: it leaves every count, and its serial is free again.
        after = ItemState(item.unit_id, item.grade, Status.VOID, "", last_on)
    else:
        after = ItemState(event.unit_before_id, event.grade_before, event.status_before, event.holder_before, last_on)
    if after.unit_id != item.unit_id:
        _require_open(Unit.objects.get(pk=after.unit_id), occurred_on)
    reversal = _new_event(
        EventKind.REVERSAL,
        actor=actor,
        occurred_on=occurred_on,
        unit=item.unit,
        reverses=event,
        from_unit_id=event.unit_id if after.unit_id != event.unit_id else None,
        to_unit_id=after.unit_id if after.unit_id != event.unit_id else None,
        reason=reason,
        details={"reversed_kind": str(event.kind)},
    )
    _write_item_event(item, before, after, reversal)
    if event.kind == EventKind.METER_READING:
        _restore_meter(item, event.details["meter"])
    return reversal


def _restore_meter(item: Item, meter: str) -> None:
    readings = Event.objects.filter(item=item, kind=EventKind.METER_READING).effective().order_by("-id")
    previous = next((e for e in readings if e.details.get("meter") == meter), None)
    if previous is None:
        ItemMeter.objects.filter(item=item, meter=meter).delete()
    else:
        ItemMeter.objects.update_or_create(
            item=item,
            meter=meter,
            defaults={"value": Decimal(previous.details["value"]), "read_on": previous.occurred_on},
        )


def _require_open(unit: Unit, on: date) -> None:
    if unit.dissolved_on and unit.dissolved_on <= on:
        raise DomainError(
            _("Đơn vị %(unit)s đã giải thể: không thể hủy sự kiện đưa trang bị về đơn vị này.") % {"unit": unit.name},
            field="event",
        )


def _reverse_lot_event(event: Event, *, reason: str, actor, occurred_on: date) -> Event:
    lot = _lock_lot(event.lot)
    if _latest_effective(lot=lot) != event:
        raise DomainError(_("Chỉ hủy được sự kiện gần nhất của lô; hãy hủy các sự kiện sau nó trước."), field="event")
    if lot.quantity - event.quantity < 0:
        raise DomainError(_("Hủy sự kiện này sẽ làm số lượng lô âm."), field="event")
    if event.quantity < 0:
        _require_open(lot.unit, occurred_on)
    # The lot's date order restarts from its latest remaining event (read before the reversal is written).
    remaining = Event.objects.filter(lot=lot).effective().exclude(pk=event.pk).aggregate(last=Max("occurred_on"))
    reversal = _new_event(
        EventKind.REVERSAL,
        actor=actor,
        occurred_on=occurred_on,
        unit=lot.unit,
        reverses=event,
        reason=reason,
        details={"reversed_kind": str(event.kind)},
    )
    written = _write_lot_event(lot, reversal, -event.quantity)
    Lot.objects.filter(pk=lot.pk).update(last_event_on=remaining["last"] or event.occurred_on)
    return written
