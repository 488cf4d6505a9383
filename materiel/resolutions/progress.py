"""The progress of a resolution for a unit subtree (tiến độ thực hiện): every target with its value
per year since the resolution took effect, on the tree of that year, its gap to the goal and
whether it was met; the tasks of the subtree done, late and open. One dataset function: the page,
its XLSX and the API read it, and a review (sơ kết, tổng kết) quotes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.units.models import Unit

from . import indicators
from .models import Reported, Resolution, Target, Task, TaskState


@dataclass
class Cell:
    year: int
    figure: indicators.Figure
    met: bool | None
    gap: Decimal | None  # the value minus the goal (≥ targets), or the goal minus the value (≤ targets)


@dataclass
class TargetLine:
    target: Target
    indicator: indicators.Indicator | None  # None: reported by hand
    cells: list[Cell]

    @property
    def latest(self) -> Cell | None:
        measured = [c for c in self.cells if c.figure.value is not None]
        return measured[-1] if measured else None


@dataclass
class TaskCounts:
    done: list[Task] = field(default_factory=list)
    late: list[Task] = field(default_factory=list)
    open: list[Task] = field(default_factory=list)


@dataclass
class Progress:
    resolution: Resolution
    unit: Unit
    years: list[int]
    lines: list[TargetLine]
    tasks: TaskCounts


def years_of(resolution: Resolution, today: date) -> list[int]:
    last = min(resolution.ends_on or today, today)
    return list(range(resolution.starts_on.year, last.year + 1))


def period_of(resolution: Resolution, year: int, today: date) -> tuple[date, date]:
    start = max(date(year, 1, 1), resolution.starts_on)
    end = min(date(year, 12, 31), today, resolution.ends_on or today)
    return start, end


def _gap(target: Target, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return value - target.goal if target.comparison == "gte" else target.goal - value


def progress(user, resolution: Resolution, unit: Unit, *, today: date | None = None) -> Progress:
    today = today or timezone.localdate()
    years = years_of(resolution, today)
    targets = list(resolution.targets.order_by("position", "id"))
    reported = {
        (r.target_id, r.year): r
        for r in Reported.objects.visible_to(user).filter(target__in=targets, unit=unit)
    }  # fmt: skip
    lines = [TargetLine(t, indicators.CATALOGUE.get(t.indicator), []) for t in targets]
    for year in years:
        start, end = period_of(resolution, year, today)
        ctx = indicators.Context(user, unit, start, end, today)  # one fold of the year's last day for all
        for line in lines:
            target = line.target
            if line.indicator is not None:
                figure = indicators.measure(target.indicator, target.params, ctx)
            elif (target.pk, year) in reported:
                r = reported[(target.pk, year)]
                figure = indicators.Figure(r.value, basis=_("Báo cáo: %(evidence)s") % {"evidence": r.evidence})
            else:
                figure = indicators.Figure(None, measured=False, basis=_("Chưa báo cáo"))
            line.cells.append(Cell(year, figure, target.met_by(figure.value), _gap(target, figure.value)))
    return Progress(resolution, unit, years, lines, task_counts(user, resolution, unit, today))


def task_counts(user, resolution: Resolution, unit: Unit, today: date) -> TaskCounts:
    counts = TaskCounts()
    for task in Task.objects.visible_to(user).in_subtree(unit).filter(resolution=resolution).select_related("unit"):
        if task.state == TaskState.DONE:
            counts.done.append(task)
        elif task.late_on(today):
            counts.late.append(task)
        elif task.state == TaskState.OPEN:
            counts.open.append(task)
    return counts
