"""Quarterly snapshots: a past day's totals started from a snapshot equal the full fold of the ledger,
also after events recorded once the snapshot was built (back-dated receipt, transfer, reversal)."""

from datetime import date, timedelta

from django.utils import timezone

from materiel.accounts.models import User
from materiel.catalog.models import EquipmentType
from materiel.demo import seed as demo
from materiel.equipment.models import Item, Status
from materiel.ledger import coefficients, services, snapshots
from materiel.ledger.models import Event, EventKind, RollupSnapshot, SnapshotDay
from materiel.units.models import Unit

TODAY = date(2026, 11, 1)
DAYS = [date(2012, 3, 5), date(2021, 1, 1), date(2021, 11, 24), date(2025, 6, 30), date(2025, 7, 1), date(2026, 2, 3)]


def top_units():
    root = Unit.objects.get(parent__isnull=True)
    return [root, *Unit.objects.filter(parent=root)]


def assert_snapshots_match_the_fold():
    for day in DAYS:
        fast, full = coefficients.PastCounts(day), coefficients.PastCounts(day)
        full.by_unit  # noqa: B018 - forces the full fold
        for unit in top_units():
            expected = {k: v for k, v in full.cells(unit.pk).items() if v}
            assert fast.cells(unit.pk) == expected, (day, unit.code)
            assert (
                coefficients.summarise(unit, day, past=fast).overall
                == coefficients.summarise(unit, day, past=full).overall
            )


def assert_subtree_folds_match_the_full_fold():
    """A province's dashboard folds only the items its subtree ever held: the same counts, for it
    and for every unit below it, as folding the whole ledger."""
    for day in DAYS:
        full = coefficients.PastCounts(day)
        for province in top_units()[1:]:
            if not full.tree.exists(province.pk):
                continue  # a provincial Border Guard command after its dissolution (28/6/2025)
            within = coefficients.PastCounts(day, within=province)
            for unit_id in sorted(within.within):
                expected = {k: v for k, v in full.cells(unit_id).items() if v}
                assert {k: v for k, v in within.cells(unit_id).items() if v} == expected, (day, unit_id)
            assert within.within and within.by_unit.keys() <= within.within


def test_snapshot_totals_plus_correction_equal_the_full_fold(db):
    demo.seed(items=300, seed=5, progress=lambda _text: None, today=TODAY)
    assert SnapshotDay.objects.filter(day=date(2021, 10, 1)).exists() and RollupSnapshot.objects.exists()
    assert coefficients.PastCounts(date(2021, 11, 24)).snapshot.day == date(2021, 10, 1)
    # The reform changed the tree on 1/7/2025: a snapshot of April 2025 cannot serve September.
    assert snapshots.usable(date(2025, 9, 1)).day == date(2025, 7, 1)
    assert snapshots.usable(date(2025, 7, 1)).day == date(2025, 7, 1)
    assert_snapshots_match_the_fold()
    assert_subtree_folds_match_the_full_fold()

    # Written after the snapshots: a receipt back-dated into 2021, a transfer, then a reversal.
    admin = User.objects.get(username="hethong")
    depot = Unit.objects.get(code="lci-kho")
    rifle = EquipmentType.objects.filter(serialised=True).first()
    services.record_receipt(
        equipment_type=rifle, serial="SNAP-1", unit=depot, grade=1, occurred_on=date(2021, 5, 5), actor=admin
    )
    item = Item.objects.filter(status=Status.IN_SERVICE, holder="", unit__code="lci-kho").exclude(serial="SNAP-1")
    item = item.first()
    today = timezone.localdate()
    services.record_transfer(
        item, to_unit=Unit.objects.get(code="lci-d1"), occurred_on=today, actor=admin, document_number="1/BB"
    )
    latest = Event.objects.filter(item__status=Status.IN_SERVICE, item__holder="").exclude(kind=EventKind.RECEIPT)
    latest = latest.exclude(item=item).order_by("-id").first()
    last_of_item = Event.objects.filter(item_id=latest.item_id).order_by("-id").first()
    services.reverse_event(last_of_item, reason="Ghi nhầm", actor=admin)
    DAYS.append(today - timedelta(days=1))
    assert_snapshots_match_the_fold()
    assert_subtree_folds_match_the_full_fold()
    assert snapshots.build(today) == 0  # every quarter is stored already

    # Built again, the snapshots see those events too (a reversal before the snapshot's last event,
    # the transfer read off its "before" and "after"): still the fold's counts.
    RollupSnapshot.objects.all().delete()
    SnapshotDay.objects.all().delete()
    assert snapshots.build(today) > 0
    assert_snapshots_match_the_fold()
