"""Maintenance compliance (issue #14): tasks done on time ÷ tasks due in the period, per unit branch,
category and type, each number with the tasks behind it; on the reliability page and in the API.
And the demo's repair orders made from the repairs its ledger holds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from materiel.ledger import services
from materiel.ledger.models import EventKind
from materiel.maintenance import compliance
from materiel.maintenance.services import save_plan
from materiel.workorders import reliability
from materiel.workorders.demo import seed_repair_orders
from materiel.workorders.models import OrderState, WorkOrder, WorkOrderLine

TODAY = timezone.localdate()
RECEIVED = TODAY - timedelta(days=700)


@pytest.fixture
def history(world):
    """Bảo dưỡng cấp 1 every 180 days (tolerance 10 %: overdue from day 199). XE-0001 is maintained on
    day 170 (on time), on day 370 (its cycle from day 170 was due on 350, overdue from 369: late), and
    not since (due on day 550, overdue long ago: missed). XE-0002, received 100 days ago, is due in 80
    days: pending at the end of a period reaching 90 days ahead."""
    plan = save_plan(
        actor=world.officer, equipment_type=world.truck, name="Bảo dưỡng cấp 1", every_days=180,
        statuses=["in_service"], starts_on=RECEIVED,
    )  # fmt: skip
    first = services.record_receipt(
        equipment_type=world.truck, serial="XE-0001", unit=world.district_a1, grade=2, occurred_on=RECEIVED,
        actor=world.officer,
    ).item  # fmt: skip
    events = []
    for day in (170, 370):
        first.refresh_from_db()
        events.append(
            services.record(
                "maintenance_done",
                first,
                actor=world.officer,
                occurred_on=RECEIVED + timedelta(days=day),
                details={"plan": plan.pk},
            )  # fmt: skip
        )
    second = services.record_receipt(
        equipment_type=world.truck, serial="XE-0002", unit=world.district_a2, grade=2,
        occurred_on=TODAY - timedelta(days=100), actor=world.officer,
    ).item  # fmt: skip
    return {"plan": plan, "first": first, "second": second, "events": events}


def test_on_time_late_missed_and_pending_tasks_of_a_period(world, history):
    kept = compliance.compliance(world.officer, world.province_a, RECEIVED, TODAY + timedelta(days=90))
    outcomes = sorted((t.serial, t.outcome, t.due_on, t.done_on) for t in kept.total.tasks)
    assert outcomes == [
        ("XE-0001", "late", RECEIVED + timedelta(days=350), RECEIVED + timedelta(days=370)),
        ("XE-0001", "missed", RECEIVED + timedelta(days=550), None),
        ("XE-0001", "on_time", RECEIVED + timedelta(days=170), RECEIVED + timedelta(days=170)),
        ("XE-0002", "pending", TODAY + timedelta(days=80), None),
    ]
    total = kept.total
    assert (total.counted, total.on_time, total.late_count, total.missed_count, total.pending_count) == (3, 1, 1, 1, 1)
    assert str(total.rate) == "33.3"
    # The ids behind each number: the maintenance events, the item still waiting.
    assert [t.event_id for t in total.of(compliance.ON_TIME)] == [history["events"][0].pk]
    assert [t.event_id for t in total.of(compliance.LATE)] == [history["events"][1].pk]
    # Per child unit (the lines add up to the total), category and type.
    assert [(line.name, line.counted, line.pending_count) for line in kept.by_unit] == [
        (world.district_a1.name, 3, 0),
        (world.district_a2.name, 0, 1),
    ]
    assert [line.name for line in kept.by_type] == [world.truck.name]
    # A period holding only the missed task; a user of another province sees nothing.
    late = compliance.compliance(world.officer, world.province_a, TODAY - timedelta(days=200), TODAY)
    assert [t.outcome for t in late.total.tasks] == ["missed"] and late.total.rate == 0
    assert compliance.compliance(world.outsider, world.province_b, RECEIVED, TODAY).total.tasks == []


def test_the_reliability_page_and_the_api_show_the_compliance(client, world, history):
    client.force_login(world.officer)
    start = RECEIVED.strftime("%d/%m/%Y")
    page = client.get("/phieu-cong-viec/do-tin-cay/", {"unit": world.province_a.code, "from": start})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="compliance"' in html and "Bảo dưỡng đúng hạn" in html
    assert 'data-outcome="late"' in html and 'data-outcome="missed"' in html
    answer = client.get("/api/v1/reliability", {"unit": world.province_a.code, "start": RECEIVED.isoformat()})
    assert answer.status_code == 200
    total = answer.json()["compliance"]["total"]
    assert (total["due"], total["on_time"], total["late"], total["missed"]) == (3, 1, 1, 1)
    assert total["on_time_events"] == [history["events"][0].pk]
    assert total["missed_items"] == [history["first"].pk]


def test_the_demo_repairs_get_their_orders_linked_to_the_ledger(world):
    from materiel.workorders.reference import ensure_levels

    ensure_levels()
    truck = services.record_receipt(
        equipment_type=world.truck, serial="XE-0009", unit=world.district_a1, grade=3, occurred_on=RECEIVED,
        actor=world.officer,
    ).item  # fmt: skip
    start = services.record_status_change(
        truck, EventKind.REPAIR_START, reason="Sửa chữa vừa theo kế hoạch",
        occurred_on=RECEIVED + timedelta(days=10), actor=world.officer,
    )  # fmt: skip
    truck.refresh_from_db()
    end = services.record_status_change(
        truck, EventKind.REPAIR_END, grade=2, reason="Sửa chữa xong, nghiệm thu",
        occurred_on=RECEIVED + timedelta(days=40), actor=world.officer,
    )  # fmt: skip
    assert seed_repair_orders(world.admin) == 1
    assert seed_repair_orders(world.admin) == 0  # each repair gets one order, once
    order = WorkOrder.objects.get()
    assert order.state == OrderState.DONE and order.unit == world.district_a1 and order.level.code == "vua"
    assert list(WorkOrderLine.objects.filter(record=order).values_list("event_id", flat=True)) == [start.pk, end.pk]
    row = order.items.get()
    assert (row.grade_before, row.grade_after) == (3, 2)
    figures = reliability.figures(world.officer, world.province_a, RECEIVED, TODAY)
    (line,) = figures.types
    assert line.failures == [order.pk] and line.mttr == 30
