"""Handover record numbers: "12/BBBG", counted per issuing unit and calendar year."""

import re

from materiel.ledger.models import Event, EventKind

SUFFIX = "BBBG"
LEADING_NUMBER = re.compile(r"\s*(\d+)")
# A number of the unit's own series as a transfer event carries it: "12/BBBG", nothing more. Other
# documents on transfers are not the unit's records: a decision ("1234/QĐ-BQP"), a reorganisation
# ("Tổ chức lại đơn vị ngày …"), or another numbering such as the demo seed's "845/BBBG-2025".
SERIES_NUMBER = re.compile(rf"\s*(\d+)\s*/\s*{SUFFIX}\s*", re.IGNORECASE)


def leading_number(number: str) -> int:
    match = LEADING_NUMBER.match(number or "")
    return int(match.group(1)) if match else 0


def series_number(number: str) -> int:
    """The number of "12/BBBG"; 0 for a number of any other form."""
    match = SERIES_NUMBER.fullmatch(number or "")
    return int(match.group(1)) if match else 0


def propose_number(unit, year: int) -> str:
    """The unit's real next number in `year`: one more than the highest of its handover records that
    year, or of the "N/BBBG" numbers written on its transfers recorded without a record (API,
    import), so that no number already in the ledger is proposed again; numbers of other documents
    and other series are not the unit's count and do not move it."""
    from .models import HandoverRecord

    # Receipts from outside carry the outside party's numbers, not the unit's own sequence.
    records = HandoverRecord.objects.filter(issuing_unit=unit, year=year, outside_party="").values_list(
        "number", flat=True
    )
    transfers = Event.objects.filter(
        kind__in=[EventKind.TRANSFER, EventKind.LOT_TRANSFER], from_unit=unit, occurred_on__year=year
    ).values_list("document_number", flat=True)
    used = [leading_number(number) for number in records] + [series_number(number) for number in transfers]
    return f"{max(used, default=0) + 1}/{SUFFIX}"
