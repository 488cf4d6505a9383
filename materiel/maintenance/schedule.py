"""When a unit holds its technical day (lịch ngày kỹ thuật): the schedule as data, its next days.

A weekly schedule falls on one weekday (every Friday); a monthly one on the weekday of one week of
the month (the first Friday, the last Saturday: week 5 means the last). Edited by the unit's
technical officers (`maintenance.plan` on the unit)."""

import calendar
from datetime import date, timedelta

from django.utils.translation import gettext as _

from materiel.accounts.scoping import require
from materiel.core.errors import DomainError
from materiel.units.models import Unit

from .models import DayPart, Frequency, TechnicalDaySchedule, Weekday, WeekOfMonth

PLAN_ACTION = "maintenance.plan"


def weekday_in_month(year: int, month: int, weekday: int, week: int) -> date:
    """The `week`-th `weekday` of the month (week 5: the last one)."""
    if week == WeekOfMonth.LAST:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))


def next_day(schedule: TechnicalDaySchedule, on_or_after: date) -> date:
    """The schedule's first day on or after `on_or_after`."""
    if schedule.frequency == Frequency.WEEKLY:
        return on_or_after + timedelta(days=(schedule.weekday - on_or_after.weekday()) % 7)
    year, month = on_or_after.year, on_or_after.month
    while True:
        day = weekday_in_month(year, month, schedule.weekday, schedule.week_of_month or WeekOfMonth.FIRST)
        if day >= on_or_after:
            return day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def describe(schedule: TechnicalDaySchedule | None) -> str:
    """The schedule in words: 'Thứ Sáu hằng tuần, buổi sáng'."""
    if schedule is None:
        return _("Chưa có lịch ngày kỹ thuật")
    day = Weekday(schedule.weekday).label
    part = str(DayPart(schedule.part_of_day).label).lower()
    if schedule.frequency == Frequency.WEEKLY:
        return _("%(day)s hằng tuần, %(part)s") % {"day": day, "part": part}
    week = str(WeekOfMonth(schedule.week_of_month or 1).label).lower()
    return _("%(day)s %(week)s hằng tháng, %(part)s") % {"day": day, "week": week, "part": part}


def save_schedule(
    *, actor, unit: Unit, frequency: str, weekday: int, week_of_month: int | None, part_of_day: str
) -> TechnicalDaySchedule:
    """Set the unit's technical-day schedule (one per unit); each refusal names its field."""
    require(actor, PLAN_ACTION, unit=unit)
    if frequency not in Frequency.values:
        raise DomainError(_("Chu kỳ phải là hằng tuần hoặc hằng tháng."), field="frequency")
    if weekday not in Weekday.values:
        raise DomainError(_("Chọn một thứ trong tuần."), field="weekday")
    if part_of_day not in DayPart.values:
        raise DomainError(_("Chọn buổi sáng hoặc buổi chiều."), field="part_of_day")
    if frequency == Frequency.MONTHLY:
        if week_of_month not in WeekOfMonth.values:
            raise DomainError(_("Lịch hằng tháng cần chọn tuần trong tháng."), field="week_of_month")
    else:
        week_of_month = None
    schedule, _created = TechnicalDaySchedule.objects.update_or_create(
        unit=unit,
        defaults={
            "frequency": frequency,
            "weekday": weekday,
            "week_of_month": week_of_month,
            "part_of_day": part_of_day,
        },
    )
    return schedule
