"""Work orders in Chromium: an order opened from a row of the due board, labour and a spare part
added, closed with the results and the meter reading, the maintenance and the part in the ledger,
and the board's row cleared."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from materiel.catalog.models import Category, EquipmentType
from materiel.equipment.models import Lot
from materiel.ledger import services
from materiel.maintenance.services import save_plan

from .browsing import shot
from .test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()
RECEIVED = TODAY - timedelta(days=400)


def test_an_order_from_the_due_board_closes_and_clears_the_row(page, world):
    truck = services.record_receipt(
        equipment_type=world.truck, serial="XE-UAZ-07", unit=world.district_a1, grade=2, occurred_on=RECEIVED,
        actor=world.officer,
    ).item  # fmt: skip
    services.record_meter_reading(truck, meter="km", value=8000, occurred_on=RECEIVED, actor=world.officer)
    save_plan(
        actor=world.officer, equipment_type=world.truck, name="Bảo dưỡng cấp 1", every_km=5000, every_days=180,
        statuses=["in_service"], starts_on=RECEIVED,
    )  # fmt: skip
    parts = Category.objects.create(code="vt", name="Vật tư phụ tùng", order=9)
    oil_filter = EquipmentType.objects.create(
        category=parts, code="loc-dau", name="Lọc dầu động cơ", unit_of_measure="cái", serialised=False
    )
    services.record_lot_receipt(
        equipment_type=oil_filter, unit=world.district_a1, grade=1, quantity=4, occurred_on=RECEIVED,
        actor=world.officer, lot_number="LD-07",
    )  # fmt: skip
    sign_in(page)
    page.goto(f"/bao-duong/?unit={world.district_a1.code}&state=overdue")
    row = page.get_by_test_id("due-rows").locator("tbody tr")
    expect(row).to_have_count(1)
    row.get_by_role("link", name="Lập phiếu công việc").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("XE-UAZ-07")
    expect(page.get_by_label("Số hiệu trang bị")).to_have_value("XE-UAZ-07")
    expect(page.get_by_label("Nội dung công việc")).to_have_value("Bảo dưỡng cấp 1")
    page.get_by_role("button", name="Lập phiếu").click()
    expect(page.locator(".messages")).to_contain_text(f"Đã lập phiếu công việc PCV-{TODAY.year}-0001")
    expect(page.get_by_test_id("order-state")).to_have_text("Đã mở")

    labour = page.get_by_test_id("add-labour")
    labour.get_by_label("Người thực hiện").fill("Nguyễn Văn Hùng")
    labour.get_by_label("Số giờ công").fill("2,5")
    labour.get_by_role("button", name="Ghi giờ công").click()
    expect(page.get_by_test_id("order-labour")).to_contain_text("Nguyễn Văn Hùng")
    part = page.get_by_test_id("add-part")
    part.get_by_label("Lô vật tư, phụ tùng").select_option(label="Lọc dầu động cơ – lô LD-07 – cấp 1")
    part.get_by_label("Số lượng").fill("5")
    part.get_by_role("button", name="Thêm phụ tùng").click()
    expect(page.get_by_test_id("refusal")).to_contain_text("Phụ tùng dòng 1, số lượng: lô LD-07 chỉ còn 4")
    part = page.get_by_test_id("add-part")
    part.get_by_label("Lô vật tư, phụ tùng").select_option(label="Lọc dầu động cơ – lô LD-07 – cấp 1")
    part.get_by_label("Số lượng").fill("1")
    part.get_by_role("button", name="Thêm phụ tùng").click()
    expect(page.get_by_test_id("order-parts")).to_contain_text("LD-07")
    page.get_by_test_id("move-in_progress").click()
    expect(page.get_by_test_id("order-state")).to_have_text("Đang thực hiện")
    shot(page, "workorders-01-phieu")

    page.get_by_test_id("close").click()
    page.get_by_role("button", name="Hoàn thành phiếu").click()
    expect(page.locator(".has-error")).to_contain_text("Chưa ghi kết quả thực hiện")
    page.get_by_label("Kết quả thực hiện").fill("Đã thay dầu và lọc dầu; xe hoạt động tốt.")
    page.get_by_label("Dòng 1 (XE-UAZ-07): số km khi hoàn thành").fill("12.500")
    page.get_by_role("button", name="Hoàn thành phiếu").click()
    expect(page.get_by_test_id("order-state")).to_have_text("Hoàn thành")
    events = page.get_by_test_id("order-events")
    expect(events.locator("tbody tr")).to_have_count(3)
    expect(events).to_contain_text("Bảo dưỡng xong")
    expect(page.get_by_test_id("order-log").locator("tbody tr")).to_have_count(4)
    expect(page.get_by_test_id("add-labour")).to_have_count(0)  # a closed order is not edited
    assert Lot.objects.get(lot_number="LD-07").quantity == 3
    shot(page, "workorders-02-hoan-thanh")

    page.get_by_test_id("order-print").click()
    expect(page.get_by_test_id("paper")).to_contain_text("Phiếu công việc bảo dưỡng")
    page.goto(f"/bao-duong/?unit={world.district_a1.code}&state=overdue")
    expect(page.get_by_test_id("count")).to_have_text("0 dòng")
    page.goto(f"/bao-duong/?unit={world.district_a1.code}")
    expect(page.get_by_test_id("due-rows").locator("tbody tr")).to_contain_text("Bình thường")
