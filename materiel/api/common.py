"""Helpers shared by the routers: scoped lookups, keyset pages."""

from django.shortcuts import get_object_or_404
from ninja import Schema

from materiel.accounts.scoping import home_unit
from materiel.units.models import Unit

MAX_LIMIT = 500


def unit_for(request, code: str | None, *, default_to_scope: bool = True) -> Unit:
    """A unit of the caller's subtree by code (404 otherwise); the caller's own unit when none is given."""
    if not code:
        return home_unit(request.user) if default_to_scope else None
    return get_object_or_404(Unit.objects.visible_to(request.user), code=code)


def keyset(queryset, after: int | None, limit: int):
    """One page in id order after the cursor: [rows], next cursor or None. Stays fast at millions of rows."""
    limit = max(1, min(limit, MAX_LIMIT))
    if after:
        queryset = queryset.filter(pk__gt=after)
    rows = list(queryset.order_by("pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more else None)


class PageMeta(Schema):
    next: int | None = None
