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

import re
import uuid
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


def kit_details(
    state_kit: str, shortages: list[dict[str, Any]], note: str = "", *, equipment_type: Any = None
) -> dict[str, Any]:
    """The details of a `kit` event leaving `shortages` on an item whose kit is now `state_kit`.

    Lines with nothing short are left out, once known to be lines of `equipment_type`'s kit (a line
    it does not have is refused even with nothing short). Other bad input is passed on as it is:
    the writer's validation of the details names the field."""
    if equipment_type is not None:
        lines = lines_of(equipment_type.pk)
        for s in shortages:
            line = s.get("line") if isinstance(s, dict) else None
            if isinstance(line, int) and line not in lines:
                raise unknown_line(line, equipment_type)
    kept = [s for s in shortages if not isinstance(s, dict) or s.get("missing") or s.get("damaged")]
    try:
        after = condition(kept)
    except (pydantic.ValidationError, TypeError):
        after = ""
    return {"shortages": kept, "kit_before": state_kit, "kit": after, "note": note}


COMPLETE_WORDS = {"", "du", "dong bo", "du dong bo", "khong thieu", "-"}
KIT_ENTRY = re.compile(r"[;,\n]+")


def parse_shortages(raw: str, lines: list[Any]) -> list[dict[str, int]]:
    """What is missing or damaged, as people write it in a register or a count sheet: one entry per
    line of the kit, separated by ";" or ",": "Hộp tiếp đạn thiếu 2; Lưỡi lê hỏng", "thiếu 1 lưỡi
    lê" (no number: one; no word: missing). "đủ" or nothing: complete. lines: the type's KitLines;
    a name it does not have, or more than it has, is refused (DomainError, field "kit")."""
    from materiel.core.text import search_fold

    if search_fold(raw) in COMPLETE_WORDS:
        return []
    named = sorted(((search_fold(line.name), line) for line in lines), key=lambda pair: -len(pair[0]))
    found: dict[int, dict[str, int]] = {}
    for entry in filter(None, (e.strip() for e in KIT_ENTRY.split(raw))):
        folded = search_fold(entry)
        line = next((line for name, line in named if name and name in folded), None)
        if line is None:
            raise DomainError(
                _("“%(entry)s” không có trong bộ đồng bộ của chủng loại này (%(lines)s).")
                % {"entry": entry[:60], "lines": ", ".join(line.name for line in lines) or "—"},
                field="kit",
            )
        digits = re.findall(r"\d+", folded.replace(search_fold(line.name), " "))
        count = int(digits[0][:4]) if digits else 1
        key = "damaged" if re.search(r"\bhong\b", folded) else "missing"
        shortage = found.setdefault(line.pk, {"line": line.pk, "missing": 0, "damaged": 0})
        shortage[key] += count
        if shortage["missing"] + shortage["damaged"] > line.quantity:
            raise DomainError(
                _("“%(line)s”: thiếu, hỏng nhiều hơn %(quantity)s của bộ đồng bộ.")
                % {"line": line.name, "quantity": line.quantity},
                field="kit",
            )
    return list(found.values())


def lines_of(type_id: int) -> dict[int, Any]:
    from materiel.catalog.models import KitLine

    return {line.pk: line for line in KitLine.objects.filter(equipment_type_id=type_id)}


def kit_rule(
    state: rules.ItemState, ctx: RuleContext, item: Item, *, occurred_on: date, details: KitDetails, **_facts: Any
) -> rules.ItemState:
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
            raise unknown_line(shortage.line, equipment_type)
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


def unknown_line(line: int, equipment_type: Any) -> DomainError:
    return DomainError(
        _("Dòng đồng bộ #%(line)s không có trong bộ đồng bộ của %(type)s.")
        % {"line": line, "type": equipment_type.name},
        field="shortages",
    )


def shortages_of(item_id: int) -> list[dict[str, int]]:
    """What the item is short of now (its latest kit event), line by line in line order."""
    from materiel.equipment.models import ItemKitShortage

    return [
        {"line": s.line_id, "missing": s.missing, "damaged": s.damaged}
        for s in ItemKitShortage.objects.filter(item_id=item_id).order_by("line_id")
    ]


def changes_kit(found: list[dict[str, int]], item_id: int) -> bool:
    """Whether recording `found` (lines short, in any order) would change what the item is short of."""
    full = [{"line": s["line"], "missing": s.get("missing", 0), "damaged": s.get("damaged", 0)} for s in found]
    return sorted(full, key=lambda s: s["line"]) != shortages_of(item_id)


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


# -- the standard kit of a type (reference data, edited on the catalogue) ---------------------------


def lines_in_use(equipment_type: Any) -> set[int]:
    """The type's kit lines that an item's shortages or a kit event name: kept, never deleted, so
    that every past check still reads."""
    from materiel.equipment.models import ItemKitShortage

    from .models import Event

    used = set(ItemKitShortage.objects.filter(line__equipment_type=equipment_type).values_list("line_id", flat=True))
    events = Event.objects.filter(kind=KIT, item__equipment_type=equipment_type).values_list("details", flat=True)
    for details in events.iterator(2000):
        used.update(s.get("line") for s in details.get("shortages", []))
    return used


def save_standard_kit(*, actor: Any, equipment_type: Any, rows: list[dict[str, Any]], request: Any = None) -> list[Any]:
    """Replace a type's standard kit by `rows` (each: id or None, part, name, quantity, delete), all
    or nothing; a refusal names the row. A line in use is not deleted, and its quantity never goes
    below what an item is short of it now."""
    from django.db import transaction

    from materiel.accounts import audit
    from materiel.accounts.models import AuditKind
    from materiel.catalog.models import KitLine, KitPart
    from materiel.catalog.services import require_catalogue
    from materiel.core.text import nfc
    from materiel.equipment.models import ItemKitShortage

    require_catalogue(actor)
    with transaction.atomic():
        existing = {line.pk: line for line in KitLine.objects.select_for_update().filter(equipment_type=equipment_type)}
        used = lines_in_use(equipment_type)
        short: dict[int, int] = {}
        for line_id, missing, damaged in ItemKitShortage.objects.filter(line__in=list(existing)).values_list(
            "line_id", "missing", "damaged"
        ):
            short[line_id] = max(short.get(line_id, 0), missing + damaged)
        names: dict[str, int] = {}
        kept: list[Any] = []
        for number, row in enumerate(rows, start=1):

            def refuse(message: str, field: str, number: int = number) -> DomainError:
                return DomainError(_("Dòng %(n)d: %(message)s") % {"n": number, "message": message}, field=field)

            line = existing.get(row["id"]) if row.get("id") else None
            if row.get("id") and line is None:
                raise refuse(_("không có trong bộ đồng bộ của chủng loại này."), "kit")
            name = nfc(row.get("name") or "")
            if row.get("delete") or (line is None and not name):
                if line is not None and line.pk in used:
                    in_use = _("“%(name)s” đã được ghi thiếu, hỏng ở trang bị: không xóa được.")
                    raise refuse(in_use % {"name": line.name}, "kit")
                if line is not None:
                    line.delete()
                continue
            if not name:
                raise refuse(_("chưa nhập tên."), "name")
            folded = name.casefold()
            if folded in names:
                raise refuse(_("“%(name)s” trùng với dòng %(other)d.") % {"name": name, "other": names[folded]}, "name")
            names[folded] = number
            quantity = row.get("quantity")
            if not isinstance(quantity, int) or not 1 <= quantity <= MAX_PARTS:
                raise refuse(_("số lượng phải từ 1 đến %(max)d.") % {"max": MAX_PARTS}, "quantity")
            if line is not None and quantity < short.get(line.pk, 0):
                raise refuse(
                    _("có trang bị đang thiếu, hỏng %(n)d “%(name)s”: số lượng không nhỏ hơn được.")
                    % {"n": short[line.pk], "name": line.name},
                    "quantity",
                )
            part = row.get("part") or KitPart.COMPONENT
            if part not in KitPart.values:
                raise refuse(_("loại không hợp lệ."), "part")
            line = line or KitLine(equipment_type=equipment_type)
            line.part, line.name, line.quantity, line.position = part, name, quantity, number
            kept.append(line)
        # Names are unique per type: a renamed pair is saved through a free name first.
        for line in kept:
            if line.pk:
                KitLine.objects.filter(pk=line.pk).update(name=f"~{uuid.uuid4().hex}")
        for line in kept:
            line.save()
        audit.record(
            AuditKind.CATALOG_CHANGED,
            request=request,
            actor=actor,
            changes={
                "object": "kit",
                "code": equipment_type.code,
                "lines": [[k.part, k.name, k.quantity] for k in kept],
            },
        )
    return kept
