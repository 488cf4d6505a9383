"""Serials typed for a receipt: one per line, or a range such as "AK-120345 … AK-120360".

A range is written with "…", "...", "..", an en or em dash, or a hyphen between spaces (a hyphen
without spaces is part of serials like "AK-120345"). Both ends share their prefix; the numeric tail
counts up keeping the zero padding of the start ("A-0098 … A-0102" gives A-0098, A-0099, A-0100…).
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .errors import DomainError
from .text import nfc

# At most this many serials in one receipt (a range included): a pallet of rifles, not a warehouse.
RANGE_LIMIT = 1000

RANGE = re.compile(r"^(?P<start>.+?)\s*(?:\.{2,3}|…|–|—)\s*(?P<end>.+)$|^(?P<start2>.+?)\s+-\s+(?P<end2>.+)$")
NUMERIC_TAIL = re.compile(r"^(?P<prefix>.*?)(?P<digits>[0-9]+)$")


@dataclass(frozen=True)
class Serial:
    serial: str
    line: int  # the line of the field it was typed on (a range gives all its serials the same line)


def _split(text: str, line: int, field: str) -> tuple[str, str]:
    match = NUMERIC_TAIL.match(text)
    if match is None:
        raise DomainError(
            _("Dòng %(line)s: “%(serial)s” không kết thúc bằng số, không lập được dải số hiệu.")
            % {"line": line, "serial": text},
            field=field,
        )
    return match["prefix"], match["digits"]


def expand_range(start: str, end: str, *, line: int = 1, field: str = "serials") -> list[str]:
    """The serials from `start` to `end` inclusive; refused with the line named when the prefixes
    differ, the end is before the start, or the range is longer than RANGE_LIMIT."""
    prefix, first = _split(start, line, field)
    end_prefix, last = _split(end, line, field)
    if prefix != end_prefix:
        raise DomainError(
            _("Dòng %(line)s: đầu dải “%(start)s” và cuối dải “%(end)s” khác phần chữ (“%(a)s” và “%(b)s”).")
            % {"line": line, "start": start, "end": end, "a": prefix, "b": end_prefix},
            field=field,
        )
    if len(first) != len(last) and (first.startswith("0") or last.startswith("0")):
        raise DomainError(
            _("Dòng %(line)s: phần số của “%(start)s” và “%(end)s” không cùng số chữ số.")
            % {"line": line, "start": start, "end": end},
            field=field,
        )
    low, high = int(first), int(last)
    if high < low:
        raise DomainError(
            _("Dòng %(line)s: cuối dải “%(end)s” đứng trước đầu dải “%(start)s”.")
            % {"line": line, "start": start, "end": end},
            field=field,
        )
    if high - low + 1 > RANGE_LIMIT:
        raise DomainError(
            _("Dòng %(line)s: dải “%(start)s … %(end)s” có %(count)s số hiệu, quá giới hạn %(limit)s.")
            % {"line": line, "start": start, "end": end, "count": high - low + 1, "limit": RANGE_LIMIT},
            field=field,
        )
    width = len(first)
    return [f"{prefix}{n:0{width}d}" for n in range(low, high + 1)]


def parse_serials(text: str, *, field: str = "serials") -> list[Serial]:
    """Every serial of the field, in order; refused naming the lines when one is typed twice or
    when there are more than RANGE_LIMIT in all."""
    serials: list[Serial] = []
    for line, raw in enumerate((text or "").splitlines(), start=1):
        entry = nfc(raw)
        if not entry:
            continue
        match = RANGE.match(entry)
        if match is None:
            serials.append(Serial(entry, line))
        else:
            start = (match["start"] or match["start2"]).strip()
            end = (match["end"] or match["end2"]).strip()
            serials.extend(Serial(s, line) for s in expand_range(start, end, line=line, field=field))
        if len(serials) > RANGE_LIMIT:
            raise DomainError(
                _("Quá %(limit)s số hiệu trong một lần tiếp nhận; hãy chia thành nhiều lần.") % {"limit": RANGE_LIMIT},
                field=field,
            )
    if not serials:
        raise DomainError(_("Chưa nhập số hiệu."), field=field)
    seen: dict[str, int] = {}
    for one in serials:
        if one.serial in seen:
            raise DomainError(
                _("Số hiệu %(serial)s có hai lần (dòng %(first)s và dòng %(line)s).")
                % {"serial": one.serial, "first": seen[one.serial], "line": one.line},
                field=field,
            )
        seen[one.serial] = one.line
    return serials
