"""Example storage places for the demo: a depot and a weapon room in some units, and their live
items moved into them by relocation events (through the batch writer, like the rest of the seed);
an optics store in the first of them, and three months of condition logs with a few alarms."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from materiel.equipment.models import Item, Status
from materiel.ledger.batch import LedgerBatch
from materiel.units.models import Unit

from . import depot_log
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
    seed_depot_logs(rng, actor, today, list(units.values()), kinds)
    return placed


# Days of condition log written back from today; alarms of the last days are left unanswered.
LOG_DAYS = 90
OPEN_ALARM_DAYS = 10


def seed_depot_logs(rng, actor, today, units, kinds) -> int:
    """A morning line a day in each unit's depot, and in the first unit's optics store (whose
    example thresholds, 20–25 °C and 45–85 %, a hot spell breaks); older alarms answered."""
    if not units:
        return 0
    first = units[0]
    optics = StoragePlace.objects.create(
        unit=first, kind=kinds["kho-quang-dien-tu"], code="K-QH", name="Kho khí tài quang học", capacity=60,
        responsible="Trung úy Phạm Văn Quang (ví dụ)",
    )  # fmt: skip
    places = [optics, *StoragePlace.objects.filter(unit__in=units, code="K1").order_by("unit__path")]
    written = 0
    for place in places:
        lines = []
        for back in range(LOG_DAYS, 0, -1):
            day = today - timedelta(days=back)
            warm = Decimal(23) + Decimal(rng.randint(-25, 25)) / 10 + (Decimal(3) if 30 < back < 36 else 0)
            lines.append(
                depot_log.Line(
                    taken_at=timezone.make_aware(datetime(day.year, day.month, day.day, 7, 30)),
                    checked_by=place.responsible or "Thủ kho (ví dụ)",
                    temperature=warm.quantize(Decimal("0.1")),
                    humidity=Decimal(rng.randint(55, 80)) + (Decimal(12) if back in (4, 47) else 0),
                    fire_ok=True,
                    seals_ok=not (place.code == "K1" and back == 3 and place.unit_id == first.pk),
                )
            )
        for reading in depot_log.record(place, lines, actor=actor):
            if reading.alarm and reading.taken_at.date() < today - timedelta(days=OPEN_ALARM_DAYS):
                depot_log.acknowledge(reading, action="Thông gió, bật máy hút ẩm; đo lại đạt (ví dụ)", actor=actor)
        written += len(lines)
    return written
