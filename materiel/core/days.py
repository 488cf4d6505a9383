"""Days typed on pages and in commands: dd/mm/yyyy (Vietnamese first), within the bounds of bounds."""

from datetime import date, datetime

from django.utils.formats import get_format

from materiel.core import bounds


def parse_day(text: str | None) -> date | None:
    """A dd/mm/yyyy filter, or None (unreadable, or outside bounds.MIN_DAY..MAX_DAY: a page's
    arithmetic on 01/01/0001 overflowed)."""
    text = (text or "").strip()
    if not text:
        return None
    for fmt in get_format("DATE_INPUT_FORMATS"):
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return day if bounds.MIN_DAY <= day <= bounds.MAX_DAY else None
    return None
