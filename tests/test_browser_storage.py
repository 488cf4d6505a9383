"""Issue #16 in Chromium: a depot added to a district, a rifle moved into it from its page, the
depot's count opening exactly its list, the register filtered by the depot, the A4 list; a month of
a depot's condition log typed in, its alarm on the dashboard answered."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from materiel.ledger import services
from materiel.storage import services as storage
from materiel.storage.models import PlaceKind

from .browsing import shot
from .test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()
RECEIVED = TODAY - timedelta(days=30)


def test_a_depot_is_added_an_item_moved_in_and_its_list_printed(page, world):
    rifles = [
        services.record_receipt(
            equipment_type=world.rifle,
            serial=f"AK-KHO-{n}",
            unit=world.district_a1,
            grade=2,
            occurred_on=RECEIVED,
            actor=world.officer,
        ).item  # fmt: skip
        for n in (1, 2)
    ]
    sign_in(page)
    page.goto(f"/kho/?unit={world.district_a1.code}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kho và nơi cất giữ")
    page.get_by_test_id("place-create").click()
    page.get_by_label("Loại").select_option(label="Kho")
    page.get_by_label("Ký hiệu").fill("K1")
    page.get_by_label("Tên nơi cất giữ").fill("Kho vũ khí K1")
    page.get_by_label("Sức chứa (trang bị)").fill("0")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".errorlist, .error").first).to_be_visible()  # a capacity of 0 is named
    page.get_by_label("Sức chứa (trang bị)").fill("200")
    page.get_by_label("Người phụ trách").fill("Thượng sĩ Lò Văn Kho")
    page.get_by_role("button", name="Lưu").click()
    row = page.get_by_test_id("places").locator("tr[data-place='K1']")
    expect(row).to_contain_text("Kho vũ khí K1")
    expect(row.get_by_test_id("held")).to_have_text("0")
    shot(page, "storage-01-noi-cat-giu")

    page.goto(f"/trang-bi/{rifles[0].pk}/")
    expect(page.get_by_test_id("item-place")).to_contain_text("Chưa xếp nơi cất giữ")
    page.get_by_test_id("item-place").get_by_role("link", name="Chuyển nơi cất giữ").click()
    page.get_by_label("Chuyển đến").select_option(label="K1 – Kho vũ khí K1 (Kho)")
    page.get_by_label("Ngày chuyển").fill(TODAY.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Chuyển").click()
    expect(page.get_by_test_id("item-place")).to_contain_text("K1 – Kho vũ khí K1")
    expect(page.locator("table").filter(has_text="Chuyển nơi cất giữ").first).to_contain_text("K1 – Kho vũ khí K1")
    shot(page, "storage-02-trang-bi")

    page.goto(f"/kho/?unit={world.province_a.code}")
    held = page.get_by_test_id("places").locator("tr[data-place='K1']").get_by_test_id("held")
    expect(held).to_have_text("1")
    held.click()
    expect(page.get_by_test_id("count")).to_have_text("1 trang bị")
    expect(page.get_by_test_id("place-items").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("place-items")).to_contain_text("AK-KHO-1")
    page.get_by_role("link", name="Mở trong sổ trang bị").click()
    expect(page.locator("body")).to_contain_text("AK-KHO-1")
    expect(page.locator("body")).not_to_contain_text("AK-KHO-2")
    page.go_back()
    page.get_by_test_id("place-print").click()
    expect(page.get_by_test_id("print-rows")).to_contain_text("AK-KHO-1")
    expect(page.get_by_test_id("print-rows")).to_contain_text("Cộng: 1 trang bị")
    expect(page.locator("body")).to_contain_text("Thượng sĩ Lò Văn Kho")
    shot(page, "storage-03-ban-in")


def test_a_month_of_the_depot_log_is_typed_in_and_its_alarm_answered_from_the_dashboard(page, world):
    """A keeper types last month's paper log for the optics store: a bad cell is named and nothing is
    written; corrected, the month is written, the hot day raises an alarm on the dashboard, and the
    alarm answered leaves it."""
    kind = PlaceKind.objects.get(code="kho-quang-dien-tu")
    store = storage.save_place(
        actor=world.officer, unit=world.district_a1, kind=kind, code="K-QH", name="Kho khí tài quang học",
        responsible="Trung úy Phạm Văn Quang",
    )  # fmt: skip
    month = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)
    sign_in(page)
    page.goto(f"/kho/?unit={world.district_a1.code}")
    page.get_by_test_id("places").locator("tr[data-place='K-QH']").get_by_test_id("depot-log").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sổ theo dõi kho: K-QH")
    page.get_by_test_id("previous-month").click()
    page.get_by_test_id("month-entry").click()
    grid = page.get_by_test_id("month-grid")
    expect(page.get_by_label("Người kiểm tra (cho các dòng không ghi tên)")).to_have_value("Trung úy Phạm Văn Quang")
    grid.get_by_label(f"Nhiệt độ 01/{month:%m}").fill("22,5")
    grid.get_by_label(f"Độ ẩm 01/{month:%m}").fill("60")
    grid.get_by_label(f"Phòng cháy chữa cháy 01/{month:%m}").select_option("1")
    grid.get_by_label(f"Nhiệt độ 02/{month:%m}").fill("27,O")  # a letter O typed for a zero
    grid.get_by_label(f"Độ ẩm 02/{month:%m}").fill("70")
    page.get_by_test_id("month-save").click()
    expect(page.get_by_test_id("month-error")).to_contain_text("Chưa ghi dòng nào")
    expect(page.locator("tr[data-day='2']").get_by_test_id("row-error")).to_contain_text("“27,O” không phải là số")
    shot(page, "storage-04-nhap-so-thang")
    grid.get_by_label(f"Nhiệt độ 02/{month:%m}").fill("27,0")
    page.get_by_test_id("month-save").click()
    expect(page.locator(".messages")).to_contain_text("Đã ghi 2 lần kiểm tra vào sổ, 1 có cảnh báo")
    expect(page.get_by_test_id("readings").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("readings")).to_contain_text("Nhiệt độ 27,0 °C ngoài ngưỡng 20,0–25,0 °C")

    page.goto(f"/?unit={world.province_a.code}")
    warning = page.get_by_test_id("depot-alarms")
    expect(warning).to_have_text("1 cảnh báo kho chưa xác nhận")
    warning.get_by_role("link").click()
    alarms = page.get_by_test_id("alarms")
    expect(alarms.locator("tbody tr")).to_have_count(1)
    alarms.get_by_label("Biện pháp đã làm").fill("Bật điều hòa, đo lại 23 °C")
    alarms.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("count")).to_contain_text("0 cảnh báo")
    page.goto(f"/?unit={world.province_a.code}")
    expect(page.get_by_test_id("depot-alarms")).to_have_count(0)
    page.goto(f"/kho/{store.pk}/so-theo-doi/ban-in/?thang={month:%Y-%m}")
    expect(page.get_by_test_id("print-rows")).to_contain_text("Đã xác nhận: Bật điều hòa, đo lại 23 °C")
    expect(page.locator("body")).to_contain_text("Trung úy Phạm Văn Quang")
    shot(page, "storage-05-so-theo-doi-ban-in")
