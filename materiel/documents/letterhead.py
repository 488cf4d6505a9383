"""The head of a Vietnamese administrative document: who issues it, where and when.

Top left: the superior unit, then the issuing unit (in capitals); top right: the national motto and
"<place>, ngày dd tháng mm năm yyyy". Units carry no address, so the place is read from the unit's
name or its nearest ancestor's ("Ban CHQS huyện Bát Xát" → "Bát Xát").
"""

import re
from dataclasses import dataclass
from datetime import date

# Longest first, so "thị xã" wins over "xã".
ADMINISTRATIVE = re.compile(r"\b(?:thành phố|thị trấn|thị xã|tỉnh|huyện|quận|phường|xã)\s+", re.IGNORECASE)


@dataclass
class Letterhead:
    superior: str
    unit: str
    place: str
    day: date


def place_in(name: str) -> str:
    """The place a unit's name ends with, after its last administrative word; "" if none."""
    matches = list(ADMINISTRATIVE.finditer(name))
    return name[matches[-1].end() :].strip() if matches else ""


def place_of(unit) -> str:
    for candidate in [unit, *reversed(unit.ancestors(include_self=False))]:
        if place := place_in(candidate.name):
            return place
    return ""


def letterhead(unit, day: date, place: str = "") -> Letterhead:
    superior = unit.parent.name if unit.parent_id else ""
    return Letterhead(superior=superior, unit=unit.name, place=place or place_of(unit), day=day)
