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

import bisect
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count
from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek, TruncYear

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


def owed_until(place: StoragePlace, end: date) -> date:
    """The last day `place` owes inspections in a range ending on `end`: the day before it was
    closed or its unit dissolved, if that came first."""
    closed = min([d for d in (place.closed_on, place.unit.dissolved_on) if d is not None], default=None)
    return min(end, closed - timedelta(days=1)) if closed else end


def held_on(first: date, last: date, until: date, rng) -> date:
    """A day of the period [first, last] for a generated run (demo, bench), never past `until`:
    a year's period runs to December, past today."""
    return min(last, until, first + timedelta(days=rng.randint(0, (last - first).days)))


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
    runs: int = 0  # finished runs answering a row, held in the range (`runs_of` lists them)
    overdue_actions: int = 0  # corrective actions past their deadline, not closed (`overdue_actions_of`)

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


TRUNC: dict[str, type] = {
    Frequency.WEEKLY: TruncWeek,
    Frequency.MONTHLY: TruncMonth,
    Frequency.QUARTERLY: TruncQuarter,
    Frequency.YEARLY: TruncYear,
}


@functools.lru_cache(maxsize=1024)
def _owed(frequency: str, start: date, last_day: date, today: date) -> tuple[int, int]:
    """(periods owed, of which ended by today)."""
    found = periods(frequency, start, last_day)
    return len(found), bisect.bisect_left([last for _first, last in found], today)


def _finished(user, root: Unit):
    return Run.objects.visible_to(user).in_subtree(root).filter(state=RunState.FINISHED)


def _periods_held(runs, frequency: str) -> dict[int, int]:
    """place id -> how many distinct periods of `frequency` its runs fall in (counted by the database)."""
    if frequency == Frequency.DAILY:
        rows = runs.values("place_id").annotate(n=Count("inspected_on", distinct=True))
    else:
        rows = (
            runs.annotate(period=TRUNC[frequency]("inspected_on"))
            .values("place_id")
            .annotate(n=Count("period", distinct=True))
        )
    return {row["place_id"]: row["n"] for row in rows}


def compliance(user, root: Unit, start: date, end: date, *, today: date, keep: str | None = None) -> Compliance:
    """Inspection compliance of `root`'s subtree over [start, end], as `user` sees it; the line
    named `keep` (a key of `Compliance.line`) also keeps its obligations, for its drill-down.

    The database counts, per matrix row and place, the distinct periods its finished runs fall in
    (and those of the periods not ended yet); the periods owed are calendar arithmetic. So the cost
    grows with places × rows, not with the runs or the periods."""
    duties = [d for d in DutyRow.objects.select_related("place_kind").order_by("pk")]
    calendar = [d for d in duties if has_calendar(d)]
    places = list(
        StoragePlace.objects.visible_to(user)
        .in_subtree(root)
        .filter(kind_id__in={d.place_kind_id for d in calendar})
        .select_related("unit")
        .order_by("unit__path", "code")
    )
    finished = _finished(user, root)
    held: dict[int, dict[int, int]] = {}  # duty -> place -> periods with a run
    held_open: dict[int, dict[int, int]] = {}  # duty -> place -> of which periods not ended by today
    for duty in calendar:
        first_day, last_day = period_of(duty.frequency, start)[0], period_of(duty.frequency, end)[1]
        runs = finished.filter(duty=duty, place__isnull=False, inspected_on__range=(first_day, last_day))
        held[duty.pk] = _periods_held(runs, duty.frequency)
        current = period_of(duty.frequency, today)[0]
        held_open[duty.pk] = (
            _periods_held(runs.filter(inspected_on__gte=current), duty.frequency) if current <= last_day else {}
        )

    total = Line("", root.name)  # the total's key is empty: the root's own places are keyed by its code
    by_duty = {d.pk: Line(f"d{d.pk}", str(d)) for d in duties}
    by_branch: dict[str, Line] = {}
    width = len(root.path) + SEGMENT_WIDTH

    def branch(path: str) -> Line:
        key = path[:width]
        return by_branch.setdefault(key, Line(key, ""))

    for place in places:
        last_day = owed_until(place, end)
        unit_line = branch(place.unit.path)
        for duty in calendar:
            if duty.place_kind_id != place.kind_id or last_day < start:
                continue
            owed, ended = _owed(duty.frequency, start, last_day, today)
            done = min(owed, held[duty.pk].get(place.pk, 0))
            done_open = min(owed - ended, held_open[duty.pk].get(place.pk, 0))
            counts = {DONE: done, MISSED: max(0, ended - (done - done_open)), PENDING: max(0, owed - ended - done_open)}
            for line in (total, by_duty[duty.pk], unit_line):
                for outcome, n in counts.items():
                    line.counts[outcome] += n

    children = {u.path: u for u in Unit.objects.visible_to(user).filter(parent=root)}
    units = dict(Unit.objects.subtree_of(root).values_list("pk", "path"))
    ranged = finished.filter(duty__isnull=False, inspected_on__range=(start, end))
    for row in ranged.values("duty_id", "unit_id").annotate(n=Count("id")):
        total.runs += row["n"]
        by_duty[row["duty_id"]].runs += row["n"]
        branch(units[row["unit_id"]]).runs += row["n"]
    overdue = (
        CorrectiveAction.objects.visible_to(user).in_subtree(root).filter(closed_on__isnull=True, deadline__lt=today)
    )
    for row in overdue.values("run__unit_id").annotate(n=Count("id")):
        total.overdue_actions += row["n"]
        branch(units[row["run__unit_id"]]).overdue_actions += row["n"]

    line_of = {path: line for path, line in by_branch.items()}
    result_units = []
    for path in sorted(line_of, key=lambda p: (p == root.path, children[p].name if p in children else "")):
        unit = children.get(path, root)
        line = line_of[path]
        line.key, line.name = unit.code, unit.name
        result_units.append(line)
    report = Compliance(
        start=start,
        end=end,
        today=today,
        total=total,
        by_unit=result_units,
        by_duty=[line for line in by_duty.values() if line.owed or line.runs],
    )
    if keep is not None:
        kept = report.line(keep)
        if kept is not None:
            kept.obligations = obligations(user, root, start, end, today=today, key=keep, places=places)
    return report


def _branch_filter(root: Unit, key: str):
    """(matrix row id or None, the unit of a branch or None, whether only the root's own) of a line key."""
    if key.startswith("d") and key[1:].isdigit():
        return int(key[1:]), None, False
    if key == root.code:
        return None, root, True
    child = Unit.objects.filter(parent=root, code=key).first() if key else None
    return None, child, False


def obligations(user, root: Unit, start: date, end: date, *, today: date, key: str, places=None) -> list[Obligation]:
    """The obligations one line counts, one by one (its drill-down): every period owed, with the
    runs that answered it."""
    duty_id, unit, own = _branch_filter(root, key)
    if key and duty_id is None and unit is None:
        return []
    duties = [d for d in DutyRow.objects.select_related("place_kind").order_by("pk") if has_calendar(d)]
    if duty_id is not None:
        duties = [d for d in duties if d.pk == duty_id]
    if places is None:
        places = list(
            StoragePlace.objects.visible_to(user).in_subtree(root).select_related("unit").order_by("unit__path", "code")
        )
    if unit is not None:
        places = [p for p in places if (p.unit_id == unit.pk if own else p.unit.path.startswith(unit.path))]
    answered: dict[tuple[int, int], dict[date, list[int]]] = defaultdict(lambda: defaultdict(list))
    for duty in duties:
        first_day, last_day = period_of(duty.frequency, start)[0], period_of(duty.frequency, end)[1]
        runs = _finished(user, root).filter(
            duty=duty, place_id__in=[p.pk for p in places], inspected_on__range=(first_day, last_day)
        )
        for pk, place_id, day in runs.order_by("inspected_on", "pk").values_list("pk", "place_id", "inspected_on"):
            answered[(duty.pk, place_id)][period_of(duty.frequency, day)[0]].append(pk)
    found = []
    for place in places:
        last_day = owed_until(place, end)
        for duty in duties:
            if duty.place_kind_id != place.kind_id:
                continue
            held = answered.get((duty.pk, place.pk), {})
            for first, last in periods(duty.frequency, start, last_day):
                in_period = tuple(held.get(first, ()))
                outcome = DONE if in_period else MISSED if last < today else PENDING
                found.append(
                    Obligation(
                        place.pk,
                        f"{place.code} – {place.name}",
                        place.unit.name,
                        duty.pk,
                        first,
                        last,
                        outcome,
                        in_period,
                    )  # fmt: skip
                )
    return found


def runs_of(user, root: Unit, start: date, end: date, key: str):
    """The finished runs answering a matrix row held in [start, end] that a line counts."""
    runs = _finished(user, root).filter(duty__isnull=False, inspected_on__range=(start, end))
    return _in_line(runs, root, key, "unit")


def overdue_actions_of(user, root: Unit, today: date, key: str):
    """The corrective actions past their deadline and not closed that a unit line (or the total) counts."""
    actions = (
        CorrectiveAction.objects.visible_to(user).in_subtree(root).filter(closed_on__isnull=True, deadline__lt=today)
    )
    return _in_line(actions, root, key, "run__unit")


def _in_line(queryset, root: Unit, key: str, unit_field: str):
    duty_id, unit, own = _branch_filter(root, key)
    if duty_id is not None:
        return queryset.filter(duty_id=duty_id) if unit_field == "unit" else queryset.none()
    if not key:
        return queryset
    if unit is None:
        return queryset.none()
    if own:
        return queryset.filter(**{unit_field: unit})
    return queryset.filter(**{f"{unit_field}__path__startswith": unit.path})
