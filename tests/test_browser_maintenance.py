"""Issue #14's first slice in Chromium: a plan added on the catalogue, the due board counting the
truck overdue, its count opening exactly that row, the maintenance recorded from it, the board cleared."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from materiel.ledger import services

from .browsing import shot
from .test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()
RECEIVED = TODAY - timedelta(days=400)


def test_plan_then_board_then_maintenance_clears_the_row(page, world):
    truck = services.record_receipt(
        equipment_type=world.truck, serial="XE-UAZ-01", unit=world.district_a1, grade=2, occurred_on=RECEIVED,
        actor=world.officer,
    ).item  # fmt: skip
    services.record_meter_reading(truck, meter="km", value=8000, occurred_on=RECEIVED, actor=world.officer)
    services.record_receipt(
        equipment_type=world.rifle, serial="AK-01", unit=world.district_a2, grade=2, occurred_on=RECEIVED,
        actor=world.officer,
    )  # fmt: skip
    sign_in(page)
    page.get_by_role("link", name="Danh mục").first.click()
    page.get_by_test_id("maintenance-plans").click()
    page.get_by_test_id("plan-create").click()
    page.get_by_label("Chủng loại").select_option(label="Xe U-oát UAZ-469")
    page.get_by_label("Tên kế hoạch bảo dưỡng").fill("Bảo dưỡng cấp 1")
    page.get_by_label("Sau mỗi (km)").fill("5.000")
    page.get_by_label("Sau mỗi (ngày)").fill("180")
    page.get_by_label("Áp dụng từ ngày").fill(RECEIVED.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("plans")).to_contain_text("5.000 km hoặc 180 ngày")
    shot(page, "maintenance-01-ke-hoach")

    page.get_by_role("navigation", name="Mục chính").get_by_role("link", name="Bảo dưỡng").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bảng theo dõi hạn bảo dưỡng")
    counts = page.get_by_test_id("due-counts")
    district = counts.locator("tr", has_text="Ban CHQS huyện Bát Xát")
    overdue = district.locator("td").nth(3).locator("a")  # ok, soon, due, overdue
    expect(overdue).to_have_text("1")
    shot(page, "maintenance-02-bang-theo-doi")
    overdue.click()
    expect(page.get_by_test_id("count")).to_have_text("1 dòng")
    row = page.get_by_test_id("due-rows").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("XE-UAZ-01")
    expect(row).to_contain_text("Quá hạn")
    row.get_by_role("link", name="Ghi bảo dưỡng").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("XE-UAZ-01")
    expect(page.get_by_label("Kế hoạch bảo dưỡng")).to_have_value(re.compile(r"\d+"))
    page.get_by_role("button", name="Ghi").click()
    expect(page.locator(".messages")).to_contain_text("Đã ghi Bảo dưỡng cấp 1 cho XE-UAZ-01")
    # Back on the board as filtered (overdue in the district): nothing left; the truck is ok now.
    expect(page.get_by_test_id("count")).to_have_text("0 dòng")
    page.goto(f"/bao-duong/?unit={world.district_a1.code}")
    row = page.get_by_test_id("due-rows").locator("tbody tr")
    expect(row).to_contain_text("Bình thường")
    shot(page, "maintenance-03-da-bao-duong")
