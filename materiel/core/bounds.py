"""The bounds of every number and date the system takes in, defined once (docs/glossary.md, "Giới hạn").

The ledger rules, the forms, the API schemas and the importer all read them from here. They exist so
that no input can overflow a 64-bit column or a sum of them (a rollup of a military region over two
absurd receipts once turned into a float, and every dashboard above it answered 500), and so that a
number typed in a script other than ASCII digits is never silently read as one.
"""

from datetime import date
from decimal import Decimal

from materiel.formats import numbers

# One event's quantity: a lot received, issued, transferred or re-graded (a billion rounds).
MAX_QUANTITY = 10**9
# One rollup cell: a subtree's total of one type, grade and status. A thousand maximal receipts; and
# 9 million such cells still add up below 2^63, so no SQL SUM over them can overflow either.
MAX_HOLDING = 10**12
# A meter reading (km, engine hours, rounds), exclusive: ItemMeter.value has 14 digits, one decimal.
METER_LIMIT = Decimal(10) ** 13
# Authorised holdings of one type for one unit (biên chế).
MAX_AUTHORISED = 10**9
# Ids and keyset cursors: the largest value of a 64-bit signed column.
MAX_ID = 2**63 - 1
# Dates of events and of filters. Nothing in a register predates 1900; date arithmetic near year 1
# or 9999 overflows.
MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2999, 12, 31)
# Nesting of a JSON body: our bodies are two levels deep; a deeper one is an attack on the parser.
MAX_JSON_DEPTH = 32


def shown(number: int) -> str:
    """A bound as users read it: 1.000.000.000 in Vietnamese."""
    return numbers.number(number)


def is_ascii_number(text: str) -> bool:
    """Digits 0-9 only: str.isdigit() and int() also take Arabic-Indic and other scripts' digits."""
    return text.isascii() and text.isdigit()


def parse_id(text: object) -> int | None:
    """A database id written out (a form's ticked item), or None if it cannot be one."""
    text = str(text or "").strip()
    if not is_ascii_number(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def parse_count(text: object, maximum: int) -> int | None:
    """A whole number in ASCII digits from 0 to `maximum` (a filter's grade or year), or None."""
    text = str(text or "").strip()
    if not is_ascii_number(text) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None
