"""Work orders and repairs (issue #14): the state machine and its log, the refusals named by row and
field, a close writing every event in one transaction and linking each to the order (a refusal
leaves nothing), the repair start/end with the grade after and the facility rule, the pages and
the API, the reliability figures drilling down to their orders."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from materiel.accounts.scoping import PermissionDenied
from materiel.catalog.models import Category, EquipmentType
from materiel.core.errors import ConflictError, DomainError
from materiel.core.records import AppendOnlyError
from materiel.equipment.models import Item, Lot, Status
from materiel.ledger import services
from materiel.ledger.models import Event, EventKind
from materiel.maintenance import board
from materiel.maintenance.models import DueState, State
from materiel.maintenance.services import save_plan
from materiel.workorders import reliability
from materiel.workorders import services as wo
from materiel.workorders.models import (
    Facility,
    FacilityKind,
    OrderState,
    RepairLevel,
    StateChange,
    WorkOrder,
    WorkOrderLine,
)
from materiel.workorders.reference import ensure_levels

from .factories import make_user

TODAY = timezone.localdate()
RECEIVED = TODAY - timedelta(days=400)


@pytest.fixture
def plan(world):
    return save_plan(
        actor=world.officer, equipment_type=world.truck, name="Bảo dưỡng cấp 1", every_km=5000, every_days=180,
        statuses=["in_service"], starts_on=RECEIVED,
    )  # fmt: skip


@pytest.fixture
def truck(world):
    item = services.record_receipt(
        equipment_type=world.truck, serial="XE-0001", unit=world.district_a1, grade=2, occurred_on=RECEIVED,
        actor=world.officer,
    ).item  # fmt: skip
    services.record_meter_reading(item, meter="km", value=8000, occurred_on=RECEIVED, actor=world.officer)
    return Item.objects.get(pk=item.pk)


@pytest.fixture
def filters(world):
    parts = Category.objects.create(code="vt", name="Vật tư phụ tùng", order=9)
    kind = EquipmentType.objects.create(
        category=parts, code="loc-dau", name="Lọc dầu động cơ", unit_of_measure="cái", serialised=False
    )
    services.record_lot_receipt(
        equipment_type=kind, unit=world.district_a1, grade=1, quantity=5, occurred_on=RECEIVED,
        actor=world.officer, lot_number="LD-01",
    )  # fmt: skip
    return Lot.objects.get(lot_number="LD-01")


def due_state(world, truck) -> str:
    return board.board_rows(world.officer, world.province_a, {}, TODAY).get(item=truck).state


def open_order(world, truck, plan, **kw):
    return wo.create_order(
        actor=world.officer, unit=world.district_a1, kind="maintenance", title="Bảo dưỡng cấp 1 xe XE-0001",
        items=[wo.Wanted(truck, plan)], state=OrderState.OPEN, **kw,
    )  # fmt: skip


def test_an_order_is_numbered_per_unit_and_year_and_logs_every_move(world, truck, plan):
    first = open_order(world, truck, plan)
    second = wo.create_order(actor=world.officer, unit=world.district_a1, kind="maintenance", title="Khác")
    assert first.number == f"PCV-{TODAY.year}-0001" and second.number == f"PCV-{TODAY.year}-0002"
    other = wo.create_order(actor=world.officer, unit=world.district_a2, kind="repair", title="Sửa")
    assert other.number == f"PCV-{TODAY.year}-0001"
    wo.transition(first, OrderState.IN_PROGRESS, actor=world.officer)
    log = list(StateChange.objects.filter(order=first).values_list("from_state", "to_state", "by__username"))
    assert log == [("", "draft", "tlkt-a"), ("draft", "open", "tlkt-a"), ("open", "in_progress", "tlkt-a")]
    with pytest.raises(AppendOnlyError):
        StateChange.objects.filter(order=first).delete()
    with pytest.raises(DomainError, match="Không thể chuyển phiếu từ “Đang thực hiện” sang “Đã mở”"):
        wo.transition(first, OrderState.OPEN, actor=world.officer)
    with pytest.raises(DomainError, match="Không thể chuyển"):
        wo.transition(first, OrderState.DONE, actor=world.officer)  # done only by closing


def test_a_stale_version_and_a_closed_order_are_refused(world, truck, plan):
    order = open_order(world, truck, plan)
    seen = order.version
    wo.add_labour(order, person="Nguyễn Văn Hùng", hours="2,5", actor=world.officer, version=seen)
    with pytest.raises(ConflictError):  # the same form sent again: nothing written twice
        wo.add_labour(order, person="Nguyễn Văn Hùng", hours="2,5", actor=world.officer, version=seen)
    assert order.labour.count() == 1
    wo.transition(order, OrderState.CANCELLED, actor=world.officer)
    with pytest.raises(DomainError, match="ở trạng thái “Đã hủy”: không thể sửa phiếu đã đóng"):
        wo.add_labour(order, person="Lò Văn Páo", hours=1, actor=world.officer, version=None)
    with pytest.raises(DomainError, match="không thể sửa"):
        wo.update_order(order, actor=world.officer, version=None, title="Mới")


def test_closing_writes_readings_maintenance_and_parts_linked_in_one_transaction(world, truck, plan, filters):
    assert due_state(world, truck) != State.OK
    order = open_order(world, truck, plan)
    wo.add_labour(order, person="Nguyễn Văn Hùng", hours="3", actor=world.officer, version=None)
    wo.add_part(order, lot=filters, quantity=2, actor=world.officer, version=None)
    with pytest.raises(DomainError, match="Chưa ghi kết quả thực hiện") as refused:
        wo.close_order(order, actor=world.officer, results="  ")
    assert refused.value.field == "results"
    row = order.items.get()
    events = wo.close_order(
        order, actor=world.officer, results="Đã thay dầu, lọc dầu.", readings=[wo.Reading(row.pk, "km", "12.400")]
    )
    assert [e.kind for e in events] == [EventKind.METER_READING, "maintenance_done", EventKind.LOT_ISSUE]
    lines = WorkOrderLine.objects.filter(record=order).order_by("position")
    assert [line.event_id for line in lines] == [e.pk for e in events]
    order.refresh_from_db()
    assert order.state == OrderState.DONE and order.closed_on == TODAY
    assert Lot.objects.get(pk=filters.pk).quantity == 3
    assert DueState.objects.get(item=truck, plan=plan).last_done_on == TODAY  # reset by the event, not by hand
    assert due_state(world, truck) == State.OK
    with pytest.raises(DomainError, match="không thể sửa"):
        wo.add_part(order, lot=filters, quantity=1, actor=world.officer, version=None)


def test_a_refused_event_at_close_leaves_nothing_written(world, truck, plan, filters):
    order = open_order(world, truck, plan)
    wo.add_part(order, lot=filters, quantity=2, actor=world.officer, version=None)
    row = order.items.get()
    before = Event.objects.count()
    with pytest.raises(DomainError, match=r"Dòng 1 \(trang bị XE-0001\): .*nhỏ hơn lần ghi trước") as refused:
        wo.close_order(order, actor=world.officer, results="Xong", readings=[wo.Reading(row.pk, "km", "100")])
    assert refused.value.field == f"reading-{row.pk}-km"
    assert Event.objects.count() == before and not WorkOrderLine.objects.exists()
    # A lot emptied meanwhile: the part row is refused, naming the row and the field; still nothing.
    services.record_lot_issue(filters, quantity=4, occurred_on=TODAY, reason="Dùng khác", actor=world.officer)
    before = Event.objects.count()
    with pytest.raises(DomainError, match=r"Phụ tùng dòng 1, số lượng: lô LD-01 chỉ còn 1, không thể xuất 2"):
        wo.close_order(order, actor=world.officer, results="Xong")
    assert Event.objects.count() == before and WorkOrder.objects.get(pk=order.pk).state == OrderState.OPEN
    assert not DueState.objects.filter(item=truck, last_done_on=TODAY).exists()


def test_parts_beyond_the_lot_and_dates_out_of_order_are_refused_by_row(world, truck, plan, filters):
    order = open_order(world, truck, plan)
    with pytest.raises(DomainError, match=r"Phụ tùng dòng 1, số lượng: lô LD-01 chỉ còn 5, không thể xuất 6") as e:
        wo.add_part(order, lot=filters, quantity=6, actor=world.officer, version=None)
    assert e.value.field == "quantity"
    with pytest.raises(DomainError, match="tương lai"):
        wo.close_order(order, actor=world.officer, results="Xong", occurred_on=TODAY + timedelta(days=1))
    with pytest.raises(DomainError, match=r"Dòng 1 \(trang bị XE-0001\): Ngày phát sinh .* trước"):
        wo.close_order(order, actor=world.officer, results="Xong", occurred_on=RECEIVED - timedelta(days=1))


def test_maintenance_on_a_lost_item_is_refused(world, truck, plan):
    order = open_order(world, truck, plan)
    services.record_loss(truck, occurred_on=TODAY, reason="Mất khi hành quân", actor=world.officer)
    with pytest.raises(DomainError, match=r"Dòng 1 \(trang bị XE-0001\): Không ghi bảo dưỡng cho trang bị mất"):
        wo.close_order(order, actor=world.officer, results="Xong")


def test_only_managers_of_the_unit_open_orders(world, truck, plan):
    with pytest.raises(PermissionDenied):
        wo.create_order(actor=world.commander, unit=world.district_a1, kind="maintenance", title="X")
    with pytest.raises(PermissionDenied):
        wo.create_order(actor=world.outsider, unit=world.district_a1, kind="maintenance", title="X")
    order = open_order(world, truck, plan)
    with pytest.raises(PermissionDenied):
        wo.transition(order, OrderState.CANCELLED, actor=world.outsider)
    with pytest.raises(DomainError, match="Trang bị XE-0001 không thuộc"):
        wo.create_order(
            actor=world.officer, unit=world.district_a2, kind="maintenance", title="X", items=[wo.Wanted(truck, plan)]
        )


@pytest.fixture
def levels(world):
    ensure_levels()
    return {level.code: level for level in RepairLevel.objects.all()}


def test_a_repair_starts_and_ends_in_the_ledger_with_the_grade_after(world, truck, levels, filters):
    station = Facility.objects.create(name="Trạm sửa chữa Quân khu 2", kind=FacilityKind.STATION, unit=world.region)
    own = Facility.objects.create(name="Tổ sửa chữa huyện", kind=FacilityKind.UNIT, unit=world.district_a1)
    with pytest.raises(DomainError, match="Cơ sở sửa chữa: Tổ sửa chữa huyện .* không được thực hiện") as refused:
        wo.create_order(
            actor=world.officer, unit=world.district_a1, kind="repair", title="Sửa hộp số", level=levels["vua"],
            facility=own,
        )  # fmt: skip
    assert refused.value.field == "facility"
    order = wo.create_order(
        actor=world.officer, unit=world.district_a1, kind="repair", title="Sửa hộp số", fault="Hộp số kêu",
        level=levels["vua"], facility=station, cost=1500000, items=[wo.Wanted(truck)], state=OrderState.OPEN,
    )  # fmt: skip
    day = TODAY - timedelta(days=10)
    wo.transition(order, OrderState.IN_PROGRESS, actor=world.officer, occurred_on=day)
    truck.refresh_from_db()
    assert truck.status == Status.IN_REPAIR and truck.unit == world.district_a1  # still in its owner's register
    wo.add_part(order, lot=filters, quantity=1, actor=world.officer, version=None)
    row = order.items.get()
    with pytest.raises(DomainError, match=r"Dòng 1 \(trang bị XE-0001\): Cấp chất lượng 9 không hợp lệ") as bad:
        wo.close_order(order, actor=world.officer, results="Thay bánh răng", grades={row.pk: 9})
    assert bad.value.field == f"grade-{row.pk}"
    wo.close_order(order, actor=world.officer, results="Thay bánh răng", grades={row.pk: 1})
    truck.refresh_from_db()
    assert truck.status == Status.IN_SERVICE and truck.grade == 1
    kinds = list(Event.objects.filter(workorders_workorderline__record=order).values_list("kind", flat=True))
    assert kinds == [EventKind.REPAIR_START, EventKind.REPAIR_END, EventKind.LOT_ISSUE]
    row.refresh_from_db()
    assert (row.grade_before, row.grade_after) == (2, 1)
    assert wo.downtime_days(order) == 10
    figures = reliability.figures(world.officer, world.province_a, TODAY - timedelta(days=365), TODAY)
    (line,) = figures.types
    assert line.failures == [order.pk] and line.repaired == [order.pk] and line.mttr == Decimal(10)
    assert line.basis == "engine_hours" and figures.faults == [("Hộp số kêu", [order.pk])]
    assert figures.downtime_by_unit == [(world.district_a1.name, 10, [order.pk])]
    assert reliability.figures(world.outsider, world.province_b, RECEIVED, TODAY).types == []


def test_a_repair_level_is_data_edited_by_catalogue_roles(client, world, levels):
    client.force_login(world.officer)
    page = client.post(
        "/danh-muc/sua-chua/",
        {"level-code": "trung-tu", "level-name": "Trung tu", "level-facility_kinds": ["workshop", "factory"]},
    )
    assert page.status_code == 302 and RepairLevel.objects.get(code="trung-tu").facility_kinds == [
        "workshop",
        "factory",
    ]
    client.force_login(world.commander)
    assert client.post("/danh-muc/sua-chua/", {"level-code": "x", "level-name": "X"}).status_code == 403


def test_the_pages_open_an_order_from_the_board_and_close_it(client, world, truck, plan, filters):
    client.force_login(world.officer)
    form = client.get(f"/phieu-cong-viec/lap/?item={truck.pk}&plan={plan.pk}")
    assert form.status_code == 200 and "XE-0001" in form.content.decode()
    created = client.post(
        f"/phieu-cong-viec/lap/?item={truck.pk}&plan={plan.pk}",
        {"kind": "maintenance", "title": "Bảo dưỡng cấp 1", "serial": "XE-0001", "plan": plan.pk,
         "opened_on": TODAY.strftime("%d/%m/%Y"), "open_now": "on", "idempotency_key": "tao-phieu-0001"},
    )  # fmt: skip
    order = WorkOrder.objects.get()
    assert created.status_code == 302 and order.state == OrderState.OPEN
    again = client.post(
        f"/phieu-cong-viec/lap/?item={truck.pk}&plan={plan.pk}",
        {"kind": "maintenance", "title": "Bảo dưỡng cấp 1", "serial": "XE-0001", "plan": plan.pk,
         "opened_on": TODAY.strftime("%d/%m/%Y"), "open_now": "on", "idempotency_key": "tao-phieu-0001"},
    )  # fmt: skip
    assert again.status_code == 302 and WorkOrder.objects.count() == 1  # the replay wrote nothing
    too_many = client.post(
        f"/phieu-cong-viec/{order.pk}/phu-tung/",
        {"part-lot": filters.pk, "part-quantity": 9, "version": order.version},
    )
    assert too_many.status_code == 422 and "Phụ tùng dòng 1, số lượng" in too_many.content.decode()
    refused = client.post(f"/phieu-cong-viec/{order.pk}/hoan-thanh/", {"occurred_on": "", "version": order.version})
    assert refused.status_code == 422
    closing = client.post(
        f"/phieu-cong-viec/{order.pk}/hoan-thanh/",
        {"occurred_on": TODAY.strftime("%d/%m/%Y"), "results": "", "version": order.version},
    )
    assert "Chưa ghi kết quả thực hiện" in closing.content.decode()
    row = order.items.get()
    closed = client.post(
        f"/phieu-cong-viec/{order.pk}/hoan-thanh/",
        {"occurred_on": TODAY.strftime("%d/%m/%Y"), "results": "Đạt", "version": order.version,
         f"reading-{row.pk}-km": "12.000"},
    )  # fmt: skip
    assert closed.status_code == 302
    detail = client.get(f"/phieu-cong-viec/{order.pk}/").content.decode()
    assert "Hoàn thành" in detail and "Bảo dưỡng xong" in detail
    assert client.get(f"/phieu-cong-viec/{order.pk}/ban-in/").status_code == 200
    assert "PCV-" in client.get("/phieu-cong-viec/?state=done").content.decode()
    edit = client.post(f"/phieu-cong-viec/{order.pk}/sua/", {"title": "Khác", "version": order.version})
    assert edit.status_code == 302 and WorkOrder.objects.get().title == "Bảo dưỡng cấp 1"


def test_the_api_opens_moves_and_closes_an_order(client, world, truck, plan, filters):
    client.force_login(world.officer)
    body = {
        "unit": world.district_a1.code, "kind": "maintenance", "title": "Bảo dưỡng", "open": True,
        "items": [{"item": truck.pk, "plan": plan.pk}], "labour": [{"person": "Hùng", "hours": 2}],
        "parts": [{"lot": filters.pk, "quantity": 1}],
    }  # fmt: skip
    created = client.post("/api/v1/workorders", body, content_type="application/json")
    assert created.status_code == 200, created.content
    order = created.json()
    assert order["state"] == "open" and order["number"].startswith("PCV-")
    bad = client.post(f"/api/v1/workorders/{order['id']}/close", {"results": ""}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "results"
    closed = client.post(
        f"/api/v1/workorders/{order['id']}/close",
        {"results": "Đạt", "readings": [{"item": truck.pk, "meter": "km", "value": "9000"}]},
        content_type="application/json",
    )
    assert closed.status_code == 200, closed.content
    assert closed.json()["state"] == "done" and len(closed.json()["events"]) == 3
    listed = client.get("/api/v1/workorders", {"state": "done"}).json()
    assert [o["id"] for o in listed["results"]] == [order["id"]]
    moved = client.post(f"/api/v1/workorders/{order['id']}/transition", {"to": "open"}, content_type="application/json")
    assert moved.status_code == 422
    client.force_login(world.outsider)
    assert client.get(f"/api/v1/workorders/{order['id']}").status_code == 404
    client.force_login(make_user("chi-huy-2", world.province_a, role="commander"))
    refused = client.post("/api/v1/workorders", body, content_type="application/json")
    assert refused.status_code == 403
    assert client.get("/api/v1/reliability").status_code == 200


def test_a_close_is_one_transaction_even_inside_a_caller(world, truck, plan):
    order = open_order(world, truck, plan)
    with pytest.raises(RuntimeError), transaction.atomic():
        wo.close_order(order, actor=world.officer, results="Đạt")
        raise RuntimeError("the caller fails after")
    assert WorkOrder.objects.get(pk=order.pk).state == OrderState.OPEN and not WorkOrderLine.objects.exists()
