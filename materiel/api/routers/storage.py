"""Storage: the places of a subtree with what each holds now (the page's dataset, storage.places),
the items kept in one place, and an item moved to a place."""

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from materiel.equipment.models import Item
from materiel.storage import places, services

from ..common import Day, Id, Text, Version, unit_for
from ..errors import responses
from .events import EventOut, event_out

router = Router(tags=["Kho và nơi cất giữ"])


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
