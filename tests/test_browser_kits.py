"""Completeness in Chromium: a type's standard kit written on the catalogue, a rifle found short of
it on its page, the dashboard's đồng bộ figure and its count, which opens exactly that rifle."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from materiel.ledger import services

from .browsing import shot
from .test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()


def test_a_kit_written_on_the_catalogue_a_rifle_found_short_and_the_dashboard_counts_it(page, world):
    for n in range(1, 3):
        services.record_receipt(
            equipment_type=world.rifle, serial=f"AK-20{n}", unit=world.district_a1, grade=2,
            occurred_on=TODAY - timedelta(days=30), actor=world.officer,
        )  # fmt: skip
    sign_in(page)
    page.goto(f"/danh-muc/chung-loai/{world.rifle.pk}/dong-bo/")
    form = page.get_by_test_id("kit-form")
    form.locator("[name=kit-0-part]").select_option("accessory")
    form.locator("[name=kit-0-name]").fill("Hộp tiếp đạn")
    form.locator("[name=kit-0-quantity]").fill("4")
    form.locator("[name=kit-1-name]").fill("Lưỡi lê")
    form.get_by_role("button", name="Lưu").click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu bộ đồng bộ")
    expect(form.locator("[name=kit-1-name]")).to_have_value("Lưỡi lê")

    rifle = world.rifle.items.get(serial="AK-201")
    page.goto(f"/trang-bi/{rifle.pk}/")
    page.locator("#action-kit summary").click()
    page.get_by_label("Thiếu – Hộp tiếp đạn (bộ có 4)").fill("5")
    page.get_by_label("Thiếu – Hộp tiếp đạn (bộ có 4)").press("Enter")
    expect(page.locator("#action-kit .error")).to_contain_text("4")  # no more than the kit has
    page.get_by_label("Thiếu – Hộp tiếp đạn (bộ có 4)").fill("1")
    page.get_by_label("Ghi chú").fill("Kiểm tra tuần")
    page.locator("#action-kit").get_by_role("button", name="Ghi").click()
    expect(page.get_by_test_id("item-kit-state")).to_have_text("Thiếu đồng bộ")
    expect(page.get_by_test_id("history")).to_contain_text("thiếu 1 Hộp tiếp đạn")
    shot(page, "dong-bo-01-trang-bi")

    page.goto(f"/?unit={world.district_a1.code}")
    expect(page.get_by_test_id("completeness")).to_have_text("50,0%")
    page.get_by_test_id("completeness-parts").get_by_role("link", name="1", exact=True).click()
    expect(page.get_by_test_id("count")).to_have_text("1 trang bị")
    expect(page.get_by_label("Đồng bộ")).to_have_value("incomplete")  # the filter shows, removable
    expect(page.locator("body")).to_contain_text("AK-201")
    expect(page.locator("body")).not_to_contain_text("AK-202")
    shot(page, "dong-bo-02-so-dang-ky")
