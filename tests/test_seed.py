"""The demo data set: realistic, deterministic, and verifiable."""

from datetime import date, timedelta

from django.db import connection, transaction

from materiel.counts.models import Campaign, CountLine
from materiel.demo import seed as demo
from materiel.equipment.models import Item, Status
from materiel.inspections.compliance import compliance
from materiel.inspections.models import CorrectiveAction, ItemReadiness, Result, Run
from materiel.ledger.models import Event, LedgerSeal
from materiel.ledger.verify import verify_ledger
from materiel.people.models import Course, Initiative, Membership, Person
from materiel.storage.models import DepotReading, ItemPlace
from materiel.units.models import Unit, UnitChange
from materiel.workorders.models import WorkOrder

TODAY = date(2026, 11, 1)


def fingerprint():
    return (
        Unit.objects.count(),
        list(Item.objects.order_by("id").values_list("serial", "unit__code", "grade", "status")),
        Event.objects.count(),
    )


def statistics_rows(table: str) -> int:
    """Rows of planner statistics about `table` (pg_stats, or SQLite's sqlite_stat1)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = %s", [table])
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone()[0]:
                return 0
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        return cursor.fetchone()[0]


def test_seed_builds_the_2025_reform_and_verifies(db):
    demo.seed(items=400, seed=7, progress=lambda _text: None, today=TODAY)
    assert verify_ledger().ok
    # Written in bulk, then analysed: nothing after it is planned from an empty table's statistics.
    assert statistics_rows("ledger_event") > 0 and statistics_rows("equipment_item") > 0
    assert LedgerSeal.objects.exists()
    districts = Unit.objects.filter(kind__code="district-command")
    assert districts.exists() and not districts.filter(dissolved_on__isnull=True).exists()
    assert Unit.objects.filter(kind__code="regional-defence-command", founded_on=demo.REFORM).count() >= 9
    assert UnitChange.objects.filter(kind="move", occurred_on=demo.REFORM).exists()
    assert Unit.objects.filter(name="Phòng Hậu cần – Kỹ thuật").count() == 3
    # The technical staff moved with their district command to the regional command on the reform day,
    # and none is left in a dissolved unit; their training history runs over the years.
    assert Membership.objects.filter(unit__in=districts, valid_to=demo.REFORM).exists()
    assert Person.objects.count() == demo.staff_for(400)
    assert not Person.objects.filter(unit__dissolved_on__isnull=False).exists()
    assert Course.objects.filter(ends_on__lt=date(2014, 1, 1)).exists() and Initiative.objects.exists()
    reform_transfers = Event.objects.filter(kind="transfer", occurred_on=demo.REFORM, from_unit__in=districts)
    assert reform_transfers.exists()
    assert not Item.objects.filter(unit__in=districts, status__in=[Status.IN_SERVICE, Status.SEALED]).exists()
    # The register's own life (the vehicles' maintenance visits and their readings counted apart).
    register = Event.objects.filter(item__isnull=False).exclude(kind__in=["maintenance_done", "meter_reading"])
    assert 3 <= register.count() / Item.objects.count() <= 9
    # 15 years of maintenance through the writer (verified above), and an order for every repair.
    assert Event.objects.filter(kind="maintenance_done", occurred_on__lt=date(2013, 1, 1)).exists()
    repairs = Event.objects.filter(kind="repair_start").count()
    from_inspections = Result.objects.filter(work_order__isnull=False).values("work_order")
    assert repairs and WorkOrder.objects.filter(kind="repair").exclude(pk__in=from_inspections).count() == repairs
    assert Event.objects.filter(occurred_on__lt=date(2012, 1, 1)).exists()
    # Depots and weapon rooms hold items moved in by relocation events (replayed by verify above).
    placed = ItemPlace.objects.select_related("place", "item")
    assert placed.count() == Event.objects.filter(kind="relocation").count() > 0
    assert all(row.place.unit_id == row.item.unit_id for row in placed)
    # The depots keep condition logs: most alarms answered, the last days' still open.
    alarms = DepotReading.objects.exclude(alarm="")
    assert DepotReading.objects.count() > 300 and alarms.filter(acknowledgement__isnull=False).exists()
    assert alarms.filter(acknowledgement__isnull=True).exists()
    # The places were inspected as the example matrix asks, with gaps; last week's run found faults.
    report = compliance(
        demo.system_user(), Unit.objects.get(parent__isnull=True), TODAY - timedelta(days=365), TODAY, today=TODAY
    )
    assert report.total.done > 0 and report.total.missed > 0
    assert (
        Run.objects.filter(duty__isnull=False).count()
        == report.total.runs + Run.objects.filter(inspected_on__lt=TODAY - timedelta(days=365)).count()
    )
    assert not Run.objects.filter(inspected_on__gt=TODAY).exists()  # a year's period runs past today
    assert ItemReadiness.objects.exists() and from_inspections.exists()
    assert CorrectiveAction.objects.filter(closed_on__isnull=True, deadline__lt=TODAY).exists()
    # Last year's count campaign is closed, its events dated its reference date; this year's runs.
    closed, current = Campaign.objects.order_by("reference_date")
    assert closed.state == "closed" and not closed.sheets.exclude(state="approved").exists()
    written = Event.objects.filter(pk__in=CountLine.objects.values("event"))
    assert set(written.values_list("kind", flat=True)) == {"lose", "grade_change"}
    assert set(written.values_list("occurred_on", flat=True)) == {closed.reference_date}
    assert current.state == "open" and current.sheets.filter(state="submitted").count() == 1
    assert current.sheets.filter(state="not_started").exists()


def test_same_seed_same_data(db):
    fingerprints = []
    for _ in range(2):
        with transaction.atomic():
            demo.seed(items=150, seed=3, progress=lambda _text: None, today=TODAY)
            fingerprints.append(fingerprint())
            transaction.set_rollback(True)
    assert fingerprints[0] == fingerprints[1]
    assert fingerprints[0][0] > 200 and fingerprints[0][2] > 150
