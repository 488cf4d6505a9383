"""Reading the people pages' forms: every bad value a `DomainError` naming its field."""

from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.db.models import Model
from django.http import QueryDict
from django.utils.translation import gettext as _

from materiel.core.bounds import parse_id
from materiel.core.days import parse_day
from materiel.core.errors import DomainError
from materiel.core.numbers import parse_decimal

M = TypeVar("M", bound=Model)


def day(data: QueryDict, name: str, label: str, *, required: bool = True) -> date | None:
    text = (data.get(name) or "").strip()
    if not text and not required:
        return None
    found = parse_day(text)
    if found is None:
        raise DomainError(_("%(label)s phải có dạng dd/mm/yyyy.") % {"label": label}, field=name)
    return found


def required_day(data: QueryDict, name: str, label: str) -> date:
    found = day(data, name, label)
    assert found is not None
    return found


def pick(queryset, data: QueryDict, name: str, label: str, *, required: bool = True):
    """A row of `queryset` by the posted id (None when optional and left empty)."""
    raw = data.get(name) or ""
    if not raw and not required:
        return None
    pk = parse_id(raw)
    found = queryset.filter(pk=pk).first() if pk else None
    if found is None:
        raise DomainError(_("Chưa chọn %(label)s.") % {"label": label}, field=name)
    return found


def picks(queryset, data: QueryDict, name: str) -> list:
    ids = [pk for pk in (parse_id(v) for v in data.getlist(name)) if pk]
    return list(queryset.filter(pk__in=ids))


def decimal(data: QueryDict, name: str, label: str) -> Decimal | None:
    text = (data.get(name) or "").strip()
    if not text:
        return None
    found = parse_decimal(text)
    if found is None:
        raise DomainError(_("%(label)s phải là một số.") % {"label": label}, field=name)
    return found


def count(data: QueryDict, name: str, label: str) -> int | None:
    text = (data.get(name) or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) < 7):
        raise DomainError(_("%(label)s phải là một số nguyên.") % {"label": label}, field=name)
    return int(text)
