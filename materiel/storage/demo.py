"""Example storage places for the demo: a depot and a weapon room in some units, and their live
items moved into them by relocation events (through the batch writer, like the rest of the seed)."""

from datetime import timedelta

from django.db.models import Count

from materiel.equipment.models import Item, Status
from materiel.ledger.batch import LedgerBatch
from materiel.units.models import Unit

from .kinds import RELOCATION
from .models import PlaceKind, StoragePlace

# How many units get places: the ones holding the most items, so the places page is full at once.
UNITS = 8
# Items moved per unit at most (the demo's first start stays quick).
PER_UNIT = 150


def seed_storage(rng, actor, today) -> int:
    """Places for the busiest open units and relocations of their items; returns the items placed."""
    kinds = {k.code: k for k in PlaceKind.objects.all()}
    busiest = (
        Item.objects.filter(status=Status.IN_SERVICE, unit__dissolved_on__isnull=True)
        .values("unit")
        .annotate(n=Count("id"))
        .order_by("-n")[:UNITS]
    )
    units = Unit.objects.in_bulk([row["unit"] for row in busiest])
    batch = LedgerBatch(actor, today=today, backdated=True)
    placed = 0
    for unit in units.values():
        depot = StoragePlace.objects.create(
            unit=unit, kind=kinds["kho"], code="K1", name=f"Kho vũ khí – {unit.short_name or unit.name}",
            capacity=400, responsible="Thượng sĩ Nguyễn Văn Thủ (ví dụ)",
        )  # fmt: skip
        room = StoragePlace.objects.create(
            unit=unit, kind=kinds["phong-vu-khi"], code="PVK-1", name="Phòng vũ khí đại đội 1", capacity=120,
            responsible="Trung sĩ Lê Văn Giữ (ví dụ)",
        )  # fmt: skip
        items = list(
            Item.objects.filter(unit=unit, status__in=[Status.IN_SERVICE, Status.SEALED]).order_by("id")[:PER_UNIT]
        )
        for item in batch.adopt(items):
            place = room if rng.random() < 0.4 else depot
            day = max(item.last_event_on, today - timedelta(days=rng.randint(5, 120)))
            batch.record(item, RELOCATION, occurred_on=day, details={"place": place.pk})
            placed += 1
    batch.flush()
    return placed
