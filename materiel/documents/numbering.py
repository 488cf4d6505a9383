"""Handover record numbers: "12/BBBG", counted per issuing unit and calendar year."""

import re

from materiel.ledger.models import Event, EventKind

SUFFIX = "BBBG"
LEADING_NUMBER = re.compile(r"\s*(\d+)")


def leading_number(number: str) -> int:
    match = LEADING_NUMBER.match(number or "")
    return int(match.group(1)) if match else 0


def propose_number(unit, year: int) -> str:
    """The next free number of `unit` in `year`: one more than the highest already used, whether on a
    handover record or written on a transfer event recorded without one (API, import)."""
    from .models import HandoverRecord

    # Receipts from outside carry the outside party's numbers, not the unit's own sequence.
    own = HandoverRecord.objects.filter(issuing_unit=unit, year=year, outside_party="")
    used = list(own.values_list("number", flat=True))
    used += Event.objects.filter(
        kind__in=[EventKind.TRANSFER, EventKind.LOT_TRANSFER], from_unit=unit, occurred_on__year=year
    ).values_list("document_number", flat=True)
    return f"{max(map(leading_number, used), default=0) + 1}/{SUFFIX}"
