"""The writer's reversal of a mistaken event (hủy sự kiện ghi nhầm): the original stays.

Part of the one writer, `ledger.batch.LedgerBatch` (a mixin of it). Generic over every registered
kind: the state before the event comes back (a creating kind's item is voided), and the kind's
projection follows.
"""

from datetime import date
from typing import Any, cast

from django.db.models import Max
from django.utils.translation import gettext as _

from materiel.core.errors import DomainError
from materiel.core.text import nfc
from materiel.equipment.models import Item, Lot, Status
from materiel.units.models import Unit

from . import kinds
from .models import Event
from .rules import ItemState
from .writer_base import WriterBase


def _latest_effective(**stream: Any) -> Event | None:
    return Event.objects.filter(**stream).effective().order_by("-id").first()


def _require_open(unit: Unit, on: date) -> None:
    if unit.dissolved_on and unit.dissolved_on <= on:
        raise DomainError(
            _("Đơn vị %(unit)s đã giải thể: không thể hủy sự kiện đưa trang bị về đơn vị này.") % {"unit": unit.name},
            field="event",
        )


class Reversals(WriterBase):
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

    def _reverse_item(self, event: Event, spec: kinds.Kind, *, reason: str, occurred_on: date) -> Event:
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
            after = ItemState(item.unit_id, item.grade, Status.VOID, "", last_on, before.kit)
        else:
            # An event that did not create its item has the item's grade before it.
            grade_before = cast(int, event.grade_before)
            # Completeness changes only by a `kit` event, which keeps the condition before it.
            kit = event.details.get("kit_before", before.kit)
            after = ItemState(
                event.unit_before_id, grade_before, event.status_before, event.holder_before, last_on, kit
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
        for observer in kinds.observers():
            if observer is not spec.projection:
                observer.reverse(self, item, event)
        return reversal

    def _reverse_lot(self, event: Event, *, reason: str, occurred_on: date) -> Event:
        lot = self.lock_lot(Lot(pk=event.lot_id))
        if _latest_effective(lot_id=lot.pk) != event:
            raise DomainError(
                _("Chỉ hủy được sự kiện gần nhất của lô; hãy hủy các sự kiện sau nó trước."), field="event"
            )
        assert event.quantity is not None  # a lot's event has its signed quantity
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
