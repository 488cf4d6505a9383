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
from materiel.core.text import nfc, search_fold
from materiel.equipment.models import Item, ItemMeter, Lot, Status
from materiel.units.models import Unit

from . import rules
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
        self.meters: dict[tuple[int, str], tuple[Decimal, date]] = {}
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
        grade: int,
        occurred_on: date,
        document_number: str = "",
        document_date: date | None = None,
        reason: str = "",
        **attrs,
    ) -> Item:
        rules.check_serialised(equipment_type, True)
        serial = rules.check_serial(nfc(serial or ""))
        state = rules.receipt(unit=unit, grade=grade, occurred_on=occurred_on, today=self.today)
        self._claim_serial(equipment_type, serial)
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
            EventKind.RECEIPT,
            occurred_on,
            to_unit_id=unit.pk,
            document_number=document_number,
            document_date=document_date,
            reason=reason,
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

    def transfer(
        self, item: Item, *, to_unit: Unit, occurred_on: date, document_number: str, reason: str = "", **fields
    ) -> Event:
        before = self.states[item.pk]
        after = rules.transfer(
            before, to_unit=to_unit, occurred_on=occurred_on, today=self.today, document_number=document_number
        )
        return self._append(
            item,
            before,
            after,
            EventKind.TRANSFER,
            occurred_on,
            from_unit_id=before.unit_id,
            to_unit_id=to_unit.pk,
            document_number=document_number,
            reason=reason,
            **fields,
        )

    def grade_change(
        self, item: Item, *, grade: int, reason: str, occurred_on: date, document_number: str = ""
    ) -> Event:
        before = self.states[item.pk]
        after = rules.grade_change(before, grade=grade, reason=reason, occurred_on=occurred_on, today=self.today)
        return self._append(
            item, before, after, EventKind.GRADE_CHANGE, occurred_on, reason=reason, document_number=document_number
        )

    def status_change(
        self, item: Item, kind: str, *, occurred_on: date, reason: str = "", grade=None, document_number: str = ""
    ):
        before = self.states[item.pk]
        after = rules.status_change(before, kind, occurred_on=occurred_on, today=self.today, grade=grade, reason=reason)
        self._append(item, before, after, kind, occurred_on, reason=reason, document_number=document_number)

    def issue(self, item: Item, *, holder: str, occurred_on: date):
        before = self.states[item.pk]
        after = rules.issue(before, holder=holder, occurred_on=occurred_on, today=self.today)
        self._append(item, before, after, EventKind.ISSUE, occurred_on)

    def return_item(self, item: Item, *, occurred_on: date):
        before = self.states[item.pk]
        after = rules.return_(before, occurred_on=occurred_on, today=self.today)
        self._append(item, before, after, EventKind.RETURN, occurred_on)

    def meter_reading(self, item: Item, *, meter: str, value: Decimal, occurred_on: date):
        if item.pk in self.adopted:
            # The batch knows the meters of the items it creates only; an existing item's readings
            # (and their rows) go through services.record_meter_reading.
            raise NotImplementedError("meter readings of existing items go through services.record_meter_reading")
        before = self.states[item.pk]
        previous = self.meters.get((item.pk, meter))
        after = rules.meter_reading(
            before,
            meter=meter,
            value=value,
            allowed_meters=self.types[item.pk].meters,
            previous=previous,
            occurred_on=occurred_on,
            today=self.today,
        )
        self.meters[(item.pk, meter)] = (value, occurred_on)
        self._append(
            item, before, after, EventKind.METER_READING, occurred_on, details={"meter": meter, "value": str(value)}
        )

    def _stamp(self, occurred_on: date):
        if not self.backdated:
            return timezone.now()
        return timezone.make_aware(datetime.combine(occurred_on, time(9, 0)))

    def state_of(self, item: Item) -> ItemState:
        return self.states[item.pk]

    def _append(self, item: Item, before, after: ItemState, kind, occurred_on, **fields):
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
    def lot_receipt(
        self,
        *,
        equipment_type,
        unit: Unit,
        grade: int,
        quantity: int,
        occurred_on: date,
        lot_number: str = "",
        document_number: str = "",
        reason: str = "",
    ) -> Lot:
        """Receipts into a lot; lots are few, so each is written at once (inside the caller's transaction)."""
        rules.check_serialised(equipment_type, False)
        quantity = rules.check_quantity(quantity)
        grade = rules.check_grade(grade)
        rules.check_date(None, occurred_on, self.today)
        rules.check_unit_open(unit, occurred_on)
        # Locked, as the services lock it: the quantity written below is computed from this read, and
        # a concurrent receipt into the same lot must wait for it rather than be overwritten.
        lot, _created = Lot.objects.select_for_update().get_or_create(
            equipment_type=equipment_type,
            unit=unit,
            lot_number=lot_number,
            grade=grade,
            defaults={"quantity": 0, "last_event_on": occurred_on, "chain_head": ""},
        )
        rules.check_lot_date(occurred_on, lot.last_event_on, self.today)
        event = Event(
            kind=EventKind.LOT_RECEIPT,
            occurred_on=occurred_on,
            recorded_by=self.actor,
            unit=unit,
            to_unit=unit,
            lot=lot,
            quantity=quantity,
            grade_after=grade,
            document_number=document_number,
            reason=reason,
            recorded_at=self._stamp(occurred_on),
            stream=stream_of(lot_id=lot.pk),
            prev_hash=lot.chain_head or GENESIS,
            batch_id=self.batch_id,
        )
        event.hash = event_hash(event)
        self.events.append(event)
        Lot.objects.filter(pk=lot.pk).update(
            quantity=lot.quantity + quantity,
            chain_head=event.hash,
            version=lot.version + 1,
            last_event_on=max(lot.last_event_on, occurred_on),
        )
        self.deltas.add(unit.path, equipment_type.pk, grade, Status.IN_SERVICE, quantity)
        return lot

    def lot_transfer(
        self, lot: Lot, *, to_unit: Unit, quantity: int, occurred_on: date, document_number: str, reason: str = ""
    ) -> Lot:
        """Move part of a lot to another unit, as services.record_lot_transfer does: two events, out of one
        lot and into the other, each lot written at once (inside the caller's transaction)."""
        lot = Lot.objects.select_for_update(of=("self",)).select_related("equipment_type").get(pk=lot.pk)
        quantity = rules.lot_take(lot.quantity, quantity, occurred_on, lot.last_event_on, self.today)
        if to_unit.pk == lot.unit_id:
            raise DomainError(_("Lô đã thuộc %(unit)s.") % {"unit": to_unit.name}, field="to_unit")
        rules.check_unit_open(to_unit, occurred_on, field="to_unit")
        if not nfc(document_number or ""):
            raise DomainError(_("Điều chuyển phải có số biên bản bàn giao."), field="document_number")
        target, _created = Lot.objects.select_for_update().get_or_create(
            equipment_type=lot.equipment_type,
            unit=to_unit,
            lot_number=lot.lot_number,
            grade=lot.grade,
            defaults={"quantity": 0, "last_event_on": occurred_on, "chain_head": ""},
        )
        rules.check_lot_date(occurred_on, target.last_event_on, self.today)
        group = str(uuid.uuid4())
        for side, change in ((lot, -quantity), (target, quantity)):
            event = Event(
                kind=EventKind.LOT_TRANSFER,
                occurred_on=occurred_on,
                recorded_by=self.actor,
                unit_id=side.unit_id,
                from_unit_id=lot.unit_id,
                to_unit=to_unit,
                lot=side,
                quantity=change,
                grade_after=side.grade,
                group=group,
                document_number=nfc(document_number),
                reason=nfc(reason or ""),
                recorded_at=self._stamp(occurred_on),
                stream=stream_of(lot_id=side.pk),
                prev_hash=side.chain_head or GENESIS,
                batch_id=self.batch_id,
            )
            event.hash = event_hash(event)
            self.events.append(event)
            Lot.objects.filter(pk=side.pk).update(
                quantity=side.quantity + change,
                chain_head=event.hash,
                version=side.version + 1,
                last_event_on=max(side.last_event_on, occurred_on),
            )
            path = self.units[side.unit_id].path
            self.deltas.add(path, lot.equipment_type_id, lot.grade, Status.IN_SERVICE, change)
        return target

    # -- writing ------------------------------------------------------------------------------------
    def _update_adopted(self, versions: dict[int, int]) -> None:
        """Bring each adopted item to its last state: one UPDATE statement run for all of them."""
        rows = []
        for pk, item in self.adopted.items():
            state = self.states[pk]
            holder_key = search_fold(f"{item.serial} {item.equipment_type.name} {state.holder}")
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

    @transaction.atomic
    def flush(self) -> None:
        """Write everything accumulated so far: items, events, meters, rollups."""
        for item in self.new_items:
            state = self.states[item.pk]
            item.unit_id, item.grade, item.status, item.holder = state.unit_id, state.grade, state.status, state.holder
            item.last_event_on = state.last_event_on
            item.search_key = search_fold(f"{item.serial} {item.equipment_type.name} {item.holder}")
        versions: dict[int, int] = {}
        for event in self.events:
            if event.item_id:
                versions[event.item_id] = versions.get(event.item_id, 0) + 1
        for item in self.new_items:
            item.version = versions.get(item.pk, 0)
        insert_instances(Item, self.new_items, with_pk=True)
        insert_instances(Event, self.events, with_pk=False)
        self._update_adopted(versions)
        ItemMeter.objects.bulk_create(
            [ItemMeter(item_id=i, meter=m, value=v, read_on=d) for (i, m), (v, d) in self.meters.items()],
            batch_size=1000,
        )
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
