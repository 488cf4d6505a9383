"""Helpers shared by the routers: scoped lookups, keyset pages, the bounded types of every input."""

import re
from datetime import date
from typing import Annotated

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from materiel.accounts.scoping import home_unit, receiving_units, refused_receiver
from materiel.core import bounds
from materiel.core.errors import DomainError
from materiel.units.models import Unit

MAX_LIMIT = 500

# Every integer a client sends has a bound the schema states (and pydantic enforces): beyond 64 bits
# the databases raise OverflowError; past a quantity's bound the rollups could overflow.
Id = Annotated[int, Field(ge=1, le=bounds.MAX_ID)]
Grade = Annotated[int, Field(ge=1, le=5)]
Quantity = Annotated[int, Field(ge=1, le=bounds.MAX_QUANTITY)]
Version = Annotated[int, Field(ge=1, le=bounds.MAX_ID)]
Year = Annotated[int, Field(ge=bounds.MIN_DAY.year, le=bounds.MAX_DAY.year)]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT)]


def Text(max_length: int):  # noqa: N802 (a type, as pydantic's constr)
    """A string no longer than its column: PostgreSQL refuses a longer one (SQLite would keep it)."""
    return Annotated[str, Field(max_length=max_length)]


# The lengths of Item.serial, Item.origin, Lot.lot_number, Event.document_number, Event.reason, Item.holder.
Serial, Origin, LotNumber, Document = Text(80), Text(80), Text(80), Text(80)
Reason, Holder, MeterValue = Text(300), Text(150), Text(40)

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value):
    """Only yyyy-mm-dd: pydantic alone reads 0 as 01/01/1970 (a Unix time) and takes the year 1."""
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("date_parsing", "invalid date") from None
    else:
        raise PydanticCustomError("date_parsing", "not a yyyy-mm-dd date")
    if not bounds.MIN_DAY <= day <= bounds.MAX_DAY:
        raise PydanticCustomError("day_range", "day out of range")
    return day


Day = Annotated[date, BeforeValidator(_iso_day)]


def unit_for(request, code: str | None) -> Unit:
    """For reads: a unit of the caller's subtree by code (404 otherwise); the caller's own unit when none is given."""
    if not code:
        return home_unit(request.user)
    return get_object_or_404(Unit.objects.visible_to(request.user), code=code)


def unit_named(request, code: str | None, *, field: str) -> Unit:
    """For writes: the unit must be named. An empty code once moved an item to the caller's own unit."""
    code = (code or "").strip()
    if not code:
        raise DomainError(_("Chưa nhập mã đơn vị (trường %(field)s).") % {"field": field}, field=field)
    return get_object_or_404(Unit.objects.visible_to(request.user), code=code)


def receiving_unit_named(request, code: str | None, giving_unit: Unit) -> Unit:
    """A transfer's receiving unit: in the caller's scope, or one the giving unit may hand over to."""
    code = (code or "").strip()
    if not code:
        raise DomainError(_("Chưa nhập mã đơn vị (trường %(field)s).") % {"field": "to_unit"}, field="to_unit")
    found = receiving_units(request.user, giving_unit).filter(code=code).first()
    if found is None:  # said without confirming that a unit outside the scope exists
        raise refused_receiver(giving_unit, code)
    return found


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
