"""Storage: the places of a subtree with what each holds now (the page's dataset, storage.places),
the items kept in one place, an item moved to a place, and the depot condition logs."""

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from materiel.core.bounds import MAX_DAY, MIN_DAY
from materiel.equipment.models import Item
from materiel.storage import depot_log, places, services

from ..common import Day, Id, Text, Version, unit_for
from ..errors import responses
from .events import EventOut, event_out

router = Router(tags=["Kho và nơi cất giữ"])

# A month of a paper log holds at most a few lines a day.
MAX_LINES = 500


class PlaceOut(Schema):
    id: int
    unit: str
    code: str
    name: str
    kind: str
    capacity: int | None = None
    responsible: str
    closed_on: date | None = None
    held: int


class PlaceFilters(Schema):
    unit: Text(40) | None = None  # type: ignore[valid-type]
    direct: bool = False


@router.get("/storage/places", response=responses(list[PlaceOut]), summary="Các nơi cất giữ của một cây đơn vị")
def list_places(request, filters: Query[PlaceFilters]):
    """Every place of the unit's subtree (or of the unit alone, `direct`), with the number of items
    it holds now: the number of items `GET /storage/places/{id}/items` lists."""
    root = unit_for(request, filters.unit)
    return [
        {
            "id": p.pk,
            "unit": p.unit.code,
            "code": p.code,
            "name": p.name,
            "kind": p.kind.code,
            "capacity": p.capacity,
            "responsible": p.responsible,
            "closed_on": p.closed_on,
            "held": p.held,
        }
        for p in places.places_of(request.user, root, direct=filters.direct)
    ]


class PlaceItemOut(Schema):
    id: int
    serial: str
    type: str
    grade: int
    status: str
    since: date


@router.get(
    "/storage/places/{place_id}/items",
    response=responses(list[PlaceItemOut]),
    summary="Danh sách trang bị đang ở một nơi cất giữ",
)
def place_items(request, place_id: Id):
    place = get_object_or_404(places.visible_places(request.user), pk=place_id)
    return [
        {
            "id": i.pk,
            "serial": i.serial,
            "type": i.equipment_type.code,
            "grade": i.grade,
            "status": i.status,
            "since": i.place_row.since,
        }
        for i in places.place_items(request.user, place)
    ]


class RelocationIn(Schema):
    place: Id
    occurred_on: Day
    note: Text(300) = ""  # type: ignore[valid-type]
    version: Version | None = None


@router.post(
    "/items/{item_id}/relocation", response=responses(EventOut), summary="Chuyển trang bị đến nơi cất giữ khác"
)
def relocate(request, item_id: Id, payload: RelocationIn):
    item = get_object_or_404(Item.objects.visible_to(request.user), pk=item_id)
    place = get_object_or_404(places.visible_places(request.user), pk=payload.place)
    event = services.relocate(
        item,
        place=place,
        occurred_on=payload.occurred_on,
        note=payload.note,
        actor=request.user,
        expected_version=payload.version,
    )
    return event_out(event)


# Depot condition logs (sổ theo dõi kho, storage.depot_log).

_ISO_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?([+-][0-9]{2}:[0-9]{2}|Z)?")


def _moment(value):
    """A yyyy-mm-ddThh:mm[:ss][±hh:mm] moment; without an offset, the server's local time."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and _ISO_MOMENT.fullmatch(value):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise PydanticCustomError("datetime_parsing", "invalid moment") from None
    else:
        raise PydanticCustomError("datetime_parsing", "not a yyyy-mm-ddThh:mm moment")
    if not MIN_DAY <= moment.date() <= MAX_DAY:
        raise PydanticCustomError("datetime_range", "moment out of range")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


Moment = Annotated[datetime, BeforeValidator(_moment)]
Reading = Annotated[Decimal, Field(ge=-999, le=999)]


class ReadingOut(Schema):
    id: int
    place: int
    taken_at: datetime
    checked_by: str
    temperature: Decimal | None = None
    humidity: Decimal | None = None
    fire_ok: bool | None = None
    seals_ok: bool | None = None
    note: str
    alarm: str  # what was out of range when it was written; "" when nothing was
    acknowledged: bool
    action: str  # what was done about the alarm, once acknowledged


def reading_out(r) -> dict:
    ack = getattr(r, "acknowledgement", None)
    return {
        "id": r.pk,
        "place": r.place_id,
        "taken_at": r.taken_at,
        "checked_by": r.checked_by,
        "temperature": r.temperature,
        "humidity": r.humidity,
        "fire_ok": r.fire_ok,
        "seals_ok": r.seals_ok,
        "note": r.note,
        "alarm": r.alarm,
        "acknowledged": ack is not None,
        "action": ack.action if ack is not None else "",
    }


class MonthFilter(Schema):
    month: Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")] | None = None  # yyyy-mm, this month if absent


@router.get(
    "/storage/places/{place_id}/readings",
    response=responses(list[ReadingOut]),
    summary="Sổ theo dõi kho của một nơi cất giữ trong một tháng",
)
def place_readings(request, place_id: Id, filters: Query[MonthFilter]):
    place = get_object_or_404(places.visible_places(request.user), pk=place_id)
    month = timezone.localdate().replace(day=1)
    if filters.month:
        month = date(int(filters.month[:4]), int(filters.month[5:]), 1)
    return [reading_out(r) for r in depot_log.readings_in_month(request.user, place, month)]


class DepotReadingIn(Schema):
    taken_at: Moment
    checked_by: Text(120)  # type: ignore[valid-type]
    temperature: Reading | None = None
    humidity: Reading | None = None
    fire_ok: bool | None = None
    seals_ok: bool | None = None
    note: Text(300) = ""  # type: ignore[valid-type]


class ReadingsIn(Schema):
    lines: list[DepotReadingIn] = Field(..., min_length=1, max_length=MAX_LINES)


def _line(payload: DepotReadingIn, row: str = "") -> depot_log.Line:
    def tenth(value):
        return None if value is None else value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    return depot_log.Line(
        taken_at=payload.taken_at,
        checked_by=payload.checked_by,
        temperature=tenth(payload.temperature),
        humidity=tenth(payload.humidity),
        fire_ok=payload.fire_ok,
        seals_ok=payload.seals_ok,
        note=payload.note,
        row=row,
    )


@router.post(
    "/storage/places/{place_id}/readings",
    response=responses(list[ReadingOut]),
    summary="Ghi sổ theo dõi kho: một hay nhiều lần kiểm tra, tất cả hoặc không dòng nào",
)
def record_readings(request, place_id: Id, payload: ReadingsIn):
    place = get_object_or_404(places.visible_places(request.user), pk=place_id)
    lines = [_line(line, f"lines[{n}]" if len(payload.lines) > 1 else "") for n, line in enumerate(payload.lines)]
    return [reading_out(r) for r in depot_log.record(place, lines, actor=request.user)]


class AlarmFilters(Schema):
    unit: Text(40) | None = None  # type: ignore[valid-type]


@router.get(
    "/storage/alarms",
    response=responses(list[ReadingOut]),
    summary="Cảnh báo kho chưa xác nhận của một cây đơn vị",
)
def open_alarms(request, filters: Query[AlarmFilters]):
    """The alarms the dashboard counts: lines out of range, not acknowledged yet, newest first."""
    root = unit_for(request, filters.unit)
    return [reading_out(r) for r in depot_log.open_alarms(request.user, root)[:MAX_LINES]]


class AcknowledgeIn(Schema):
    action: Text(300)  # type: ignore[valid-type]


@router.post(
    "/storage/readings/{reading_id}/acknowledgement",
    response=responses(ReadingOut),
    summary="Xác nhận một cảnh báo kho, với biện pháp đã làm",
)
def acknowledge(request, reading_id: Id, payload: AcknowledgeIn):
    reading = get_object_or_404(depot_log.visible_readings(request.user), pk=reading_id)
    depot_log.acknowledge(reading, action=payload.action, actor=request.user)
    return reading_out(depot_log.visible_readings(request.user).get(pk=reading.pk))
