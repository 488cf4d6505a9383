"""The services of the ledger: who may record what, on top of the one writer.

Every write of the ledger goes through `ledger.batch.LedgerBatch`, the one writer: it asks each
kind's rule (ledger.kinds) for the state after, makes the hash-chained event, and writes the items,
lots, meters and rollups. The seeder and the importer use it directly; everything a user does goes
through here, which adds the permission checks (the kind's action, on the unit concerned) and the
row locks: `Writer` for many events in one transaction (a bulk action, a handover of a list, a
receipt of many serials), and one function per kind for a single event (`record_transfer`, …),
each running in its own transaction. Views, the API, the CLI and the importer call these.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.models import User
from materiel.accounts.scoping import require
from materiel.catalog.models import EquipmentType

# ConflictError: raised here by the writer, caught by callers (ledger.services.ConflictError), so re-exported.
from materiel.core.errors import ConflictError as ConflictError
from materiel.core.errors import DomainError
from materiel.core.numbers import parse_decimal
from materiel.core.text import nfc
from materiel.equipment.models import Item, Lot, Purpose, Status
from materiel.units.models import Unit

from . import kinds, rules
from .batch import LedgerBatch
from .kit import KIT, kit_details
from .models import Event, EventKind
from .rules import GradeInput


def today() -> date:
    return timezone.localdate()


class Writer:
    """Events recorded by a user in one transaction, checked as the user's and written together.

    Inside transaction.atomic(): the items given are locked when the object is made (`versions`:
    item id -> the version the user saw; an item changed since is refused); each call checks the
    kind's permission on the unit concerned, then records through the writer; `save()` writes and
    returns the events, with their ids. A DomainError leaves nothing written (the caller's
    transaction is rolled back), so the caller can name the item it was about."""

    def __init__(self, items: Iterable[Item] = (), *, actor: User, versions: dict[int, int] | None = None) -> None:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("the ledger's Writer must run inside transaction.atomic()")
        self.actor = actor
        self._batch = LedgerBatch(actor, all_units=False)
        self.items = self._batch.adopt(items, versions=versions) if items else []
        self._events: list[Event] = []
        self._allowed: set[tuple[Any, ...]] = set()

    def _require(self, action: str, unit_id: int) -> None:
        if (action, unit_id) not in self._allowed:
            require(self.actor, action, unit=self._batch.units[unit_id])
            self._allowed.add((action, unit_id))

    def _authorise(self, spec: kinds.Kind, unit_id: int, **facts: Any) -> None:
        self._require(spec.action, unit_id)
        if spec.authorise is not None:
            key = ("authorise", spec.value, unit_id, facts.get("to_unit") and facts["to_unit"].pk)
            if key not in self._allowed:
                spec.authorise(self.actor, self._batch.units[unit_id], **facts)
                self._allowed.add(key)

    def _keep(self, count: int = 1) -> list[Event]:
        written = self._batch.events[-count:]
        self._events.extend(written)
        return written

    @property
    def pending(self) -> dict[Any, Any]:
        """What the projections gathered and have not yet written, by projection (kinds.observe)."""
        return self._batch.pending

    def unit_of(self, item: Item) -> int:
        """The unit holding the item now, after what this writer recorded so far."""
        return self._batch.state_of(item).unit_id

    # -- items --------------------------------------------------------------------------------------
    def record(self, item: Item, kind: str, **facts: Any) -> Event:
        """Any registered kind on an item given to this writer (ledger.kinds). `followed=False`:
        what other apps declared to follow this kind (kinds.follow) is not written — a repair
        order cancelled in progress ends the repair without repairing anything."""
        followed = bool(facts.pop("followed", True))
        spec = kinds.get(kind)
        self._authorise(spec, self.unit_of(item), **facts)
        event = self._batch.record(item, kind, **facts)
        self._events.append(event)
        for callback in kinds.followers(spec.value) if followed else ():
            callback(self, item, event)
        return event

    def consequence(self, item: Item, kind: str, **facts: Any) -> Event:
        """An event that follows from one the actor was allowed to record (kinds.follow): written
        without asking for the action of its own kind, not followed in turn."""
        event = self._batch.record(item, kind, **facts)
        self._events.append(event)
        return event

    def transfer(self, item: Item, **facts: Any) -> Event:
        return self.record(item, EventKind.TRANSFER, **facts)

    def grade_change(
        self,
        item: Item,
        *,
        grade: GradeInput,
        reason: str,
        occurred_on: date,
        document_number: str = "",
        inspection: str = "",
    ) -> Event:
        return self.record(
            item,
            EventKind.GRADE_CHANGE,
            grade=grade,
            reason=reason,
            occurred_on=occurred_on,
            document_number=document_number,
            details={"inspection": inspection or ""},
        )

    def meter_reading(self, item: Item, *, meter: str, value: Any, occurred_on: date) -> Event:
        value = parse_meter_value(value)
        return self.record(
            item, EventKind.METER_READING, occurred_on=occurred_on, details={"meter": meter, "value": value}
        )

    def kit(
        self, item: Item, *, shortages: list[dict[str, int]], occurred_on: date, note: str = "", **facts: Any
    ) -> Event:
        """What is missing or damaged of the item's kit after a check (ledger.kit): the whole list."""
        type_ = self._batch.types.get(item.pk) or item.equipment_type
        details = kit_details(self._batch.state_of(item).kit, shortages, note, equipment_type=type_)
        return self.record(item, KIT, occurred_on=occurred_on, details=details, **facts)

    def expect_serials(self, equipment_type: EquipmentType, serials: Iterable[str]) -> None:
        """Before receiving exactly these serials of a type: look up only them, not every serial of
        the type (the writer's default, right for an import, heavy for a form of ten rifles)."""
        taken = Item.objects.filter(equipment_type=equipment_type, serial__in=list(serials)).exclude(status=Status.VOID)
        self._batch.serials[equipment_type.pk] = set(taken.values_list("serial", flat=True))

    def receipt(self, *, equipment_type: EquipmentType, unit: Unit, **facts: Any) -> Event:
        """A new serialised item taken in (tiếp nhận)."""
        self._require(kinds.get(EventKind.RECEIPT).action, unit.pk)
        self._batch.receipt(equipment_type=equipment_type, unit=unit, **facts)
        return self._keep()[0]

    # -- lots ---------------------------------------------------------------------------------------
    def lot_receipt(self, *, unit: Unit, **facts: Any) -> Event:
        self._require(kinds.get(EventKind.LOT_RECEIPT).action, unit.pk)
        self._batch.lot_receipt(unit=unit, **facts)
        return self._keep()[0]

    def _lot(self, lot: Lot, kind: str, expected_version: int | None, **facts: Any) -> Lot:
        """The lot locked, and the actor's right to `kind` on it checked."""
        locked = self._batch.lock_lot(lot, expected_version)
        self._authorise(kinds.get(kind), locked.unit_id, **facts)
        return locked

    def lot_issue(self, lot: Lot, *, expected_version: int | None = None, **facts: Any) -> Event:
        lot = self._lot(lot, EventKind.LOT_ISSUE, expected_version)
        self._batch.lot_issue(lot, **facts)
        return self._keep()[0]

    def lot_transfer(
        self, lot: Lot, *, to_unit: Unit, expected_version: int | None = None, **facts: Any
    ) -> list[Event]:
        lot = self._lot(lot, EventKind.LOT_TRANSFER, expected_version, to_unit=to_unit)
        self._batch.lot_transfer(lot, to_unit=to_unit, **facts)
        return self._keep(2)

    def lot_regrade(self, lot: Lot, *, expected_version: int | None = None, **facts: Any) -> list[Event]:
        lot = self._lot(lot, EventKind.LOT_REGRADE, expected_version)
        self._batch.lot_regrade(lot, **facts)
        return self._keep(2)

    # -- reversal -----------------------------------------------------------------------------------
    def reverse(self, event: Event, *, reason: str, occurred_on: date | None = None) -> list[Event]:
        event = Event.objects.get(pk=event.pk)
        rows = list(Event.objects.filter(group=event.group).order_by("id")) if event.group else [event]
        # Every unit the reversal touches must be the actor's: the receiver of a transfer cannot undo it
        # into the giver's books.
        touched = {uid for row in rows for uid in (row.unit_id, row.from_unit_id, row.to_unit_id) if uid}
        for unit_id in sorted(touched):
            self._require(kinds.REVERSAL_KIND.action, unit_id)
        refusals = kinds.reversal_refusals(rows)
        if refusals:
            raise DomainError(refusals[0], field="event")
        reversals = self._batch.reverse(event, reason=reason, occurred_on=occurred_on or today())
        self._events.extend(reversals)
        return reversals

    def save(self) -> list[Event]:
        self._batch.flush()
        # A form's or a bulk action's events got their ids from their INSERT (fastinsert); an
        # import's thousands, written by COPY, are found by their hashes, unique per event.
        unknown = [event for event in self._events if event.pk is None]
        if unknown:
            ids = dict(Event.objects.filter(hash__in=[e.hash for e in unknown]).values_list("hash", "id"))
            for event in unknown:
                event.pk = ids[event.hash]
                event._state.adding = False
        return self._events


# The register's bulk actions and handovers know it by this name.
ManyItems = Writer


def _one(item: Item, expected_version: int | None, actor: User) -> Writer:
    versions = {item.pk: expected_version} if expected_version is not None else None
    return Writer([item], actor=actor, versions=versions)


@transaction.atomic
def record(kind: str, item: Item, *, actor: User, expected_version: int | None = None, **facts: Any) -> Event:
    """One event of any registered item kind (ledger.kinds), in its own transaction."""
    writer = _one(item, expected_version, actor)
    event = writer.record(writer.items[0], kind, **facts)
    writer.save()  # the event given its id; what follows from it (kinds.follow) is written too
    return event


@transaction.atomic
def record_receipt(
    *,
    equipment_type: EquipmentType,
    serial: str,
    unit: Unit,
    grade: GradeInput,
    occurred_on: date,
    actor: User,
    purpose: str = Purpose.IN_USE,
    year_made: int | None = None,
    origin: str = "",
    entered_service_on: date | None = None,
    note: str = "",
    document_number: str = "",
    document_date: date | None = None,
    reason: str = "",
) -> Event:
    """Take a serialised item into a unit's register (tiếp nhận)."""
    writer = Writer(actor=actor)
    require(actor, kinds.get(EventKind.RECEIPT).action, unit=unit)
    writer.expect_serials(equipment_type, [nfc(serial or "")])
    writer.receipt(
        equipment_type=equipment_type,
        serial=serial,
        unit=unit,
        grade=grade,
        occurred_on=occurred_on,
        purpose=purpose,
        year_made=year_made,
        origin=origin,
        entered_service_on=entered_service_on,
        note=note,
        document_number=document_number,
        document_date=document_date,
        reason=reason,
    )
    return writer.save()[-1]


def record_transfer(
    item: Item, *, to_unit: Unit, occurred_on: date, actor: User, document_number: str, **kw: Any
) -> Event:
    """Hand an item over to another unit (điều chuyển), with its handover record number."""
    return record(
        EventKind.TRANSFER,
        item,
        to_unit=to_unit,
        occurred_on=occurred_on,
        actor=actor,
        document_number=document_number,
        **kw,
    )


def record_issue(item: Item, *, holder: str, occurred_on: date, actor: User, **kw: Any) -> Event:
    """Issue an item to a person (cấp phát)."""
    return record(EventKind.ISSUE, item, holder=holder, occurred_on=occurred_on, actor=actor, **kw)


def record_return(item: Item, *, occurred_on: date, actor: User, **kw: Any) -> Event:
    """Take an item back from the person who held it (thu hồi)."""
    return record(EventKind.RETURN, item, occurred_on=occurred_on, actor=actor, **kw)


def record_grade_change(
    item: Item, *, grade: GradeInput, reason: str, occurred_on: date, actor: User, inspection: str = "", **kw: Any
) -> Event:
    """Re-grade an item (phân cấp chất lượng), with the reason and the inspection or document behind it."""
    return record(
        EventKind.GRADE_CHANGE,
        item,
        grade=grade,
        reason=reason,
        occurred_on=occurred_on,
        actor=actor,
        details={"inspection": inspection or ""},
        **kw,
    )


def record_status_change(item: Item, kind: str, *, occurred_on: date, actor: User, **kw: Any) -> Event:
    """Repair in/out, sealed storage in/out, awaiting disposal, disposal, loss, found."""
    if kind not in rules.STATUS_MOVES:
        raise DomainError(_("Loại sự kiện không hợp lệ."), field="kind")
    return record(kind, item, occurred_on=occurred_on, actor=actor, **kw)


def record_repair_start(item: Item, **kw: Any) -> Event:
    return record_status_change(item, EventKind.REPAIR_START, **kw)


def record_repair_end(item: Item, **kw: Any) -> Event:
    return record_status_change(item, EventKind.REPAIR_END, **kw)


def record_seal(item: Item, **kw: Any) -> Event:
    return record_status_change(item, EventKind.SEAL, **kw)


def record_unseal(item: Item, **kw: Any) -> Event:
    return record_status_change(item, EventKind.UNSEAL, **kw)


def record_await_disposal(item: Item, **kw: Any) -> Event:
    return record_status_change(item, EventKind.AWAIT_DISPOSAL, **kw)


def record_disposal(item: Item, **kw: Any) -> Event:
    return record_status_change(item, EventKind.DISPOSE, **kw)


def record_loss(item: Item, **kw: Any) -> Event:
    return record_status_change(item, EventKind.LOSE, **kw)


def record_found(item: Item, **kw: Any) -> Event:
    return record_status_change(item, EventKind.FIND, **kw)


def parse_meter_value(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    number = parse_decimal(value)
    if number is None:
        raise DomainError(_("Chỉ số đồng hồ phải là số (ví dụ 12.500 hoặc 1.234,5)."), field="value")
    return number


@transaction.atomic
def record_meter_reading(
    item: Item, *, meter: str, value: Any, occurred_on: date, actor: User, expected_version: int | None = None
) -> Event:
    """Record a reading of one of the item's meters (km, engine hours, rounds)."""
    writer = _one(item, expected_version, actor)
    writer.meter_reading(writer.items[0], meter=meter, value=value, occurred_on=occurred_on)
    return writer.save()[-1]


@transaction.atomic
def record_kit(
    item: Item,
    *,
    shortages: list[dict[str, int]],
    occurred_on: date,
    actor: User,
    note: str = "",
    document_number: str = "",
    expected_version: int | None = None,
) -> Event:
    """Record the item's kit after a check (ghi đồng bộ): each line missing or damaged, none if whole."""
    writer = _one(item, expected_version, actor)
    writer.kit(
        writer.items[0], shortages=shortages, occurred_on=occurred_on, note=note, document_number=document_number
    )
    return writer.save()[-1]


# ---- counted stock (lots) ------------------------------------------------------------------------


@transaction.atomic
def record_lot_receipt(*, unit: Unit, actor: User, **facts: Any) -> Event:
    """Take counted stock into a unit (nhập lô)."""
    writer = Writer(actor=actor)
    writer.lot_receipt(unit=unit, **facts)
    return writer.save()[-1]


@transaction.atomic
def record_lot_issue(lot: Lot, *, actor: User, **facts: Any) -> Event:
    """Take stock out of a lot: expended, consumed, handed out (xuất, tiêu hao)."""
    writer = Writer(actor=actor)
    writer.lot_issue(lot, **facts)
    return writer.save()[-1]


@transaction.atomic
def record_lot_transfer(lot: Lot, *, actor: User, **facts: Any) -> list[Event]:
    """Move part of a lot to another unit: two rows, out of one lot and into the other."""
    writer = Writer(actor=actor)
    writer.lot_transfer(lot, **facts)
    return writer.save()


@transaction.atomic
def record_lot_regrade(lot: Lot, *, actor: User, **facts: Any) -> list[Event]:
    """Move part of a lot to another quality grade (phân cấp lại)."""
    writer = Writer(actor=actor)
    writer.lot_regrade(lot, **facts)
    return writer.save()


# ---- reversal ------------------------------------------------------------------------------------


@transaction.atomic
def reverse_event(event: Event, *, reason: str, actor: User, occurred_on: date | None = None) -> list[Event]:
    """Cancel a mistaken event with a new one (hủy sự kiện ghi nhầm); the original stays.

    Only the latest effective event of an item or lot can be reversed (ledger.batch.LedgerBatch.reverse)."""
    writer = Writer(actor=actor)
    writer.reverse(event, reason=reason, occurred_on=occurred_on)
    return writer.save()
