"""What a page speaks of: the chosen unit inside the user's scope, and the day (today or a past one).

In accounts, beside the scoping it narrows: the pages, the imports, the reports and the API all read it."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.requests import UserRequest
from materiel.accounts.scoping import home_unit
from materiel.core.days import parse_day
from materiel.units.models import Unit
from materiel.units.tree import PastTree


@dataclass
class PageScope:
    root: Unit  # the user's own scope
    unit: Unit  # the subtree chosen on this page
    day: date | None  # None: now

    @property
    def day_param(self) -> str:
        return self.day.strftime("%d/%m/%Y") if self.day else ""

    @cached_property
    def tree(self) -> PastTree | None:
        """The tree of the past day (None for today): its names are the ones a past page shows."""
        return PastTree(self.day) if self.day else None

    def name_of(self, unit: Unit) -> str:
        """The unit's name on the page's day: a district renamed in 2025 keeps its old name in 2024."""
        if self.tree is None:
            return unit.name
        return self.tree.name.get(unit.pk, unit.name)

    @property
    def unit_name(self) -> str:
        return self.name_of(self.unit)

    def described(self) -> list[tuple[str, str]]:
        """The unit and the day, as an export writes them above its table."""
        return [(_("Đơn vị"), self.unit_name), (_("Tại ngày"), self.day_param or _("hiện tại"))]

    @property
    def choices(self) -> list[Unit]:
        """Units offered by the subtree switcher: the top two levels of the scope and the chosen unit's
        own neighbourhood, so the list stays short even for a national scope."""
        near = Unit.objects.subtree_of(self.root).filter(depth__lte=self.root.depth + 2)
        extra = Unit.objects.filter(parent=self.unit) | Unit.objects.filter(pk=self.unit.pk)
        tree = self.tree
        if tree is None:
            near, extra = near.filter(dissolved_on__isnull=True), extra.filter(dissolved_on__isnull=True)
        # On a past day: the units that stood then (a command dissolved since is still offered).
        standing: Callable[[Unit], bool] = (lambda u: True) if tree is None else (lambda u: tree.exists(u.pk))
        units: list[Unit] = sorted({u for u in (*near, *extra) if standing(u)} | {self.unit}, key=lambda u: u.path)
        for u in units:
            u.indent = "\u2003" * (u.depth - self.root.depth)  # type: ignore[attr-defined]  # for the template
        return units


def page_scope(request: UserRequest) -> PageScope:
    """The unit of ?unit=<code> (404 outside the user's subtree) and the day of ?on=dd/mm/yyyy."""
    root = home_unit(request.user)
    code = request.GET.get("unit")
    unit = root
    if code:
        chosen = Unit.objects.visible_to(request.user).filter(code=code).first()
        if chosen is None:
            raise Http404(_("Không tìm thấy đơn vị."))
        unit = chosen
    day = parse_day(request.GET.get("on"))
    if day is not None and day >= timezone.localdate():
        day = None
    return PageScope(root, unit, day)
