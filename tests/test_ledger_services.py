"""Each event kind: the happy path and the rules that refuse bad input with a named field."""

from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from materiel.accounts.scoping import PermissionDenied
from materiel.core.append_only import TABLES
from materiel.core.errors import DomainError
from materiel.equipment.models import Item, ItemMeter, Lot, Status
from materiel.ledger import services
from materiel.ledger.models import AppendOnlyError, Event, EventKind, LedgerSeal, Rollup
from materiel.ledger.sealing import seal_ledger
from materiel.ledger.verify import verify_ledger

from .tampering import owner_connection

D = date(2021, 5, 1)


def rollup(unit, etype, grade, status):
    row = Rollup.objects.filter(unit=unit, equipment_type=etype, grade=grade, status=status).first()
    return row.quantity if row else 0


def refused(field, call, *args, **kwargs):
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    assert caught.value.field == field, caught.value.message
    return caught.value.message


def test_receipt_creates_item_event_and_rollups_for_every_ancestor(world, rifle_in_a1):
    item = rifle_in_a1
    assert (item.unit, item.grade, item.status) == (world.district_a1, 2, Status.IN_SERVICE)
    event = Event.objects.get(item=item)
    assert event.kind == EventKind.RECEIPT and event.recorded_by == world.officer
    for unit in (world.district_a1, world.province_a, world.region):
        assert rollup(unit, world.rifle, 2, Status.IN_SERVICE) == 1
    assert rollup(world.province_b, world.rifle, 2, Status.IN_SERVICE) == 0


def test_receipt_rules(world, rifle_in_a1):
    base = dict(equipment_type=world.rifle, unit=world.district_a1, grade=2, occurred_on=D, actor=world.officer)
    assert "đã có trong sổ" in refused("serial", services.record_receipt, **{**base, "serial": "AK123456"})
    refused("serial", services.record_receipt, **{**base, "serial": "  "})
    refused("grade", services.record_receipt, **{**base, "serial": "X1", "grade": 6})
    future = timezone.localdate() + timedelta(days=1)
    assert "tương lai" in refused(
        "occurred_on", services.record_receipt, **{**base, "serial": "X1", "occurred_on": future}
    )
    refused("unit", services.record_receipt, **{**base, "serial": "X1", "occurred_on": date(2010, 1, 1)})
    refused("equipment_type", services.record_receipt, **{**base, "serial": "X1", "equipment_type": world.ammo})
    assert Item.objects.count() == 1


def test_transfer_moves_item_and_rollups(world, rifle_in_a1):
    services.record_transfer(
        rifle_in_a1, to_unit=world.district_a2, occurred_on=D, actor=world.officer, document_number="05/BBBG"
    )
    item = Item.objects.get(pk=rifle_in_a1.pk)
    assert item.unit == world.district_a2
    assert rollup(world.district_a1, world.rifle, 2, Status.IN_SERVICE) == 0
    assert rollup(world.district_a2, world.rifle, 2, Status.IN_SERVICE) == 1
    assert rollup(world.province_a, world.rifle, 2, Status.IN_SERVICE) == 1
    event = Event.objects.get(item=item, kind=EventKind.TRANSFER)
    assert (event.from_unit, event.to_unit, event.document_number) == (world.district_a1, world.district_a2, "05/BBBG")


def test_one_event_costs_a_fixed_handful_of_statements(world, rifle_in_a1, django_assert_num_queries):
    """A form's single event is a round trip per step, whatever the kind: the item locked and read
    with its type and unit; the event inserted, its id returned by the same statement; the item
    updated; the rollups upserted; and the transaction's savepoint and release (the test's own
    transaction makes the service's atomic a savepoint). A transfer has one more: it takes the item
    out of its storage place (storage.kinds, an observer of every item event). A new round trip
    here is a regression of W1 on PostgreSQL, where each costs a network exchange."""
    item = Item.objects.get(pk=rifle_in_a1.pk)
    with django_assert_num_queries(7):
        event = services.record_transfer(
            item, to_unit=world.district_a2, occurred_on=D, actor=world.officer, document_number="05/BBBG"
        )
    assert event.pk == Event.objects.get(item=item, kind=EventKind.TRANSFER).pk
    item = Item.objects.get(pk=item.pk)
    with django_assert_num_queries(6):
        event = services.record_grade_change(item, grade=3, reason="Kiểm tra", occurred_on=D, actor=world.officer)
    assert event.pk == Event.objects.get(item=item, kind=EventKind.GRADE_CHANGE).pk


def test_transfer_rules(world, rifle_in_a1):
    base = dict(occurred_on=D, actor=world.officer, document_number="1/BB")
    refused("to_unit", services.record_transfer, rifle_in_a1, to_unit=world.district_a1, **base)
    refused(
        "document_number",
        services.record_transfer,
        rifle_in_a1,
        to_unit=world.district_a2,
        **{**base, "document_number": ""},
    )
    refused(
        "occurred_on",
        services.record_transfer,
        rifle_in_a1,
        to_unit=world.district_a2,
        **{**base, "occurred_on": date(2020, 3, 1)},
    )
    services.record_issue(rifle_in_a1, holder="Nguyễn Văn Hùng", occurred_on=D, actor=world.officer)
    assert "thu hồi" in refused("item", services.record_transfer, rifle_in_a1, to_unit=world.district_a2, **base)


def test_disposed_item_cannot_be_transferred(world, rifle_in_a1):
    services.record_await_disposal(rifle_in_a1, occurred_on=D, actor=world.officer, reason="Hỏng nặng")
    services.record_disposal(rifle_in_a1, occurred_on=D, actor=world.officer, reason="QĐ 12/QĐ-TL")
    message = refused(
        "item",
        services.record_transfer,
        rifle_in_a1,
        to_unit=world.district_a2,
        occurred_on=D,
        actor=world.officer,
        document_number="1/BB",
    )
    assert "Đã thanh lý" in message
    assert rollup(world.province_a, world.rifle, 2, Status.DISPOSED) == 1


def test_disposal_needs_awaiting_disposal_and_a_reason(world, rifle_in_a1):
    refused("reason", services.record_disposal, rifle_in_a1, occurred_on=D, actor=world.officer)
    refused("item", services.record_disposal, rifle_in_a1, occurred_on=D, actor=world.officer, reason="QĐ")


def test_grade_change_needs_a_new_grade_and_a_reason(world, rifle_in_a1):
    refused("grade", services.record_grade_change, rifle_in_a1, grade=2, reason="x", occurred_on=D, actor=world.officer)
    refused(
        "reason", services.record_grade_change, rifle_in_a1, grade=3, reason=" ", occurred_on=D, actor=world.officer
    )
    services.record_grade_change(
        rifle_in_a1,
        grade=3,
        reason="Kiểm tra kỹ thuật",
        occurred_on=D,
        actor=world.officer,
        inspection="BB kiểm tra 03/2021",
    )
    event = Event.objects.get(kind=EventKind.GRADE_CHANGE)
    assert (event.grade_before, event.grade_after, event.details["inspection"]) == (2, 3, "BB kiểm tra 03/2021")


def test_status_cycle_repair_seal_loss_found(world, rifle_in_a1):
    item = rifle_in_a1
    services.record_repair_start(item, occurred_on=D, actor=world.officer)
    refused("item", services.record_seal, item, occurred_on=D, actor=world.officer)
    services.record_repair_end(item, occurred_on=D, actor=world.officer, grade=1)
    assert Item.objects.get(pk=item.pk).grade == 1
    services.record_seal(item, occurred_on=D, actor=world.officer)
    services.record_unseal(item, occurred_on=D, actor=world.officer)
    services.record_loss(item, occurred_on=D, actor=world.officer, reason="Mất khi tuần tra")
    services.record_found(item, occurred_on=D, actor=world.officer)
    assert Item.objects.get(pk=item.pk).status == Status.IN_SERVICE
    assert verify_ledger().ok


def test_meter_readings_cannot_run_backwards_or_use_a_foreign_meter(world):
    truck = services.record_receipt(
        equipment_type=world.truck, serial="UAZ-01", unit=world.district_a1, grade=1, occurred_on=D, actor=world.officer
    ).item
    services.record_meter_reading(truck, meter="km", value="12.500", occurred_on=D, actor=world.officer)
    assert ItemMeter.objects.get(item=truck, meter="km").value == 12500
    assert "chạy lùi" in refused(
        "value", services.record_meter_reading, truck, meter="km", value=12000, occurred_on=D, actor=world.officer
    )
    refused("meter", services.record_meter_reading, truck, meter="rounds", value=1, occurred_on=D, actor=world.officer)


def test_lots_cannot_go_negative(world):
    services.record_lot_receipt(
        equipment_type=world.ammo,
        unit=world.district_a1,
        grade=1,
        quantity=1000,
        occurred_on=D,
        actor=world.officer,
        lot_number="L1",
    )
    lot = Lot.objects.get()
    assert "chỉ còn 1.000" in refused(
        "quantity",
        services.record_lot_issue,
        lot,
        quantity=1001,
        occurred_on=D,
        actor=world.officer,
        reason="Bắn đạn thật",
    )
    refused("quantity", services.record_lot_issue, lot, quantity=0, occurred_on=D, actor=world.officer, reason="x")
    services.record_lot_issue(lot, quantity=400, occurred_on=D, actor=world.officer, reason="Huấn luyện bắn")
    services.record_lot_transfer(
        lot, to_unit=world.district_a2, quantity=100, occurred_on=D, actor=world.officer, document_number="7/BB"
    )
    services.record_lot_regrade(lot, grade=3, quantity=50, occurred_on=D, actor=world.officer, reason="Kiểm tra")
    quantities = {(lot.unit.code, lot.grade): lot.quantity for lot in Lot.objects.select_related("unit")}
    assert quantities == {("huyen-a1", 1): 450, ("huyen-a2", 1): 100, ("huyen-a1", 3): 50}
    assert rollup(world.province_a, world.ammo, 1, Status.IN_SERVICE) == 550
    assert verify_ledger().ok


def test_actor_outside_scope_or_without_the_role_is_refused(world, rifle_in_a1):
    with pytest.raises(PermissionDenied):
        services.record_transfer(
            rifle_in_a1, to_unit=world.district_a2, occurred_on=D, actor=world.outsider, document_number="1"
        )
    with pytest.raises(PermissionDenied):
        services.record_transfer(
            rifle_in_a1, to_unit=world.post_b1, occurred_on=D, actor=world.officer, document_number="1"
        )
    with pytest.raises(PermissionDenied):
        services.record_grade_change(rifle_in_a1, grade=3, reason="x", occurred_on=D, actor=world.commander)
    assert Event.objects.count() == 1


def test_stale_version_is_a_conflict(world, rifle_in_a1):
    services.record_issue(rifle_in_a1, holder="A", occurred_on=D, actor=world.officer, expected_version=1)
    with pytest.raises(services.ConflictError):
        services.record_return(rifle_in_a1, occurred_on=D, actor=world.officer, expected_version=1)


def test_reversal_restores_the_state_and_keeps_the_original(world, rifle_in_a1):
    transfer = services.record_transfer(
        rifle_in_a1, to_unit=world.district_a2, occurred_on=D, actor=world.officer, document_number="9/BB"
    )
    refused("reason", services.reverse_event, transfer, reason="", actor=world.officer)
    services.reverse_event(transfer, reason="Ghi nhầm đơn vị nhận", actor=world.officer)
    item = Item.objects.get(pk=rifle_in_a1.pk)
    assert item.unit == world.district_a1
    assert Event.objects.filter(item=item).count() == 3
    assert rollup(world.district_a2, world.rifle, 2, Status.IN_SERVICE) == 0
    assert "đã được hủy" in refused("event", services.reverse_event, transfer, reason="x", actor=world.officer)
    # The transfer can now be recorded again on its (original) date.
    services.record_transfer(
        item, to_unit=world.district_a2, occurred_on=D, actor=world.officer, document_number="9/BB"
    )
    assert verify_ledger().ok


def test_only_the_latest_event_can_be_reversed(world, rifle_in_a1):
    grade = services.record_grade_change(rifle_in_a1, grade=3, reason="KT", occurred_on=D, actor=world.officer)
    services.record_issue(rifle_in_a1, holder="B", occurred_on=D, actor=world.officer)
    refused("event", services.reverse_event, grade, reason="nhầm", actor=world.officer)


def test_reversed_receipt_leaves_every_count_and_frees_the_serial(world, rifle_in_a1):
    receipt = Event.objects.get(item=rifle_in_a1)
    services.reverse_event(receipt, reason="Nhập trùng", actor=world.officer)
    assert Item.objects.get(pk=rifle_in_a1.pk).status == Status.VOID
    assert rollup(world.region, world.rifle, 2, Status.IN_SERVICE) == 0
    services.record_receipt(
        equipment_type=world.rifle,
        serial="AK123456",
        unit=world.district_a1,
        grade=2,
        occurred_on=D,
        actor=world.officer,
    )
    assert verify_ledger().ok


def test_reversing_a_meter_reading_restores_the_previous_one(world):
    truck = services.record_receipt(
        equipment_type=world.truck, serial="UAZ-02", unit=world.district_a1, grade=1, occurred_on=D, actor=world.officer
    ).item
    services.record_meter_reading(truck, meter="km", value=100, occurred_on=D, actor=world.officer)
    wrong = services.record_meter_reading(truck, meter="km", value=90000, occurred_on=D, actor=world.officer)
    services.reverse_event(wrong, reason="Gõ thừa số 0", actor=world.officer)
    assert ItemMeter.objects.get(item=truck, meter="km").value == 100
    assert verify_ledger().ok


def test_lot_transfer_is_reversed_as_a_whole(world):
    services.record_lot_receipt(
        equipment_type=world.ammo, unit=world.district_a1, grade=1, quantity=10, occurred_on=D, actor=world.officer
    )
    out, _into = services.record_lot_transfer(
        Lot.objects.get(),
        to_unit=world.district_a2,
        quantity=4,
        occurred_on=D,
        actor=world.officer,
        document_number="3/BB",
    )
    services.reverse_event(out, reason="Nhầm", actor=world.officer)
    assert sorted(Lot.objects.values_list("quantity", flat=True)) == [0, 10]
    assert verify_ledger().ok


def test_events_are_append_only_at_every_level(world, rifle_in_a1):
    event = Event.objects.get(item=rifle_in_a1)
    event.reason = "sửa"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()


def test_the_database_refuses_raw_update_and_delete_of_events_and_seals(world, rifle_in_a1, settings):
    """Triggers on both databases (PostgreSQL ledger/0002 and 0008, SQLite ledger/0008)."""
    from django.db import DatabaseError

    seal = seal_ledger(settle=timedelta(0))
    with pytest.raises(AppendOnlyError):
        LedgerSeal.objects.filter(pk=seal.pk).update(digest="x")
    with pytest.raises(AppendOnlyError):
        seal.delete()
    for table in ("ledger_event", "ledger_ledgerseal"):
        for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
            # SQLite's trigger, or on PostgreSQL the application role's missing privilege (the
            # trigger behind it: test_the_triggers_refuse_truncate_update_and_delete_even_to_the_owner)
            refused = pytest.raises(DatabaseError, match="append-only|permission denied")
            with refused, transaction.atomic(), connection.cursor() as c:
                c.execute(sql)
    assert Event.objects.count() == 1 and LedgerSeal.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and TRUNCATE are PostgreSQL's")
def test_the_application_role_can_neither_truncate_nor_switch_the_triggers_off(world, rifle_in_a1):
    """The tests connect as the application does, as a role that owns no table (with-postgres.sh)."""
    from django.db import DatabaseError

    attempts = [f"TRUNCATE {table} CASCADE" for table in TABLES] + [
        "ALTER TABLE ledger_event DISABLE TRIGGER ALL",
        "SET session_replication_role = replica",
        "DROP TRIGGER ledger_event_no_update_delete ON ledger_event",
    ]
    for sql in attempts:
        refused = pytest.raises(DatabaseError, match="permission denied|must be owner")
        with refused, transaction.atomic(), connection.cursor() as c:
            c.execute(sql)
    assert Event.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
@pytest.mark.django_db(transaction=True)
def test_the_triggers_refuse_truncate_update_and_delete_even_to_the_owner(world, rifle_in_a1):
    from django.db import DatabaseError

    seal_ledger(settle=timedelta(0))
    attempts = [f"TRUNCATE {table} CASCADE" for table in TABLES]  # a statement trigger: rows or none
    attempts += [
        f"{sql} {table}" for table in ("ledger_event", "ledger_ledgerseal") for sql in ("DELETE FROM", "UPDATE")
    ]
    with owner_connection() as owner:
        for sql in attempts:
            sql += " SET id = id" if sql.startswith("UPDATE") else ""
            with pytest.raises(DatabaseError, match="append-only"), owner.cursor() as c:
                c.execute(sql)
    assert Event.objects.count() == 1


def test_many_items_in_one_batch_write_what_the_single_services_would(world):
    """ManyItems (bulk actions, handovers of a list): two events on one item in the same batch, the
    chains, projections and rollups as `verify` expects them, and the next single event follows on."""
    rifles = [
        services.record_receipt(
            equipment_type=world.rifle, serial=f"AK-{n}", unit=world.district_a1, grade=2,
            occurred_on=D, actor=world.officer,
        ).item
        for n in range(3)
    ]  # fmt: skip
    today = timezone.localdate()
    with transaction.atomic():
        many = services.ManyItems(rifles, actor=world.officer)
        for item in many.items:
            many.transfer(item, to_unit=world.district_a2, occurred_on=today, document_number=" 7/BB ")
        many.grade_change(many.items[0], grade=3, reason="Kiểm tra", occurred_on=today)
        events = many.save()
    assert [e.kind for e in events] == [EventKind.TRANSFER] * 3 + [EventKind.GRADE_CHANGE]
    assert all(Event.objects.get(pk=e.pk).hash == e.hash for e in events)
    assert events[0].document_number == "7/BB" and events[0].from_unit_id == world.district_a1.pk
    first = Item.objects.get(pk=rifles[0].pk)
    assert (first.unit_id, first.grade, first.version, first.chain_head) == (world.district_a2.pk, 3, 3, events[3].hash)
    assert Item.objects.filter(unit=world.district_a2).count() == 3
    assert rollup(world.district_a1, world.rifle, 2, Status.IN_SERVICE) == 0
    assert rollup(world.district_a2, world.rifle, 2, Status.IN_SERVICE) == 2
    assert rollup(world.district_a2, world.rifle, 3, Status.IN_SERVICE) == 1
    assert rollup(world.province_a, world.rifle, 2, Status.IN_SERVICE) == 2
    # The single services carry on from the chain heads the batch left.
    services.record_grade_change(first, grade=2, reason="Sửa xong", occurred_on=today, actor=world.officer)
    assert verify_ledger().ok


def test_many_items_refuse_as_a_whole(world):
    rifle = services.record_receipt(
        equipment_type=world.rifle, serial="AK-9", unit=world.district_a1, grade=2, occurred_on=D, actor=world.officer
    ).item
    with pytest.raises(services.ConflictError), transaction.atomic():
        services.ManyItems([rifle], actor=world.officer, versions={rifle.pk: rifle.version - 1})
    with pytest.raises(PermissionDenied), transaction.atomic():
        many = services.ManyItems([rifle], actor=world.outsider)
        many.grade_change(many.items[0], grade=3, reason="x", occurred_on=D)
    with pytest.raises(DomainError), transaction.atomic():
        many = services.ManyItems([rifle], actor=world.officer)
        many.grade_change(many.items[0], grade=3, reason="Kiểm tra", occurred_on=D)
        many.transfer(many.items[0], to_unit=world.district_a1, occurred_on=D, document_number="1/BB")  # same unit
    assert Event.objects.filter(item=rifle).count() == 1 and Item.objects.get(pk=rifle.pk).grade == 2
