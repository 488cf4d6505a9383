"""Cell values as they occur in real registers, turned into clean Python values (or a message)."""

from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from materiel.core.numbers import parse_decimal
from materiel.core.text import fold, nfc

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
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


def grade(value) -> int | None:
    """'1', 1.0, 'Cấp 1', 'cấp I', 'II' -> 1..5."""
    raw = fold(text(value))
    if not raw:
        return None
    raw = raw.removeprefix("cap").strip()
    number = ROMAN.get(raw)
    if number is None and raw.isdigit():
        number = int(raw)
    if number not in range(1, 6):
        raise BadValue(_("Cấp chất lượng phải từ 1 đến 5 (ví dụ 1, Cấp 2, cấp III)."))
    return number


def quantity(value) -> int | None:
    if text(value) == "":
        return None
    number = parse_decimal(text(value)) if not isinstance(value, int | float) else parse_decimal(value)
    if number is None or number != number.to_integral_value() or number < 0:
        raise BadValue(_("Số lượng phải là số nguyên không âm."))
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
        if 1900 <= value <= 2100 and float(value).is_integer():
            return date(int(value), 1, 1)
        if 1 <= value < 80000:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise BadValue(_("Ngày không hợp lệ."))
    raw = text(value)
    if not raw:
        return None
    if raw.isdigit() and len(raw) == 4:
        return date(int(raw), 1, 1)
    for separator in ("/", "-", "."):
        parts = raw.split(separator)
        if len(parts) == 3 and all(p.strip().isdigit() for p in parts):
            first, month, last = (int(p) for p in parts)
            day_of, year_of = (last, first) if first > 31 else (first, last)
            if year_of < 100:
                year_of += 2000 if year_of < 50 else 1900
            try:
                return date(year_of, month, day_of)
            except ValueError:
                break
    raise BadValue(_("Ngày “%(value)s” không đọc được; hãy ghi dạng dd/mm/yyyy.") % {"value": raw})
