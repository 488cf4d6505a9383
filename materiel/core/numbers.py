"""Numbers as Vietnamese users type them: "1.234" is one thousand two hundred and thirty-four,
"1.234,5" has a decimal part, and a lone "12.5" (not a thousands group) is read as 12,5.
Only ASCII digits are digits: Decimal() would also read "١٢" (Arabic-Indic) as 12."""

import re
from decimal import Decimal, InvalidOperation

_GROUPED = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")


def parse_decimal(value: object) -> Decimal | None:
    """A Decimal from user input in Vietnamese notation, or None if it is not a finite number."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        text = str(value or "").strip().replace(" ", "").replace("\u00a0", "")
        if not text.isascii():
            return None
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif _GROUPED.fullmatch(text):
            text = text.replace(".", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
    return number if number.is_finite() else None
