"""The register's own event kinds, declared like any app's (see ledger.kinds).

Receipt, transfer, issue and return, grade change, meter reading, the status changes (repair,
sealed storage, disposal, loss), the kit's completeness (`ledger.kit`), and the four movements of
counted stock. Their rules are the pure
functions of `ledger.rules`; this module only says, per kind, which rule, which permission, which
typed details and which projection. Declared from `LedgerConfig.ready()`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import pydantic
from django.utils.translation import gettext_lazy as _

from . import kinds, rules
from .kinds import ITEM, LOT, Details, Kind, RuleContext, title
from .models import EventKind
from .rules import GradeInput, ItemState

if TYPE_CHECKING:
    from materiel.accounts.models import User
    from materiel.equipment.models import Item
    from materiel.units.models import Unit

    from .batch import LedgerBatch
    from .models import Event
    from .verify import Report


def _receipt(
    state: ItemState | None,
    ctx: RuleContext,
    item: Item | None,
    *,
    unit: Unit,
    grade: GradeInput,
    occurred_on: date,
    **_facts: Any,
) -> ItemState:
    return rules.receipt(unit=unit, grade=grade, occurred_on=occurred_on, today=ctx.today)


def _transfer(
    state: ItemState,
    ctx: RuleContext,
    item: Item,
    *,
    to_unit: Unit,
    occurred_on: date,
    document_number: str,
    **_facts: Any,
) -> ItemState:
    return rules.transfer(
        state, to_unit=to_unit, occurred_on=occurred_on, today=ctx.today, document_number=document_number
    )


def _authorise_transfer(actor: User, from_unit: Unit, *, to_unit: Unit, **_facts: Any) -> None:
    from materiel.accounts.scoping import require_receiver

    require_receiver(actor, from_unit, to_unit)


def _issue(
    state: ItemState, ctx: RuleContext, item: Item, *, holder: str, occurred_on: date, **_facts: Any
) -> ItemState:
    return rules.issue(state, holder=holder, occurred_on=occurred_on, today=ctx.today)


def _return(state: ItemState, ctx: RuleContext, item: Item, *, occurred_on: date, **_facts: Any) -> ItemState:
    return rules.return_(state, occurred_on=occurred_on, today=ctx.today)


def _grade_change(
    state: ItemState,
    ctx: RuleContext,
    item: Item,
    *,
    grade: GradeInput,
    reason: str,
    occurred_on: date,
    **_facts: Any,
) -> ItemState:
    return rules.grade_change(state, grade=grade, reason=reason, occurred_on=occurred_on, today=ctx.today)


def _status_change(
    kind: str,
    state: ItemState,
    ctx: RuleContext,
    item: Item,
    *,
    occurred_on: date,
    reason: str = "",
    grade: GradeInput = None,
    **_facts: Any,
) -> ItemState:
    return rules.status_change(state, kind, occurred_on=occurred_on, today=ctx.today, grade=grade, reason=reason)


def _meter_reading(
    state: ItemState, ctx: RuleContext, item: Item, *, details: MeterDetails, occurred_on: date, **_facts: Any
) -> ItemState:
    return rules.meter_reading(
        state,
        meter=details.meter,
        value=details.value,
        allowed_meters=ctx.equipment_type_of(item).meters,
        previous=ctx.meter(item, details.meter),
        occurred_on=occurred_on,
        today=ctx.today,
    )


class GradeChangeDetails(Details):
    # The inspection or check behind the new grade, as written on the form.
    inspection: str = pydantic.Field("", max_length=200, title=title(_("lần kiểm tra")))


class MeterDetails(Details):
    meter: str = pydantic.Field(max_length=20, title=title(_("đồng hồ")))
    value: Decimal = pydantic.Field(title=title(_("chỉ số đồng hồ")))


class MeterProjection:
    """The item's latest reading per meter (equipment.ItemMeter), kept by meter readings.

    In the writer: a reading sets the meter, a reversal puts back the latest reading left. In
    `materiel verify`: the effective readings are replayed and compared with the stored rows."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._history: dict[tuple[int | None, str], list[Event]] = defaultdict(list)

    def record(self, writer: LedgerBatch, item: Item, event: Event, details: Details | None) -> None:
        details = cast(MeterDetails, details)  # the meter reading's, validated by the writer
        writer.set_meter(item, details.meter, (details.value, event.occurred_on))

    def reverse(self, writer: LedgerBatch, item: Item, event: Event) -> None:
        from .models import Event

        meter = event.details["meter"]
        readings = (
            Event.objects.filter(item_id=item.pk, kind=EventKind.METER_READING)
            .effective()
            .exclude(pk=event.pk)
            .order_by("-id")
        )
        previous = next((e for e in readings if e.details.get("meter") == meter), None)
        value = None if previous is None else (Decimal(previous.details["value"]), previous.occurred_on)
        writer.set_meter(item, meter, value)

    def replay(self, event: Event, reversed_ids: set[int]) -> None:
        if event.kind == EventKind.METER_READING and event.pk not in reversed_ids:
            self._history[(event.item_id, event.details["meter"])].append(event)

    def compare(self, report: Report) -> None:
        from materiel.equipment.models import ItemMeter

        replayed = {
            key: [Decimal(events[-1].details["value"]), events[-1].occurred_on] for key, events in self._history.items()
        }
        stored: dict[tuple[int | None, str], list[Any]] = {
            (i, m): [v, d] for i, m, v, d in ItemMeter.objects.values_list("item_id", "meter", "value", "read_on")
        }
        for key in sorted(set(stored) | set(replayed)):
            if stored.get(key) != replayed.get(key):
                report.problem(f"Đồng hồ {key}: lưu {stored.get(key)} khác kết quả phát lại {replayed.get(key)}.")


METERS = MeterProjection()


# The register's kinds belong to the ledger app.
Declare = partial(Kind, app="ledger")


def _status_kind(kind: EventKind) -> Kind:
    return Declare(kind.value, kind.label, ITEM, "ledger.record", rule=partial(_status_change, kind.value))


REGISTER_KINDS = [
    Declare(EventKind.RECEIPT.value, EventKind.RECEIPT.label, ITEM, "ledger.record", rule=_receipt, creates=True),
    Declare(EventKind.TRANSFER.value, EventKind.TRANSFER.label, ITEM, "ledger.transfer", rule=_transfer,
         authorise=_authorise_transfer),
    Declare(EventKind.ISSUE.value, EventKind.ISSUE.label, ITEM, "ledger.record", rule=_issue),
    Declare(EventKind.RETURN.value, EventKind.RETURN.label, ITEM, "ledger.record", rule=_return),
    Declare(EventKind.GRADE_CHANGE.value, EventKind.GRADE_CHANGE.label, ITEM, "ledger.grade", rule=_grade_change,
         details=GradeChangeDetails),
    Declare(EventKind.METER_READING.value, EventKind.METER_READING.label, ITEM, "ledger.record", rule=_meter_reading,
         details=MeterDetails, projection=METERS),
    *(_status_kind(EventKind(kind)) for kind in rules.STATUS_MOVES),
    Declare(EventKind.LOT_RECEIPT.value, EventKind.LOT_RECEIPT.label, LOT, "ledger.record"),
    Declare(EventKind.LOT_ISSUE.value, EventKind.LOT_ISSUE.label, LOT, "ledger.record"),
    Declare(EventKind.LOT_TRANSFER.value, EventKind.LOT_TRANSFER.label, LOT, "ledger.transfer",
         authorise=_authorise_transfer),
    Declare(EventKind.LOT_REGRADE.value, EventKind.LOT_REGRADE.label, LOT, "ledger.grade"),
]  # fmt: skip


def register_all() -> None:
    from .kit import KIT_KIND

    kinds.register(kinds.REVERSAL_KIND)
    for kind in [*REGISTER_KINDS, KIT_KIND]:
        kinds.register(kind)
