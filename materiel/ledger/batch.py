"""The batch path of the ledger: many events validated by the same rules, written in bulk.

Seeding and large imports go through here instead of one transaction per event. Every change is
still checked by `rules`, still gets its hash-chained event, and projections and rollups are written
in the same flush, so `materiel verify` holds afterwards exactly as after the single-event services.
"""

import uuid
from datetime import date, datetime, time
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.catalog.models import EquipmentType
from materiel.core import statistics
from materiel.core.errors import ConflictError, DomainError
from materiel.core.text import nfc
from materiel.equipment.models import Item, ItemMeter, Lot, Purpose, Status
from materiel.equipment.search import item_search_key
from materiel.units.models import Unit

from . import kinds, rules
from .fastinsert import insert_instances, new_instance
from .hashing import GENESIS, event_hash, stream_of
from .models import Event, EventKind, Rollup
from .rollups import Deltas
from .rules import ItemState


def reserve_ids(model, count: int, after: int = 0) -> list[int]:
    """Ids for rows we must reference before inserting them (an item's stream key needs its id)."""
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
    # SQLite: one writer at a time (IMMEDIATE transactions), so counting on from the maximum is safe.
    start = max(after, model.objects.aggregate(m=Max("id"))["m"] or 0)
    return list(range(start + 1, start + count + 1))


# The tables a flush fills.
LEDGER_TABLES = (
    Event._meta.db_table,
    Item._meta.db_table,
    ItemMeter._meta.db_table,
    Lot._meta.db_table,
    Rollup._meta.db_table,
)


class UnitsById(dict):
    """Units by id, each read from the database the first time it is asked for."""

    def __missing__(self, pk: int) -> Unit:
        self[pk] = unit = Unit.objects.get(pk=pk)
        return unit


def _latest_effective(**stream) -> Event | None:
    return Event.objects.filter(**stream).effective().order_by("-id").first()


def _require_open(unit: Unit, on: date) -> None:
    if unit.dissolved_on and unit.dissolved_on <= on:
        raise DomainError(
            _("Đơn vị %(unit)s đã giải thể: không thể hủy sự kiện đưa trang bị về đơn vị này.") % {"unit": unit.name},
            field="event",
        )


class LedgerBatch:
    def __init__(
        self,
        actor,
        *,
        today: date | None = None,
        backdated: bool = False,
        batch=None,
        serials: dict | None = None,
        all_units: bool = True,
    ):
        """backdated: stamp each event as recorded on the day it occurred (loading a past book);
        batch: the ledger.Batch (an import) every event written here belongs to;
        serials: the serials-per-type cache of an earlier batch of the same writer (the seeder writes
        in chunks and nobody else writes meanwhile), so each type's serials are read once, not per chunk;
        all_units: read every unit at once (a seed, an import) rather than each when first met (a few items)."""
        self.actor = actor
        self.batch_id = batch.pk if batch is not None else None
        self.today = today or timezone.localdate()
        self.backdated = backdated
        self.units = UnitsById(Unit.objects.in_bulk() if all_units else {})
        self.new_items: list[Item] = []
        self.adopted: dict[int, Item] = {}
        self.states: dict[int, ItemState] = {}
        self.types: dict[int, object] = {}
        self.events: list[Event] = []
        # (item, meter) -> its latest reading after this batch, None for a meter left with none.
        self.meters: dict[tuple[int, str], tuple[Decimal, date] | None] = {}
        self._lot_types: dict[int, EquipmentType] = {}
        self.deltas = Deltas()
        self._ids: list[int] = []
        self.serials: dict[int, set[str]] = serials if serials is not None else {}
        self._last_id = 0
        self._written = self._analysed_at = 0  # events flushed, and flushed at the last ANALYZE

    # -- items --------------------------------------------------------------------------------------
    def adopt(self, items, *, versions: dict[int, int] | None = None) -> list[Item]:
        """Take existing items into the batch, their rows locked (inside the caller's transaction) and
        read afresh, in the order given: events on them are then checked and written like those on
        new items (ledger.services.ManyItems). versions: item id -> the version the user saw; an item
        changed since is refused rather than overwritten."""
        ids = [item.pk for item in items]
        # The item rows alone are locked (as services._lock_item does); types are read apart.
        rows = Item.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        locked = {item.pk: item for item in rows}
        types = {t.pk: t for t in EquipmentType.objects.filter(pk__in={i.equipment_type_id for i in locked.values()})}
        adopted = []
        for pk in ids:
            item = locked.get(pk)
            if item is None or (versions and versions.get(pk) not in (None, item.version)):
                raise ConflictError(_("Trang bị vừa được người khác cập nhật; hãy tải lại trang rồi thử lại."))
            item.equipment_type = types[item.equipment_type_id]
            self.states[pk] = ItemState(item.unit_id, item.grade, item.status, item.holder, item.last_event_on)
            self.types[pk] = item.equipment_type
            self.adopted[pk] = item
            adopted.append(item)
        return adopted

    def _next_item_id(self) -> int:
        if not self._ids:
            self._ids = reserve_ids(Item, 2000, after=self._last_id)
            self._ids.reverse()
        self._last_id = self._ids.pop()
        return self._last_id

    def receipt(
        self,
        *,
        equipment_type,
        serial: str,
        unit: Unit,
        grade,
        occurred_on: date,
        document_number: str = "",
        document_date: date | None = None,
        reason: str = "",
        **attrs,
    ) -> Item:
        """A new serialised item taken into the register (the kind that creates an item)."""
        serial = rules.check_serial(nfc(serial or ""))
        rules.check_serialised(equipment_type, True)
        self._claim_serial(equipment_type, serial)
        rules.check_receipt_details(attrs.get("year_made"), attrs.get("purpose", Purpose.IN_USE), occurred_on)
        spec = kinds.get(EventKind.RECEIPT)
        state = spec.rule(None, self, None, unit=unit, grade=grade, occurred_on=occurred_on)
        for name in ("origin", "note"):
            if name in attrs:
                attrs[name] = nfc(attrs[name] or "")
        item = new_instance(
            Item,
            {"equipment_type": equipment_type},
            id=self._next_item_id(),
            equipment_type_id=equipment_type.pk,
            serial=serial,
            unit_id=unit.pk,
            grade=state.grade,
            status=state.status,
            received_on=occurred_on,
            origin=attrs.pop("origin", "") or equipment_type.origin,
            search_key="",  # set by flush(), with the holder of the day
            last_event_on=occurred_on,
            chain_head="",
            version=0,
            **attrs,
        )
        self.new_items.append(item)
        self.types[item.pk] = equipment_type
        self._append(
            item,
            None,
            state,
            spec.value,
            occurred_on,
            document_number=nfc(document_number or ""),
            document_date=document_date,
            reason=nfc(reason or ""),
        )
        return item

    def _claim_serial(self, equipment_type, serial: str) -> None:
        """Serial numbers are unique per type, in the database and within the batch."""
        taken = self.serials.get(equipment_type.pk)
        if taken is None:
            # One read per type over the (type, serial) unique index, then a set lookup per row.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT serial FROM {Item._meta.db_table} WHERE equipment_type_id = %s AND status <> %s",
                    [equipment_type.pk, Status.VOID.value],
                )
                taken = self.serials[equipment_type.pk] = {row[0] for row in cursor.fetchall()}
        if serial in taken:
            held = Item.objects.filter(equipment_type=equipment_type, serial=serial).exclude(status=Status.VOID)
            if held.exists() and not held.visible_to(self.actor).exists():
                raise rules.unusable_serial(serial)  # outside the actor's scope: say nothing about it
            raise DomainError(
                _("Số hiệu %(serial)s của %(type)s đã có trong sổ.") % {"serial": serial, "type": equipment_type.name},
                field="serial",
            )
        taken.add(serial)

    # -- RuleContext: what a kind's rule may read -------------------------------------------------
    def unit(self, pk: int) -> Unit:
        return self.units[pk]

    def equipment_type_of(self, item: Item):
        return self.types[item.pk]

    def meter(self, item: Item, meter: str) -> tuple[Decimal, date] | None:
        """The item's latest reading of `meter`: as this batch left it, else as stored."""
        key = (item.pk, meter)
        if key in self.meters:
            return self.meters[key]
        if item.pk not in self.adopted:
            return None
        row = ItemMeter.objects.filter(item_id=item.pk, meter=meter).first()
        return (row.value, row.read_on) if row else None

    def set_meter(self, item: Item, meter: str, reading: tuple[Decimal, date] | None) -> None:
        """A projection's write (ledger.register_kinds.MeterProjection): None removes the meter."""
        self.meters[(item.pk, meter)] = reading

    # -- events on items ----------------------------------------------------------------------------
    def record(
        self,
        item: Item,
        kind: str,
        *,
        occurred_on: date,
        reason: str = "",
        document_number: str = "",
        document_date: date | None = None,
        details=None,
        **facts,
    ) -> Event:
        """Any registered item kind on an item of this batch: details validated against the kind's
        schema, the state after asked of the kind's rule, the event appended, the projection told."""
        spec = kinds.get(kind)
        if spec.target != kinds.ITEM or spec.creates or spec.value == kinds.REVERSAL:
            raise ValueError(f"{spec.value} is not recorded on an existing item")
        stored, typed = kinds.validate_details(spec, details)
        reason, document_number = nfc(reason or ""), nfc(document_number or "")
        if "holder" in facts:
            facts["holder"] = nfc(facts["holder"] or "")
        before = self.states[item.pk]
        after = spec.rule(
            before,
            self,
            item,
            occurred_on=occurred_on,
            reason=reason,
            document_number=document_number,
            details=typed,
            **facts,
        )
        event = self._append(
            item,
            before,
            after,
            spec.value,
            occurred_on,
            reason=reason,
            document_number=document_number,
            document_date=document_date,
            details=stored,
        )
        if spec.projection is not None:
            spec.projection.record(self, item, event, typed)
        return event

    def transfer(
        self, item: Item, *, to_unit: Unit, occurred_on: date, document_number: str, reason: str = "", **fields
    ) -> Event:
        return self.record(
            item,
            EventKind.TRANSFER,
            to_unit=to_unit,
            occurred_on=occurred_on,
            document_number=document_number,
            reason=reason,
            **fields,
        )

    def grade_change(
        self, item: Item, *, grade, reason: str, occurred_on: date, document_number: str = "", inspection: str = ""
    ) -> Event:
        return self.record(
            item,
            EventKind.GRADE_CHANGE,
            grade=grade,
            reason=reason,
            occurred_on=occurred_on,
            document_number=document_number,
            details={"inspection": nfc(inspection or "")},
        )

    def status_change(
        self, item: Item, kind: str, *, occurred_on: date, reason: str = "", grade=None, document_number: str = ""
    ) -> Event:
        return self.record(
            item, kind, occurred_on=occurred_on, reason=reason, grade=grade, document_number=document_number
        )

    def issue(self, item: Item, *, holder: str, occurred_on: date, document_number: str = "") -> Event:
        return self.record(
            item, EventKind.ISSUE, holder=holder, occurred_on=occurred_on, document_number=document_number
        )

    def return_item(self, item: Item, *, occurred_on: date, document_number: str = "") -> Event:
        return self.record(item, EventKind.RETURN, occurred_on=occurred_on, document_number=document_number)

    def meter_reading(self, item: Item, *, meter: str, value: Decimal, occurred_on: date) -> Event:
        return self.record(
            item, EventKind.METER_READING, occurred_on=occurred_on, details={"meter": meter, "value": value}
        )

    def _stamp(self, occurred_on: date):
        if not self.backdated:
            return timezone.now()
        return timezone.make_aware(datetime.combine(occurred_on, time(9, 0)))

    def state_of(self, item: Item) -> ItemState:
        return self.states[item.pk]

    def _append(self, item: Item, before, after: ItemState, kind, occurred_on, **fields) -> Event:
        """The one place an item's event is made: its states before and after, the units it moved
        between, its place in the item's hash chain, its rollup deltas."""
        moved = before is None or before.unit_id != after.unit_id
        event = new_instance(
            Event,
            kind=kind,
            occurred_on=occurred_on,
            recorded_by_id=self.actor.pk,
            unit_id=after.unit_id,
            item_id=item.pk,
            recorded_at=self._stamp(occurred_on),
            grade_before=before.grade if before else None,
            grade_after=after.grade,
            status_before=before.status if before else "",
            status_after=after.status,
            holder_before=before.holder if before else "",
            holder_after=after.holder,
            from_unit_id=before.unit_id if before is not None and moved else None,
            to_unit_id=after.unit_id if moved else None,
            stream=stream_of(item_id=item.pk),
            prev_hash=item.chain_head or GENESIS,
            batch_id=self.batch_id,
            **fields,
        )
        event.hash = event_hash(event)
        item.chain_head = event.hash
        self.events.append(event)
        units = self.units
        self.deltas.move(
            item.equipment_type_id,
            (units[before.unit_id].path, before.grade, before.status) if before else None,
            (units[after.unit_id].path, after.grade, after.status),
        )
        self.states[item.pk] = after
        return event

    # -- lots ---------------------------------------------------------------------------------------
    # Lots are few and each is written at once (inside the caller's transaction), its row locked
    # first: the quantity written is computed from the locked read, so a concurrent movement of the
    # same lot waits rather than being overwritten.

    def _lock_lot(self, lot: Lot, expected_version: int | None = None) -> Lot:
        locked = Lot.objects.select_for_update().get(pk=lot.pk)  # the row alone, as adopt() locks items
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(_("Lô vừa được người khác cập nhật; hãy tải lại rồi thử lại."))
        locked.equipment_type = self._type(locked.equipment_type_id)
        return locked

    def _type(self, pk: int):
        if pk not in self._lot_types:
            self._lot_types[pk] = EquipmentType.objects.get(pk=pk)
        return self._lot_types[pk]

    def _lot_for(self, equipment_type, unit: Unit, lot_number: str, grade: int, occurred_on: date) -> Lot:
        """The lot of a type, grade and number at a unit, made empty if new; locked."""
        lot, _created = Lot.objects.select_for_update().get_or_create(
            equipment_type=equipment_type,
            unit=unit,
            lot_number=lot_number,
            grade=grade,
            defaults={"quantity": 0, "last_event_on": occurred_on, "chain_head": ""},
        )
        rules.check_lot_date(occurred_on, lot.last_event_on, self.today)
        return lot

    def _append_lot(self, lot: Lot, kind: str, quantity: int, occurred_on: date, last_event_on=None, **fields) -> Event:
        """The one place a lot's event is made: its signed quantity, its place in the lot's hash chain,
        the lot row brought up to date, the rollup deltas."""
        event = new_instance(
            Event,
            kind=kind,
            occurred_on=occurred_on,
            recorded_by_id=self.actor.pk,
            unit_id=lot.unit_id,
            lot_id=lot.pk,
            quantity=quantity,
            grade_after=lot.grade,
            recorded_at=self._stamp(occurred_on),
            stream=stream_of(lot_id=lot.pk),
            prev_hash=lot.chain_head or GENESIS,
            batch_id=self.batch_id,
            **fields,
        )
        event.hash = event_hash(event)
        self.events.append(event)
        lot.quantity += quantity
        lot.chain_head = event.hash
        lot.version += 1
        lot.last_event_on = last_event_on or max(lot.last_event_on, occurred_on)
        Lot.objects.filter(pk=lot.pk).update(
            quantity=lot.quantity, chain_head=lot.chain_head, version=lot.version, last_event_on=lot.last_event_on
        )
        self.deltas.add(self.units[lot.unit_id].path, lot.equipment_type_id, lot.grade, Status.IN_SERVICE, quantity)
        return event

    def lot_receipt(
        self,
        *,
        equipment_type,
        unit: Unit,
        grade,
        quantity,
        occurred_on: date,
        lot_number: str = "",
        document_number: str = "",
        reason: str = "",
    ) -> Lot:
        """Counted stock taken into a unit (nhập lô)."""
        rules.check_serialised(equipment_type, False)
        quantity = rules.check_quantity(quantity)
        grade = rules.check_grade(grade)
        rules.check_date(None, occurred_on, self.today)
        rules.check_unit_open(unit, occurred_on)
        lot = self._lot_for(equipment_type, unit, nfc(lot_number or ""), grade, occurred_on)
        self._append_lot(
            lot,
            EventKind.LOT_RECEIPT,
            quantity,
            occurred_on,
            to_unit_id=unit.pk,
            document_number=nfc(document_number or ""),
            reason=nfc(reason or ""),
        )
        return lot

    def lot_issue(
        self,
        lot: Lot,
        *,
        quantity,
        occurred_on: date,
        reason: str,
        document_number: str = "",
        expected_version: int | None = None,
    ) -> Event:
        """Stock taken out of a lot: expended, consumed, handed out (xuất, tiêu hao)."""
        lot = self._lock_lot(lot, expected_version)
        quantity = rules.lot_take(lot.quantity, quantity, occurred_on, lot.last_event_on, self.today)
        reason = nfc(reason or "")
        if not reason:
            raise DomainError(_("Phải ghi lý do xuất."), field="reason")
        return self._append_lot(
            lot,
            EventKind.LOT_ISSUE,
            -quantity,
            occurred_on,
            reason=reason,
            document_number=nfc(document_number or ""),
        )

    def lot_transfer(
        self,
        lot: Lot,
        *,
        to_unit: Unit,
        quantity,
        occurred_on: date,
        document_number: str,
        reason: str = "",
        expected_version: int | None = None,
    ) -> Lot:
        """Part of a lot moved to another unit: two events, out of one lot and into the other."""
        lot = self._lock_lot(lot, expected_version)
        quantity = rules.lot_take(lot.quantity, quantity, occurred_on, lot.last_event_on, self.today)
        if to_unit.pk == lot.unit_id:
            raise DomainError(_("Lô đã thuộc %(unit)s.") % {"unit": to_unit.name}, field="to_unit")
        rules.check_unit_open(to_unit, occurred_on, field="to_unit")
        document_number = nfc(document_number or "")
        if not document_number:
            raise DomainError(_("Điều chuyển phải có số biên bản bàn giao."), field="document_number")
        target = self._lot_for(lot.equipment_type, to_unit, lot.lot_number, lot.grade, occurred_on)
        common = dict(
            from_unit_id=lot.unit_id,
            to_unit_id=to_unit.pk,
            group=str(uuid.uuid4()),
            document_number=document_number,
            reason=nfc(reason or ""),
        )
        self._append_lot(lot, EventKind.LOT_TRANSFER, -quantity, occurred_on, **common)
        self._append_lot(target, EventKind.LOT_TRANSFER, quantity, occurred_on, **common)
        return target

    def lot_regrade(
        self,
        lot: Lot,
        *,
        grade,
        quantity,
        occurred_on: date,
        reason: str,
        expected_version: int | None = None,
    ) -> Lot:
        """Part of a lot moved to another quality grade (phân cấp lại): two events, as a transfer."""
        lot = self._lock_lot(lot, expected_version)
        grade = rules.check_grade(grade)
        quantity = rules.lot_take(lot.quantity, quantity, occurred_on, lot.last_event_on, self.today)
        if grade == lot.grade:
            raise DomainError(_("Lô đã ở cấp %(grade)s.") % {"grade": grade}, field="grade")
        reason = nfc(reason or "")
        if not reason:
            raise DomainError(_("Phân cấp lại phải ghi lý do."), field="reason")
        target = self._lot_for(lot.equipment_type, self.units[lot.unit_id], lot.lot_number, grade, occurred_on)
        common = dict(group=str(uuid.uuid4()), reason=reason)
        self._append_lot(lot, EventKind.LOT_REGRADE, -quantity, occurred_on, **common)
        self._append_lot(target, EventKind.LOT_REGRADE, quantity, occurred_on, **common)
        return target

    # -- reversal -----------------------------------------------------------------------------------
    def reverse(self, event: Event, *, reason: str, occurred_on: date) -> list[Event]:
        """Cancel a mistaken event with a new one (hủy sự kiện ghi nhầm); the original stays.

        Only the latest effective event of an item or lot can be reversed, like an undo stack: a past
        day's state then stays a simple fold of the remaining events. A lot transfer or regrade
        reverses both of its rows together. What the kind keeps besides the state (its projection)
        follows. The caller checks who may reverse (ledger.services.reverse_event)."""
        if self.events or self.new_items:
            self.flush()  # the checks below read the stored ledger
        rows = list(Event.objects.filter(group=event.group).order_by("id")) if event.group else [event]
        if event.kind == kinds.REVERSAL:
            raise DomainError(_("Không hủy một lần hủy; hãy ghi lại sự kiện đúng."), field="event")
        spec = kinds.get(event.kind)
        if not spec.reversible:
            raise DomainError(_("Sự kiện loại “%(kind)s” không hủy được.") % {"kind": spec.label}, field="event")
        if Event.objects.filter(reverses=event).exists():
            raise DomainError(_("Sự kiện này đã được hủy."), field="event")
        reason = nfc(reason or "")
        if not reason:
            raise DomainError(_("Phải ghi lý do hủy."), field="reason")
        if occurred_on > self.today:
            raise DomainError(_("Ngày hủy ở tương lai."), field="occurred_on")
        if event.item_id:
            return [self._reverse_item(event, spec, reason=reason, occurred_on=occurred_on)]
        return [self._reverse_lot(row, reason=reason, occurred_on=occurred_on) for row in rows]

    def _reverse_item(self, event: Event, spec, *, reason: str, occurred_on: date) -> Event:
        (item,) = self.adopt([Item(pk=event.item_id)])
        if _latest_effective(item_id=item.pk) != event:
            raise DomainError(
                _("Chỉ hủy được sự kiện gần nhất của trang bị; hãy hủy các sự kiện sau nó trước."), field="event"
            )
        before = self.states[item.pk]
        earlier = Event.objects.filter(item_id=item.pk, id__lt=event.id).effective().order_by("-id").first()
        last_on = earlier.occurred_on if earlier else item.last_event_on
        if spec.creates:
            # The item never existed: it leaves every count, and its serial is free again.
            after = ItemState(item.unit_id, item.grade, Status.VOID, "", last_on)
        else:
            after = ItemState(
                event.unit_before_id, event.grade_before, event.status_before, event.holder_before, last_on
            )
        if after.unit_id != item.unit_id:
            _require_open(self.units[after.unit_id], occurred_on)
        reversal = self._append(
            item,
            before,
            after,
            kinds.REVERSAL,
            occurred_on,
            reverses_id=event.pk,
            reason=reason,
            details={"reversed_kind": str(event.kind)},
        )
        if spec.projection is not None:
            spec.projection.reverse(self, item, event)
        return reversal

    def _reverse_lot(self, event: Event, *, reason: str, occurred_on: date) -> Event:
        lot = self._lock_lot(Lot(pk=event.lot_id))
        if _latest_effective(lot_id=lot.pk) != event:
            raise DomainError(
                _("Chỉ hủy được sự kiện gần nhất của lô; hãy hủy các sự kiện sau nó trước."), field="event"
            )
        if lot.quantity - event.quantity < 0:
            raise DomainError(_("Hủy sự kiện này sẽ làm số lượng lô âm."), field="event")
        if event.quantity < 0:
            _require_open(self.units[lot.unit_id], occurred_on)
        # The lot's date order restarts from its latest remaining event.
        remaining = (
            Event.objects.filter(lot_id=lot.pk).effective().exclude(pk=event.pk).aggregate(last=Max("occurred_on"))
        )
        return self._append_lot(
            lot,
            kinds.REVERSAL,
            -event.quantity,
            occurred_on,
            last_event_on=remaining["last"] or event.occurred_on,
            reverses_id=event.pk,
            reason=reason,
            details={"reversed_kind": str(event.kind)},
        )

    # -- writing ------------------------------------------------------------------------------------
    def _update_adopted(self, versions: dict[int, int]) -> None:
        """Bring each adopted item to its last state: one UPDATE statement run for all of them."""
        rows = []
        for pk, item in self.adopted.items():
            state = self.states[pk]
            holder_key = item_search_key(item.serial, item.equipment_type.name, state.holder)
            version = item.version + versions.get(pk, 0)
            rows.append(
                (state.unit_id, state.grade, state.status, state.holder, state.last_event_on)
                + (item.chain_head, version, holder_key, pk)
            )
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {Item._meta.db_table} SET unit_id = %s, grade = %s, status = %s, holder = %s, "
                    "last_event_on = %s, chain_head = %s, version = %s, search_key = %s WHERE id = %s",
                    rows,
                )

    def _write_meters(self) -> None:
        """New items' meters in one insert; an existing item's meter updated, made or removed."""
        new = {item.pk for item in self.new_items}
        ItemMeter.objects.bulk_create(
            [
                ItemMeter(item_id=i, meter=m, value=reading[0], read_on=reading[1])
                for (i, m), reading in self.meters.items()
                if i in new and reading is not None
            ],
            batch_size=1000,
        )
        for (i, m), reading in self.meters.items():
            if i in new:
                continue
            if reading is None:
                ItemMeter.objects.filter(item_id=i, meter=m).delete()
            else:
                ItemMeter.objects.update_or_create(
                    item_id=i, meter=m, defaults={"value": reading[0], "read_on": reading[1]}
                )

    @transaction.atomic
    def flush(self) -> None:
        """Write everything accumulated so far: items, events, meters, rollups."""
        for item in self.new_items:
            state = self.states[item.pk]
            item.unit_id, item.grade, item.status, item.holder = state.unit_id, state.grade, state.status, state.holder
            item.last_event_on = state.last_event_on
            item.search_key = item_search_key(item.serial, item.equipment_type.name, item.holder)
        versions: dict[int, int] = {}
        for event in self.events:
            if event.item_id:
                versions[event.item_id] = versions.get(event.item_id, 0) + 1
        for item in self.new_items:
            item.version = versions.get(item.pk, 0)
        insert_instances(Item, self.new_items, with_pk=True)
        insert_instances(Event, self.events, with_pk=False)
        self._update_adopted(versions)
        self._write_meters()
        self.deltas.write()
        self._written += len(self.events)
        if self._written - self._analysed_at >= max(statistics.BULK_ROWS, self._analysed_at):
            # A seed chunk or a large import: what comes next in this transaction (the snapshot
            # build, the next chunk's checks) is planned from real numbers, not from an empty table's.
            # Again each time the batch has doubled what it had written, so a 100k-row import
            # analyses a handful of times, not at every flush.
            statistics.analyse(*LEDGER_TABLES)
            self._analysed_at = self._written
        self.new_items, self.events, self.meters, self.adopted = [], [], {}, {}
        self.states.clear()
        self.types.clear()
