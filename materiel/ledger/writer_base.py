"""What the parts of the one writer share: `ledger.batch.LedgerBatch` is made of its item events, its
lot movements (`lot_writes.LotWrites`) and its reversals (`reversals.Reversals`); this base declares
the state they all read and write, which LedgerBatch sets up."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from materiel.catalog.models import EquipmentType
from materiel.equipment.models import Item, Lot
from materiel.units.models import Unit

if TYPE_CHECKING:
    from .models import Event
    from .rollups import Deltas
    from .rules import ItemState


class UnitsById(dict[int, Unit]):
    """Units by id, each read from the database the first time it is asked for."""

    def __missing__(self, pk: int) -> Unit:
        self[pk] = unit = Unit.objects.get(pk=pk)
        return unit


class WriterBase:
    actor: Any  # the user recording (accounts.User), or the seeder's system user
    batch_id: int | None
    today: date
    units: UnitsById
    events: list[Event]
    new_items: list[Item]
    states: dict[int, ItemState]
    deltas: Deltas
    pending: dict[Any, Any]
    meters: dict[tuple[int, str], tuple[Decimal, date] | None]
    _lot_types: dict[int, EquipmentType]

    if TYPE_CHECKING:

        def _stamp(self, occurred_on: date) -> datetime: ...

        def adopt(self, items: Any, *, versions: dict[int, int] | None = None) -> list[Item]: ...

        def flush(self) -> None: ...

        def _append(
            self, item: Item, before: ItemState | None, after: ItemState, kind: str, occurred_on: date, **fields: Any
        ) -> Event: ...

        def lock_lot(self, lot: Lot, expected_version: int | None = None) -> Lot: ...

        def _append_lot(
            self,
            lot: Lot,
            kind: str,
            quantity: int,
            occurred_on: date,
            last_event_on: date | None = None,
            **fields: Any,
        ) -> Event: ...
