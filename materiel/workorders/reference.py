"""The repair reference data: repair levels and facilities, edited by `catalog.manage` roles.

Shared by the whole tree like the catalogue; each save writes an audit entry."""

from django.db import transaction
from django.utils.translation import gettext as _

from materiel.accounts import audit
from materiel.accounts.models import AuditKind
from materiel.catalog.services import require_catalogue
from materiel.core.errors import DomainError
from materiel.core.text import fold, nfc
from materiel.units.models import Unit

from .models import Facility, FacilityKind, RepairLevel


def _name(name: str, limit: int) -> str:
    name = nfc(name or "")
    if not name:
        raise DomainError(_("Chưa nhập tên."), field="name")
    if len(name) > limit:
        raise DomainError(_("Dài tối đa %(n)d ký tự.") % {"n": limit}, field="name")
    return name


@transaction.atomic
def save_level(
    *, actor, code: str, name: str, facility_kinds, order: int = 0, level: RepairLevel | None = None, request=None
) -> RepairLevel:
    require_catalogue(actor)
    name = _name(name, 80)
    kinds = [k for k in FacilityKind.values if k in set(facility_kinds or ())]
    if not kinds:
        raise DomainError(_("Chọn ít nhất một loại cơ sở được thực hiện cấp sửa chữa này."), field="facility_kinds")
    others = RepairLevel.objects.exclude(pk=level.pk) if level else RepairLevel.objects.all()
    if others.filter(code=code).exists():
        raise DomainError(_("Mã %(code)s đã có.") % {"code": code}, field="code")
    if any(fold(n) == fold(name) for n in others.values_list("name", flat=True)):
        raise DomainError(_("Đã có cấp sửa chữa tên %(name)s.") % {"name": name}, field="name")
    level = level or RepairLevel()
    level.code, level.name, level.facility_kinds, level.order = code, name, kinds, order or 0
    level.save()
    audit.record(
        AuditKind.CATALOG_CHANGED,
        request=request,
        actor=actor,
        changes={"object": "repair_level", "code": code, "name": name, "facility_kinds": kinds},
    )
    return level


@transaction.atomic
def save_facility(
    *, actor, name: str, kind: str, unit: Unit | None = None, facility: Facility | None = None, request=None
) -> Facility:
    require_catalogue(actor)
    name = _name(name, 150)
    if kind not in FacilityKind.values:
        raise DomainError(_("Loại cơ sở không hợp lệ."), field="kind")
    others = Facility.objects.exclude(pk=facility.pk) if facility else Facility.objects.all()
    if any(fold(n) == fold(name) for n in others.values_list("name", flat=True)):
        raise DomainError(_("Đã có cơ sở sửa chữa tên %(name)s.") % {"name": name}, field="name")
    facility = facility or Facility()
    facility.name, facility.kind, facility.unit = name, kind, unit
    facility.save()
    audit.record(
        AuditKind.CATALOG_CHANGED,
        request=request,
        actor=actor,
        changes={"object": "facility", "name": name, "kind": kind, "unit": unit.code if unit else ""},
    )
    return facility


DEFAULT_LEVELS = [
    ("nho", "Sửa chữa nhỏ", [FacilityKind.UNIT, FacilityKind.STATION, FacilityKind.WORKSHOP, FacilityKind.FACTORY]),
    ("vua", "Sửa chữa vừa", [FacilityKind.STATION, FacilityKind.WORKSHOP, FacilityKind.FACTORY]),
    ("lon", "Sửa chữa lớn", [FacilityKind.WORKSHOP, FacilityKind.FACTORY]),
]


def ensure_levels() -> None:
    """The three usual levels (sửa chữa nhỏ / vừa / lớn), as editable data, if none exist yet."""
    if RepairLevel.objects.exists():
        return
    for n, (code, name, kinds) in enumerate(DEFAULT_LEVELS, start=1):
        RepairLevel.objects.create(code=code, name=name, facility_kinds=[str(k) for k in kinds], order=n)
