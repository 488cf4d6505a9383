"""What the pages, prints and API read of the places: every read through the scoping door."""

from django.db.models import Count, Q

from materiel.equipment.models import Item, Status

from .models import ItemPlace, StoragePlace


def visible_places(user):
    return StoragePlace.objects.visible_to(user).select_related("unit", "kind")


def places_of(user, unit, *, direct: bool = False):
    """The places of `unit`'s subtree (or of the unit alone), each with `held`: how many items it
    holds now, the number its link to the place's list opens."""
    places = visible_places(user).in_subtree(unit)
    if direct:
        places = places.filter(unit=unit)
    return places.annotate(held=Count("item_rows", filter=~Q(item_rows__item__status=Status.VOID))).order_by(
        "unit__path", "code"
    )


def open_places(unit, day=None):
    """The places of one unit an item can be moved to (on `day`, when given)."""
    places = StoragePlace.objects.filter(unit=unit).select_related("kind").order_by("code")
    if day is not None:
        places = places.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
    else:
        places = places.filter(closed_on__isnull=True)
    return places


def place_items(user, place):
    """The items kept in `place` now, as its list (danh sách trang bị trong kho) shows them."""
    return (
        Item.objects.visible_to(user)
        .filter(place_row__place=place)
        .exclude(status=Status.VOID)
        .select_related("equipment_type__category", "unit", "place_row")
        .order_by("equipment_type__name", "serial")
    )


def place_of(item) -> ItemPlace | None:
    """The item's place now (the caller has read the item through the scoping door)."""
    return ItemPlace.objects.filter(item=item).select_related("place__kind").first()


def place_names(user, events) -> dict[int, str]:
    """place id -> its name, for the relocations among `events`; a place outside the user's subtree
    is not named (the history masks the other subtree's facts)."""
    ids = {int(e.details.get("place", 0)) for e in events if e.kind == "relocation" and e.details}
    if not ids:
        return {}
    return {p.pk: f"{p.code} – {p.name}" for p in StoragePlace.objects.visible_to(user).filter(pk__in=ids)}


# A register filter lists at most this many places (a province's); beyond, one filters by unit first.
CHOICES_AT_MOST = 500


def place_choices(user, unit) -> list[tuple[str, str]]:
    """(id, label) of the places of `unit`'s subtree for the register's filter."""
    places = visible_places(user).in_subtree(unit).order_by("unit__path", "code")[:CHOICES_AT_MOST]
    return [(str(p.pk), f"{p.unit.short_name or p.unit.name}: {p.code} – {p.name}") for p in places]
