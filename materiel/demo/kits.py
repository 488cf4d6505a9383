"""Example standard kits (đồng bộ) for the demo and the bench, and the items found short of them.

The kits are examples (data/kits.json, labelled in docs/glossary.md): the real composition of each
type comes from its documentation and is edited on the catalogue. Then a few per cent of the items
held were found, on a day of the last eighteen months, missing or with a part damaged, and a
quarter of them were made whole again later, so that the đồng bộ coefficient differs between
today and a past day. Written through the ledger's writer like the rest of the seed.
"""

import json
import random
from datetime import date, timedelta
from pathlib import Path

from materiel.catalog.models import EquipmentType, KitLine
from materiel.equipment.models import HOLDINGS, Item
from materiel.ledger.batch import LedgerBatch
from materiel.ledger.kit import KIT, kit_details

DATA = Path(__file__).parent / "data"
SHARE = 0.08  # of the items held of a type with a kit: found short of it
WHOLE_AGAIN = 0.25  # of those: made whole again later
CHUNK = 2000


def load_kits() -> dict[int, list[KitLine]]:
    """The example kits of the catalogue's types (those it has), by type id."""
    data = json.loads((DATA / "kits.json").read_text(encoding="utf-8"))["kits"]
    types = {t.code: t for t in EquipmentType.objects.filter(code__in=[code.lower() for code in data])}
    lines = []
    for code, parts in data.items():
        equipment_type = types.get(code.lower())
        if equipment_type is None or equipment_type.kit_lines.exists():
            continue
        lines += [
            KitLine(equipment_type=equipment_type, part=part, name=name, quantity=quantity, position=n)
            for n, (part, name, quantity) in enumerate(parts)
        ]
    KitLine.objects.bulk_create(lines)
    kits: dict[int, list[KitLine]] = {}
    for line in KitLine.objects.order_by("position"):
        kits.setdefault(line.equipment_type_id, []).append(line)
    return kits


def seed_kits(rng: random.Random, actor, today: date) -> int:
    """The example kits, then the shortages found; returns the kit events written."""
    kits = load_kits()
    ids = list(
        Item.objects.filter(equipment_type__in=list(kits), status__in=HOLDINGS)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = sorted(rng.sample(ids, int(len(ids) * SHARE))) if ids else []
    written = 0
    for start in range(0, len(chosen), CHUNK):
        batch = LedgerBatch(actor, today=today, backdated=True)
        for item in batch.adopt(list(Item.objects.filter(pk__in=chosen[start : start + CHUNK]).order_by("pk"))):
            written += _short(rng, batch, item, kits[item.equipment_type_id], today)
        batch.flush()
    return written


def _short(rng: random.Random, batch: LedgerBatch, item: Item, lines: list[KitLine], today: date) -> int:
    first = max(batch.state_of(item).last_event_on, today - timedelta(days=540))
    if first > today:
        return 0
    found_on = first + timedelta(days=rng.randint(0, (today - first).days))
    shortages = []
    for line in rng.sample(lines, rng.choice([1, 1, 1, 2])):
        count = rng.randint(1, line.quantity)
        shortages.append({"line": line.pk, "missing" if rng.random() < 0.6 else "damaged": count})
    note = "Kiểm tra đồng bộ (ví dụ)"
    batch.record(item, KIT, occurred_on=found_on, details=kit_details(batch.state_of(item).kit, shortages, note))
    if rng.random() >= WHOLE_AGAIN or found_on >= today:
        return 1
    whole_on = found_on + timedelta(days=rng.randint(1, (today - found_on).days))
    batch.record(
        item, KIT, occurred_on=whole_on, details=kit_details(batch.state_of(item).kit, [], "Đã bổ sung đủ (ví dụ)")
    )
    return 2
