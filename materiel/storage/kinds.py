"""The kind this app declares: relocation (chuyển nơi cất giữ), and the item places it keeps.

Declared from `StorageConfig.ready()` through `ledger.kinds.register`; the projection also observes
every other item event (`ledger.kinds.observe`), because a transfer takes the item out of its
unit's places although the transfer is the register's kind (docs/storage-and-counts.md).
"""

from dataclasses import replace

import pydantic
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from materiel.core.errors import DomainError
from materiel.ledger import kinds, rules
from materiel.ledger.kinds import REVERSAL, Details, Kind, title
from materiel.ledger.models import Event

from .models import ItemPlace, StoragePlace

RELOCATION = "relocation"
# Rows deleted per statement: within SQLite's limit of bound parameters.
CHUNK = 500


class RelocationDetails(Details):
    place: int = pydantic.Field(ge=1, title=title(gettext_lazy("nơi cất giữ")))
    note: str = pydantic.Field("", max_length=300, title=title(gettext_lazy("ghi chú")))


def relocate(state, ctx, item, *, occurred_on, details, **_facts):
    """A move to another place of the unit holding the item: a live item, a place of that unit,
    open on the day, other than the one the item is in."""
    rules.require_live(state, _("chuyển nơi cất giữ"))
    rules.check_date(state, occurred_on, ctx.today)
    place = StoragePlace.objects.filter(pk=details.place).only("unit_id", "name", "code", "closed_on").first()
    if place is None or place.unit_id != state.unit_id:
        raise DomainError(_("Nơi cất giữ này không thuộc đơn vị đang quản lý trang bị."), field="place")
    if place.closed_on is not None and occurred_on >= place.closed_on:
        raise DomainError(
            _("%(place)s đã ngừng sử dụng từ ngày %(day)s.") % {"place": place.name, "day": rules.fmt(place.closed_on)},
            field="place",
        )
    if PLACES.current(ctx, item) == place.pk:
        raise DomainError(_("Trang bị đã ở %(place)s.") % {"place": place.name}, field="place")
    return replace(state, last_event_on=occurred_on)


def place_of(events) -> tuple[int, object] | None:
    """(place id, since) after these events of one item, in order; reversed ones and reversals left
    out: the last relocation, unless a later event took the item to another unit."""
    reversed_ids = {e.reverses_id for e in events if e.kind == REVERSAL}
    place = None
    for event in events:
        if event.kind == REVERSAL or (event.pk is not None and event.pk in reversed_ids):
            continue
        if event.kind == RELOCATION:
            place = (int(event.details["place"]), event.occurred_on)
        elif event.to_unit_id is not None:
            place = None
    return place


class PlaceProjection:
    """The item places (ItemPlace) as the events leave them.

    In the writer: a relocation sets the item's place, any event that changes its unit drops it, a
    reversal recomputes it from the item's effective events; what changed is gathered in
    `writer.pending[self]` and written at the flush, one DELETE and one INSERT for the batch.
    In `materiel verify`: the places replayed from every event, compared with the stored rows."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._expected: dict[int, tuple[int, object]] = {}

    def _pending(self, writer) -> dict:
        return writer.pending.setdefault(self, {})

    def current(self, writer, item) -> int | None:
        """The id of the place the item is in, as this writer has left it so far."""
        pending = writer.pending.get(self, {})
        if item.pk in pending:
            entry = pending[item.pk]
            return entry[0] if entry else None
        if item.pk not in writer.adopted:
            return None  # an item new in this batch has no place yet
        return ItemPlace.objects.filter(item_id=item.pk).values_list("place_id", flat=True).first()

    def record(self, writer, item, event, details) -> None:
        if event.kind == RELOCATION:
            self._pending(writer)[item.pk] = (details.place, event.occurred_on)
        elif event.to_unit_id is not None and (item.pk in writer.adopted or item.pk in self._pending(writer)):
            self._pending(writer)[item.pk] = None  # it left the unit that owns its place

    def reverse(self, writer, item, event) -> None:
        if event.kind != RELOCATION and event.to_unit_id is None:
            return  # the event did not touch the place: cancelling it leaves the place as it is
        fields = ("id", "item_id", "kind", "occurred_on", "details", "reverses_id", "to_unit_id")
        stored = list(Event.objects.filter(item_id=item.pk).order_by("id").only(*fields))
        self._pending(writer)[item.pk] = place_of(stored + [e for e in writer.events if e.item_id == item.pk])

    def flush(self, writer) -> None:
        pending = writer.pending.pop(self, {})
        ids = list(pending)
        for start in range(0, len(ids), CHUNK):
            ItemPlace.objects.filter(item_id__in=ids[start : start + CHUNK]).delete()
        ItemPlace.objects.bulk_create(
            [ItemPlace(item_id=pk, place_id=entry[0], since=entry[1]) for pk, entry in pending.items() if entry],
            batch_size=CHUNK,
        )

    def replay(self, event, reversed_ids: set[int]) -> None:
        if event.item_id is None or event.kind == REVERSAL or event.pk in reversed_ids:
            return
        if event.kind == RELOCATION:
            self._expected[event.item_id] = (int(event.details["place"]), event.occurred_on)
        elif event.to_unit_id is not None:
            self._expected.pop(event.item_id, None)

    def compare(self, report) -> None:
        rows = ItemPlace.objects.values_list("item_id", "place_id", "since", "place__unit_id", "item__unit_id")
        seen = set()
        for item_id, place_id, since, place_unit, item_unit in rows.iterator(chunk_size=5000):
            seen.add(item_id)
            where = f"Nơi cất giữ của trang bị #{item_id}"
            expected = self._expected.get(item_id)
            if expected is None:
                report.problem(f"{where}: lưu nơi #{place_id}, các sự kiện không đặt trang bị vào nơi nào.")
            elif expected != (place_id, since):
                report.problem(
                    f"{where}: lưu nơi #{place_id} từ {since}, tính lại nơi #{expected[0]} từ {expected[1]}."
                )
            if place_unit != item_unit:
                report.problem(f"{where}: nơi #{place_id} thuộc đơn vị khác đơn vị đang quản lý trang bị.")
        for item_id, (place_id, _since) in self._expected.items():
            if item_id not in seen:
                report.problem(f"Nơi cất giữ của trang bị #{item_id}: thiếu (tính lại được nơi #{place_id}).")


PLACES = PlaceProjection()

RELOCATION_KIND = Kind(
    RELOCATION,
    gettext_lazy("Chuyển nơi cất giữ"),
    target=kinds.ITEM,
    action="ledger.record",
    rule=relocate,
    details=RelocationDetails,
    projection=PLACES,
    app="storage",
)
