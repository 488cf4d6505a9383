"""The rules of every event kind, as pure functions of an item's state.

`next_state(state, kind, ...)` validates one change and returns the state after it, without touching
the database. The single-event services, the batch path (seeding, imports) and the property tests
all go through here, so there is exactly one definition of what is allowed.
"""

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from materiel.catalog.grades import grade_numbers, not_a_grade_message, not_a_number_message
from materiel.catalog.models import EquipmentType, Meter
from materiel.core import bounds
from materiel.core.errors import DomainError
from materiel.equipment.models import Purpose, Status
from materiel.formats.numbers import number
from materiel.units.models import Unit

from .models import EventKind

# What a form, an import row or the API gives as a grade, a quantity or a year: checked and made an int here.
GradeInput = int | str | None
NumberInput = int | str | None


@dataclass(frozen=True)
class ItemState:
    unit_id: int
    grade: int
    status: str
    holder: str
    last_event_on: date
    # Completeness (đồng bộ, equipment.Kit): changed only by `kit` events, carried by every other.
    kit: str = ""


# kind -> (statuses it may start from, status after). Issued items must be returned first where
# the holder could not keep them (sealed storage, disposal, a repair shop).
STATUS_MOVES: dict[str, tuple[set[str], str]] = {
    EventKind.REPAIR_START: ({Status.IN_SERVICE, Status.SEALED}, Status.IN_REPAIR),
    EventKind.REPAIR_END: ({Status.IN_REPAIR}, Status.IN_SERVICE),
    EventKind.SEAL: ({Status.IN_SERVICE}, Status.SEALED),
    EventKind.UNSEAL: ({Status.SEALED}, Status.IN_SERVICE),
    # A lost item is written off through the same disposal decision.
    EventKind.AWAIT_DISPOSAL: (
        {Status.IN_SERVICE, Status.IN_REPAIR, Status.SEALED, Status.LOST},
        Status.AWAITING_DISPOSAL,
    ),
    EventKind.DISPOSE: ({Status.AWAITING_DISPOSAL}, Status.DISPOSED),
    EventKind.LOSE: ({Status.IN_SERVICE, Status.IN_REPAIR, Status.SEALED, Status.AWAITING_DISPOSAL}, Status.LOST),
    EventKind.FIND: ({Status.LOST}, Status.IN_SERVICE),
}
NEEDS_NO_HOLDER = {EventKind.REPAIR_START, EventKind.SEAL, EventKind.AWAIT_DISPOSAL, EventKind.DISPOSE}
LIVE = {Status.IN_SERVICE, Status.IN_REPAIR, Status.SEALED, Status.AWAITING_DISPOSAL}


def fmt(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def status_label(status: str) -> str:
    return str(Status(status).label)


def check_day_in_range(occurred_on: date) -> None:
    if occurred_on < bounds.MIN_DAY:
        raise DomainError(
            _("Ngày phát sinh %(day)s quá xa: sổ chỉ ghi từ ngày %(first)s.")
            % {"day": fmt(occurred_on), "first": fmt(bounds.MIN_DAY)},
            field="occurred_on",
        )


def check_date(state: ItemState | None, occurred_on: date, today: date) -> None:
    if occurred_on is None:
        raise DomainError(_("Chưa nhập ngày phát sinh."), field="occurred_on")
    check_day_in_range(occurred_on)
    if occurred_on > today:
        raise DomainError(_("Ngày phát sinh %(day)s ở tương lai.") % {"day": fmt(occurred_on)}, field="occurred_on")
    if state is not None and occurred_on < state.last_event_on:
        # The book of an item is kept in date order, so any past day's state is a simple fold.
        raise DomainError(
            _("Ngày phát sinh %(day)s trước sự kiện gần nhất của trang bị (%(last)s).")
            % {"day": fmt(occurred_on), "last": fmt(state.last_event_on)},
            field="occurred_on",
        )


def check_unit_open(unit: Unit, occurred_on: date, field: str = "unit") -> None:
    if unit.founded_on and occurred_on < unit.founded_on:
        raise DomainError(
            _("Đơn vị %(unit)s chưa thành lập vào ngày %(day)s.") % {"unit": unit.name, "day": fmt(occurred_on)},
            field=field,
        )
    if unit.dissolved_on and occurred_on >= unit.dissolved_on:
        raise DomainError(
            _("Đơn vị %(unit)s đã giải thể từ ngày %(day)s.") % {"unit": unit.name, "day": fmt(unit.dissolved_on)},
            field=field,
        )


def check_grade(grade: GradeInput, field: str = "grade") -> int:
    if grade is None or str(grade).strip() == "":
        raise DomainError(_("Chưa nhập cấp chất lượng."), field=field)
    try:
        grade = int(grade)
    except (TypeError, ValueError):
        raise DomainError(not_a_number_message(), field=field) from None
    # The grades are reference data (catalog.GradeDefinition): read once per request, not per call.
    if grade not in grade_numbers():
        raise DomainError(not_a_grade_message(grade), field=field)
    return grade


def require_live(state: ItemState, what: str) -> None:
    if state.status not in LIVE:
        raise DomainError(
            _("Không thể %(what)s: trang bị đang ở tình trạng “%(status)s”.")
            % {"what": what, "status": status_label(state.status)},
            field="item",
        )


def check_serialised(equipment_type: EquipmentType, serialised: bool) -> None:
    if serialised and not equipment_type.serialised:
        raise DomainError(
            _("%(type)s được quản lý theo lô, không theo số hiệu.") % {"type": equipment_type.name},
            field="equipment_type",
        )
    if not serialised and equipment_type.serialised:
        raise DomainError(
            _("%(type)s được quản lý theo số hiệu: nhập từng chiếc.") % {"type": equipment_type.name},
            field="equipment_type",
        )


SERIAL_MAX = 80  # Item.serial


def unusable_serial(serial: str) -> DomainError:
    """The one refusal of a serial that is not the user's to explain: malformed, or already taken by an
    item outside their scope (serials are unique in the whole database). Saying "it exists" or "it is
    elsewhere" would tell a sibling province what another holds (docs/security.md)."""
    shown = "".join(c if unicodedata.category(c)[0] != "C" else "?" for c in serial[:40])
    shown += "…" if len(serial) > 40 else ""
    message = _("Số hiệu “%(serial)s” không dùng được: kiểm tra lại số hiệu hoặc hỏi cấp trên.") % {"serial": shown}
    return DomainError(message, field="serial")


def check_serial(serial: str) -> str:
    if not serial:
        raise DomainError(_("Chưa nhập số hiệu."), field="serial")
    if len(serial) > SERIAL_MAX or any(unicodedata.category(c)[0] == "C" for c in serial):
        raise unusable_serial(serial)
    return serial


def check_receipt_details(year_made: NumberInput, purpose: str, occurred_on: date) -> None:
    if year_made is not None and not (1900 <= int(year_made) <= occurred_on.year):
        raise DomainError(_("Năm sản xuất %(year)s không hợp lệ.") % {"year": year_made}, field="year_made")
    if purpose not in Purpose.values:
        raise DomainError(_("Mục đích sử dụng không hợp lệ."), field="purpose")


def receipt(*, unit: Unit, grade: GradeInput, occurred_on: date, today: date) -> ItemState:
    check_date(None, occurred_on, today)
    check_unit_open(unit, occurred_on)
    grade = check_grade(grade)
    return ItemState(unit.pk, grade, Status.IN_SERVICE, "", occurred_on)


def transfer(state: ItemState, *, to_unit: Unit, occurred_on: date, today: date, document_number: str) -> ItemState:
    check_date(state, occurred_on, today)
    require_live(state, _("điều chuyển"))
    if state.status == Status.IN_REPAIR:
        raise DomainError(_("Trang bị đang sửa chữa: nhận về trước khi điều chuyển."), field="item")
    if state.holder:
        raise DomainError(
            _("Trang bị đang cấp cho %(holder)s: thu hồi trước khi điều chuyển.") % {"holder": state.holder},
            field="item",
        )
    if to_unit.pk == state.unit_id:
        raise DomainError(_("Trang bị đã thuộc %(unit)s.") % {"unit": to_unit.name}, field="to_unit")
    check_unit_open(to_unit, occurred_on, field="to_unit")
    if not (document_number or "").strip():
        raise DomainError(_("Điều chuyển phải có số biên bản bàn giao."), field="document_number")
    return replace(state, unit_id=to_unit.pk, last_event_on=occurred_on)


def issue(state: ItemState, *, holder: str, occurred_on: date, today: date) -> ItemState:
    check_date(state, occurred_on, today)
    holder = (holder or "").strip()
    if not holder:
        raise DomainError(_("Chưa nhập người nhận."), field="holder")
    if state.status != Status.IN_SERVICE:
        raise DomainError(
            _("Chỉ cấp phát được trang bị đang sử dụng (hiện: “%(status)s”).") % {"status": status_label(state.status)},
            field="item",
        )
    if state.holder:
        raise DomainError(_("Trang bị đang cấp cho %(holder)s.") % {"holder": state.holder}, field="item")
    return replace(state, holder=holder, last_event_on=occurred_on)


def return_(state: ItemState, *, occurred_on: date, today: date) -> ItemState:
    check_date(state, occurred_on, today)
    if not state.holder:
        raise DomainError(_("Trang bị không cấp cho ai nên không thể thu hồi."), field="item")
    return replace(state, holder="", last_event_on=occurred_on)


def grade_change(state: ItemState, *, grade: GradeInput, reason: str, occurred_on: date, today: date) -> ItemState:
    check_date(state, occurred_on, today)
    require_live(state, _("phân cấp"))
    grade = check_grade(grade)
    if grade == state.grade:
        raise DomainError(_("Trang bị đã ở cấp %(grade)s.") % {"grade": grade}, field="grade")
    if not (reason or "").strip():
        raise DomainError(_("Phân cấp lại phải ghi lý do."), field="reason")
    return replace(state, grade=grade, last_event_on=occurred_on)


NEEDS_REASON = {EventKind.DISPOSE, EventKind.LOSE}


def status_change(
    state: ItemState, kind: str, *, occurred_on: date, today: date, grade: GradeInput = None, reason: str = ""
) -> ItemState:
    check_date(state, occurred_on, today)
    if kind in NEEDS_REASON and not (reason or "").strip():
        raise DomainError(_("Phải ghi căn cứ, lý do."), field="reason")
    allowed_from, after = STATUS_MOVES[kind]
    if state.status not in allowed_from:
        raise DomainError(
            _("Không thể “%(kind)s” khi trang bị đang ở tình trạng “%(status)s”.")
            % {"kind": EventKind(kind).label, "status": status_label(state.status)},
            field="item",
        )
    if kind in NEEDS_NO_HOLDER and state.holder:
        raise DomainError(
            _("Trang bị đang cấp cho %(holder)s: thu hồi trước.") % {"holder": state.holder}, field="item"
        )
    new_grade = state.grade if grade in (None, "") else check_grade(grade)
    return replace(state, status=after, grade=new_grade, last_event_on=occurred_on)


def meter_reading(
    state: ItemState,
    *,
    meter: str,
    value: Decimal | None,
    allowed_meters: Collection[str],
    previous: tuple[Decimal, date] | None,
    occurred_on: date,
    today: date,
) -> ItemState:
    """Validate a meter reading; `previous` is (value, read_on) of the same meter or None."""
    check_date(state, occurred_on, today)
    if state.status in (Status.DISPOSED, Status.VOID):
        raise DomainError(_("Trang bị đã thanh lý."), field="item")
    if meter not in allowed_meters:
        name = Meter(meter).label if meter in Meter.values else meter
        raise DomainError(_("Chủng loại này không theo dõi đồng hồ “%(meter)s”.") % {"meter": name}, field="meter")
    if value is None or value < 0:
        raise DomainError(_("Chỉ số đồng hồ phải là số không âm."), field="value")
    if value != value.quantize(Decimal("0.1")):
        raise DomainError(_("Chỉ số đồng hồ chỉ ghi tới một chữ số thập phân."), field="value")
    if value >= bounds.METER_LIMIT:
        raise DomainError(
            _("Chỉ số đồng hồ phải nhỏ hơn %(limit)s.") % {"limit": bounds.shown(bounds.METER_LIMIT)}, field="value"
        )
    if previous is not None and (value, occurred_on) == previous:
        # The same reading again (a form sent twice, Back and again): nothing new to record.
        raise DomainError(
            _("Chỉ số %(value)s ngày %(day)s đã được ghi.") % {"value": number(value), "day": fmt(occurred_on)},
            field="value",
        )
    if previous is not None and value < previous[0]:
        raise DomainError(
            _("Chỉ số %(value)s nhỏ hơn lần ghi trước (%(prev)s ngày %(day)s): đồng hồ không thể chạy lùi.")
            % {"value": number(value), "prev": number(previous[0]), "day": fmt(previous[1])},
            field="value",
        )
    return replace(state, last_event_on=occurred_on)


def check_quantity(quantity: NumberInput, field: str = "quantity") -> int:
    """A whole number from 1 to bounds.MAX_QUANTITY; text only in ASCII digits (int() reads others too)."""
    if quantity is None or (
        isinstance(quantity, str) and not bounds.is_ascii_number(quantity.strip().removeprefix("-"))
    ):
        raise DomainError(_("Số lượng phải là số nguyên."), field=field)
    try:
        quantity = int(quantity)
    except (TypeError, ValueError, OverflowError):
        raise DomainError(_("Số lượng phải là số nguyên."), field=field) from None
    if quantity <= 0:
        raise DomainError(_("Số lượng phải lớn hơn 0."), field=field)
    if quantity > bounds.MAX_QUANTITY:
        raise DomainError(
            _("Số lượng %(quantity)s vượt quá giới hạn %(limit)s cho một lần ghi.")
            % {"quantity": bounds.shown(quantity), "limit": bounds.shown(bounds.MAX_QUANTITY)},
            field=field,
        )
    return quantity


def check_lot_date(occurred_on: date, last_event_on: date | None, today: date) -> None:
    """A lot's events, like an item's, are kept in date order."""
    if occurred_on is None:
        raise DomainError(_("Chưa nhập ngày phát sinh."), field="occurred_on")
    check_day_in_range(occurred_on)
    if occurred_on > today:
        raise DomainError(_("Ngày phát sinh %(day)s ở tương lai.") % {"day": fmt(occurred_on)}, field="occurred_on")
    if last_event_on and occurred_on < last_event_on:
        raise DomainError(
            _("Ngày phát sinh %(day)s trước sự kiện gần nhất của lô (%(last)s).")
            % {"day": fmt(occurred_on), "last": fmt(last_event_on)},
            field="occurred_on",
        )


def lot_take(balance: int, quantity: NumberInput, occurred_on: date, last_event_on: date | None, today: date) -> int:
    """Validate taking `quantity` out of a lot holding `balance`; returns the quantity."""
    quantity = check_quantity(quantity)
    check_lot_date(occurred_on, last_event_on, today)
    if quantity > balance:
        raise DomainError(
            _("Lô chỉ còn %(balance)s, không thể xuất %(quantity)s.")
            % {"balance": number(balance), "quantity": number(quantity)},
            field="quantity",
        )
    return quantity
