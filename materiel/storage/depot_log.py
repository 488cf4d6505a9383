"""Depot condition logs (sổ theo dõi kho): the lines written, the alarms they raise, and the
acknowledgements that end an alarm.

A line records who checked a place and when, the temperature and humidity read, and whether fire
safety and the locks and seals were in order. It is checked against the thresholds of the place's
kind (reference data, `ConditionThreshold`); what is out of range is written into the line itself
(`alarm`), so that a later change of thresholds does not rewrite the past. An alarm shows on the
unit's dashboard until someone answers it with what was done (`Acknowledgement`).

Lines are written by the place's unit (`storage.manage`): one from the log's form or the API, or a
month of them at once from a paper book — all of them or none.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from materiel.accounts.scoping import require
from materiel.core.errors import DomainError
from materiel.core.text import nfc
from materiel.units.models import Unit

from .models import Acknowledgement, ConditionThreshold, DepotReading, Measure, StoragePlace

# What a thermometer and a hygrometer of a store can read: anything outside is a typing error.
PLAUSIBLE = {
    Measure.TEMPERATURE: (Decimal("-50"), Decimal("70")),
    Measure.HUMIDITY: (Decimal("0"), Decimal("100")),
}
UNIT_OF = {Measure.TEMPERATURE: "°C", Measure.HUMIDITY: "%"}


@dataclass(frozen=True)
class Line:
    """One line of the log as entered; `row` names it in a refusal ("Ngày 12")."""

    taken_at: datetime
    checked_by: str
    temperature: Decimal | None = None
    humidity: Decimal | None = None
    fire_ok: bool | None = None
    seals_ok: bool | None = None
    note: str = ""
    row: str = ""


def _refuse(line: Line, message: str, field: str) -> DomainError:
    text = f"{line.row}: {message}" if line.row else message
    return DomainError(text, field=field)


def _shown(value: Decimal) -> str:
    return f"{value:.1f}".replace(".", ",")


def _measured(line: Line) -> dict[str, Decimal | None]:
    return {Measure.TEMPERATURE: line.temperature, Measure.HUMIDITY: line.humidity}


def check(line: Line, place: StoragePlace) -> None:
    """Refuse a line that cannot be written, naming its row and field."""
    if not nfc(line.checked_by or "").strip():
        raise _refuse(line, _("Chưa nhập người kiểm tra."), "checked_by")
    values = _measured(line)
    if all(v is None for v in values.values()) and line.fire_ok is None and line.seals_ok is None:
        raise _refuse(line, _("Chưa ghi chỉ tiêu nào (nhiệt độ, độ ẩm, phòng cháy, khóa niêm phong)."), "temperature")
    for measure, value in values.items():
        low, high = PLAUSIBLE[Measure(measure)]
        if value is not None and not low <= value <= high:
            raise _refuse(
                line,
                _("%(measure)s %(value)s không hợp lệ: phải từ %(low)s đến %(high)s.")
                % {"measure": Measure(measure).label, "value": _shown(value), "low": low, "high": high},
                measure,
            )
    if line.taken_at > timezone.now():
        raise _refuse(line, _("Thời điểm kiểm tra ở tương lai."), "taken_at")
    if place.closed_on is not None and timezone.localtime(line.taken_at).date() >= place.closed_on:
        raise _refuse(
            line,
            _("%(place)s đã ngừng sử dụng từ %(day)s.") % {"place": place.name, "day": f"{place.closed_on:%d/%m/%Y}"},
            "taken_at",
        )


def thresholds_of(place: StoragePlace) -> dict[str, ConditionThreshold]:
    return {t.measure: t for t in ConditionThreshold.objects.filter(kind_id=place.kind_id)}


def alarm_of(line: Line, thresholds: dict[str, ConditionThreshold]) -> str:
    """What in the line is out of range, in words ("Nhiệt độ 27,0 °C ngoài ngưỡng 20,0–25,0 °C"),
    or "" when nothing is."""
    found = []
    for measure, value in _measured(line).items():
        limit = thresholds.get(measure)
        if value is None or limit is None:
            continue
        if (limit.low is not None and value < limit.low) or (limit.high is not None and value > limit.high):
            unit = UNIT_OF[Measure(measure)]
            bounds = "–".join(_shown(b) if b is not None else "…" for b in (limit.low, limit.high))
            found.append(
                _("%(measure)s %(value)s %(unit)s ngoài ngưỡng %(bounds)s %(unit)s")
                % {
                    "measure": Measure(measure).label.split(" (")[0],
                    "value": _shown(value),
                    "unit": unit,
                    "bounds": bounds,
                }
            )
    if line.fire_ok is False:
        found.append(_("Phòng cháy chữa cháy không đạt"))
    if line.seals_ok is False:
        found.append(_("Khóa, niêm phong không đạt"))
    return "; ".join(found)


@transaction.atomic
def record(place: StoragePlace, lines: Sequence[Line], *, actor) -> list[DepotReading]:
    """Write `lines` into the place's log: every one of them or, at the first refusal, none."""
    require(actor, "storage.manage", unit=place.unit)
    if not lines:
        raise DomainError(_("Chưa nhập dòng nào."), field="taken_at")
    moments: dict[datetime, Line] = {}
    for line in lines:
        check(line, place)
        if line.taken_at in moments:
            raise _refuse(line, _("Trùng thời điểm với %(row)s.") % {"row": moments[line.taken_at].row}, "taken_at")
        moments[line.taken_at] = line
    taken = set(DepotReading.objects.filter(place=place, taken_at__in=list(moments)).values_list("taken_at", flat=True))
    for moment in sorted(taken):
        line = moments[moment]
        raise _refuse(
            line,
            _("Sổ của %(place)s đã có lần kiểm tra lúc %(at)s.")
            % {"place": place.name, "at": timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")},
            "taken_at",
        )
    thresholds = thresholds_of(place)
    rows = [
        DepotReading(
            place=place,
            taken_at=line.taken_at,
            checked_by=nfc(line.checked_by).strip(),
            temperature=line.temperature,
            humidity=line.humidity,
            fire_ok=line.fire_ok,
            seals_ok=line.seals_ok,
            note=nfc(line.note or "").strip(),
            alarm=alarm_of(line, thresholds),
            recorded_by=actor,
        )
        for line in lines
    ]
    try:
        with transaction.atomic():
            return DepotReading.objects.bulk_create(rows)
    except IntegrityError:
        # Another request wrote the same moment between the check above and this insert.
        raise DomainError(
            _("Sổ vừa được ghi cùng thời điểm bởi người khác: hãy tải lại trang."), field="taken_at"
        ) from None


@transaction.atomic
def acknowledge(reading: DepotReading, *, action: str, actor) -> Acknowledgement:
    """An alarm answered with what was done; it leaves the dashboard. Once only."""
    require(actor, "storage.manage", unit=reading.place.unit)
    action = nfc(action or "").strip()
    if not reading.alarm:
        raise DomainError(_("Lần kiểm tra này không có cảnh báo."), field="action")
    if not action:
        raise DomainError(_("Chưa nhập biện pháp đã làm."), field="action")
    if Acknowledgement.objects.filter(reading=reading).exists():
        raise DomainError(_("Cảnh báo này đã được xác nhận."), field="action")
    return Acknowledgement.objects.create(reading=reading, action=action[:300], by=actor)


# Reads: every one through the scoping door.


def visible_readings(user):
    return DepotReading.objects.visible_to(user).select_related("place__unit", "place__kind", "acknowledgement")


def readings_in_month(user, place: StoragePlace, month: date):
    """The place's log for the month of `month`, oldest first (the order of the paper book)."""
    start = timezone.make_aware(datetime(month.year, month.month, 1))
    end = timezone.make_aware(datetime(month.year + month.month // 12, month.month % 12 + 1, 1))
    return visible_readings(user).filter(place=place, taken_at__gte=start, taken_at__lt=end).order_by("taken_at")


def open_alarms(user, unit: Unit):
    """The alarms of `unit`'s subtree not answered yet: the rows the dashboard's count links to."""
    return (
        visible_readings(user)
        .in_subtree(unit)
        .exclude(alarm="")
        .filter(acknowledgement__isnull=True)
        .order_by("-taken_at")
    )
