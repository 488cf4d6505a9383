"""Concurrent receipts into one lot through the batch writer lose nothing (PostgreSQL, two connections)."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, connections, transaction

from materiel.equipment.models import Lot
from materiel.ledger.batch import LedgerBatch
from materiel.ledger.models import Event
from materiel.ledger.verify import verify_ledger

D = date(2021, 1, 1)
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time"),
]


def receive(world, quantity, *, hold=0.0, started=None):
    """One import's receipt of ammunition into the district's lot, in its own transaction."""
    try:
        with transaction.atomic():
            batch = LedgerBatch(world.officer)
            batch.lot_receipt(
                equipment_type=world.ammo, unit=world.district_a1, grade=1, quantity=quantity, occurred_on=D
            )
            if started is not None:
                started.set()
            time.sleep(hold)  # the first import is still writing when the second one reads the lot
            batch.flush()
    finally:
        connections.close_all()


def test_two_imports_receiving_into_one_lot_both_count(world):
    receive(world, 100)
    started = threading.Event()
    first = threading.Thread(target=receive, args=(world, 30), kwargs={"hold": 1.0, "started": started})
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=receive, args=(world, 5))
    second.start()
    first.join(30)
    second.join(30)
    lot = Lot.objects.get(unit=world.district_a1, equipment_type=world.ammo)
    assert lot.quantity == 135
    assert sum(Event.objects.filter(lot=lot).values_list("quantity", flat=True)) == 135
    assert verify_ledger().ok
