"""The due board's dataset (bảng theo dõi hạn bảo dưỡng): one list and its counts for the page, its
XLSX export, its print and the API, so every number and every list come from the same queryset.

The rows are the stored due projection (`DueState`) of the user's subtree, read through
`visible_to`; before a read the stale rows of the subtree are rebuilt (`due.refresh`), and only the
current rows of items a plan applies to are listed. The state on the day is asked of the database
(`state_case`): no row is computed in Python to be listed or counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.catalog.models import Category, EquipmentType, Meter
from materiel.core.xlsx import Column, write_xlsx
from materiel.equipment.models import Item
from materiel.formats.numbers import number
from materiel.units.models import SEGMENT_WIDTH, Unit

from . import due
from .models import DAYS, STATE_ORDER, DueState, MaintenancePlan, State

FILTERS = ("category", "type", "plan", "state", "direct")


def state_case(day: date) -> Case:
    """The state of each row on `day`, in SQL: the worse of the meters' and the calendar's."""
    return Case(
        When(Q(meter_state=State.OVERDUE) | Q(overdue_on__lte=day), then=Value(State.OVERDUE.value)),
        When(Q(meter_state=State.DUE) | Q(next_on__lte=day), then=Value(State.DUE.value)),
        When(Q(meter_state=State.SOON) | Q(soon_on__lte=day), then=Value(State.SOON.value)),
        default=Value(State.OK.value),
        output_field=CharField(),
    )


def state_filter(state: str, day: date) -> Q:
    """Rows in `state` on `day`, as conditions on the stored columns (indexed: meter_state and the dates)."""
    overdue = Q(meter_state=State.OVERDUE) | Q(overdue_on__lte=day)
    due_ = Q(meter_state=State.DUE) | Q(next_on__lte=day)
    soon = Q(meter_state=State.SOON) | Q(soon_on__lte=day)
    if state == State.OVERDUE:
        return overdue
    if state == State.DUE:
        return due_ & ~overdue
    if state == State.SOON:
        return soon & ~due_ & ~overdue
    return ~soon & ~due_ & ~overdue


def current_rows(user, unit: Unit):
    """Every current row a plan applies to in the user's view of `unit`'s subtree, stale ones rebuilt first."""
    due.refresh(Item.objects.visible_to(user).in_subtree(unit))
    return DueState.objects.visible_to(user).in_subtree(unit).filter(applies=True, item_version=F("item__version"))


def filtered(rows, unit: Unit, params, day: date, *, with_state: bool = True):
    """The board's filters: the unit's own items only (direct), category, type, plan, state."""
    if params.get("direct"):
        rows = rows.filter(item__unit=unit)
    if params.get("category"):
        rows = rows.filter(item__equipment_type__category__code=params["category"])
    if params.get("type"):
        rows = rows.filter(item__equipment_type__code=params["type"])
    if str(params.get("plan") or "").isdigit():
        rows = rows.filter(plan_id=int(params["plan"]))
    if with_state and params.get("state") in State.values:
        rows = rows.filter(state_filter(params["state"], day))
    return rows


def board_rows(user, unit: Unit, params, day: date | None = None):
    """The listed rows, most urgent first (overdue, due, soon, ok; then by projected date)."""
    day = day or timezone.localdate()
    rows = filtered(current_rows(user, unit), unit, params, day)
    urgency = Case(*(When(state=s.value, then=Value(i)) for i, s in enumerate(reversed(STATE_ORDER))), default=9)
    return (
        rows.annotate(state=state_case(day))
        .annotate(urgency=urgency)
        .select_related("item__equipment_type__category", "item__unit", "plan")
        .order_by("urgency", F("projected_on").asc(nulls_last=True), "item__unit__path", "item_id", "plan_id")
    )


def item_lines(user, item: Item, day: date | None = None) -> list[Line]:
    """The item's current due rows (its page's Bảo dưỡng section), its stale ones rebuilt first."""
    day = day or timezone.localdate()
    due.refresh(Item.objects.visible_to(user).filter(pk=item.pk))
    rows = (
        DueState.objects.visible_to(user)
        .filter(item=item, applies=True, item_version=F("item__version"))
        .select_related("plan")
        .order_by("plan__name")
    )
    return [line_of(row, day) for row in rows]


def plan_names(events) -> dict[int, str]:
    """plan id -> its name, for the maintenance events among `events` (the item's history)."""
    ids = {int(e.details["plan"]) for e in events if e.kind == due.MAINTENANCE_DONE and e.details.get("plan")}
    return dict(MaintenancePlan.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


@dataclass
class CountLine:
    unit: Unit | None  # None: what the chosen unit holds itself
    counts: dict[str, int]  # state -> rows
    total: int


def unit_counts(user, unit: Unit, params, day: date | None = None) -> tuple[list[CountLine], CountLine]:
    """Rows per state for each child unit (and the unit's own items), and the total: one grouped
    query over the path prefix of each row's unit. The state filter is not applied: the table
    shows every state, each count linking to its rows."""
    day = day or timezone.localdate()
    rows = filtered(current_rows(user, unit), unit, params, day, with_state=False)
    prefix = Substr("item__unit__path", 1, len(unit.path) + SEGMENT_WIDTH)
    grouped = (
        rows.annotate(branch=prefix, state=state_case(day)).order_by().values("branch", "state").annotate(n=Count("id"))
    )
    by_branch: dict[str, dict[str, int]] = {}
    for row in grouped:
        by_branch.setdefault(row["branch"], {})[row["state"]] = row["n"]
    children = {u.path: u for u in Unit.objects.visible_to(user).filter(parent=unit)}
    lines = []
    for path in sorted(by_branch, key=lambda p: (p == unit.path, children[p].name if p in children else "")):
        counts = {s.value: by_branch[path].get(s.value, 0) for s in STATE_ORDER}
        lines.append(CountLine(children.get(path) if path != unit.path else None, counts, sum(counts.values())))
    totals = {s.value: sum(line.counts[s.value] for line in lines) for s in STATE_ORDER}
    return lines, CountLine(unit, totals, sum(totals.values()))


def choices(unit: Unit) -> dict:
    """What the filters offer: categories and types that have plans, and the plans."""
    plans = MaintenancePlan.objects.select_related("equipment_type__category")
    types = {p.equipment_type for p in plans}
    return {
        "categories": sorted({(t.category.code, t.category.name) for t in types}, key=lambda c: c[1]),
        "types": sorted({(t.code, t.name) for t in types}, key=lambda c: c[1]),
        "plans": [(str(p.pk), f"{p.equipment_type.short_name or p.equipment_type.name} – {p.name}") for p in plans],
        "states": [(s.value, s.label) for s in STATE_ORDER],
    }


def describe(params) -> list[tuple[str, str]]:
    """The filters in words, as the export and the print write them above the table."""
    described = []
    if params.get("direct"):
        described.append((_("Phạm vi"), _("trực tiếp quản lý")))
    if params.get("category"):
        category = Category.objects.filter(code=params["category"]).first()
        described.append((_("Nhóm"), category.name if category else params["category"]))
    if params.get("type"):
        kind = EquipmentType.objects.filter(code=params["type"]).first()
        described.append((_("Chủng loại"), kind.name if kind else params["type"]))
    if str(params.get("plan") or "").isdigit():
        plan = MaintenancePlan.objects.filter(pk=int(params["plan"])).first()
        described.append((_("Kế hoạch bảo dưỡng"), plan.name if plan else params["plan"]))
    if params.get("state") in State.values:
        described.append((_("Trạng thái"), str(State(params["state"]).label)))
    return described


def trigger_label(trigger: str) -> str:
    if trigger == DAYS:
        return _("Thời gian")
    return str(Meter(trigger).label) if trigger in Meter.values else ""


@dataclass
class Line:
    """One row of the board as shown: the stored row with its state and trigger on the day in words."""

    row: DueState
    state: State
    trigger: str
    next_due: str  # by the trigger that fires: a meter value or a date
    now: str  # the trigger's current meter value, or the days elapsed


def line_of(row: DueState, day: date) -> Line:
    state = State(getattr(row, "state", None) or due.state_on(row, day))
    trigger = due.trigger_on(row, day)
    if trigger == DAYS:
        next_due = row.next_on.strftime("%d/%m/%Y") if row.next_on else ""
        now = _("%(n)s ngày") % {"n": number((day - row.base_on).days)}
    elif trigger in row.meters:
        next_due = number(row.meters[trigger]["next"])
        now = number(row.meters[trigger]["now"])
    else:
        next_due = now = ""
    return Line(row, state, trigger_label(trigger), next_due, now)


def lines(rows, day: date | None = None) -> list[Line]:
    day = day or timezone.localdate()
    return [line_of(row, day) for row in rows]


COLUMNS = [
    Column(_("TT"), 5, "int"),
    Column(_("Đơn vị"), 28),
    Column(_("Tên trang bị"), 24),
    Column(_("Số hiệu"), 14),
    Column(_("Kế hoạch bảo dưỡng"), 22),
    Column(_("Trạng thái"), 12),
    Column(_("Theo"), 10),
    Column(_("Hiện tại"), 12),
    Column(_("Đến hạn tại"), 12),
    Column(_("Bảo dưỡng lần cuối"), 12, "date"),
    Column(_("Dự kiến đến hạn"), 12, "date"),
]


def export(user, unit: Unit, params, day: date | None = None):
    """The board as filtered, every row, as a formatted XLSX."""
    day = day or timezone.localdate()
    rows = board_rows(user, unit, params, day)

    def table():
        for number_, line in enumerate((line_of(row, day) for row in rows.iterator(chunk_size=2000)), start=1):
            row = line.row
            yield (
                number_,
                row.item.unit.name,
                row.item.equipment_type.name,
                row.item.serial,
                row.plan.name,
                str(line.state.label),
                line.trigger,
                line.now,
                line.next_due,
                row.last_done_on,
                row.projected_on,
            )

    filters = [(_("Đơn vị"), unit.name), (_("Tại ngày"), day.strftime("%d/%m/%Y")), *describe(params)]
    return write_xlsx(
        title=_("BẢNG THEO DÕI HẠN BẢO DƯỠNG"), filters=filters, columns=COLUMNS, rows=table(), sheet=_("Hạn bảo dưỡng")
    )
