"""Edge cases found in review: each once let a valid-looking call break a promise of the ledger."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from materiel.accounts.scoping import PermissionDenied
from materiel.core.errors import DomainError
from materiel.core.numbers import parse_decimal
from materiel.equipment.models import Item, ItemMeter, Lot, Status
from materiel.ledger import asof, coefficients, services
from materiel.ledger import reorganisation as reorg
from materiel.ledger.batch import LedgerBatch
from materiel.ledger.models import Event, EventKind
from materiel.ledger.verify import verify_ledger
from materiel.units.models import Unit
from materiel.units.tree import PastTree

from .factories import make_user

D = date(2021, 5, 1)


def fresh(unit):
    return Unit.objects.get(pk=unit.pk)


def refused(field, call, *args, **kwargs):
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.field == field, caught.value.message
    return caught.value.message


@pytest.mark.parametrize(
    "text, value",
    [
        ("12.500", Decimal(12500)),
        ("1.234,5", Decimal("1234.5")),
        ("12,5", Decimal("12.5")),
        ("12.5", Decimal("12.5")),
        ("1 234", Decimal(1234)),
        ("abc", None),
        ("1E+20", Decimal("1E+20")),
        ("NaN", None),
    ],
)
def test_numbers_are_read_the_vietnamese_way(text, value):
    assert parse_decimal(text) == value


def test_meter_readings_keep_one_decimal_and_stay_verifiable(world):
    truck = services.record_receipt(
        equipment_type=world.truck, serial="UAZ-1", unit=world.district_a1, grade=1, occurred_on=D, actor=world.officer
    ).item
    kw = dict(meter="km", occurred_on=D, actor=world.officer)
    refused("value", services.record_meter_reading, truck, value="100,25", **kw)
    refused("value", services.record_meter_reading, truck, value="1E+20", **kw)
    services.record_meter_reading(truck, value="12.500", **kw)
    services.record_meter_reading(truck, value="12.500,5", **kw)
    assert ItemMeter.objects.get(item=truck).value == Decimal("12500.5")
    assert verify_ledger().ok


def test_the_receiver_cannot_reverse_a_transfer_into_the_givers_books(world, rifle_in_a1):
    a2_officer = make_user("tlkt-a2", world.district_a2)
    services.record_transfer(
        rifle_in_a1, to_unit=world.district_a2, occurred_on=D, actor=world.officer, document_number="1/BB"
    )
    event = Event.objects.visible_to(a2_officer).get(kind=EventKind.TRANSFER)
    with pytest.raises(PermissionDenied):
        services.reverse_event(event, reason="x", actor=a2_officer)
    services.reverse_event(event, reason="Nhầm", actor=world.officer)  # the province officer sees both


def test_the_receiver_cannot_reverse_a_lot_transfer_either(world):
    a2_officer = make_user("tlkt-a2", world.district_a2)
    services.record_lot_receipt(
        equipment_type=world.ammo, unit=world.district_a1, grade=1, quantity=10, occurred_on=D, actor=world.officer
    )
    _out, into = services.record_lot_transfer(
        Lot.objects.get(),
        to_unit=world.district_a2,
        quantity=4,
        occurred_on=D,
        actor=world.officer,
        document_number="3/BB",
    )
    with pytest.raises(PermissionDenied):
        services.reverse_event(into, reason="x", actor=a2_officer)


def test_lot_events_are_kept_in_date_order_so_past_quantities_never_go_negative(world):
    kw = dict(equipment_type=world.ammo, unit=world.district_a1, grade=1, actor=world.officer, lot_number="L")
    services.record_lot_receipt(quantity=10, occurred_on=date(2021, 5, 10), **kw)
    refused("occurred_on", services.record_lot_receipt, quantity=5, occurred_on=date(2021, 5, 3), **kw)
    third = services.record_lot_receipt(quantity=1, occurred_on=date(2021, 5, 12), **kw)
    services.reverse_event(third, reason="nhầm", actor=world.officer)
    lot = Lot.objects.get()
    assert lot.last_event_on == date(2021, 5, 10)
    refused(
        "occurred_on",
        services.record_lot_issue,
        lot,
        quantity=5,
        occurred_on=date(2021, 5, 4),
        actor=world.officer,
        reason="bắn",
    )
    assert all(q >= 0 for q in asof.lot_quantities_on(date(2021, 5, 11)).values())
    assert verify_ledger().ok


def test_reversing_a_lots_only_event_keeps_its_date_order(world):
    first = services.record_lot_receipt(
        equipment_type=world.ammo, unit=world.district_a1, grade=1, quantity=10, occurred_on=D, actor=world.officer
    )
    services.reverse_event(first, reason="nhầm", actor=world.officer)
    assert Lot.objects.get().last_event_on <= D


def test_a_back_dated_move_that_would_make_a_past_loop_is_refused(world, rifle_in_a1):
    reorg.move_unit(world.commune_a1, new_parent=world.province_a, on=date(2024, 1, 1), actor=world.admin)
    message = refused(
        "new_parent",
        reorg.move_unit,
        fresh(world.district_a1),
        new_parent=fresh(world.commune_a1),
        on=date(2023, 1, 1),
        actor=world.admin,
    )
    assert "nằm dưới" in message
    assert coefficients.summarise(fresh(world.region), date(2023, 6, 1)).overall.total == 1


def test_past_tree_terminates_even_on_looping_data(world):
    tree = PastTree(D)
    a1, commune = world.district_a1.pk, world.commune_a1.pk
    tree.parent[a1] = commune
    tree.children[commune].append(a1)
    assert tree.subtree(a1) == {a1, commune}
    assert len(tree.ancestors(commune)) == 2


def test_a_unit_with_a_lost_item_cannot_be_dissolved_until_it_is_written_off(world, rifle_in_a1):
    services.record_loss(rifle_in_a1, occurred_on=D, actor=world.officer, reason="mất")
    reorg.dissolve_unit(fresh(world.commune_a1), on=D, actor=world.admin)
    assert "1 trang bị" in refused("unit", reorg.dissolve_unit, fresh(world.district_a1), on=D, actor=world.admin)
    services.record_await_disposal(rifle_in_a1, occurred_on=D, actor=world.officer, reason="Xóa sổ trang bị mất")
    services.record_disposal(rifle_in_a1, occurred_on=D, actor=world.officer, reason="QĐ 5/QĐ")
    reorg.dissolve_unit(fresh(world.district_a1), on=D + timedelta(days=1), actor=world.admin)
    assert verify_ledger().ok


def test_a_reversal_cannot_return_an_item_to_a_dissolved_unit(world, rifle_in_a1):
    services.record_transfer(
        rifle_in_a1, to_unit=world.district_a2, occurred_on=D, actor=world.officer, document_number="1"
    )
    reorg.merge_units(
        [fresh(world.district_a2)],
        into=fresh(world.district_a1),
        on=date(2022, 1, 1),
        actor=world.admin,
        document="QĐ-1",
    )
    last = Event.objects.filter(item=rifle_in_a1).order_by("-id").first()
    assert "giải thể" in refused("event", services.reverse_event, last, reason="nhầm", actor=world.officer)
    assert Item.objects.get().unit == world.district_a1


def test_a_dissolution_dated_before_the_units_own_events_is_refused(world, rifle_in_a1):
    services.record_transfer(
        rifle_in_a1, to_unit=world.district_a2, occurred_on=date(2022, 1, 1), actor=world.officer, document_number="1"
    )
    assert "trực thuộc" in refused(
        "unit", reorg.dissolve_unit, fresh(world.district_a1), on=date(2019, 1, 1), actor=world.admin
    )
    reorg.dissolve_unit(fresh(world.commune_a1), on=date(2019, 1, 1), actor=world.admin)
    refused("occurred_on", reorg.dissolve_unit, fresh(world.district_a1), on=date(2019, 1, 1), actor=world.admin)
    refused("occurred_on", reorg.dissolve_unit, fresh(world.district_a1), on=date(2021, 12, 31), actor=world.admin)
    reorg.dissolve_unit(fresh(world.district_a1), on=date(2022, 3, 1), actor=world.admin)
    assert coefficients.summarise(fresh(world.province_a), date(2021, 1, 1)).overall.total == 1
    assert coefficients.summarise(fresh(world.district_a1), date(2021, 1, 1)).overall.total == 1


def test_reorganisations_cannot_be_dated_in_the_future(world):
    later = services.today() + timedelta(days=30)
    refused("occurred_on", reorg.move_unit, world.district_a1, new_parent=world.province_b, on=later, actor=world.admin)
    refused("occurred_on", reorg.rename_unit, world.district_a1, name="X", on=later, actor=world.admin)
    refused("occurred_on", reorg.dissolve_unit, world.commune_a1, on=later, actor=world.admin)


def test_batch_path_applies_the_same_rules_as_the_services(world):
    batch = LedgerBatch(world.admin)
    refused(
        "equipment_type",
        batch.receipt,
        equipment_type=world.ammo,
        serial="X",
        unit=world.district_a1,
        grade=1,
        occurred_on=D,
    )
    item = batch.receipt(equipment_type=world.rifle, serial=" B-1 ", unit=world.district_a1, grade=1, occurred_on=D)
    refused(
        "serial",
        batch.receipt,
        equipment_type=world.rifle,
        serial="B-1",
        unit=world.district_a1,
        grade=1,
        occurred_on=D,
    )
    batch.status_change(item, EventKind.AWAIT_DISPOSAL, occurred_on=D)
    refused("reason", batch.status_change, item, EventKind.DISPOSE, occurred_on=D)
    reorg.dissolve_unit(fresh(world.post_b1), on=date(2020, 1, 1), actor=world.admin)
    refused(
        "unit",
        batch.lot_receipt,
        equipment_type=world.ammo,
        unit=fresh(world.post_b1),
        grade=1,
        quantity=5,
        occurred_on=D,
    )
    batch.flush()
    assert Item.objects.get().serial == "B-1"
    refused(
        "serial",
        LedgerBatch(world.admin).receipt,
        equipment_type=world.rifle,
        serial="B-1",
        unit=world.district_a1,
        grade=1,
        occurred_on=D,
    )
    assert verify_ledger().ok


def test_batch_and_services_both_make_the_holder_searchable(world):
    batch = LedgerBatch(world.admin)
    item = batch.receipt(equipment_type=world.rifle, serial="B-1", unit=world.district_a1, grade=1, occurred_on=D)
    batch.issue(item, holder="Nguyễn Văn An", occurred_on=D)
    batch.flush()
    other = services.record_receipt(
        equipment_type=world.rifle, serial="S-1", unit=world.district_a1, grade=1, occurred_on=D, actor=world.admin
    ).item
    services.record_issue(other, holder="Nguyễn Văn An", occurred_on=D, actor=world.admin)
    found = set(Item.objects.filter(search_key__contains="nguyen van an").values_list("serial", flat=True))
    assert found == {"B-1", "S-1"}


def test_item_history_masks_what_another_subtree_recorded(client, world):
    item = services.record_receipt(
        equipment_type=world.rifle, serial="B-9", unit=world.post_b1, grade=1, occurred_on=D, actor=world.admin
    ).item
    services.record_issue(item, holder="Lò Văn Bí Mật", occurred_on=D, actor=world.admin)
    services.record_return(item, occurred_on=D, actor=world.admin)
    services.record_transfer(item, to_unit=world.district_a1, occurred_on=D, actor=world.admin, document_number="9")
    client.force_login(world.officer)
    page = client.get(f"/trang-bi/{item.pk}/").content.decode()
    assert "Lò Văn Bí Mật" not in page
    assert "ngoài phạm vi" in page and "Điều chuyển" in page
    assert str(Status.IN_SERVICE.label) in page
