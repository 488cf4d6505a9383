"""The figures Campaign 50 scores the technical staff on, one function each over a unit subtree and
a day or a period, each returning the figure and the rows behind it (so that a scorecard's number
opens exactly its rows). The callers check scope: these read a unit the caller may already see.

- `share_qualified(unit, day)`: of the people in the subtree on the day, the share holding a valid
  certification (issued on or before the day, not expired on it) of their specialty or of a general
  kind (a kind naming no specialty).
- `trained_in(unit, period)`: the people who passed a course ending in the period while they were in
  the subtree (their unit on the course's last day).
- `initiatives_in(unit, period)`: the initiatives of the subtree's units recognised in the period,
  with the money and hours they save.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from materiel.units.models import PATH_END, Unit

from .models import Certification, Initiative, Membership, Participant, Person, Result


@dataclass(frozen=True)
class Period:
    """Both days included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period ends on or after its start")


@dataclass(frozen=True)
class Figure:
    """A figure and what it counts: `value` is `len(rows)`, or the share rows/base in percent."""

    value: int | Decimal | None  # None: nothing to measure (no one in the subtree)
    rows: QuerySet  # what the figure counts
    base: QuerySet | None = None  # for a share: what it is a share of
    sums: dict[str, Decimal] = field(default_factory=dict)


def _in(unit: Unit, lookup: str) -> Q:
    return Q(**{f"{lookup}__gte": unit.path, f"{lookup}__lt": unit.path + PATH_END})


def qualified_certifications(day: date) -> QuerySet:
    """Certifications valid on the day of the person's specialty or a general kind (for Exists)."""
    return Certification.objects.valid_on(day).filter(
        Q(kind__specialty__isnull=True) | Q(kind__specialty=OuterRef("specialty")), person=OuterRef("pk")
    )


def share_qualified(unit: Unit, day: date) -> Figure:
    base = Person.objects.on(unit.path, day)
    qualified = base.filter(Exists(qualified_certifications(day)))
    total = base.count()
    value = None if total == 0 else (Decimal(100) * qualified.count() / total).quantize(Decimal("0.1"))
    return Figure(value=value, rows=qualified, base=base)


def trained_in(unit: Unit, period: Period) -> Figure:
    passed = Participant.objects.filter(
        result=Result.PASSED, course__ends_on__gte=period.start, course__ends_on__lte=period.end
    ).filter(
        Exists(
            Membership.objects.filter(person=OuterRef("person"), valid_from__lte=OuterRef("course__ends_on"))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef("course__ends_on")))
            .filter(_in(unit, "unit__path"))
        )
    )
    people = Person.objects.filter(pk__in=passed.values("person"))
    return Figure(value=people.count(), rows=people, base=passed)


def initiatives_in(unit: Unit, period: Period) -> Figure:
    rows = Initiative.objects.in_subtree(unit).filter(recognised_on__gte=period.start, recognised_on__lte=period.end)
    totals = rows.aggregate(money=Sum("money_saved"), hours=Sum("hours_saved"))
    sums = {"money_saved": totals["money"] or Decimal(0), "hours_saved": totals["hours"] or Decimal(0)}
    return Figure(value=rows.count(), rows=rows, sums=sums)
