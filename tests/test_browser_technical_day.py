"""Issue #14's "Done means" walk in Chromium: a plan with its standard parts → the due board shows the
truck due → the technical-day planner proposes it (with the oil short) → the session's plan printed
→ its results entered in one form with a reading → its minute → the due board cleared."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from materiel.catalog.models import Category, EquipmentType
from materiel.ledger import services

from .browsing import shot
from .test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()
RECEIVED = TODAY - timedelta(days=400)


def test_plan_board_technical_day_results_minute_and_the_board_clears(page, world):
    truck = services.record_receipt(
        equipment_type=world.truck, serial="XE-UAZ-01", unit=world.district_a1, grade=2, occurred_on=RECEIVED,
        actor=world.officer,
    ).item  # fmt: skip
    services.record_meter_reading(truck, meter="km", value=8000, occurred_on=RECEIVED, actor=world.officer)
    parts = Category.objects.create(code="vtkt", name="Vật tư kỹ thuật, phụ tùng", order=9)
    oil = EquipmentType.objects.create(
        category=parts, code="dau-dc", name="Dầu nhờn động cơ", unit_of_measure="lít", serialised=False
    )
    services.record_lot_receipt(
        equipment_type=oil, unit=world.district_a1, grade=1, quantity=2, occurred_on=RECEIVED, actor=world.officer
    )
    sign_in(page)
    # The plan, with its standard parts, on the catalogue.
    page.goto("/danh-muc/bao-duong/them/")
    page.get_by_label("Chủng loại").select_option(label="Xe U-oát UAZ-469")
    page.get_by_label("Tên kế hoạch bảo dưỡng").fill("Bảo dưỡng cấp 1")
    page.get_by_label("Sau mỗi (km)").fill("5.000")
    page.get_by_label("Sau mỗi (ngày)").fill("180")
    page.get_by_label("Áp dụng từ ngày").fill(RECEIVED.strftime("%d/%m/%Y"))
    page.get_by_label("Phụ tùng dòng 1").select_option(label="Dầu nhờn động cơ (lít)")
    page.get_by_label("Số lượng dòng 1").fill("6")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("plans")).to_contain_text("Dầu nhờn động cơ: 6 lít")

    # The due board shows the truck overdue; from it, the technical day of its district.
    page.goto(f"/bao-duong/?unit={world.district_a1.code}")
    row = page.get_by_test_id("due-rows").locator("tbody tr", has_text="XE-UAZ-01")
    expect(row).to_contain_text("Quá hạn")
    page.get_by_test_id("techday").click()
    expect(page.get_by_test_id("no-schedule")).to_be_visible()
    page.get_by_test_id("schedule-edit").click()
    page.get_by_label("Chu kỳ").select_option(label="Hằng tuần")
    page.get_by_label("Thứ", exact=True).select_option(label="Thứ Sáu")
    page.get_by_label("Buổi").select_option(label="Buổi sáng")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("schedule")).to_contain_text("Thứ Sáu hằng tuần, buổi sáng")
    tasks = page.get_by_test_id("techday-tasks")
    expect(tasks.locator("tbody tr", has_text="XE-UAZ-01")).to_contain_text("Bảo dưỡng cấp 1")
    expect(page.get_by_test_id("shortages")).to_contain_text("Dầu nhờn động cơ 4 lít")
    tasks.get_by_label("Người thực hiện Bảo dưỡng cấp 1 cho XE-UAZ-01").fill("Lò Văn Tư, Giàng A Páo")
    shot(page, "techday-01-de-xuat")
    page.get_by_role("button", name="Lập kế hoạch ngày kỹ thuật").click()
    expect(page.locator(".messages")).to_contain_text("Đã lập kế hoạch ngày kỹ thuật")
    expect(page.get_by_test_id("session-state")).to_have_text("Đã lập kế hoạch")

    # The plan on A4, then the results of the whole session in one form.
    page.get_by_test_id("print-plan").click()
    expect(page.get_by_test_id("paper")).to_contain_text("KẾ HOẠCH NGÀY KỸ THUẬT", ignore_case=True)
    expect(page.get_by_test_id("print-tasks")).to_contain_text("XE-UAZ-01")
    expect(page.get_by_test_id("print-parts")).to_contain_text("Dầu nhờn động cơ")
    shot(page, "techday-02-ke-hoach-in")
    page.get_by_role("link", name="Về ngày kỹ thuật").click()
    page.get_by_test_id("enter-results").click()
    page.get_by_label("Chỉ số Số km của XE-UAZ-01").fill("7.900")  # lower than 8.000: refused, nothing written
    page.get_by_role("button", name="Ghi kết quả").click()
    expect(page.get_by_test_id("error")).to_contain_text("XE-UAZ-01")
    expect(page.get_by_test_id("error")).to_contain_text("8.000")
    page.get_by_label("Chỉ số Số km của XE-UAZ-01").fill("8.450")
    page.get_by_label("Các bước không đạt Bảo dưỡng cấp 1 của XE-UAZ-01").fill("Má phanh mòn")
    shot(page, "techday-03-ket-qua")
    page.get_by_role("button", name="Ghi kết quả").click()
    expect(page.locator(".messages")).to_contain_text("Đã ghi kết quả ngày kỹ thuật")
    expect(page.get_by_test_id("session-results")).to_contain_text("8.450")

    # The minute, then the board: the truck is no longer due.
    page.get_by_test_id("minute").click()
    expect(page.get_by_test_id("paper")).to_contain_text("BIÊN BẢN NGÀY KỸ THUẬT", ignore_case=True)
    expect(page.get_by_test_id("minute-tasks")).to_contain_text("Má phanh mòn")
    expect(page.get_by_test_id("paper")).to_contain_text("Lò Văn Tư, Giàng A Páo")
    expect(page.get_by_test_id("minute-summary")).to_contain_text("Đã thực hiện 1/1 công việc")
    shot(page, "techday-04-bien-ban")
    page.goto(f"/bao-duong/?unit={world.district_a1.code}")
    row = page.get_by_test_id("due-rows").locator("tbody tr", has_text="XE-UAZ-01")
    expect(row).to_contain_text("Bình thường")
