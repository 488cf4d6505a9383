"""Completeness (đồng bộ): the `kit` event kind, its rule and the shortages it keeps.

A `kit` event records what is missing or damaged of an item's standard kit (`catalog.KitLine`)
after a check: the whole list of shortages, not a change to it, so the kit on any day is read from
one event (`asof`-style), and the condition it leaves (`equipment.Kit`: complete, damaged,
missing) with the condition before it. The condition is part of the item's state
(`rules.ItemState.kit`): every rollup cell counts, besides its quantity, the items damaged and the
items missing a part (`ledger.rollups`), so the đồng bộ coefficient of any subtree is read from
the rollups like the technical coefficient. `ItemKitShortage` keeps the shortages of the latest
event per item; `materiel verify` replays both (docs/glossary.md, *đồng bộ*).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

import pydantic
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from materiel.core.errors import DomainError

from . import rules
from .kinds import ITEM, REVERSAL, Details, Kind, RuleContext, title

if TYPE_CHECKING:
    from materiel.equipment.models import Item

    from .batch import LedgerBatch
    from .models import Event
    from .verify import Report

KIT = "kit"
MAX_PARTS = 1000  # a kit line's quantity is a PositiveSmallIntegerField


class Shortage(pydantic.BaseModel):
    """One line of the kit, and how many of it are missing and damaged."""

    model_config = pydantic.ConfigDict(extra="forbid", frozen=True)

    line: int = pydantic.Field(ge=1, title=title(gettext_lazy("dòng đồng bộ")))
    missing: int = pydantic.Field(0, ge=0, le=MAX_PARTS, title=title(gettext_lazy("số thiếu")))
    damaged: int = pydantic.Field(0, ge=0, le=MAX_PARTS, title=title(gettext_lazy("số hỏng")))


class KitDetails(Details):
    # Everything short of the kit after this event (an empty list: the kit is whole again).
    shortages: list[Shortage] = pydantic.Field(max_length=200, title=title(gettext_lazy("thiếu, hỏng đồng bộ")))
    # The condition before and after (equipment.Kit), written by `kit_details`, checked by the rule.
    kit_before: str = pydantic.Field(max_length=10, title=title(gettext_lazy("đồng bộ trước")))
    kit: str = pydantic.Field(max_length=10, title=title(gettext_lazy("đồng bộ sau")))
    note: str = pydantic.Field("", max_length=300, title=title(gettext_lazy("ghi chú")))


def condition(shortages: list[Shortage] | list[dict[str, Any]]) -> str:
    """The kit condition the shortages leave: missing wins over damaged."""
    from materiel.equipment.models import Kit

    rows = [s if isinstance(s, Shortage) else Shortage.model_validate(s) for s in shortages]
    if any(s.missing for s in rows):
        return Kit.MISSING.value
    if any(s.damaged for s in rows):
        return Kit.DAMAGED.value
    return Kit.COMPLETE.value


def kit_details(state_kit: str, shortages: list[dict[str, Any]], note: str = "") -> dict[str, Any]:
    """The details of a `kit` event leaving `shortages` on an item whose kit is now `state_kit`.

    Lines with nothing short are left out. Bad input is passed on as it is: the writer's validation
    of the details names the field."""
    kept = [s for s in shortages if not isinstance(s, dict) or s.get("missing") or s.get("damaged")]
    try:
        after = condition(kept)
    except (pydantic.ValidationError, TypeError):
        after = ""
    return {"shortages": kept, "kit_before": state_kit, "kit": after, "note": note}


def lines_of(type_id: int) -> dict[int, Any]:
    from materiel.catalog.models import KitLine

    return {line.pk: line for line in KitLine.objects.filter(equipment_type_id=type_id)}


def kit_rule(state: rules.ItemState, ctx: RuleContext, item: Item, *, occurred_on: date, details: KitDetails, **_facts):
    """A live item, on a valid day; every line of its type's kit, at most once, with no more
    missing and damaged than the kit has of it."""
    rules.require_live(state, _("ghi đồng bộ"))
    rules.check_date(state, occurred_on, ctx.today)
    equipment_type = ctx.equipment_type_of(item)
    lines = lines_of(equipment_type.pk)
    seen: set[int] = set()
    for shortage in details.shortages:
        line = lines.get(shortage.line)
        if line is None:
            raise DomainError(
                _("Dòng đồng bộ #%(line)s không có trong bộ đồng bộ của %(type)s.")
                % {"line": shortage.line, "type": equipment_type.name},
                field="shortages",
            )
        if shortage.line in seen:
            raise DomainError(_("“%(line)s” được ghi hai lần.") % {"line": line.name}, field="shortages")
        seen.add(shortage.line)
        if shortage.missing + shortage.damaged > line.quantity:
            raise DomainError(
                _("“%(line)s”: thiếu %(missing)s và hỏng %(damaged)s, nhiều hơn %(quantity)s của bộ đồng bộ.")
                % {
                    "line": line.name,
                    "missing": shortage.missing,
                    "damaged": shortage.damaged,
                    "quantity": line.quantity,
                },
                field="shortages",
            )
    if details.kit_before != state.kit:
        raise DomainError(_("Đồng bộ của trang bị vừa thay đổi; hãy tải lại trang rồi thử lại."), field="item")
    if details.kit != condition(details.shortages):
        raise DomainError(_("Tình trạng đồng bộ không khớp với các dòng thiếu, hỏng."), field="shortages")
    return replace(state, kit=details.kit, last_event_on=occurred_on)


def shortages_after(events: list[Event]) -> tuple[list[dict[str, int]], date] | None:
    """(shortages, since) left by these events of one item, reversed ones left out; None if whole."""
    reversed_ids = {e.reverses_id for e in events if e.kind == REVERSAL}
    left = None
    for event in events:
        if event.kind == KIT and event.pk not in reversed_ids:
            shortages = event.details.get("shortages", [])
            left = (shortages, event.occurred_on) if shortages else None
    return left


class KitProjection:
    """Item → its shortages (equipment.ItemKitShortage), written at the writer's flush."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._expected: dict[int, tuple[list[dict[str, int]], date] | None] = {}

    def _pending(self, writer: LedgerBatch) -> dict[int, Any]:
        pending: dict[int, Any] = writer.pending.setdefault(self, {})
        return pending

    def record(self, writer: LedgerBatch, item: Item, event: Event, details: Details | None) -> None:
        if event.kind == KIT:
            shortages = event.details.get("shortages", [])
            self._pending(writer)[item.pk] = (shortages, event.occurred_on) if shortages else None

    def reverse(self, writer: LedgerBatch, item: Item, event: Event) -> None:
        from .models import Event

        if event.kind != KIT:
            return
        fields = ("id", "item_id", "kind", "occurred_on", "details", "reverses_id")
        stored = list(Event.objects.filter(item_id=item.pk).order_by("id").only(*fields))
        self._pending(writer)[item.pk] = shortages_after(stored + [e for e in writer.events if e.item_id == item.pk])

    def flush(self, writer: LedgerBatch) -> None:
        from materiel.equipment.models import ItemKitShortage

        pending = writer.pending.pop(self, {})
        if not pending:
            return
        ItemKitShortage.objects.filter(item_id__in=list(pending)).delete()
        ItemKitShortage.objects.bulk_create(
            ItemKitShortage(item_id=pk, line_id=s["line"], missing=s.get("missing", 0), damaged=s.get("damaged", 0),
                            since=entry[1])
            for pk, entry in pending.items() if entry for s in entry[0]
        )  # fmt: skip

    def replay(self, event: Event, reversed_ids: set[int]) -> None:
        if event.kind != KIT or event.pk in reversed_ids or event.item_id is None:
            return
        shortages = event.details.get("shortages", [])
        self._expected[event.item_id] = (shortages, event.occurred_on) if shortages else None

    def compare(self, report: Report) -> None:
        from materiel.equipment.models import ItemKitShortage

        def rows(shortages: list[dict[str, int]], since: date) -> set[tuple[int, int, int, date]]:
            return {(s["line"], s.get("missing", 0), s.get("damaged", 0), since) for s in shortages}

        expected = {pk: rows(*entry) for pk, entry in self._expected.items() if entry}
        stored: dict[int, set[tuple[int, int, int, date]]] = {}
        for item_id, *row in ItemKitShortage.objects.values_list("item_id", "line_id", "missing", "damaged", "since"):
            stored.setdefault(item_id, set()).add(tuple(row))  # type: ignore[arg-type]
        for item_id in sorted(set(expected) | set(stored)):
            if expected.get(item_id) != stored.get(item_id):
                report.problem(
                    f"Đồng bộ của trang bị #{item_id}: lưu {sorted(stored.get(item_id, ()))}, "
                    f"tính lại {sorted(expected.get(item_id, ()))}."
                )


KIT_PROJECTION = KitProjection()

KIT_KIND = Kind(
    KIT,
    gettext_lazy("Ghi đồng bộ"),
    target=ITEM,
    action="ledger.grade",
    rule=kit_rule,
    details=KitDetails,
    projection=KIT_PROJECTION,
    app="ledger",
)
