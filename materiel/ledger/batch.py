"""The batch path of the ledger: many events validated by the same rules, written in bulk.

Seeding and large imports go through here instead of one transaction per event. Every change is
still checked by `rules`, still gets its hash-chained event, and projections and rollups are written
in the same flush, so `materiel verify` holds afterwards exactly as after the single-event services.
"""

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.models import User
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
from .lot_writes import LotWrites
from .models import Batch, Event, EventKind, Rollup
from .reversals import Reversals
from .rollups import Deltas
from .rules import GradeInput, ItemState
from .writer_base import UnitsById


def reserve_ids(model: type[Item], count: int, after: int = 0) -> list[int]:
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


class LedgerBatch(LotWrites, Reversals):
    def __init__(
        self,
        actor: User,
        *,
        today: date | None = None,
        backdated: bool = False,
        batch: Batch | None = None,
        serials: dict[int, set[str]] | None = None,
        all_units: bool = True,
    ) -> None:
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
        self.types: dict[int, EquipmentType] = {}
        self.events: list[Event] = []
        # (item, meter) -> its latest reading after this batch, None for a meter left with none.
        self.meters: dict[tuple[int, str], tuple[Decimal, date] | None] = {}
        self._lot_types: dict[int, EquipmentType] = {}
        self.deltas = Deltas()
        # What a projection gathers until the flush writes it (kinds.observe), by projection.
        self.pending: dict[Any, Any] = {}
        self._ids: list[int] = []
        self.serials: dict[int, set[str]] = serials if serials is not None else {}
        self._last_id = 0
        self._written = self._analysed_at = 0  # events flushed, and flushed at the last ANALYZE

    # -- items --------------------------------------------------------------------------------------
    def adopt(self, items: Iterable[Item], *, versions: dict[int, int] | None = None) -> list[Item]:
        """Take existing items into the batch, their rows locked (inside the caller's transaction) and
        read afresh, in the order given: events on them are then checked and written like those on
        new items (ledger.services.ManyItems). versions: item id -> the version the user saw; an item
        changed since is refused rather than overwritten."""
        ids = [item.pk for item in items]
        # One query: the item rows locked (FOR UPDATE OF the items alone: their types and units are
        # read, not locked), with the type and the unit each rule and permission check reads.
        rows = Item.objects.select_for_update(of=("self",)).select_related("equipment_type", "unit")
        locked = {item.pk: item for item in rows.filter(pk__in=ids).order_by("pk")}
        adopted: list[Item] = []
        for pk in ids:
            item = locked.get(pk)
            if item is None or (versions and versions.get(pk) not in (None, item.version)):
                raise ConflictError(_("Trang bị vừa được người khác cập nhật; hãy tải lại trang rồi thử lại."))
            self.units.setdefault(item.unit_id, item.unit)
            self.states[pk] = ItemState(
                item.unit_id, item.grade, item.status, item.holder, item.last_event_on, item.kit
            )
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
        equipment_type: EquipmentType,
        serial: str,
        unit: Unit,
        grade: GradeInput,
        occurred_on: date,
        document_number: str = "",
        document_date: date | None = None,
        reason: str = "",
        **attrs: Any,
    ) -> Item:
        """A new serialised item taken into the register (the kind that creates an item)."""
        serial = rules.check_serial(nfc(serial or ""))
        rules.check_serialised(equipment_type, True)
        self._claim_serial(equipment_type, serial)
        rules.check_receipt_details(attrs.get("year_made"), attrs.get("purpose", Purpose.IN_USE), occurred_on)
        spec = kinds.get(EventKind.RECEIPT)
        assert spec.rule is not None  # an item kind has a rule (kinds.Kind.__post_init__)
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

    def _claim_serial(self, equipment_type: EquipmentType, serial: str) -> None:
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

    def equipment_type_of(self, item: Item) -> EquipmentType:
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
        details: dict[str, Any] | kinds.Details | None = None,
        **facts: Any,
    ) -> Event:
        """Any registered item kind on an item of this batch: details validated against the kind's
        schema, the state after asked of the kind's rule, the event appended, the projection told."""
        spec = kinds.get(kind)
        if spec.target != kinds.ITEM or spec.creates or spec.value == kinds.REVERSAL:
            raise ValueError(f"{spec.value} is not recorded on an existing item")
        assert spec.rule is not None  # an item kind other than the reversal has one (kinds.Kind.__post_init__)
        stored, typed = kinds.validate_details(spec, details)
        reason, document_number = nfc(reason or ""), nfc(document_number or "")
        if "holder" in facts:
            facts["holder"] = nfc(facts["holder"] or "")
        for value in facts.values():
            if isinstance(value, Unit):  # a transfer's receiver: the rollups need its path, already at hand
                self.units.setdefault(value.pk, value)
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
        for observer in kinds.observers():
            if observer is not spec.projection:
                observer.record(self, item, event, typed)
        return event

    def transfer(
        self, item: Item, *, to_unit: Unit, occurred_on: date, document_number: str, reason: str = "", **fields: Any
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
            details={"inspection": nfc(inspection or "")},
        )

    def status_change(
        self,
        item: Item,
        kind: str,
        *,
        occurred_on: date,
        reason: str = "",
        grade: GradeInput = None,
        document_number: str = "",
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

    def _stamp(self, occurred_on: date) -> datetime:
        if not self.backdated:
            return timezone.now()
        return timezone.make_aware(datetime.combine(occurred_on, time(9, 0)))

    def state_of(self, item: Item) -> ItemState:
        return self.states[item.pk]

    def _append(
        self, item: Item, before: ItemState | None, after: ItemState, kind: str, occurred_on: date, **fields: Any
    ) -> Event:
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
            (units[before.unit_id].path, before.grade, before.status, before.kit) if before else None,
            (units[after.unit_id].path, after.grade, after.status, after.kit),
        )
        self.states[item.pk] = after
        return event

    # -- writing ------------------------------------------------------------------------------------
    def _update_adopted(self, versions: dict[int, int]) -> None:
        """Bring each adopted item to its last state: one UPDATE statement run for all of them."""
        rows: list[tuple[Any, ...]] = []
        for pk, item in self.adopted.items():
            state = self.states[pk]
            holder_key = item_search_key(item.serial, item.equipment_type.name, state.holder)
            version = item.version + versions.get(pk, 0)
            rows.append(
                (state.unit_id, state.grade, state.status, state.holder, state.last_event_on, state.kit)
                + (item.chain_head, version, holder_key, pk)
            )
        sql = (
            f"UPDATE {Item._meta.db_table} SET unit_id = %s, grade = %s, status = %s, holder = %s, "
            "last_event_on = %s, kit = %s, chain_head = %s, version = %s, search_key = %s WHERE id = %s"
        )
        with connection.cursor() as cursor:
            if len(rows) == 1:
                cursor.execute(sql, rows[0])  # psycopg's executemany runs a pipeline: round trips more
            elif rows:
                cursor.executemany(sql, rows)

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

    # No savepoint of its own: inside a caller's transaction an error here rolls the caller back
    # anyway (it cannot go on), and a savepoint costs two round trips per single-event write.
    @transaction.atomic(savepoint=False)
    def flush(self) -> None:
        """Write everything accumulated so far: items, events, meters, rollups."""
        for item in self.new_items:
            state = self.states[item.pk]
            item.unit_id, item.grade, item.status, item.holder = state.unit_id, state.grade, state.status, state.holder
            item.last_event_on, item.kit = state.last_event_on, state.kit
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
        for projection in kinds.projections():
            write = getattr(projection, "flush", None)  # an observer's gathered writes (kinds.observe)
            if write is not None and projection in self.pending:
                write(self)
        self.pending.clear()
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
