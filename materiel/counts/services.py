"""Campaign verbs: launch (`counts.launch` on the echelon), fill a sheet (`counts.count` on its unit),
submit, the unit commander's approval (`counts.approve`), the launching echelon's approval
(`counts.launch`), sending back at either step with a reason.

Every verb is one transaction on the sheet's row, locked; a form or a file that saw an older version
is refused. A verb asked again of a sheet already past it (a double submit, a second approval, a
retry) changes nothing and answers the sheet as it is. The final approval alone writes to the
ledger, through the one writer, every event in one batch dated the reference date: all of them or,
at the first refusal (named by its serial), none.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.models import User
from materiel.accounts.scoping import PermissionDenied, allowed, can_see_unit, require
from materiel.catalog.models import Category, EquipmentType, KitLine
from materiel.core.errors import ConflictError, DomainError
from materiel.core.text import nfc
from materiel.equipment.models import Item, Status
from materiel.ledger import rules
from materiel.ledger import services as ledger
from materiel.ledger.fastinsert import insert_instances, new_instance
from materiel.ledger.kit import changes_kit, parse_shortages
from materiel.ledger.models import EventKind
from materiel.units.models import Unit, UnitKind

from . import sheets
from .discrepancies import summarise
from .models import (
    Campaign,
    CampaignState,
    CountLine,
    LineKind,
    Sheet,
    SheetLine,
    SheetState,
    Step,
)

# A sheet lists at most this many lines (a brigade's depot); beyond, the campaign is split by scope.
MAX_LINES = 20000
TEXT_MAX = 300


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


@transaction.atomic
def launch(
    *,
    actor: User,
    unit: Unit,
    title: str,
    reference_date: date,
    deadline: date,
    categories: Sequence[Category] = (),
    unit_kinds: Sequence[UnitKind] = (),
) -> Campaign:
    """An echelon opens a campaign over its subtree: one sheet per unit in scope, listing what it held
    on the reference date."""
    require(actor, "counts.launch", unit=unit)
    title = nfc(title or "").strip()
    if not title:
        raise DomainError(_("Chưa nhập tên đợt kiểm kê."), field="title")
    if len(title) > 200:
        raise DomainError(_("Tên đợt kiểm kê dài quá 200 ký tự."), field="title")
    rules.check_day_in_range(reference_date)
    rules.check_day_in_range(deadline)
    if reference_date > timezone.localdate():
        raise DomainError(
            _("Thời điểm kiểm kê %(day)s ở tương lai.") % {"day": _fmt(reference_date)}, field="reference_date"
        )
    if deadline < reference_date:
        raise DomainError(_("Hạn hoàn thành trước thời điểm kiểm kê."), field="deadline")
    if unit.dissolved_on is not None and unit.dissolved_on <= reference_date:
        raise DomainError(_("Đơn vị %(unit)s đã giải thể.") % {"unit": unit.name}, field="unit")
    campaign = Campaign.objects.create(
        launching_unit=unit, title=title, reference_date=reference_date, deadline=deadline, created_by=actor
    )
    campaign.categories.set(categories)
    campaign.unit_kinds.set(unit_kinds)
    units = Unit.objects.subtree_of(unit).active_on(reference_date).order_by("path")
    if unit_kinds:
        units = units.filter(kind__in=unit_kinds)
    unit_ids = list(units.values_list("id", flat=True))
    if not unit_ids:
        raise DomainError(_("Không có đơn vị nào thuộc phạm vi kiểm kê."), field="unit_kinds")
    held = sheets.held_on(reference_date, unit_ids, [c.pk for c in categories])
    created = Sheet.objects.bulk_create(Sheet(campaign=campaign, unit_id=uid) for uid in unit_ids)
    sheet_of = {sheet.unit_id: sheet for sheet in created}
    if not created[0].pk:  # pragma: no cover - SQLite and PostgreSQL both return the ids
        sheet_of = {s.unit_id: s for s in Sheet.objects.filter(campaign=campaign)}
    places = _place_codes({h.place_id for rows in held.values() for h in rows if h.place_id})
    types = dict(EquipmentType.objects.values_list("id", "name"))
    lines = []
    for unit_id, rows in held.items():
        if len(rows) > MAX_LINES:
            raise DomainError(
                _("Đơn vị có hơn %(n)s dòng kiểm kê: chia đợt theo nhóm trang bị.") % {"n": MAX_LINES},
                field="categories",
            )
        # By place, then lots after items, type and serial: the order a keeper walks the store.
        ordered = sorted(
            rows,
            key=lambda h: (
                places.get(h.place_id or 0, "~"),
                h.lot_id is not None,
                types.get(h.type_id, ""),
                h.serial,
                h.lot_id or 0,
            ),
        )
        for n, h in enumerate(ordered, start=1):
            lines.append(
                new_instance(
                    SheetLine,
                    sheet_id=sheet_of[unit_id].pk,
                    position=n,
                    kind=LineKind.LOT if h.lot_id else LineKind.ITEM,
                    item_id=h.item_id,
                    lot_id=h.lot_id,
                    equipment_type_id=h.type_id,
                    place_id=h.place_id,
                    serial_expected=h.serial,
                    grade_expected=h.grade,
                    quantity_expected=h.quantity,
                )
            )
    # A province's tens of thousands of lines: prepared once and sent in bulk (the ledger's writer's
    # own inserts), a third of what bulk_create spent compiling them row by row.
    insert_instances(SheetLine, lines, with_pk=False)
    return campaign


def _place_codes(ids: set[int]) -> dict[int, str]:
    from materiel.storage.models import StoragePlace

    return dict(StoragePlace.objects.filter(pk__in=ids).values_list("id", "code"))


def _locked(sheet: Sheet, version: int | None) -> Sheet:
    locked = Sheet.objects.select_for_update().select_related("unit", "campaign__launching_unit").get(pk=sheet.pk)
    if version is not None and locked.version != version:
        raise ConflictError(_("Phiếu kiểm kê vừa được người khác cập nhật: hãy tải lại trang."))
    return locked


def _move(sheet: Sheet, to: str, actor: User, note: str = "") -> None:
    Step.objects.create(sheet=sheet, from_state=sheet.state, to_state=to, by=actor, note=note[:TEXT_MAX])
    sheet.state = to
    sheet.version += 1


def _start_filling(sheet: Sheet, actor: User) -> None:
    """The first change of a sheet starts the count (a sheet sent back goes on being filled)."""
    require(actor, "counts.count", unit=sheet.unit)
    if sheet.campaign.state != CampaignState.OPEN or not sheet.filling:
        raise DomainError(
            _("Phiếu ở trạng thái “%(state)s”: không sửa được.") % {"state": sheet.get_state_display()}, field="state"
        )
    if sheet.state == SheetState.NOT_STARTED:
        _move(sheet, SheetState.COUNTING, actor)
    else:
        sheet.version += 1


@dataclass(frozen=True)
class LineChange:
    """What the count found on one line (None: leave as it is). `row`: how the caller names the line
    in a refusal (a page's line number, a file's row)."""

    line_id: int
    found: bool | None = None
    serial_read: str | None = None
    grade_found: int | str | None = None
    kit_missing: str | None = None
    quantity_counted: int | str | None = None
    note: str | None = None
    row: str = ""


def _text(value: str | None, field: str, where: str) -> str | None:
    if value is None:
        return None
    value = nfc(str(value)).strip()
    if len(value) > TEXT_MAX:
        raise DomainError(_("%(where)s: dài quá %(n)s ký tự.") % {"where": where, "n": TEXT_MAX}, field=field)
    return value


def _grade(value: int | str | None, where: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return rules.check_grade(value, field="grade_found")
    except DomainError as error:
        raise DomainError(f"{where}: {error.message}", field="grade_found") from None


def _quantity(value: int | str | None, where: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip().replace(".", "").replace(" ", "")
    if not text.isdigit() or len(text) > 9:
        raise DomainError(
            _("%(where)s: số lượng “%(value)s” phải là số nguyên không âm.") % {"where": where, "value": value},
            field="quantity_counted",
        )
    return int(text)


def apply_change(line: SheetLine, change: LineChange) -> None:
    """Set what the count found on `line` (in memory), refusing a bad value with its field."""
    where = change.row or _("Dòng %(n)s") % {"n": line.position}
    if line.kind == LineKind.LOT:
        if change.quantity_counted is not None:
            line.quantity_counted = _quantity(change.quantity_counted, where)
            line.found = None if line.quantity_counted is None else line.quantity_counted > 0
    else:
        if change.found is not None:
            line.found = change.found
        serial = _text(change.serial_read, "serial_read", where)
        if serial is not None:
            if len(serial) > 80:
                raise DomainError(_("%(where)s: số hiệu dài quá 80 ký tự.") % {"where": where}, field="serial_read")
            line.serial_read = serial
        if change.grade_found is not None:
            line.grade_found = _grade(change.grade_found, where)
        if line.found and not line.serial_read:
            line.serial_read = line.serial_expected
        if line.found and line.grade_found is None:
            line.grade_found = line.grade_expected
        if line.found is False:
            line.grade_found = None
    kit = _text(change.kit_missing, "kit_missing", where)
    if kit is not None:
        line.kit_missing = kit
        kit_found(line, where)  # a kit line the type lacks is refused now, not at the approval
    note = _text(change.note, "note", where)
    if note is not None:
        line.note = note


FIELDS = ["found", "serial_read", "grade_found", "kit_missing", "quantity_counted", "note"]


@transaction.atomic
def update_lines(sheet: Sheet, changes: Sequence[LineChange], *, actor: User, version: int | None = None) -> Sheet:
    """Record what the count found on some lines: all of them or, at the first bad value (named by
    its line and field), none."""
    sheet = _locked(sheet, version)
    _start_filling(sheet, actor)
    lines = {line.pk: line for line in sheet.lines.filter(pk__in=[c.line_id for c in changes])}
    touched = []
    for change in changes:
        line = lines.get(change.line_id)
        if line is None:
            raise DomainError(
                _("%(where)s: dòng này không thuộc phiếu kiểm kê.") % {"where": change.row or change.line_id},
                field="line",
            )
        apply_change(line, change)
        touched.append(line)
    SheetLine.objects.bulk_update(touched, FIELDS, batch_size=1000)
    _check_twice(sheet)
    sheet.save(update_fields=["state", "version"])
    return sheet


@transaction.atomic
def mark_all_found(sheet: Sheet, *, actor: User, version: int | None = None) -> int:
    """Every line not yet counted: found as listed (the serial, the grade, the quantity of the books);
    then one marks the exceptions. How many lines it set."""
    sheet = _locked(sheet, version)
    _start_filling(sheet, actor)
    open_lines = sheet.lines.filter(kind__in=[LineKind.ITEM, LineKind.LOT]).filter(
        Q(kind=LineKind.ITEM, found__isnull=True) | Q(kind=LineKind.LOT, quantity_counted__isnull=True)
    )
    lines = list(open_lines)
    for line in lines:
        line.found = True
        if line.kind == LineKind.LOT:
            line.quantity_counted = line.quantity_expected
        else:
            line.serial_read = line.serial_read or line.serial_expected
            line.grade_found = line.grade_expected if line.grade_found is None else line.grade_found
    SheetLine.objects.bulk_update(lines, FIELDS, batch_size=1000)
    sheet.save(update_fields=["state", "version"])
    return len(lines)


def _key(serial: str) -> str:
    return nfc(serial or "").strip().upper()


def _check_twice(sheet: Sheet) -> None:
    """Refuse an item counted twice on the sheet: one serial read on two lines of the same type."""
    seen: dict[tuple[int, str], int] = {}
    rows = (
        sheet.lines.exclude(found=False)
        .exclude(serial_read="")
        .filter(kind__in=[LineKind.ITEM, LineKind.SURPLUS])
        .order_by("position")
        .values_list("equipment_type_id", "serial_read", "position")
    )
    for type_id, serial, position in rows:
        key = (type_id, _key(serial))
        if key in seen:
            raise DomainError(
                _(
                    "Số hiệu %(serial)s đã được đếm ở dòng %(first)s, lại có ở dòng %(second)s: "
                    "mỗi trang bị chỉ đếm một lần."
                )
                % {"serial": serial, "first": seen[key], "second": position},
                field="serial_read",
            )
        seen[key] = position


@transaction.atomic
def add_surplus(
    sheet: Sheet,
    *,
    actor: User,
    equipment_type: EquipmentType,
    serial: str,
    grade: int | str | None,
    note: str = "",
    kit_missing: str = "",
    version: int | None = None,
) -> SheetLine:
    """An item found that is not on the sheet (thừa)."""
    sheet = _locked(sheet, version)
    _start_filling(sheet, actor)
    if not equipment_type.serialised:
        raise DomainError(
            _("%(type)s đếm theo lô: ghi số lượng đếm được ở dòng của lô.") % {"type": equipment_type.name},
            field="equipment_type",
        )
    serial = nfc(serial or "").strip()
    rules.check_serial(serial)
    where = _("Trang bị thừa")
    grade_found = _grade(grade, where)
    if grade_found is None:
        raise DomainError(_("Chưa nhập cấp chất lượng kiểm kê."), field="grade_found")
    listed = (
        sheet.lines.filter(equipment_type=equipment_type, kind=LineKind.ITEM)
        .filter(Q(serial_expected__iexact=serial) | Q(serial_read__iexact=serial))
        .first()
    )
    if listed is not None:
        raise DomainError(
            _("Số hiệu %(serial)s đã có ở dòng %(n)s của phiếu: đánh dấu ở dòng đó, không thêm thừa.")
            % {"serial": serial, "n": listed.position},
            field="serial",
        )
    position = (sheet.lines.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    line = SheetLine.objects.create(
        sheet=sheet,
        position=position,
        kind=LineKind.SURPLUS,
        equipment_type=equipment_type,
        found=True,
        serial_read=serial,
        grade_found=grade_found,
        kit_missing=_text(kit_missing, "kit_missing", where) or "",
        note=_text(note, "note", where) or "",
    )
    _check_twice(sheet)
    sheet.save(update_fields=["state", "version"])
    return line


@transaction.atomic
def remove_surplus(sheet: Sheet, line_id: int, *, actor: User, version: int | None = None) -> Sheet:
    sheet = _locked(sheet, version)
    _start_filling(sheet, actor)
    deleted, _rows = SheetLine.objects.filter(sheet=sheet, pk=line_id, kind=LineKind.SURPLUS).delete()
    if not deleted:
        raise DomainError(_("Dòng này không phải dòng thừa của phiếu."), field="line")
    sheet.save(update_fields=["state", "version"])
    return sheet


def unresolved(sheet: Sheet) -> list[int]:
    """The positions of the lines not yet counted."""
    return list(
        sheet.lines.filter(
            Q(kind=LineKind.ITEM, found__isnull=True) | Q(kind=LineKind.LOT, quantity_counted__isnull=True)
        )
        .order_by("position")
        .values_list("position", flat=True)
    )


def _refuse_unresolved(sheet: Sheet) -> None:
    left = unresolved(sheet)
    if left:
        shown = ", ".join(str(n) for n in left[:20]) + ("…" if len(left) > 20 else "")
        raise DomainError(
            _("Còn %(n)s dòng chưa kiểm kê (dòng %(lines)s).") % {"n": len(left), "lines": shown}, field="lines"
        )


PAST = {
    SheetState.SUBMITTED: (SheetState.SUBMITTED, SheetState.UNIT_APPROVED, SheetState.APPROVED),
    SheetState.UNIT_APPROVED: (SheetState.UNIT_APPROVED, SheetState.APPROVED),
    SheetState.APPROVED: (SheetState.APPROVED,),
}


@transaction.atomic
def submit(sheet: Sheet, *, actor: User, version: int | None = None) -> Sheet:
    """The unit hands its counted sheet to its commander."""
    require(actor, "counts.count", unit=sheet.unit)
    locked = _locked(sheet, None)
    if locked.state in PAST[SheetState.SUBMITTED]:
        return locked  # a double submit changes nothing
    sheet = _locked(sheet, version)
    if not sheet.filling or sheet.campaign.state != CampaignState.OPEN:
        raise DomainError(_("Phiếu không ở trạng thái nộp được."), field="state")
    _refuse_unresolved(sheet)
    _check_twice(sheet)
    _move(sheet, SheetState.SUBMITTED, actor)
    sheet.save(update_fields=["state", "version"])
    return sheet


@transaction.atomic
def approve_unit(sheet: Sheet, *, actor: User, version: int | None = None) -> Sheet:
    """The unit commander approves the unit's result (chỉ huy đơn vị duyệt)."""
    require(actor, "counts.approve", unit=sheet.unit)
    locked = _locked(sheet, None)
    if locked.state in PAST[SheetState.UNIT_APPROVED]:
        return locked
    sheet = _locked(sheet, version)
    if sheet.state != SheetState.SUBMITTED:
        raise DomainError(_("Chỉ duyệt được phiếu đã nộp."), field="state")
    _refuse_unresolved(sheet)
    _move(sheet, SheetState.UNIT_APPROVED, actor)
    sheet.save(update_fields=["state", "version"])
    return sheet


def _require_echelon(actor: User, sheet: Sheet) -> None:
    require(actor, "counts.launch", unit=sheet.campaign.launching_unit)


@transaction.atomic
def send_back(sheet: Sheet, *, actor: User, reason: str, version: int | None = None) -> Sheet:
    """Return the sheet to the unit, saying why: the commander a submitted one, the launching echelon
    one its commander approved."""
    sheet = _locked(sheet, version)
    if sheet.state == SheetState.SUBMITTED:
        require(actor, "counts.approve", unit=sheet.unit)
    elif sheet.state == SheetState.UNIT_APPROVED:
        _require_echelon(actor, sheet)
    else:
        raise DomainError(_("Chỉ trả lại được phiếu đã nộp hoặc đã được chỉ huy đơn vị duyệt."), field="state")
    reason = nfc(reason or "").strip()
    if not reason:
        raise DomainError(_("Chưa ghi lý do trả lại."), field="reason")
    _move(sheet, SheetState.RETURNED, actor, reason)
    sheet.save(update_fields=["state", "version"])
    return sheet


def document_number(campaign: Campaign) -> str:
    return f"KK-{campaign.pk}/{campaign.reference_date.year}"


@transaction.atomic
def approve(sheet: Sheet, *, actor: User, version: int | None = None) -> Sheet:
    """The launching echelon's approval: every resulting event written in one batch dated the
    reference date, linked to the sheet, and the sheet's figures frozen."""
    _require_echelon(actor, sheet)
    locked = _locked(sheet, None)
    if locked.state == SheetState.APPROVED:
        return locked  # a second approval, a retry: nothing more is written
    sheet = _locked(sheet, version)
    if sheet.state != SheetState.UNIT_APPROVED:
        raise DomainError(_("Chỉ phê duyệt được phiếu chỉ huy đơn vị đã duyệt."), field="state")
    _refuse_unresolved(sheet)
    _check_twice(sheet)
    campaign = sheet.campaign
    events = _write_events(sheet, actor)
    CountLine.link(sheet, events)
    sheet.summary = summarise(sheet)
    sheet.approved_at = timezone.now()
    _move(sheet, SheetState.APPROVED, actor)
    sheet.save(update_fields=["state", "version", "summary", "approved_at"])
    if not Sheet.objects.filter(campaign=campaign).exclude(state=SheetState.APPROVED).exists():
        Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.CLOSED)
    return sheet


def kit_found(line: SheetLine, where: str = "") -> list[dict[str, int]] | None:
    """What the count found short of a found item's kit, read from its "kit missing" text against
    its type's standard kit (ledger.kit.parse_shortages); None when the text says nothing, or the
    type has no standard kit (the text then stays a note)."""
    if not line.kit_missing or line.kind == LineKind.LOT or line.equipment_type_id is None:
        return None
    lines = list(KitLine.objects.filter(equipment_type_id=line.equipment_type_id))
    if not lines:
        return None
    try:
        return parse_shortages(line.kit_missing, lines)
    except DomainError as error:
        where = where or _("Dòng %(n)s") % {"n": line.position}
        raise DomainError(f"{where}: {error.message}", field="kit_missing") from None


def _kit_changed(line: SheetLine) -> list[dict[str, int]] | None:
    """The shortages to record for a found item, when they differ from what it is short of now."""
    if line.kind != LineKind.ITEM or not line.found or not line.item_id:
        return None
    found = kit_found(line)
    if found is None:
        return None
    return found if changes_kit(found, line.item_id) else None


def _write_events(sheet: Sheet, actor: User) -> list:
    campaign = sheet.campaign
    day, doc = campaign.reference_date, document_number(campaign)
    reason = (_("Kiểm kê: %(title)s") % {"title": campaign.title})[:TEXT_MAX]
    lines = list(sheet.lines.select_related("equipment_type", "lot").order_by("position"))
    surplus = [line for line in lines if line.kind == LineKind.SURPLUS]
    existing = _existing_items(sheet, surplus)
    # Only the items the count changed are locked and written (a count is mostly "as in the books").
    wanted = [
        line.item_id
        for line in lines
        if line.kind == LineKind.ITEM
        and line.item_id
        and (line.found is False or line.grade_found not in (None, line.grade_expected))
    ]
    kits = {line.pk: shortages for line in lines if (shortages := _kit_changed(line)) is not None}
    wanted += [line.item_id for line in lines if line.pk in kits and line.item_id]
    wanted += [item.pk for item in existing.values() if _findable(item, sheet)]
    items = list(Item.objects.filter(pk__in=wanted).select_related("equipment_type", "unit"))
    writer = ledger.Writer(items, actor=actor)
    adopted = {item.pk: item for item in writer.items}
    for line in lines:
        try:
            if line.kind == LineKind.ITEM and line.item_id in adopted:
                item = adopted[line.item_id]
                if line.found is False:
                    if item.status != Status.LOST:
                        writer.record(item, EventKind.LOSE, occurred_on=day, reason=reason, document_number=doc)
                elif line.grade_found not in (None, line.grade_expected, item.grade):
                    # Only a grade the count changed (what happened to the item since is not the count's).
                    writer.grade_change(
                        item, grade=line.grade_found, reason=reason, occurred_on=day, document_number=doc
                    )
                if line.pk in kits and line.found:
                    writer.kit(item, shortages=kits[line.pk], occurred_on=day, note=reason, document_number=doc)
            elif line.kind == LineKind.LOT and line.lot is not None:
                diff = (line.quantity_counted or 0) - (line.quantity_expected or 0)
                if diff < 0:
                    writer.lot_issue(line.lot, quantity=-diff, occurred_on=day, reason=reason, document_number=doc)
                elif diff > 0:
                    writer.lot_receipt(
                        unit=line.lot.unit,
                        equipment_type=line.equipment_type,
                        grade=line.lot.grade,
                        quantity=diff,
                        lot_number=line.lot.lot_number,
                        occurred_on=day,
                        reason=reason,
                        document_number=doc,
                    )
            elif line.kind == LineKind.SURPLUS:
                known = existing.get(line.pk)
                if known is None:
                    writer.expect_serials(line.equipment_type, [line.serial_read])
                    writer.receipt(
                        equipment_type=line.equipment_type,
                        unit=sheet.unit,
                        serial=line.serial_read,
                        grade=line.grade_found,
                        occurred_on=day,
                        reason=reason,
                        document_number=doc,
                        origin="",
                        note=line.note,
                    )
                elif known.pk in adopted:  # a lost item of the unit found again
                    item = adopted[known.pk]
                    writer.record(item, EventKind.FIND, occurred_on=day, reason=reason, document_number=doc)
                    if line.grade_found and line.grade_found != item.grade:
                        writer.grade_change(
                            item, grade=line.grade_found, reason=reason, occurred_on=day, document_number=doc
                        )
        except DomainError as error:
            name = line.serial_read or line.serial_expected or (line.lot.lot_number if line.lot else "")
            raise DomainError(
                _("Dòng %(n)s (%(name)s): %(message)s") % {"n": line.position, "name": name, "message": error.message},
                field="lines",
            ) from None
    return writer.save()


def _existing_items(sheet: Sheet, surplus: Sequence[SheetLine]) -> dict[int, Item]:
    """surplus line id -> the register's item with its type and serial, if there is one. A lost item
    of the sheet's subtree is found again by the approval; any other stays a reported surplus."""
    found: dict[int, Item] = {}
    for line in surplus:
        item = (
            Item.objects.filter(equipment_type=line.equipment_type, serial__iexact=line.serial_read)
            .exclude(status=Status.VOID)
            .select_related("unit")
            .first()
        )
        if item is not None:
            found[line.pk] = item
    return found


def _findable(item: Item, sheet: Sheet) -> bool:
    """A lost item of the sheet's subtree: the approval finds it again (any other surplus of a known
    item is reported, not written: it is another unit's to settle)."""
    return item.status == Status.LOST and item.unit.path.startswith(sheet.unit.path)


# Reads, through the scoping door.


def visible_sheets(user):
    return Sheet.objects.visible_to(user).select_related("unit", "campaign__launching_unit")


def visible_campaigns(user):
    """The campaigns a user may open: launched in their subtree, or with a sheet of it."""
    units = Unit.objects.visible_to(user).values("id")
    sheets_seen = Sheet.objects.visible_to(user).values("campaign_id")
    return Campaign.objects.filter(Q(launching_unit__in=units) | Q(pk__in=sheets_seen)).select_related("launching_unit")


def campaigns_for(user, unit: Unit):
    """The campaigns of a page's unit: launched at it or above or below it, with a sheet the user sees."""
    below = Unit.objects.subtree_of(unit).values("id")
    sheets_seen = Sheet.objects.visible_to(user).in_subtree(unit).values("campaign_id")
    return visible_campaigns(user).filter(Q(launching_unit__in=below) | Q(pk__in=sheets_seen)).distinct()


def can_fill(user: User, sheet: Sheet) -> bool:
    return (
        sheet.filling
        and sheet.campaign.state == CampaignState.OPEN
        and allowed(user, "counts.count")
        and can_see_unit(user, sheet.unit)
    )


def can_approve_unit(user: User, sheet: Sheet) -> bool:
    return sheet.state == SheetState.SUBMITTED and allowed(user, "counts.approve") and can_see_unit(user, sheet.unit)


def can_approve(user: User, sheet: Sheet) -> bool:
    try:
        _require_echelon(user, sheet)
    except PermissionDenied:
        return False
    return sheet.state == SheetState.UNIT_APPROVED


def may_launch(user: User, unit: Unit) -> bool:
    return allowed(user, "counts.launch") and can_see_unit(user, unit)
