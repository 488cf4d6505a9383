"""Who issues a unit's document on a day: its IssuingBody of that family, or a default read from the
unit tree (the unit's name under its parent's) when none is recorded."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import Family, IssuingBody


@dataclass(frozen=True)
class Issuer:
    name: str
    superior: str
    abbreviation: str
    print_rank: bool


def issuing_body(unit, family: str, day) -> Issuer:
    body = IssuingBody.objects.of(unit, family, day)
    if body is not None:
        return Issuer(body.name, body.superior, body.abbreviation, body.print_rank)
    parent = unit.parent.name if unit.parent_id else ""
    if family == Family.PARTY:
        return Issuer(
            _("Đảng ủy %(unit)s") % {"unit": unit.name},
            _("Đảng bộ %(unit)s") % {"unit": parent} if parent else "",
            "ĐU",
            True,
        )
    return Issuer(unit.name, parent, unit.code, True)
