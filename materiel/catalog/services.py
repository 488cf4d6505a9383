"""Catalogue changes: each checks the actor's right, validates in Vietnamese, and writes its audit entry.

Categories and types are shared by the whole tree (`catalog.manage`); authorised holdings belong to
one unit and are set inside the actor's subtree (`holdings.manage`). Codes are identifiers that the
register filters, the importer and the API use, so they are fixed once created.
"""

import re
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from materiel.accounts import audit
from materiel.accounts.models import AuditKind
from materiel.accounts.scoping import PermissionDenied, allowed, require
from materiel.core import bounds
from materiel.core.errors import DomainError
from materiel.core.text import fold, nfc

from .models import AuthorizedHolding, Category, EquipmentType, Meter

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def require_catalogue(actor) -> None:
    if not allowed(actor, "catalog.manage"):
        raise PermissionDenied(_("Vai trò của bạn không được phép sửa danh mục trang bị."))


def _code(value: str, field: str, max_length: int) -> str:
    code = nfc(value).lower()
    if not code:
        raise DomainError(_("Chưa nhập mã."), field=field)
    if len(code) > max_length:
        raise DomainError(_("Mã dài tối đa %(n)d ký tự.") % {"n": max_length}, field=field)
    if not CODE.match(code):
        raise DomainError(
            _("Mã chỉ gồm chữ không dấu, chữ số, gạch ngang (-) và gạch dưới (_), ví dụ: ak47, xe-tai."), field=field
        )
    return code


def _text(value: str, field: str, max_length: int, *, required: bool = True) -> str:
    text = nfc(value or "")
    if required and not text:
        raise DomainError(_("Trường này không được để trống."), field=field)
    if len(text) > max_length:
        raise DomainError(_("Dài tối đa %(n)d ký tự.") % {"n": max_length}, field=field)
    return text


def _diff(obj, values: dict) -> dict:
    """{field: [old, new]} for the fields whose value changes, as JSON-friendly values."""
    changes = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
    return changes


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Category | EquipmentType):
        return value.code
    return value


@transaction.atomic
def save_category(*, actor, code: str, name: str, order: int = 0, category: Category | None = None, request=None):
    """Create a category, or rename / reorder an existing one (its code stays)."""
    require_catalogue(actor)
    values: dict[str, Any] = {"name": _text(name, "name", 150), "order": order or 0}
    same_name = Category.objects.all() if category is None else Category.objects.exclude(pk=category.pk)
    if any(fold(other) == fold(values["name"]) for other in same_name.values_list("name", flat=True)):
        raise DomainError(_("Đã có nhóm trang bị tên %(name)s.") % {"name": values["name"]}, field="name")
    if category is None:
        values["code"] = _code(code, "code", 20)
        existing = Category.objects.filter(code__iexact=values["code"]).first()
        if existing:
            raise DomainError(
                _("Mã nhóm %(code)s đã có (%(name)s).") % {"code": values["code"], "name": existing.name}, field="code"
            )
        category = Category.objects.create(**values)
        changes = {"created": True, **{k: _plain(v) for k, v in values.items()}}
    else:
        changes = _diff(category, values)
        if not changes:
            return category
        for field, value in values.items():
            setattr(category, field, value)
        category.save()
    audit.record(
        AuditKind.CATALOG_CHANGED,
        request=request,
        actor=actor,
        changes={"object": "category", "code": category.code, **changes},
    )
    return category


@transaction.atomic
def save_type(
    *,
    actor,
    category: Category,
    code: str,
    name: str,
    unit_of_measure: str,
    serialised: bool = True,
    short_name: str = "",
    service_life_years: int | None = None,
    origin: str = "",
    meters=(),
    equipment_type: EquipmentType | None = None,
    request=None,
) -> EquipmentType:
    """Create an equipment type, or change an existing one (its code stays)."""
    require_catalogue(actor)
    if category is None:
        raise DomainError(_("Chưa chọn nhóm trang bị."), field="category")
    unknown = [m for m in meters if m not in Meter.values]
    if unknown:
        raise DomainError(_("Đồng hồ không hợp lệ: %(names)s.") % {"names": ", ".join(unknown)}, field="meters")
    if service_life_years is not None and not 0 < service_life_years <= 100:
        raise DomainError(_("Niên hạn sử dụng phải từ 1 đến 100 năm."), field="service_life_years")
    values: dict[str, Any] = {
        "category": category,
        "name": _text(name, "name", 200),
        "short_name": _text(short_name, "short_name", 80, required=False),
        "unit_of_measure": _text(unit_of_measure, "unit_of_measure", 30),
        "serialised": bool(serialised),
        "service_life_years": service_life_years,
        "origin": _text(origin, "origin", 80, required=False),
        "meters": [m for m in Meter.values if m in meters],  # the catalogue's order, no duplicates
    }
    others = EquipmentType.objects.filter(category=category)
    if equipment_type is not None:
        others = others.exclude(pk=equipment_type.pk)
    if any(fold(other) == fold(values["name"]) for other in others.values_list("name", flat=True)):
        raise DomainError(
            _("Nhóm %(category)s đã có chủng loại tên %(name)s.") % {"category": category, "name": values["name"]},
            field="name",
        )
    if equipment_type is None:
        values["code"] = _code(code, "code", 40)
        existing = EquipmentType.objects.filter(code__iexact=values["code"]).first()
        if existing:
            raise DomainError(
                _("Mã chủng loại %(code)s đã có (%(name)s).") % {"code": values["code"], "name": existing.name},
                field="code",
            )
        equipment_type = EquipmentType.objects.create(**values)
        changes = {"created": True, **{k: _plain(v) for k, v in values.items()}}
    else:
        changes = _diff(equipment_type, values)
        if not changes:
            return equipment_type
        in_use = equipment_type.items.exists() or equipment_type.lots.exists()
        if "serialised" in changes and in_use:
            raise DomainError(
                _("Không thể đổi cách quản lý (theo số hiệu hay theo lô) khi sổ đăng ký đã có trang bị loại này."),
                field="serialised",
            )
        for field, value in values.items():
            setattr(equipment_type, field, value)
        equipment_type.save()
    audit.record(
        AuditKind.CATALOG_CHANGED,
        request=request,
        actor=actor,
        changes={"object": "type", "code": equipment_type.code, **changes},
    )
    return equipment_type


@transaction.atomic
def set_holding(
    *, actor, unit, equipment_type: EquipmentType, quantity: int, valid_from: date, request=None
) -> AuthorizedHolding | None:
    """From `valid_from`, `unit` is authorised `quantity` of `equipment_type` (0 ends the authorisation).

    Holdings are effective-dated so that past fill rates stay as they were: the row in force on that
    day is closed and a new one opened. A row starting that very day is corrected in place. Returns
    the row in force from `valid_from`, or None when the authorisation ends.
    """
    require(actor, "holdings.manage", unit=unit)
    if equipment_type is None:
        raise DomainError(_("Chưa chọn chủng loại trang bị."), field="equipment_type")
    if quantity is None or quantity < 0:
        raise DomainError(_("Số lượng biên chế phải là số nguyên không âm."), field="quantity")
    if quantity > bounds.MAX_AUTHORISED:
        raise DomainError(
            _("Số lượng biên chế vượt quá giới hạn %(limit)s.") % {"limit": bounds.shown(bounds.MAX_AUTHORISED)},
            field="quantity",
        )
    if valid_from is None:
        raise DomainError(_("Chưa nhập ngày hiệu lực."), field="valid_from")
    if valid_from < unit.founded_on:
        raise DomainError(
            _("Đơn vị thành lập ngày %(day)s: biên chế không thể hiệu lực trước ngày đó.")
            % {"day": unit.founded_on.strftime("%d/%m/%Y")},
            field="valid_from",
        )
    if unit.dissolved_on and valid_from >= unit.dissolved_on:
        raise DomainError(_("Đơn vị đã giải thể: không đặt biên chế mới được."), field="valid_from")
    rows = AuthorizedHolding.objects.select_for_update().filter(unit=unit, equipment_type=equipment_type)
    if rows.filter(valid_from__gt=valid_from).exists():
        raise DomainError(
            _("Đã có biên chế hiệu lực sau ngày này; hãy đặt từ ngày muộn nhất trở đi."), field="valid_from"
        )
    current = rows.valid_on(valid_from).first()
    old = current.quantity if current else 0
    if current is not None and current.quantity == quantity:
        return current
    if current is None and quantity == 0:
        raise DomainError(_("Đơn vị chưa có biên chế loại này để kết thúc."), field="quantity")
    result = None
    if current is not None and current.valid_from == valid_from:
        if quantity:
            current.quantity = quantity
            current.save(update_fields=["quantity"])
            result = current
        else:
            current.delete()
    else:
        if current is not None:
            current.valid_to = valid_from
            current.save(update_fields=["valid_to"])
        if quantity:
            result = AuthorizedHolding.objects.create(
                unit=unit, equipment_type=equipment_type, quantity=quantity, valid_from=valid_from
            )
    audit.record(
        AuditKind.HOLDING_CHANGED,
        request=request,
        actor=actor,
        unit=unit,
        changes={
            "unit": unit.code,
            "type": equipment_type.code,
            "valid_from": valid_from.isoformat(),
            "quantity": [old, quantity],
        },
    )
    return result
