"""Reorganising the unit tree, with dates: create, rename, move, dissolve, merge, split.

These live beside the ledger because a move carries its subtree's rollups along, and a merge or
split moves equipment, which only ledger events may do.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.models import User
from materiel.accounts.scoping import require
from materiel.core.errors import DomainError
from materiel.core.text import nfc
from materiel.equipment.models import HOLDINGS, Item, Lot, Status
from materiel.ledger.models import Event
from materiel.units.models import Unit, UnitChange, UnitChangeKind, UnitKind, UnitVersion
from materiel.units.tree import PastTree, assign_path, reparent_paths

from . import services
from .rollups import move_subtree_rollups
from .rules import fmt


def _close_version(unit: Unit, on: date) -> UnitVersion:
    current = unit.versions.filter(valid_to__isnull=True).order_by("-valid_from").first()
    if current is None:
        raise DomainError(_("Đơn vị %(unit)s đã giải thể.") % {"unit": unit.name}, field="unit")
    if on < current.valid_from:
        raise DomainError(
            _("Ngày %(day)s trước lần thay đổi gần nhất của đơn vị (%(last)s).")
            % {"day": fmt(on), "last": fmt(current.valid_from)},
            field="occurred_on",
        )
    if on == current.valid_from:
        # Two changes on one day: the later one replaces the version opened that day.
        current.delete()
    else:
        UnitVersion.objects.filter(pk=current.pk).update(valid_to=on)
    return current


def _check_day(on: date, unit: Unit | None = None) -> None:
    """Reorganisations are recorded when they have happened, within the unit's life."""
    if on is None:
        raise DomainError(_("Chưa nhập ngày."), field="occurred_on")
    if on > timezone.localdate():
        raise DomainError(_("Ngày %(day)s ở tương lai.") % {"day": fmt(on)}, field="occurred_on")
    if unit is not None and on < unit.founded_on:
        raise DomainError(
            _("Ngày %(day)s trước ngày thành lập %(unit)s.") % {"day": fmt(on), "unit": unit.name}, field="occurred_on"
        )


def _would_loop(unit: Unit, new_parent: Unit, on: date) -> bool:
    """Would `new_parent` lie under `unit` on `on` or on any later day the tree changed?"""
    days = {on, *UnitVersion.objects.filter(valid_from__gt=on).values_list("valid_from", flat=True)}
    return any(new_parent.pk in PastTree(day).subtree(unit.pk) for day in sorted(days))


def _log(kind: str, unit: Unit, on: date, actor: User, document: str = "", **details: Any) -> UnitChange:
    return UnitChange.objects.create(
        kind=kind, unit=unit, occurred_on=on, recorded_by=actor, document=document, details=details
    )


@transaction.atomic
def create_unit(
    *,
    code: str,
    name: str,
    kind: UnitKind,
    parent: Unit | None,
    founded_on: date,
    actor: User,
    short_name: str = "",
    document: str = "",
) -> Unit:
    """Found a unit (thành lập) under a parent."""
    _check_day(founded_on, parent)
    if parent is not None:
        require(actor, "units.reorganise", unit=parent)
        if parent.dissolved_on and founded_on >= parent.dissolved_on:
            raise DomainError(_("Đơn vị cấp trên đã giải thể."), field="parent")
    elif not actor.is_superuser:
        raise DomainError(_("Chỉ quản trị hệ thống được lập đơn vị cấp cao nhất."), field="parent")
    code, name = nfc(code), nfc(name)
    if not name:
        raise DomainError(_("Chưa nhập tên đơn vị."), field="name")
    if not code:
        raise DomainError(_("Chưa nhập mã đơn vị."), field="code")
    if Unit.objects.filter(code=code).exists():
        raise DomainError(_("Mã đơn vị %(code)s đã có.") % {"code": code}, field="code")
    unit = Unit.objects.create(
        code=code,
        name=name,
        short_name=nfc(short_name),
        kind=kind,
        parent=parent,
        founded_on=founded_on,
        path=f"tmp-{code}",
    )
    assign_path(unit)
    UnitVersion.objects.create(unit=unit, name=unit.name, parent=parent, valid_from=founded_on)
    _log(UnitChangeKind.CREATE, unit, founded_on, actor, document, parent=parent.pk if parent else None)
    return unit


@transaction.atomic
def rename_unit(unit: Unit, *, name: str, on: date, actor: User, document: str = "") -> Unit:
    """Rename a unit from a date; reports before that date keep the old name."""
    require(actor, "units.reorganise", unit=unit)
    _check_day(on, unit)
    name = nfc(name)
    if not name:
        raise DomainError(_("Chưa nhập tên đơn vị."), field="name")
    old = _close_version(unit, on)
    UnitVersion.objects.create(unit=unit, name=name, parent=old.parent, valid_from=on)
    _log(UnitChangeKind.RENAME, unit, on, actor, document, old_name=unit.name, new_name=name)
    unit.name = name
    unit.save()
    return unit


@transaction.atomic
def move_unit(unit: Unit, *, new_parent: Unit, on: date, actor: User, document: str = "") -> Unit:
    """Put a unit (with its subtree and equipment) under another parent from a date."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    require(actor, "units.reorganise", unit=unit)
    require(actor, "units.reorganise", unit=new_parent)
    if new_parent.path.startswith(unit.path):
        raise DomainError(_("Không thể chuyển đơn vị vào chính cấp dưới của nó."), field="new_parent")
    if new_parent.pk == unit.parent_id:
        raise DomainError(_("Đơn vị đã trực thuộc %(unit)s.") % {"unit": new_parent.name}, field="new_parent")
    if new_parent.dissolved_on:
        raise DomainError(_("Đơn vị cấp trên mới đã giải thể."), field="new_parent")
    _check_day(on, unit)
    if on < new_parent.founded_on:
        raise DomainError(_("Đơn vị cấp trên mới chưa thành lập vào ngày đó."), field="new_parent")
    if _would_loop(unit, new_parent, on):
        # Checked on the tree of every day from `on`: a back-dated move must not make a past loop.
        raise DomainError(
            _("Từ ngày %(day)s, %(parent)s nằm dưới %(unit)s: không thể chuyển như vậy.")
            % {"day": fmt(on), "parent": new_parent.name, "unit": unit.name},
            field="new_parent",
        )
    old_parent = unit.parent
    _close_version(unit, on)
    UnitVersion.objects.create(unit=unit, name=unit.name, parent=new_parent, valid_from=on)
    move_subtree_rollups(unit, old_parent.path if old_parent else "", new_parent.path)
    reparent_paths(unit, new_parent)
    _log(
        UnitChangeKind.MOVE,
        unit,
        on,
        actor,
        document,
        old_parent=old_parent.pk if old_parent else None,
        new_parent=new_parent.pk,
    )
    return unit


@transaction.atomic
def dissolve_unit(unit: Unit, *, on: date, actor: User, document: str = "") -> Unit:
    """Dissolve an empty unit (giải thể): its equipment and sub-units must have gone elsewhere first."""
    require(actor, "units.reorganise", unit=unit)
    _check_day(on, unit)
    # Sub-units under it on any day from `on` (now or in a past version) must have gone first.
    later_children = UnitVersion.objects.filter(parent=unit).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
    if later_children.exists():
        raise DomainError(_("Đơn vị còn đơn vị trực thuộc: chuyển hoặc giải thể chúng trước."), field="unit")
    # Lost items count: they must be found or written off before their unit can go.
    held = Item.objects.filter(unit=unit).exclude(status__in=[Status.DISPOSED, Status.VOID]).count()
    stock = Lot.objects.filter(unit=unit, quantity__gt=0).count()
    if held or stock:
        raise DomainError(
            _("Đơn vị còn %(items)s trang bị và %(lots)s lô: điều chuyển trước khi giải thể.")
            % {"items": held, "lots": stock},
            field="unit",
        )
    # Its last day may still see events (items returned, then handed over); nothing after it.
    later = Event.objects.filter(Q(unit=unit) | Q(from_unit=unit), occurred_on__gt=on)
    if later.exists():
        raise DomainError(
            _("Sổ của đơn vị có sự kiện sau ngày %(day)s: ngày giải thể phải sau các sự kiện đó.") % {"day": fmt(on)},
            field="occurred_on",
        )
    _close_version(unit, on)
    _log(UnitChangeKind.DISSOLVE, unit, on, actor, document)
    unit.dissolved_on = on
    unit.save()
    return unit


@transaction.atomic
def merge_units(sources: list[Unit], *, into: Unit, on: date, actor: User, document: str) -> Unit:
    """Merge units into one (sáp nhập): equipment transferred by ledger events, sub-units moved, sources dissolved."""
    for source in sources:
        if source.pk == into.pk:
            raise DomainError(_("Không thể sáp nhập đơn vị vào chính nó."), field="into")
        for item in Item.objects.filter(unit=source, status__in=HOLDINGS):
            services.record_transfer(
                item,
                to_unit=into,
                occurred_on=on,
                actor=actor,
                document_number=document,
                reason=_("Sáp nhập vào %(unit)s") % {"unit": into.name},
            )
        for lot in Lot.objects.filter(unit=source, quantity__gt=0):
            services.record_lot_transfer(
                lot, to_unit=into, quantity=lot.quantity, occurred_on=on, actor=actor, document_number=document
            )
        for child in source.children.filter(dissolved_on__isnull=True):
            move_unit(child, new_parent=into, on=on, actor=actor, document=document)
        dissolve_unit(Unit.objects.get(pk=source.pk), on=on, actor=actor, document=document)
        _log(UnitChangeKind.MERGE, source, on, actor, document, into=into.pk)
    return into


@transaction.atomic
def split_unit(
    source: Unit, *, parts: list[tuple[Unit, list[Item]]], on: date, actor: User, document: str, dissolve: bool = True
) -> list[Unit]:
    """Split a unit (chia tách): each part receives the listed items; the source may be dissolved."""
    for target, items in parts:
        for item in items:
            if item.unit_id != source.pk:
                raise DomainError(
                    _("Trang bị %(item)s không thuộc đơn vị được chia tách.") % {"item": item}, field="parts"
                )
            services.record_transfer(
                item,
                to_unit=target,
                occurred_on=on,
                actor=actor,
                document_number=document,
                reason=_("Chia tách từ %(unit)s") % {"unit": source.name},
            )
    _log(UnitChangeKind.SPLIT, source, on, actor, document, parts=[t.pk for t, _ in parts])
    if dissolve:
        dissolve_unit(Unit.objects.get(pk=source.pk), on=on, actor=actor, document=document)
    return [t for t, _ in parts]
