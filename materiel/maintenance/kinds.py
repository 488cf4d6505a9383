"""The kind this app declares: maintenance done (bảo dưỡng xong), and the due rows it keeps.

Declared from `MaintenanceConfig.ready()` through `ledger.kinds.register` (docs/event-kinds.md).
"""

import weakref
from dataclasses import replace

import pydantic
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from materiel.core.errors import DomainError
from materiel.equipment.models import Status
from materiel.ledger import kinds, rules
from materiel.ledger.kinds import Details, Kind

from .due import CHUNK, EVENT_FIELDS, FIELDS, MAINTENANCE_DONE, History, compute, recompute
from .models import DueState, MaintenancePlan

# An item in these statuses is not maintained: it left the register, or never was in it.
NOT_MAINTAINED = (Status.DISPOSED, Status.LOST, Status.VOID)


class MaintenanceDetails(Details):
    # Lazy titles: a refusal names the field in the language of its request (ledger.kinds).
    plan: int = pydantic.Field(ge=1, title=gettext_lazy("kế hoạch bảo dưỡng"))  # type: ignore[call-overload]
    note: str = pydantic.Field("", max_length=300, title=gettext_lazy("ghi chú"))  # type: ignore[call-overload]


def maintenance_done(state, ctx, item, *, occurred_on, details, **_facts):
    """A maintenance by one of the item's type's plans changes nothing of the item's state; it is
    refused for an item disposed of, lost or void, and dated like every event (rules.check_date)."""
    if state.status in NOT_MAINTAINED:
        raise DomainError(
            _("Không ghi bảo dưỡng cho trang bị %(status)s.") % {"status": Status(state.status).label.lower()},
            field="item",
        )
    rules.check_date(state, occurred_on, ctx.today)
    type_id = _plan_types(ctx, details.plan)
    if type_id is None or type_id != ctx.equipment_type_of(item).pk:
        raise DomainError(_("Kế hoạch bảo dưỡng không áp dụng cho chủng loại của trang bị này."), field="plan")
    return replace(state, last_event_on=occurred_on)


# plan id -> its equipment type's id (None: no such plan), per writer: a technical day of 300 tasks
# by three plans reads the plans once per plan, not once per event. Weak: it goes with its writer.
_PLAN_TYPES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _plan_types(ctx, plan_id: int) -> int | None:
    try:
        known = _PLAN_TYPES.setdefault(ctx, {})
    except TypeError:  # a context that cannot be weakly referenced: read every time
        known = {}
    if plan_id not in known:
        known[plan_id] = MaintenancePlan.objects.filter(pk=plan_id).values_list("equipment_type_id", flat=True).first()
    return known[plan_id]


class DueProjection:
    """The due rows (DueState) of the items this kind touches.

    In the writer: recording or reversing a maintenance marks the item in `writer.pending[self]`;
    the writer's flush (after the events are written, in the same transaction) recomputes the rows
    of every marked item from its stored events at once, a few hundred items per read: a technical
    day of 300 tasks costs the statements of one recomputation, not of 300, and each (item, plan)
    is computed once per write however many events it got. Any later event of the item leaves
    them stale by version, and the next read of the board rebuilds them (due.refresh). In
    `materiel verify`: every stored row is recomputed from the first `item_version` events of its
    item and compared."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._items: set[int] | None = None
        self._events: dict[int, list] = {}

    def record(self, writer, item, event, details) -> None:
        self._follow(writer, item)

    def reverse(self, writer, item, event) -> None:
        self._follow(writer, item)

    def _follow(self, writer, item) -> None:
        if item.pk not in writer.adopted:
            return  # an item new in this batch (an import): it has no row yet, the board makes it
        writer.pending.setdefault(self, set()).add(item.pk)

    def flush(self, writer) -> None:
        """The marked items' rows, from their events as now stored (called by the writer's flush)."""
        ids = sorted(writer.pending.pop(self, ()))
        for start in range(0, len(ids), CHUNK):
            recompute(ids[start : start + CHUNK])

    def replay(self, event, reversed_ids: set[int]) -> None:
        if self._items is None:
            self._items = set(DueState.objects.values_list("item_id", flat=True).distinct())
        if event.item_id in self._items:
            self._events.setdefault(event.item_id, []).append(_Seen(event))

    def compare(self, report) -> None:
        plans = MaintenancePlan.objects.in_bulk()
        rows = DueState.objects.annotate(type_id=F("item__equipment_type_id")).order_by("item_id", "plan_id")
        for row in rows.iterator(chunk_size=2000):
            events = self._events.get(row.item_id, [])
            where = f"Hạn bảo dưỡng trang bị #{row.item_id}, kế hoạch #{row.plan_id}"
            if plans[row.plan_id].equipment_type_id != row.type_id:
                report.problem(f"{where}: kế hoạch của chủng loại khác.")
                continue
            if row.item_version > len(events):
                report.problem(f"{where}: tính từ {row.item_version} sự kiện, trang bị chỉ có {len(events)}.")
                continue
            expected = compute(plans[row.plan_id], History.of(events[: row.item_version]))
            stored = {name: getattr(row, name) for name in FIELDS}
            wrong = sorted(name for name in FIELDS if _plain(stored[name]) != _plain(expected[name]))
            if wrong:
                shown = ", ".join(f"{n}: lưu {stored[n]} khác tính lại {expected[n]}" for n in wrong)
                report.problem(f"{where}: {shown}.")


class _Seen:
    """What the due rule reads of an event, kept by verify's replay (not the whole row)."""

    __slots__ = EVENT_FIELDS + ("pk",)

    def __init__(self, event) -> None:
        for name in EVENT_FIELDS:
            setattr(self, name, getattr(event, name))
        self.pk = event.pk


def _plain(value):
    """JSON-ish values compared as the database returns them (decimals in meters are strings)."""
    return str(value) if value is not None and not isinstance(value, dict | bool) else value


DUE = DueProjection()

MAINTENANCE_DONE_KIND = Kind(
    MAINTENANCE_DONE,
    gettext_lazy("Bảo dưỡng xong"),
    target=kinds.ITEM,
    action="ledger.record",
    rule=maintenance_done,
    details=MaintenanceDetails,
    projection=DUE,
    app="maintenance",
)
