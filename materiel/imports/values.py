"""Cell values as they occur in real registers, turned into clean Python values (or a message)."""

from datetime import date, datetime, timedelta

from django.utils.functional import lazy
from django.utils.translation import gettext as _

from materiel.catalog.grades import grade_numbers, grade_span
from materiel.core import bounds
from materiel.core.errors import DomainError
from materiel.core.numbers import parse_decimal
from materiel.core.text import fold, nfc

ROMAN_DIGITS = (("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))
EXCEL_EPOCH = date(1899, 12, 30)


class BadValue(ValueError):
    pass


def text(value) -> str:
    """NFC, single spaces, non-breaking spaces gone; numbers that are really codes lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value))


def roman(number: int) -> str:
    """4 -> "iv" (lower case, as fold() leaves it): grades are written "cấp III" too."""
    out = ""
    for letters, value in ROMAN_DIGITS:
        while number >= value:
            out += letters
            number -= value
    return out


def numeral(raw: str) -> int | None:
    """A folded "3" or "iii" -> 3; None for anything else (a Roman numeral must be written as
    roman() writes it: "iiii" is not 4)."""
    if bounds.is_ascii_number(raw):
        return int(raw)
    if not raw or set(raw) - {"i", "v", "x"}:
        return None
    number = 0
    rest = raw
    for letters, value in ROMAN_DIGITS:
        while rest.startswith(letters):
            number += value
            rest = rest[len(letters) :]
    return number if not rest and roman(number) == raw else None


def _grade_message() -> str:
    first, last = grade_span()
    return _("Cấp chất lượng phải từ %(first)d đến %(last)d (ví dụ 1, Cấp 2, cấp III).") % {
        "first": first,
        "last": last,
    }


# Built when shown: a cell that is no number at all is refused without reading the grades.
grade_message = lazy(_grade_message, str)


def grade(value) -> int | None:
    """'1', 1.0, 'Cấp 1', 'cấp I', 'II' -> a defined grade number (catalog.grades)."""
    raw = fold(text(value))
    if not raw:
        return None
    raw = raw.removeprefix("cap").strip()
    number = numeral(raw)
    if number is None or number not in grade_numbers():
        raise BadValue(grade_message())
    return number


def quantity(value) -> int | None:
    if text(value) == "":
        return None
    number = parse_decimal(text(value)) if not isinstance(value, int | float) else parse_decimal(value)
    if number is None or number != number.to_integral_value() or number < 0:
        raise BadValue(_("Số lượng phải là số nguyên không âm."))
    if number > bounds.MAX_QUANTITY:
        raise BadValue(
            _("Số lượng vượt quá giới hạn %(limit)s cho một dòng.") % {"limit": bounds.shown(bounds.MAX_QUANTITY)}
        )
    return int(number)


def year(value) -> int | None:
    if text(value) == "":
        return None
    if isinstance(value, date):
        return value.year
    number = quantity(value)
    if number is None or not 1900 <= number <= date.today().year:
        raise BadValue(_("Năm không hợp lệ."))
    return number


def day(value) -> date | None:
    """A date cell, an Excel serial number, '16/3/2022', '16-03-2022', '16.03.2022' or just a year."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if bounds.MIN_DAY.year <= value <= 2100 and float(value).is_integer():
            return date(int(value), 1, 1)
        if 1 <= value < 80000:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise BadValue(_("Ngày không hợp lệ."))
    raw = text(value)
    if not raw:
        return None
    if bounds.is_ascii_number(raw) and len(raw) == 4:
        return _in_range(date(int(raw), 1, 1))
    for separator in ("/", "-", "."):
        parts = [p.strip() for p in raw.split(separator)]
        if len(parts) == 3 and all(bounds.is_ascii_number(p) for p in parts):
            first, month, last = (int(p) for p in parts)
            day_of, year_of = (last, first) if len(parts[0]) == 4 or first > 31 else (first, last)
            # Only a year written with two digits is a short year: "0001" is the year 1, not 2001.
            if len(parts[2]) <= 2 and year_of == last:
                year_of += 2000 if year_of < 50 else 1900
            try:
                found = date(year_of, month, day_of)
            except ValueError:
                break
            return _in_range(found)
    raise BadValue(_("Ngày “%(value)s” không đọc được; hãy ghi dạng dd/mm/yyyy.") % {"value": raw[:40]})


def _in_range(day_of: date) -> date:
    if not bounds.MIN_DAY <= day_of <= bounds.MAX_DAY:
        raise BadValue(
            _("Ngày %(day)s nằm ngoài khoảng cho phép (%(first)s – %(last)s).")
            % {
                "day": day_of.strftime("%d/%m/") + f"{day_of.year:04d}",
                "first": bounds.MIN_DAY.strftime("%d/%m/%Y"),
                "last": bounds.MAX_DAY.strftime("%d/%m/%Y"),
            }
        )
    return day_of


def kit(value, lines) -> list[dict[str, int]]:
    """A kit cell, as `ledger.kit.parse_shortages` reads it; what it refuses, named on its cell."""
    from materiel.ledger.kit import parse_shortages

    try:
        return parse_shortages(text(value), lines)
    except DomainError as error:
        raise BadValue(error.message) from None
