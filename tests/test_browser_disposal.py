"""Removal and disposal in Chromium: a district proposes its worn-out rifles from the suggestions,
submits; the province sends it back, the district adds one more and submits again; the province
decides, and the rifles are disposed in the register with the decision's number."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from materiel.ledger import services

from .browsing import shot
from .factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()


def sign_in_as(page, username, heading):
    page.context.clear_cookies()
    page.goto("/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-nghiem")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def test_a_proposal_is_drafted_sent_back_and_decided(page, world):
    make_user("tlkt-a1", world.district_a1)
    rifles = {
        serial: services.record_receipt(
            equipment_type=world.rifle,
            serial=serial,
            unit=world.district_a1,
            grade=grade,
            occurred_on=TODAY - timedelta(days=400),
            actor=world.officer,
        ).item  # fmt: skip
        for serial, grade in [("AK-HONG-1", 5), ("AK-HONG-2", 5), ("AK-CU-3", 3)]
    }
    sign_in_as(page, "tlkt-a1", world.district_a1.name)
    page.get_by_role("navigation").get_by_role("link", name="Thanh lý").click()
    page.get_by_test_id("proposal-create").click()
    page.get_by_label("Số tờ trình").fill("1/TTr-TL")
    page.get_by_role("button", name="Lập đề nghị").click()
    expect(page.get_by_test_id("state")).to_have_text("Đang lập")
    suggested = page.get_by_test_id("suggested-form")
    expect(suggested).to_contain_text("AK-HONG-1")
    expect(suggested).not_to_contain_text("AK-CU-3")  # grade 3: not suggested
    suggested.get_by_label("AK-HONG-1").check()
    suggested.get_by_label("AK-HONG-2").check()
    suggested.get_by_label("Căn cứ").select_option(
        label="Hư hỏng nặng, không sửa chữa được hoặc sửa chữa không hiệu quả"
    )
    suggested.get_by_role("button", name="Thêm các trang bị đã chọn").click()
    expect(page.get_by_test_id("lines").locator("tr[data-serial]")).to_have_count(2)
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("state")).to_have_text("Đã trình")
    shot(page, "disposal-01-da-trinh")

    sign_in_as(page, "tlkt-a", world.province_a.name)
    page.goto(f"/thanh-ly/?unit={world.province_a.code}")
    page.get_by_role("link", name="1/TTr-TL").click()
    page.get_by_label("Lý do trả lại").fill("Bổ sung súng AK-CU-3 đã hết niên hạn")
    page.get_by_role("button", name="Trả lại đơn vị").click()
    expect(page.get_by_test_id("state")).to_have_text("Bị trả lại")

    sign_in_as(page, "tlkt-a1", world.district_a1.name)
    page.goto(f"/thanh-ly/?unit={world.district_a1.code}")
    page.get_by_role("link", name="1/TTr-TL").click()
    expect(page.get_by_test_id("steps")).to_contain_text("Bổ sung súng AK-CU-3")
    form = page.get_by_test_id("add-form")
    form.get_by_label("Số hiệu (mỗi dòng một số hiệu)").fill("AK-CU-3")
    form.get_by_label("Căn cứ").select_option(label="Hết niên hạn sử dụng")
    form.get_by_role("button", name="Thêm vào đề nghị").click()
    expect(page.get_by_test_id("total")).to_contain_text("Cộng: 3 trang bị")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("state")).to_have_text("Đã trình")

    sign_in_as(page, "tlkt-a", world.province_a.name)
    page.goto(f"/thanh-ly/?unit={world.province_a.code}")
    page.get_by_role("link", name="1/TTr-TL").click()
    page.get_by_label("Số quyết định").fill("125/QĐ-BCH")
    page.get_by_role("button", name="Ghi quyết định thanh lý").click()
    expect(page.get_by_test_id("state")).to_have_text("Đã có quyết định")
    expect(page.get_by_test_id("events").locator("li")).to_have_count(6)
    shot(page, "disposal-02-quyet-dinh")
    page.get_by_test_id("print").click()
    expect(page.get_by_test_id("print-rows")).to_contain_text("Cộng: 3 trang bị")
    expect(page.locator("body")).to_contain_text("Đã có quyết định số 125/QĐ-BCH")
    page.go_back()
    page.get_by_test_id("events").get_by_role("link", name="AK-CU-3").first.click()
    expect(page).to_have_url(f"/trang-bi/{rifles['AK-CU-3'].pk}/")
    expect(page.locator("body")).to_contain_text("Đã thanh lý")
    expect(page.locator("body")).to_contain_text("125/QĐ-BCH")
