"""The writer's movements of counted stock (lots): receipt, issue, transfer, regrade.

Part of the one writer, `ledger.batch.LedgerBatch` (a mixin of it: it uses the batch's actor, units,
events, deltas and stamps). Lots are few and each is written at once (inside the caller's
transaction), its row locked first: the quantity written is computed from the locked read, so a
concurrent movement of the same lot waits rather than being overwritten.
"""

import uuid
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from materiel.catalog.models import EquipmentType
from materiel.core.errors import ConflictError, DomainError
from materiel.core.text import nfc
from materiel.equipment.models import Lot, Status
from materiel.units.models import Unit

from . import rules
from .fastinsert import new_instance
from .hashing import GENESIS, event_hash, stream_of
from .models import Event, EventKind
from .rules import GradeInput, NumberInput
from .writer_base import WriterBase


class LotWrites(WriterBase):
    def lock_lot(self, lot: Lot, expected_version: int | None = None) -> Lot:
        locked: Lot = Lot.objects.select_for_update().get(pk=lot.pk)  # the row alone, as adopt() locks items
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(_("Lô vừa được người khác cập nhật; hãy tải lại rồi thử lại."))
        locked.equipment_type = self._type(locked.equipment_type_id)
        return locked

    def _type(self, pk: int) -> EquipmentType:
        if pk not in self._lot_types:
            self._lot_types[pk] = EquipmentType.objects.get(pk=pk)
        return self._lot_types[pk]

    def _lot_for(
        self, equipment_type: EquipmentType, unit: Unit, lot_number: str, grade: int, occurred_on: date
    ) -> Lot:
        """The lot of a type, grade and number at a unit, made empty if new; locked."""
        lot: Lot
        lot, _created = Lot.objects.select_for_update().get_or_create(
            equipment_type=equipment_type,
            unit=unit,
            lot_number=lot_number,
            grade=grade,
            defaults={"quantity": 0, "last_event_on": occurred_on, "chain_head": ""},
        )
        rules.check_lot_date(occurred_on, lot.last_event_on, self.today)
        return lot

    def _append_lot(
        self, lot: Lot, kind: str, quantity: int, occurred_on: date, last_event_on: date | None = None, **fields: Any
    ) -> Event:
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
        equipment_type: EquipmentType,
        unit: Unit,
        grade: GradeInput,
        quantity: NumberInput,
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
        quantity: NumberInput,
        occurred_on: date,
        reason: str,
        document_number: str = "",
        expected_version: int | None = None,
    ) -> Event:
        """Stock taken out of a lot: expended, consumed, handed out (xuất, tiêu hao)."""
        lot = self.lock_lot(lot, expected_version)
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
        quantity: NumberInput,
        occurred_on: date,
        document_number: str,
        reason: str = "",
        expected_version: int | None = None,
    ) -> Lot:
        """Part of a lot moved to another unit: two events, out of one lot and into the other."""
        lot = self.lock_lot(lot, expected_version)
        quantity = rules.lot_take(lot.quantity, quantity, occurred_on, lot.last_event_on, self.today)
        if to_unit.pk == lot.unit_id:
            raise DomainError(_("Lô đã thuộc %(unit)s.") % {"unit": to_unit.name}, field="to_unit")
        rules.check_unit_open(to_unit, occurred_on, field="to_unit")
        document_number = nfc(document_number or "")
        if not document_number:
            raise DomainError(_("Điều chuyển phải có số biên bản bàn giao."), field="document_number")
        target = self._lot_for(lot.equipment_type, to_unit, lot.lot_number, lot.grade, occurred_on)
        common: dict[str, Any] = dict(
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
        grade: GradeInput,
        quantity: NumberInput,
        occurred_on: date,
        reason: str,
        expected_version: int | None = None,
    ) -> Lot:
        """Part of a lot moved to another quality grade (phân cấp lại): two events, as a transfer."""
        lot = self.lock_lot(lot, expected_version)
        grade = rules.check_grade(grade)
        quantity = rules.lot_take(lot.quantity, quantity, occurred_on, lot.last_event_on, self.today)
        if grade == lot.grade:
            raise DomainError(_("Lô đã ở cấp %(grade)s.") % {"grade": grade}, field="grade")
        reason = nfc(reason or "")
        if not reason:
            raise DomainError(_("Phân cấp lại phải ghi lý do."), field="reason")
        target = self._lot_for(lot.equipment_type, self.units[lot.unit_id], lot.lot_number, grade, occurred_on)
        common: dict[str, Any] = dict(group=str(uuid.uuid4()), reason=reason)
        self._append_lot(lot, EventKind.LOT_REGRADE, -quantity, occurred_on, **common)
        self._append_lot(target, EventKind.LOT_REGRADE, quantity, occurred_on, **common)
        return target
