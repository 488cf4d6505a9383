"""Numbers as users read them, in the active language: "1.700,5" and "1.600" in Vietnamese.

The one place a number becomes text outside a template's own localisation: ledger messages (meter
readings), the item page's history, the charts and every percentage. Templates use the `number`
and `percent` filters of `materiel_tags`, which call these.
"""

from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format


def _decimal(value) -> Decimal | None:
    """A Decimal from a number or from machine notation ("1700.5", as event details store it)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal | int):
        return Decimal(value)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def number(value) -> str:
    """Grouped thousands, the language's decimal mark, no useless trailing zeros: 1600.0 -> "1.600",
    1700.50 -> "1.700,5". None -> ""; what is not a number is returned as it is."""
    if value is None:
        return ""
    amount = _decimal(value)
    if amount is None:
        return str(value)
    if amount == amount.to_integral_value():
        return number_format(int(amount), force_grouping=True)
    exponent = amount.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # a finite number (_decimal reads no NaN or infinity)
    decimals = -exponent
    return number_format(amount, decimal_pos=decimals, force_grouping=True)


def percent(value) -> str:
    """A percentage, one format everywhere: "94,2%" in Vietnamese ("94.2%" in English), no space
    before the sign, its decimals as computed (a coefficient keeps its policy's places: "94,0%").
    None -> ""."""
    amount = None if value is None else _decimal(value)
    if amount is None:
        return "" if value is None else str(value)
    return f"{number_format(amount, force_grouping=True)}%"
