"""Inspection compliance (tình hình thực hiện kiểm tra) over a period and a unit subtree: the
inspections the duty matrix required against those done — one dataset function, read by the page,
its XLSX and the API, and by later issues (Campaign 50, reviews).

An *obligation* is one period of one matrix row on one place: the company commander's weekly check
of weapon room PVK-1 in the week of 3 November. For a row about a kind of place, every place of that
kind in the subtree owes one run per period (day, ISO week, month, quarter, year) that overlaps the
range, until the place is closed or its unit dissolved. The obligation is

- **done** when a finished run answering that row (`Run.duty`) on that place lies in its period —
  the whole period, even the part outside the range, so that a week cut by the range's first day is
  not missed for a check held the day before;
- **missed** when its period has ended by today without such a run;
- **pending** when its period has not ended yet and no run answers it: not counted against anyone.

Compliance = done ÷ (done + missed). Rows about use (before, during, after use) and rows not about a
kind of place have no calendar to owe: their runs are counted, nothing is required. Overdue
corrective actions of the subtree are counted beside. Every number keeps the obligations or the
runs it counts, so each one drills down to exactly what it counts. Places are those of the
subtree now (places have no opening day yet: they owe from the range's start).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from materiel.storage.models import StoragePlace
from materiel.units.models import SEGMENT_WIDTH, Unit

from .models import CorrectiveAction, DutyRow, Frequency, Run, RunState

DONE, MISSED, PENDING = "done", "missed", "pending"
MAX_DAYS = 366 * 5  # a range longer than five years is refused by the callers


def period_of(frequency: str, day: date) -> tuple[date, date]:
    """The calendar period of `frequency` that holds `day`: (first day, last day)."""
    if frequency == Frequency.DAILY:
        return day, day
    if frequency == Frequency.WEEKLY:
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    if frequency == Frequency.MONTHLY:
        first = day.replace(day=1)
    elif frequency == Frequency.QUARTERLY:
        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    elif frequency == Frequency.YEARLY:
        return date(day.year, 1, 1), date(day.year, 12, 31)
    else:
        raise ValueError(frequency)
    months = 1 if frequency == Frequency.MONTHLY else 3
    year, month = divmod(first.month - 1 + months, 12)
    return first, date(first.year + year, month + 1, 1) - timedelta(days=1)


@functools.lru_cache(maxsize=256)
def periods(frequency: str, start: date, end: date) -> tuple[tuple[date, date], ...]:
    """The periods of `frequency` that overlap [start, end], in order."""
    found = []
    day = start
    while day <= end:
        first, last = period_of(frequency, day)
        found.append((first, last))
        day = last + timedelta(days=1)
    return tuple(found)


def has_calendar(duty: DutyRow) -> bool:
    return duty.place_kind_id is not None and duty.frequency != Frequency.USE


@dataclass(frozen=True)
class Obligation:
    place_id: int
    place: str  # "PVK-1 – Phòng vũ khí đại đội 1"
    unit: str
    duty_id: int
    first: date
    last: date
    outcome: str  # DONE, MISSED, PENDING
    runs: tuple[int, ...]  # the runs that answered it


@dataclass
class Line:
    """The obligations and runs of one unit branch or one matrix row: counted always, the
    obligations themselves kept only for the line a drill-down asks for (`compliance(keep=…)`)."""

    key: str
    name: str
    counts: dict[str, int] = field(default_factory=lambda: {DONE: 0, MISSED: 0, PENDING: 0})
    obligations: list[Obligation] = field(default_factory=list)  # only when kept
    runs: list[int] = field(default_factory=list)  # every finished run answering a row, in the range
    overdue_actions: list[int] = field(default_factory=list)

    def of(self, outcome: str) -> list[Obligation]:
        return [o for o in self.obligations if o.outcome == outcome]

    @property
    def done(self) -> int:
        return self.counts[DONE]

    @property
    def missed(self) -> int:
        return self.counts[MISSED]

    @property
    def pending(self) -> int:
        return self.counts[PENDING]

    @property
    def owed(self) -> int:
        return self.done + self.missed + self.pending

    @property
    def required(self) -> int:
        return self.done + self.missed

    @property
    def rate(self) -> Decimal | None:
        """Done ÷ required in percent with one decimal; None when nothing was required."""
        if not self.required:
            return None
        return (Decimal(100) * self.done / self.required).quantize(Decimal("0.1"))


@dataclass
class Compliance:
    start: date
    end: date
    today: date
    total: Line
    by_unit: list[Line]  # the child units of the root, and the root's own places (key: its code)
    by_duty: list[Line]  # one per matrix row (key: the row's id)

    def line(self, key: str) -> Line | None:
        """The line a drill-down link names: "" the total, "d<id>" a matrix row, else a unit code."""
        if not key:
            return self.total
        lines = self.by_duty if key.startswith("d") and key[1:].isdigit() else self.by_unit
        return next((line for line in lines if line.key == key), None)


def compliance(user, root: Unit, start: date, end: date, *, today: date, keep: str | None = None) -> Compliance:
    """Inspection compliance of `root`'s subtree over [start, end], as `user` sees it; the line
    named `keep` (a key of `Compliance.line`) also keeps its obligations, for its drill-down."""
    duties = list(DutyRow.objects.select_related("place_kind").order_by("pk"))
    places = list(
        StoragePlace.objects.visible_to(user)
        .in_subtree(root)
        .filter(kind_id__in={d.place_kind_id for d in duties if has_calendar(d)})
        .select_related("unit")
        .order_by("unit__path", "code")
    )
    # The runs of the widened range: a period cut by the range still counts the run held in it.
    widest = [period_of(d.frequency, start)[0] for d in duties if has_calendar(d)]
    since = min([start, *widest])
    until = max([end, *(period_of(d.frequency, end)[1] for d in duties if has_calendar(d))])
    answered: dict[tuple[int, int], list[tuple[date, int]]] = defaultdict(list)
    ranged: list[tuple[int, str]] = []  # (run id, unit path) of the runs in [start, end]
    runs = (
        Run.objects.visible_to(user)
        .in_subtree(root)
        .filter(state=RunState.FINISHED, duty__isnull=False, inspected_on__range=(since, until))
        .order_by("inspected_on", "pk")
        .values_list("pk", "duty_id", "place_id", "inspected_on", "unit__path")
    )
    run_duty: dict[int, int] = {}
    for pk, duty_id, place_id, day, path in runs:
        if place_id is not None:
            answered[(duty_id, place_id)].append((day, pk))
        if start <= day <= end:
            ranged.append((pk, path))
            run_duty[pk] = duty_id

    total = Line("", root.name)  # the total's key is empty: the root's own places are keyed by its code
    by_duty = {d.pk: Line(f"d{d.pk}", str(d)) for d in duties}
    by_branch: dict[str, Line] = {}

    def branch(path: str) -> Line:
        key = path[: len(root.path) + SEGMENT_WIDTH]
        return by_branch.setdefault(key, Line(key, ""))

    children = {u.path: u for u in Unit.objects.visible_to(user).filter(parent=root)}
    keep_duty = int(keep[1:]) if keep and keep.startswith("d") and keep[1:].isdigit() else None
    keep_path = None  # the branch of the unit line to keep
    if keep and keep_duty is None:
        keep_path = next((path for path, unit in children.items() if unit.code == keep), None)
        keep_path = root.path if keep == root.code else keep_path
    for place in places:
        closed = min([d for d in (place.closed_on, place.unit.dissolved_on) if d is not None], default=None)
        last_day = min(end, closed - timedelta(days=1)) if closed else end
        unit_line = branch(place.unit.path)
        keep_place = keep_path is not None and place.unit.path[: len(root.path) + SEGMENT_WIDTH] == keep_path
        for duty in duties:
            if not has_calendar(duty) or duty.place_kind_id != place.kind_id:
                continue
            duty_line = by_duty[duty.pk]
            held: dict[date, list[int]] = defaultdict(list)  # period's first day -> the runs in it
            for day, pk in answered.get((duty.pk, place.pk), ()):
                held[period_of(duty.frequency, day)[0]].append(pk)
            kept = [
                line
                for line, wanted in ((total, keep == ""), (duty_line, keep_duty == duty.pk), (unit_line, keep_place))
                if wanted
            ]
            for first, last in periods(duty.frequency, start, last_day):
                in_period = held.get(first)
                outcome = DONE if in_period else MISSED if last < today else PENDING
                total.counts[outcome] += 1
                duty_line.counts[outcome] += 1
                unit_line.counts[outcome] += 1
                if kept:
                    obligation = Obligation(
                        place.pk, f"{place.code} – {place.name}", place.unit.name, duty.pk, first, last, outcome,
                        tuple(in_period or ()),
                    )  # fmt: skip
                    for line in kept:
                        line.obligations.append(obligation)
    for pk, path in ranged:
        total.runs.append(pk)
        by_duty[run_duty[pk]].runs.append(pk)
        branch(path).runs.append(pk)
    overdue = (
        CorrectiveAction.objects.visible_to(user)
        .in_subtree(root)
        .filter(closed_on__isnull=True, deadline__lt=today)
        .order_by("deadline", "pk")
        .values_list("pk", "run__unit__path")
    )
    for pk, path in overdue:
        total.overdue_actions.append(pk)
        branch(path).overdue_actions.append(pk)

    units = []
    for path in sorted(by_branch, key=lambda p: (p == root.path, children[p].name if p in children else "")):
        unit = children.get(path, root)
        line = by_branch[path]
        line.key, line.name = unit.code, unit.name
        units.append(line)
    return Compliance(
        start=start,
        end=end,
        today=today,
        total=total,
        by_unit=units,
        by_duty=[line for line in by_duty.values() if line.owed or line.runs],
    )
