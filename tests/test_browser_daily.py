"""Issue #12 end to end in Chromium: a meter reading in Vietnamese notation, and searching "dan"."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from materiel.catalog.models import EquipmentType
from materiel.ledger import services

from .browsing import shot
from .test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = date(2021, 1, 1)


def test_a_meter_reading_offers_the_types_meter_and_answers_in_vietnamese_numbers(page, world):
    item = services.record_receipt(
        equipment_type=world.rifle, serial="AK-01", unit=world.district_a1, grade=2, occurred_on=D, actor=world.officer
    ).item
    sign_in(page)
    page.goto(f"/trang-bi/{item.pk}/")
    page.locator("#action-meter summary").click()
    form = page.locator("#action-meter")
    expect(form.get_by_label("Đồng hồ").locator("option")).to_have_text(["Số phát bắn"])
    form.get_by_label("Chỉ số").fill("1.700,5")
    form.get_by_role("button", name="Ghi").click()
    expect(page.get_by_test_id("history")).to_contain_text("Số phát bắn: 1.700,5")
    page.locator("#action-meter summary").click()
    form = page.locator("#action-meter")
    form.get_by_label("Chỉ số").fill("1600")
    form.get_by_role("button", name="Ghi").click()
    expect(page.locator("#action-meter")).to_contain_text("Chỉ số 1.600 nhỏ hơn lần ghi trước (1.700,5 ngày")
    shot(page, "daily-01-chi-so-dong-ho")


def test_searching_dan_lists_ammunition_first_and_leads_to_its_lots(page, world):
    missile = EquipmentType.objects.create(
        category=world.ammo.category, code="a72", name="Tên lửa A72", unit_of_measure="quả"
    )
    rifle = services.record_receipt(
        equipment_type=world.rifle, serial="AK-01", unit=world.district_a1, grade=2, occurred_on=D, actor=world.officer
    ).item
    services.record_issue(rifle, holder="Đặng Văn Hùng", occurred_on=D, actor=world.officer)
    services.record_receipt(
        equipment_type=missile, serial="A72-01", unit=world.district_a1, grade=1, occurred_on=D, actor=world.officer
    )
    services.record_lot_receipt(
        equipment_type=world.ammo, unit=world.district_a1, lot_number="L-01", grade=1, quantity=1200,
        occurred_on=D, actor=world.officer,
    )  # fmt: skip
    sign_in(page)
    page.goto("/trang-bi/")
    page.get_by_label("Tìm").fill("dan")  # the live search (htmx)
    expect(page.get_by_test_id("count")).to_contain_text("2 trang bị")
    serials = page.locator("#results tbody tr td a")
    expect(serials).to_have_text(["A72-01", "AK-01"])  # the holder named Đặng after the ammunition
    shot(page, "daily-02-tim-dan")
    page.get_by_test_id("lot-matches").get_by_role("link").click()
    expect(page).to_have_url(re.compile("kind=lots"))
    expect(page.get_by_test_id("lot-total")).to_contain_text("1 lô")
    expect(page.locator("table.grid")).to_contain_text("Đạn 7,62mm K56")
