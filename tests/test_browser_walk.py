"""The register as its users live it, in Debian's Chromium (issue #12's walk): ten rifles received by
a serial range, two of them handed over, the register printed whole, and every number of the
dashboard equal to what its link opens."""

import re

import pytest
from playwright.sync_api import expect

from .browsing import shot
from .test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def receive_ten(page):
    page.goto("/trang-bi/?unit=huyen-a1")
    page.get_by_test_id("receive").click()
    form = page.get_by_test_id("receipt-form")
    form.get_by_label("Chủng loại").select_option(label="Súng tiểu liên AK-47")
    form.get_by_label("Số hiệu", exact=True).fill("AK-120345 … AK-120354")
    form.get_by_label("Cấp chất lượng").select_option(label="Cấp 2")
    form.get_by_label("Tên bên giao ngoài hệ thống").fill("Kho K10 / Cục Kỹ thuật")
    form.get_by_label("Số biên bản giao nhận").fill("7/BBGN")
    form.get_by_label("Ngày giao nhận").fill("05/02/2025")
    form.get_by_role("button", name="Xem trước").click()
    expect(page.get_by_test_id("receipt-preview")).to_contain_text("10 số hiệu: AK-120345 … AK-120354")
    page.get_by_role("button", name="Ghi tiếp nhận").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Biên bản giao nhận số 7/BBGN")


def hand_two_over(page):
    page.goto("/trang-bi/?unit=huyen-a1")
    expect(page.get_by_test_id("count")).to_contain_text("10 trang bị")
    for serial in ("AK-120345", "AK-120346"):
        page.get_by_label(f"Chọn {serial}").check()
    page.get_by_role("button", name="Điều chuyển…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Điều chuyển 2 trang bị")
    form = page.get_by_test_id("bulk-form")
    form.get_by_label("Ngày phát sinh").fill("06/02/2025")
    form.get_by_label("Đơn vị nhận").fill("Ban CHQS huyện Sa Pa")
    form.get_by_role("button", name="Điều chuyển và lập biên bản").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Biên bản bàn giao số")
    page.goto("/trang-bi/?unit=huyen-a1")
    expect(page.get_by_test_id("count")).to_contain_text("8 trang bị")


def print_whole(page):
    page.goto("/trang-bi/?unit=tinh-a")
    expect(page.get_by_test_id("count")).to_contain_text("10 trang bị")
    page.goto("/trang-bi/in/?unit=tinh-a")
    expect(page.get_by_test_id("print-count")).to_contain_text("Sẽ in đủ 10 trang bị")
    expect(page.get_by_test_id("print-rows").locator("tbody tr").filter(has_text="AK-1203")).to_have_count(10)
    shot(page, "walk-so-dang-ky-in")


def number_of(page, url: str) -> int:
    """What a dashboard link opens, as the opened page counts it."""
    page.goto(url)
    if "kind=lots" in url:
        text = page.locator("body").inner_text()
        return int(re.search(r"tổng số lượng ([\d.]+)", text).group(1).replace(".", ""))
    text = page.get_by_test_id("count").inner_text()
    return int(re.search(r"([\d.]+) trang bị", text).group(1).replace(".", ""))


def test_receive_hand_over_print_and_reconcile_the_dashboard(page, world):
    sign_in(page)
    receive_ten(page)
    hand_two_over(page)
    print_whole(page)
    page.goto("/")
    # Every number of the page that links to the register or its lots (tables and charts alike).
    found = page.evaluate(
        """() => Array.from(document.querySelectorAll('main a')).map(
            a => [a.getAttribute('href') || '', a.textContent.trim()])"""
    )
    numbers = [
        (url, int(text.replace(".", "")))
        for url, text in found
        if url.startswith("/trang-bi/?") and text.replace(".", "").isdigit()
    ]
    assert len(numbers) >= 5, numbers
    counts = [n for _url, n in numbers]
    assert 10 in counts and 8 in counts and 2 in counts  # the province, Bát Xát and Sa Pa
    for url, number in numbers:
        assert number_of(page, url) == number, url
