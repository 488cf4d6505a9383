"""The board of certifications expiring or expired (bảng chứng chỉ sắp hết hạn, đã hết hạn) for a
subtree: the current certification of each person and kind (a renewal supersedes the older one),
held by the people of the subtree today. Its counts per child unit and its list are one queryset,
so that every count opens exactly its rows."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

from materiel.units.models import PATH_END, Unit

from .models import Certification

DEFAULT_DAYS = 60
MAX_DAYS = 3660
EXPIRED, EXPIRING = "expired", "expiring"


def current() -> QuerySet:
    """Certifications not superseded by a later one of the same person and kind."""
    later = Certification.objects.filter(
        person=OuterRef("person"), kind=OuterRef("kind"), issued_on__gt=OuterRef("issued_on")
    )
    return Certification.objects.exclude(Exists(later))


def rows(base: QuerySet, unit: Unit, state: str, day: date, days: int, *, own: bool = False) -> QuerySet:
    """The certifications of `base` (already scoped) held in the subtree of `unit` (only its own
    people with `own`), expired on `day` or expiring within `days` after it."""
    found = base.filter(pk__in=current().values("pk"))
    if own:
        found = found.filter(person__unit=unit)
    else:
        found = found.filter(person__unit__path__gte=unit.path, person__unit__path__lt=unit.path + PATH_END)
    if state == EXPIRED:
        return found.filter(expires_on__lt=day)
    if state == EXPIRING:
        return found.filter(expires_on__gte=day, expires_on__lte=day + timedelta(days=days))
    return found.filter(Q(expires_on__lt=day) | Q(expires_on__gte=day, expires_on__lte=day + timedelta(days=days)))


@dataclass
class Line:
    unit: Unit
    own: bool  # the unit's own people (not those of its children)
    expired: int
    expiring: int


def counts(base: QuerySet, unit: Unit, day: date, days: int) -> list[Line]:
    """The unit's whole subtree, its own people, then each child's subtree."""
    lines = []
    for target, own in [(unit, False), (unit, True)] + [(c, False) for c in unit.children.order_by("path")]:
        if own is False and target is not unit and target.dissolved_on is not None:
            continue
        lines.append(
            Line(
                target,
                own,
                rows(base, target, EXPIRED, day, days, own=own).count(),
                rows(base, target, EXPIRING, day, days, own=own).count(),
            )
        )
    return lines
