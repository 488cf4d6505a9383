"""Storage verbs: a place saved (`storage.manage` on its unit), an item moved to a place (ledger).

A place belongs to one unit; the unit's technical officers and depot keepers keep its list. A move
to a place is a ledger event (`relocation`), written by the one writer through `ledger.services`
(permission `ledger.record` on the item's unit, checked there).
"""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from materiel.accounts.scoping import require
from materiel.core.errors import DomainError
from materiel.core.text import nfc
from materiel.equipment.models import Item
from materiel.ledger import services as ledger
from materiel.units.models import Unit

from .kinds import RELOCATION
from .models import PlaceKind, StoragePlace

MAX_CAPACITY = 1_000_000


@transaction.atomic
def save_place(
    *,
    actor,
    unit: Unit,
    kind: PlaceKind,
    code: str,
    name: str,
    capacity: int | None = None,
    responsible: str = "",
    note: str = "",
    closed_on: date | None = None,
    place: StoragePlace | None = None,
) -> StoragePlace:
    """Create `place` (None) or change it; every refusal names its field."""
    require(actor, "storage.manage", unit=place.unit if place else unit)
    code, name = nfc(code or "").strip(), nfc(name or "").strip()
    if not code:
        raise DomainError(_("Chưa nhập ký hiệu nơi cất giữ."), field="code")
    if not name:
        raise DomainError(_("Chưa nhập tên nơi cất giữ."), field="name")
    owner = place.unit if place else unit
    if owner.dissolved_on is not None and place is None:
        raise DomainError(_("Đơn vị %(unit)s đã giải thể.") % {"unit": owner.name}, field="unit")
    clash = StoragePlace.objects.filter(unit=owner, code=code).exclude(pk=place.pk if place else None)
    if clash.exists():
        raise DomainError(
            _("Đơn vị %(unit)s đã có nơi cất giữ ký hiệu %(code)s.") % {"unit": owner.name, "code": code}, field="code"
        )
    if capacity is not None and not 0 < capacity <= MAX_CAPACITY:
        raise DomainError(_("Sức chứa phải từ 1 đến 1.000.000."), field="capacity")
    if closed_on is not None and place is not None and place.item_rows.exists():
        raise DomainError(
            _("Còn %(count)s trang bị ở %(place)s: hãy chuyển chúng đi trước khi ngừng sử dụng.")
            % {"count": place.item_rows.count(), "place": place.name},
            field="closed_on",
        )
    place = place or StoragePlace(unit=owner)
    place.kind, place.code, place.name = kind, code, name
    place.capacity, place.responsible, place.note = capacity, nfc(responsible or "").strip(), nfc(note or "").strip()
    place.closed_on = closed_on
    place.save()
    return place


def relocate(
    item: Item,
    *,
    place: StoragePlace,
    occurred_on: date,
    actor,
    note: str = "",
    expected_version: int | None = None,
):
    """An item moved to `place` (chuyển nơi cất giữ), as a ledger event of its own transaction."""
    return ledger.record(
        RELOCATION,
        item,
        actor=actor,
        occurred_on=occurred_on,
        details={"place": place.pk, "note": note or ""},
        expected_version=expected_version,
    )
