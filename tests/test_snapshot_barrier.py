"""A snapshot is built through an event id below which every event is committed: on PostgreSQL a
writer still in flight holds an id below the highest visible one, and its event must not be skipped."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, connections, transaction

from materiel.ledger import services, snapshots
from materiel.ledger.models import Event

from .factories import build_world

D = date(2021, 5, 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
@pytest.mark.django_db(transaction=True)
def test_the_snapshot_horizon_waits_for_writers_in_flight():
    world = build_world()
    inserted, release = threading.Event(), threading.Event()
    written = {}

    def slow_writer():
        try:
            with transaction.atomic():
                event = services.record_receipt(
                    equipment_type=world.rifle, serial="AK-LATE", unit=world.district_a1, grade=1,
                    occurred_on=D, actor=world.officer,
                )  # fmt: skip
                written["id"] = event.pk
                inserted.set()
                release.wait(5)
                time.sleep(0.3)  # still uncommitted while the main thread asks for the horizon
        finally:
            connections.close_all()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    assert inserted.wait(5)
    # A later writer commits first, with a higher id: the highest visible id is now past the first one's.
    # (Another type, so that the two do not queue on the same rollup rows.)
    services.record_receipt(
        equipment_type=world.truck, serial="UAZ-EARLY", unit=world.district_a2, grade=2, occurred_on=D,
        actor=world.officer,
    )  # fmt: skip
    assert Event.objects.filter(pk=written["id"]).count() == 0  # not visible yet
    release.set()
    started = time.perf_counter()
    horizon = snapshots.settled_through()
    waited = time.perf_counter() - started
    writer.join(5)
    assert waited >= 0.2  # it waited for the writer in flight to commit
    assert horizon >= written["id"] and Event.objects.filter(pk__lte=horizon, pk=written["id"]).exists()
