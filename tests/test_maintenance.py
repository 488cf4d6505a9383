"""Maintenance plans and the due projection: whichever trigger comes first, the tolerance, a
maintenance resetting its plan's row and a reversal putting it back, `materiel verify` proving every
row, the rule's refusals and permissions (docs/maintenance.md)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from materiel.accounts.scoping import PermissionDenied
from materiel.core.errors import DomainError
from materiel.equipment.models import Item
from materiel.ledger import kinds, services
from materiel.ledger.verify import verify_ledger
from materiel.maintenance import board, due
from materiel.maintenance.models import DueState, MaintenancePlan, State
from materiel.maintenance.services import record_maintenance, save_plan

TODAY = timezone.localdate()
RECEIVED = TODAY - timedelta(days=400)


def plan_of(world, **norm):
    values = {"every_km": 5000, "every_days": 180, "tolerance_percent": Decimal(10), "statuses": ["in_service"]}
    values.update(norm)
    return save_plan(
        actor=world.officer,
        equipment_type=world.truck,
        name=values.pop("name", "Bảo dưỡng cấp 1"),
        starts_on=values.pop("starts_on", RECEIVED),
        **values,
    )


@pytest.fixture
def truck(world):
    return services.record_receipt(
        equipment_type=world.truck, serial="XE-0001", unit=world.district_a1, grade=2, occurred_on=RECEIVED,
        actor=world.officer,
    ).item  # fmt: skip


def read(truck, world, plan) -> DueState:
    board.current_rows(world.officer, world.province_a).count()  # the board's read rebuilds stale rows
    return DueState.objects.get(item=truck, plan=plan)


def reading(truck, world, value, on):
    return services.record_meter_reading(truck, meter="km", value=Decimal(value), occurred_on=on, actor=world.officer)


# -- the rule at its boundaries ------------------------------------------------------------------------
@given(
    interval=st.integers(1, 100_000),
    used=st.integers(0, 250_000),
    tolerance=st.integers(0, 50),
    soon=st.integers(0, 50),
)
def test_a_meter_is_due_from_its_interval_and_overdue_only_past_the_tolerance(interval, used, tolerance, soon):
    state = due.classify(Decimal(used), Decimal(interval), Decimal(tolerance), Decimal(soon))
    limit = Decimal(interval) * (1 + Decimal(tolerance) / 100)
    assert (state == State.OVERDUE) == (used > limit)
    assert (state in (State.DUE, State.OVERDUE)) == (used >= interval)
    if used < interval:
        assert (state == State.SOON) == (used >= Decimal(interval) * (1 - Decimal(soon) / 100))


@given(
    days=st.integers(1, 3000),
    elapsed=st.integers(0, 6000),
    tolerance=st.integers(0, 50),
    soon=st.integers(0, 50),
    soon_days=st.integers(0, 60),
)
def test_the_calendar_dates_say_what_counting_the_days_says(days, elapsed, tolerance, soon, soon_days):
    base = date(2020, 1, 1)
    soon_on, due_on, overdue_on = due.calendar_dates(base, days, Decimal(tolerance), Decimal(soon), soon_days)
    day = base + timedelta(days=elapsed)
    counted = due.classify(Decimal(elapsed), Decimal(days), Decimal(tolerance), Decimal(soon))
    by_dates = (
        State.OVERDUE if day >= overdue_on else State.DUE if day >= due_on else State.SOON if day >= soon_on else None
    )
    if counted in (State.OVERDUE, State.DUE):
        assert by_dates == counted
    elif counted == State.SOON:
        assert by_dates == State.SOON
    else:  # not yet soon by the share of the interval; soon only within soon_days of the due date
        assert by_dates == (State.SOON if day >= due_on - timedelta(days=soon_days) else None)


@given(km=st.integers(0, 12_000), days=st.integers(1, 400))  # a reading on the first day is the start
def test_whichever_trigger_comes_first_decides(km, days):
    plan = MaintenancePlan(
        pk=1, every_km=Decimal(5000), every_days=180, tolerance_percent=Decimal(10), soon_percent=Decimal(10),
        soon_days=14, statuses=["in_service"], starts_on=date(2020, 1, 1),
    )  # fmt: skip
    history = due.History(received_on=date(2020, 1, 1), status="in_service")
    history.readings["km"] = [
        (date(2020, 1, 1), Decimal(1000)),
        (date(2020, 1, 1) + timedelta(days=days), Decimal(1000 + km)),
    ]
    row = DueState(**due.compute(plan, history))
    day = date(2020, 1, 1) + timedelta(days=days)
    by_km = due.classify(Decimal(km), Decimal(5000), Decimal(10), Decimal(10))
    by_days = due.classify(Decimal(days), Decimal(180), Decimal(10), Decimal(10))
    expected = max(by_km, by_days, key=due.RANK.get)
    assert due.state_on(row, day) == expected or (
        expected == State.OK and due.state_on(row, day) == State.SOON  # projected within 14 days
    )


# -- the projection in the ledger -----------------------------------------------------------------------
def test_a_truck_never_maintained_counts_from_the_plan_start_and_is_overdue_by_the_calendar(world, truck):
    plan = plan_of(world)
    row = read(truck, world, plan)
    assert row.last_done_on is None and row.base_on == RECEIVED
    assert row.next_on == RECEIVED + timedelta(days=180)
    assert due.state_on(row, TODAY) == State.OVERDUE and due.trigger_on(row, TODAY) == "days"


def test_recording_the_maintenance_resets_its_row_and_the_reversal_puts_it_back(world, truck):
    plan = plan_of(world)
    reading(truck, world, 10_000, RECEIVED)
    reading(truck, world, 14_800, TODAY - timedelta(days=30))
    before = read(truck, world, plan)
    assert due.state_on(before, TODAY) == State.OVERDUE
    assert before.meters["km"] == {"done": "10000.0", "next": "15000.0", "now": "14800.0"}
    event = record_maintenance(truck, plan=plan, occurred_on=TODAY - timedelta(days=10), actor=world.officer)
    assert event.kind == "maintenance_done" and event.details == {"plan": plan.pk}
    truck.refresh_from_db()
    after = DueState.objects.get(item=truck, plan=plan)  # kept by the kind's projection, no read needed
    assert after.item_version == truck.version
    assert after.last_done_on == TODAY - timedelta(days=10)
    assert after.meters["km"]["next"] == "19800.0"
    assert due.state_on(after, TODAY) == State.OK
    assert verify_ledger().ok
    services.reverse_event(event, reason="Ghi nhầm", actor=world.officer)
    truck.refresh_from_db()
    back = DueState.objects.get(item=truck, plan=plan)
    assert back.item_version == truck.version
    assert back.last_done_on is None and due.state_on(back, TODAY) == State.OVERDUE
    assert {f: getattr(back, f) for f in due.FIELDS} == {f: getattr(before, f) for f in due.FIELDS}
    assert verify_ledger().ok


def test_meter_readings_move_the_row_and_project_the_due_date_from_the_usage_rate(world, truck):
    plan = plan_of(world, every_days=None, every_km=5000)
    reading(truck, world, 1000, RECEIVED)
    reading(truck, world, 2000, TODAY - timedelta(days=60))
    reading(truck, world, 4000, TODAY - timedelta(days=20))  # 2 000 km in 40 days: 50 km a day
    row = read(truck, world, plan)
    assert row.meter_state == State.OK  # 3 000 of 5 000 km
    assert row.projected_on == TODAY - timedelta(days=20) + timedelta(days=40)
    assert row.projected_trigger == "km"
    reading(truck, world, 5600, TODAY - timedelta(days=1))
    row = read(truck, world, plan)
    assert row.meter_state == State.SOON and row.meter_trigger == "km"  # 4 600: within 10 % of the interval


def test_a_plan_applies_only_to_the_statuses_it_names(world, truck):
    in_service = plan_of(world)
    sealed = plan_of(world, name="Nổ máy xe niêm cất", every_km=None, every_days=90, statuses=["sealed"])
    assert read(truck, world, in_service).applies and not read(truck, world, sealed).applies
    services.record_seal(truck, occurred_on=TODAY, actor=world.officer)
    assert not read(truck, world, in_service).applies and read(truck, world, sealed).applies
    listed = board.board_rows(world.officer, world.province_a, {})
    assert [r.plan_id for r in listed] == [sealed.pk]


def test_sealing_starts_the_cycle_of_a_sealed_storage_plan_and_unsealing_ends_it(world, truck):
    """Niêm cất: the run-up every 90 days counts from the day the truck was sealed, not from its
    receipt 400 days ago; a run-up of an earlier sealed spell does not carry over."""
    sealed = plan_of(world, name="Nổ máy xe niêm cất", every_km=None, every_days=90, statuses=["sealed"])
    seal_day = TODAY - timedelta(days=60)
    services.record_seal(truck, occurred_on=seal_day, actor=world.officer)
    row = read(truck, world, sealed)
    assert row.applies and row.base_on == seal_day and row.next_on == seal_day + timedelta(days=90)
    assert due.state_on(row, TODAY) != State.OVERDUE
    record_maintenance(
        Item.objects.get(pk=truck.pk), plan=sealed, occurred_on=TODAY - timedelta(days=30), actor=world.officer
    )
    assert read(truck, world, sealed).base_on == TODAY - timedelta(days=30)
    services.record_unseal(Item.objects.get(pk=truck.pk), occurred_on=TODAY - timedelta(days=20), actor=world.officer)
    assert not read(truck, world, sealed).applies
    services.record_seal(Item.objects.get(pk=truck.pk), occurred_on=TODAY - timedelta(days=10), actor=world.officer)
    assert read(truck, world, sealed).base_on == TODAY - timedelta(days=10)  # a new spell, a new cycle
    assert verify_ledger().ok


def test_verify_catches_a_tampered_due_row(world, truck):
    plan = plan_of(world)
    read(truck, world, plan)
    assert verify_ledger().ok
    DueState.objects.filter(item=truck).update(next_on=TODAY + timedelta(days=365))
    report = verify_ledger()
    assert not report.ok
    assert any("Hạn bảo dưỡng trang bị" in p and "next_on" in p for p in report.problems)
    # A row hidden as stale (never shown: the board rebuilds it) is still proved against its events.
    DueState.objects.filter(item=truck).update(item_version=1, meter_state=State.OVERDUE)
    assert any("meter_state" in p for p in verify_ledger().problems)
    DueState.objects.filter(item=truck).update(item_version=99)
    assert any("tính từ 99 sự kiện" in p for p in verify_ledger().problems)


def test_maintenance_of_a_disposed_item_or_by_another_types_plan_or_in_the_future_is_refused(world, truck):
    plan = plan_of(world)
    rifle_plan = save_plan(
        actor=world.officer, equipment_type=world.rifle, name="Lau chùi", every_days=7, statuses=["in_service"]
    )
    with pytest.raises(DomainError) as refused:
        record_maintenance(truck, plan=rifle_plan, occurred_on=TODAY, actor=world.officer)
    assert refused.value.field == "plan"
    with pytest.raises(DomainError) as refused:
        record_maintenance(truck, plan=plan, occurred_on=TODAY + timedelta(days=1), actor=world.officer)
    assert refused.value.field == "occurred_on"
    with pytest.raises(DomainError) as refused:
        record_maintenance(truck, plan=plan, occurred_on=RECEIVED - timedelta(days=1), actor=world.officer)
    assert refused.value.field == "occurred_on"
    services.record_await_disposal(truck, occurred_on=TODAY, actor=world.officer, reason="Hết niên hạn")
    services.record_disposal(truck, occurred_on=TODAY, actor=world.officer, reason="Quyết định thanh lý")
    with pytest.raises(DomainError) as refused:
        record_maintenance(truck, plan=plan, occurred_on=TODAY, actor=world.officer)
    assert refused.value.field == "item" and "thanh lý" in refused.value.message


def test_the_kind_is_the_maintenance_apps_and_needs_ledger_record(world, truck):
    kind = kinds.get("maintenance_done")
    assert kind.app == "maintenance" and kind.action == "ledger.record" and str(kind.label) == "Bảo dưỡng xong"
    plan = plan_of(world)
    with pytest.raises(PermissionDenied):
        record_maintenance(truck, plan=plan, occurred_on=TODAY, actor=world.commander)
    with pytest.raises(PermissionDenied):
        record_maintenance(truck, plan=plan, occurred_on=TODAY, actor=world.outsider)
    with pytest.raises(DomainError) as refused:
        services.record("maintenance_done", truck, actor=world.officer, occurred_on=TODAY, details={"note": "x"})
    assert refused.value.field == "plan"


def test_plans_are_edited_by_catalogue_managers_in_vietnamese(world):
    with pytest.raises(PermissionDenied):
        save_plan(
            actor=world.commander, equipment_type=world.truck, name="Cấp 1", every_days=30, statuses=["in_service"]
        )
    with pytest.raises(DomainError) as refused:
        save_plan(actor=world.officer, equipment_type=world.truck, name="Cấp 1", statuses=["in_service"])
    assert refused.value.field == "every_days"
    with pytest.raises(DomainError) as refused:
        save_plan(actor=world.officer, equipment_type=world.rifle, name="Cấp 1", every_km=100, statuses=["in_service"])
    assert refused.value.field == "every_km" and "không theo dõi số km" in refused.value.message
    plan = plan_of(world)
    with pytest.raises(DomainError) as refused:
        plan_of(world, name="bảo dưỡng cấp 1")
    assert refused.value.field == "name"
    assert plan.soon_percent == 10 and plan.soon_days == 14


def test_editing_a_plan_rebuilds_its_rows_by_the_new_norm(world, truck):
    plan = plan_of(world)
    assert read(truck, world, plan).next_on == RECEIVED + timedelta(days=180)
    save_plan(
        actor=world.officer, equipment_type=world.truck, name=plan.name, every_km=5000, every_days=720,
        statuses=["in_service"], plan=plan,
    )  # fmt: skip
    assert read(truck, world, plan).next_on == RECEIVED + timedelta(days=720)
    assert verify_ledger().ok


def test_many_maintenances_and_readings_in_one_writer_are_all_or_nothing(world, truck):
    plan = plan_of(world)
    other = services.record_receipt(
        equipment_type=world.truck, serial="XE-0002", unit=world.district_a2, grade=2, occurred_on=RECEIVED,
        actor=world.officer,
    ).item  # fmt: skip
    with pytest.raises(DomainError), transaction.atomic():
        writer = services.Writer([truck, other], actor=world.officer)
        writer.meter_reading(writer.items[0], meter="km", value=Decimal(3000), occurred_on=TODAY)
        writer.record(writer.items[0], "maintenance_done", occurred_on=TODAY, details={"plan": plan.pk})
        writer.record(writer.items[1], "maintenance_done", occurred_on=TODAY + timedelta(days=1),
                      details={"plan": plan.pk})  # fmt: skip
    assert not truck.events.filter(kind="maintenance_done").exists()
    with transaction.atomic():
        writer = services.Writer([truck, other], actor=world.officer)
        writer.meter_reading(writer.items[0], meter="km", value=Decimal(3000), occurred_on=TODAY)
        for item in writer.items:
            writer.record(
                item, "maintenance_done", occurred_on=TODAY, details={"plan": plan.pk, "note": "Ngày kỹ thuật"}
            )
        writer.save()
    states = {r.item.serial: r.state for r in board.board_rows(world.officer, world.province_a, {})}
    assert states == {"XE-0001": State.OK, "XE-0002": State.OK}
    assert DueState.objects.get(item=truck).meters["km"]["done"] == "3000.0"
    assert verify_ledger().ok


# -- a batch of maintenances: the rows recomputed once per write ----------------------------------------
def _trucks(world, serials):
    made = []
    for n, serial in enumerate(serials):
        item = services.record_receipt(
            equipment_type=world.truck, serial=serial, unit=world.district_a1, grade=2, occurred_on=RECEIVED,
            actor=world.officer,
        ).item  # fmt: skip
        reading(item, world, 1000 + 100 * n, RECEIVED)
        made.append(item)
    return made


def _maintain(world, items, plans, day, *, readings=False):
    """One write: every plan's maintenance of every item (with a reading each: a technical day's results)."""
    with transaction.atomic():
        writer = services.Writer(items, actor=world.officer)
        for n, item in enumerate(writer.items):
            if readings:
                writer.meter_reading(item, meter="km", value=Decimal(4000 + n), occurred_on=day)
            for plan in plans:
                writer.record(item, "maintenance_done", occurred_on=day, details={"plan": plan.pk, "note": "NKT"})
        writer.save()


def _rows():
    return {
        (r.item_id, r.plan_id): (r.item_version, *(getattr(r, name) for name in due.FIELDS))
        for r in DueState.objects.all()
    }


def test_a_batch_of_maintenances_recomputes_each_item_once_as_a_full_recomputation_would(world, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from materiel.maintenance import kinds as maintenance_kinds

    plans = [plan_of(world), plan_of(world, name="Bảo dưỡng cấp 2", every_km=20000, every_days=730)]
    few, many = _trucks(world, ["XE-A1", "XE-A2"]), _trucks(world, [f"XE-B{n}" for n in range(8)])
    board.current_rows(world.officer, world.province_a).count()  # every row current before the writes
    calls = []
    monkeypatch.setattr(maintenance_kinds, "recompute", lambda ids: (calls.append(list(ids)), due.recompute(ids)))
    statements = []
    for items, day in ((few, TODAY - timedelta(days=3)), (many, TODAY - timedelta(days=3))):
        with CaptureQueriesContext(connection) as captured:
            _maintain(world, items, plans, day)
        statements.append(len(captured))
    # Two plans on each item: one recomputation per write, of all its items, and the write costs the
    # same statements for 2 items (4 maintenances) as for 8 (16).
    assert calls == [sorted(i.pk for i in few), sorted(i.pk for i in many)]
    assert statements[0] == statements[1], statements
    _maintain(world, few + many, plans, TODAY - timedelta(days=1), readings=True)
    assert len(calls) == 3
    # Current the moment the write commits (no read rebuilds any), and equal to a full recomputation.
    assert due.stale_items(Item.objects.all()).count() == 0
    stored = _rows()
    assert {stored[(i.pk, p.pk)][due.FIELDS.index("last_done_on") + 1] for i in few + many for p in plans} == {
        TODAY - timedelta(days=1)
    }
    DueState.objects.all().delete()
    assert due.refresh(Item.objects.all()) == len(few + many)
    assert _rows() == stored
    assert verify_ledger().ok
