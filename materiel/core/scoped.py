"""The queryset of every row that belongs to a unit (items, lots, events, import jobs): read only
through `visible_to(user)`, the scoping door (accounts.scoping.restrict)."""

from typing import TYPE_CHECKING, Any, Protocol

from django.db import models

if TYPE_CHECKING:
    from materiel.accounts.models import User

PATH_END = "~"  # units.models.PATH_END: a path range [P, P~) is a unit and everything under it


class HasPath(Protocol):
    """A unit, as far as core knows one (core imports no app: docs/architecture.md)."""

    path: str


class ScopedQuerySet(models.QuerySet[Any]):
    unit_field = "unit"

    def in_subtree(self, unit: HasPath) -> "ScopedQuerySet":
        f = self.unit_field
        return self.filter(**{f"{f}__path__gte": unit.path, f"{f}__path__lt": unit.path + PATH_END})

    def visible_to(self, user: "User") -> "ScopedQuerySet":
        """The scoping door for register rows and events: only the user's subtree."""
        from materiel.accounts.scoping import restrict  # the one exception to the layering, as units'

        return restrict(self, user, f"{self.unit_field}__path")
