"""Issue #16's first slice in Chromium: a depot added to a district, a rifle moved into it from its
page, the depot's count opening exactly its list, the register filtered by the depot, the A4 list."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from materiel.ledger import services

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
