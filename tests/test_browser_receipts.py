"""In Debian's Chromium: ten rifles received by a serial range through the receipt page, previewed,
written with their receipt record, and found in the register."""

import re

import pytest
from playwright.sync_api import expect

from .browsing import shot
from .test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ten_items_received_by_a_serial_range_appear_in_the_register(page, world):
    sign_in(page)
    page.goto("/trang-bi/?unit=huyen-a1")
    expect(page.get_by_test_id("count")).to_contain_text("0 trang bị")
    page.get_by_test_id("receive").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tiếp nhận trang bị")

    form = page.get_by_test_id("receipt-form")
    form.get_by_label("Chủng loại").select_option(label="Súng tiểu liên AK-47")
    form.get_by_label("Số hiệu", exact=True).fill("AK-120345 … AK-120354")
    # The live preview (htmx) counts them as they are typed.
    expect(page.get_by_test_id("serial-preview")).to_have_text("10 số hiệu: AK-120345 … AK-120354")
    form.get_by_label("Cấp chất lượng").select_option(label="Cấp 1")
    form.get_by_label("Năm sản xuất").fill("2020")
    expect(form.get_by_label("Đơn vị nhận")).to_have_value("huyen-a1")
    form.get_by_label("Nơi cất giữ (kho)").fill("Kho vũ khí K1")
    expect(form.get_by_label("Ngoài hệ thống (kho, nhà máy, cơ quan cấp trên…)")).to_be_checked()
    form.get_by_label("Tên bên giao ngoài hệ thống").fill("Kho K10 / Cục Kỹ thuật")
    form.get_by_label("Số biên bản giao nhận").fill("7/BBGN")
    form.get_by_label("Ngày giao nhận").fill("05/02/2025")
    form.get_by_role("button", name="Xem trước").click()

    preview = page.get_by_test_id("receipt-preview")
    expect(preview).to_contain_text("10 số hiệu: AK-120345 … AK-120354")
    shot(page, "receipt-1-xem-truoc")
    page.get_by_role("button", name="Ghi tiếp nhận").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Biên bản giao nhận số 7/BBGN")
    expect(page.locator(".messages")).to_contain_text(
        "Đã tiếp nhận 10 trang bị (AK-120345 … AK-120354) vào Ban CHQS huyện Bát Xát, biên bản số 7/BBGN."
    )
    expect(page.get_by_test_id("from-unit")).to_contain_text("Kho K10 / Cục Kỹ thuật")
    expect(page.get_by_test_id("handover-lines").locator("tbody tr")).to_have_count(10)
    shot(page, "receipt-2-bien-ban-giao-nhan")

    page.get_by_test_id("register-link").click()
    expect(page).to_have_url(re.compile(r"/trang-bi/\?unit=huyen-a1$"))
    expect(page.get_by_test_id("count")).to_contain_text("10 trang bị")
    results = page.locator("#results")
    for serial in ("AK-120345", "AK-120350", "AK-120354"):
        expect(results.get_by_role("link", name=serial, exact=True)).to_be_visible()
