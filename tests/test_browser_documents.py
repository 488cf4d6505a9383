"""In Debian's Chromium: dashboard numbers and charts lead to their items, a bulk transfer draws up one
handover record seen from both units and in each item's history, and the record prints on A4.

Screenshots and the printed PDF are kept in test-artifacts/ (not committed) for review.
"""

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from materiel.equipment.models import Item
from materiel.ledger import services

from .browsing import shot
from .test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
D = date(2021, 1, 1)


@pytest.fixture
def stocked(world):
    """District A1: five rifles (grades 1, 2, 2, 3, 4), the grade-4 one in repair; district A2: a jeep."""
    for n, grade in enumerate([1, 2, 2, 3, 4], start=1):
        item = services.record_receipt(
            equipment_type=world.rifle,
            serial=f"AK-{n:03d}",
            unit=world.district_a1,
            grade=grade,
            occurred_on=D,
            actor=world.officer,
        ).item
    services.record_repair_start(item, occurred_on=date(2022, 3, 1), actor=world.officer)
    services.record_receipt(
        equipment_type=world.truck, serial="UAZ-01", unit=world.district_a2, grade=2, occurred_on=D, actor=world.officer
    )


def test_dashboard_numbers_and_chart_bars_lead_to_the_same_count(page, stocked):
    sign_in(page)
    expect(page.get_by_test_id("grade-chart")).to_be_visible()
    expect(page.get_by_test_id("ranking-chart")).to_contain_text("Ban CHQS huyện Bát Xát")
    shot(page, "doc-0-tong-quan-bieu-do")
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.get_by_test_id("grade-chart")).to_be_visible()
    shot(page, "doc-7-tong-quan-ban-in")
    page.emulate_media(media="screen")
    # The repair count in the watch list.
    watch = page.get_by_test_id("watch").locator(".card", has_text="Đang sửa chữa")
    expect(watch).to_contain_text("AK-005")
    watch.get_by_role("link", name="1", exact=True).click()
    expect(page.get_by_test_id("count")).to_contain_text("1 trang bị")
    expect(page.locator("#results")).to_contain_text("AK-005")
    # A bar segment of the chart: grade 2 of infantry weapons.
    page.goto("/")
    page.locator('[data-testid=grade-chart] a[href*="category=vkbb"][href*="grade=2"]').first.click()
    expect(page).to_have_url(re.compile(r"grade=2"))
    expect(page.get_by_test_id("count")).to_contain_text("2 trang bị")
    # The serviceable part of the coefficient: grades 1 and 2, rifles and the jeep.
    page.goto("/")
    page.get_by_test_id("coefficient-parts").get_by_role("link", name="4", exact=True).click()
    expect(page.get_by_test_id("count")).to_contain_text("4 trang bị")


def test_bulk_transfer_draws_up_one_record_seen_on_both_units_and_in_the_history(page, stocked):
    sign_in(page)
    page.goto("/trang-bi/?unit=huyen-a1")
    expect(page.get_by_test_id("count")).to_contain_text("5 trang bị")
    page.get_by_label("Chọn tất cả trên trang").check()
    expect(page.get_by_label("Chọn AK-004")).to_be_checked()
    page.get_by_label("Chọn tất cả trên trang").uncheck()
    for serial in ("AK-001", "AK-002", "AK-003"):
        page.get_by_label(f"Chọn {serial}").check()
    page.get_by_role("button", name="Điều chuyển…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Điều chuyển 3 trang bị")
    expect(page.get_by_test_id("bulk-items")).to_contain_text("AK-003")
    expect(page.get_by_test_id("giving-unit")).to_have_text("Ban CHQS huyện Bát Xát")
    form = page.get_by_test_id("bulk-form")
    expect(form.get_by_label("Số biên bản bàn giao")).to_have_value("1/BBBG")
    form.get_by_label("Ngày phát sinh").fill("05/02/2025")
    form.get_by_label("Đơn vị nhận").fill("Ban CHQS huyện Sa Pa")
    form.get_by_label("Người giao", exact=True).fill("Lò Văn Giao")
    form.get_by_label("Cấp bậc, chức vụ người giao").fill("Đại úy, Trợ lý quân khí")
    form.get_by_label("Người nhận", exact=True).fill("Vàng A Nhận")
    shot(page, "doc-1-dieu-chuyen-hang-loat")
    form.get_by_role("button", name="Điều chuyển và lập biên bản").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Biên bản bàn giao số 1/BBBG")
    expect(page.get_by_test_id("handover-lines")).to_contain_text("AK-003")
    expect(page.get_by_test_id("to-unit")).to_have_text("Ban CHQS huyện Sa Pa")
    shot(page, "doc-2-bien-ban-ban-giao")

    page.goto("/trang-bi/?unit=huyen-a2")
    expect(page.get_by_test_id("count")).to_contain_text("4 trang bị")
    page.goto("/trang-bi/?unit=huyen-a1")
    expect(page.get_by_test_id("count")).to_contain_text("2 trang bị")
    for unit in ("huyen-a1", "huyen-a2"):
        page.goto(f"/bien-ban/?unit={unit}")
        expect(page.get_by_test_id("handovers")).to_contain_text("1/BBBG")

    item = Item.objects.get(serial="AK-002")
    page.goto(f"/trang-bi/{item.pk}/")
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("Ban CHQS huyện Bát Xát → Ban CHQS huyện Sa Pa")
    history.get_by_role("link", name="1/BBBG").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Biên bản bàn giao số 1/BBBG")


def test_handover_record_prints_on_a4_without_the_page_chrome(page, stocked, world):
    from materiel.documents.services import Parties, hand_over

    items = list(Item.objects.filter(serial__in=["AK-001", "AK-002"]))
    record = hand_over(
        items=items,
        to_unit=world.district_a2,
        parties=Parties(number="15/BBBG", handed_on=date(2025, 2, 5), giver_name="Lò Văn Giao"),
        actor=world.officer,
    )
    sign_in(page)
    page.goto(f"/bien-ban/{record.pk}/")
    page.get_by_test_id("print-link").click()
    paper = page.get_by_test_id("paper")
    expect(paper).to_contain_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    expect(paper.locator("h1")).to_have_text("Biên bản bàn giao vũ khí, trang bị kỹ thuật")
    expect(page.locator("header.top")).to_be_visible()
    shot(page, "doc-3-ban-in-bien-ban-man-hinh")

    # The print stylesheet is loaded and asks for A4.
    sizes = page.evaluate(
        """() => [...document.styleSheets].filter(s => s.href && s.href.includes('documents/print.css'))
                 .flatMap(s => [...s.cssRules]).filter(r => r.type === CSSRule.PAGE_RULE)
                 .map(r => r.style.getPropertyValue('size').toUpperCase())"""
    )
    assert sizes == ["A4"]

    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator("nav.breadcrumbs")).to_be_hidden()
    expect(page.get_by_role("button", name="In", exact=True)).to_be_hidden()
    expect(paper).to_be_visible()
    expect(page.get_by_test_id("signatures")).to_contain_text("Lò Văn Giao")
    shot(page, "doc-4-ban-in-bien-ban-in")

    # Asked for Letter, Chromium follows the page's @page rule: the PDF comes out A4 (595 × 842 pt).
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(format="Letter", prefer_css_page_size=True, path=str(ARTIFACTS / "bien-ban-ban-giao.pdf"))
    width, height = (float(v) for v in re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert (round(width), round(height)) in {(595, 842), (596, 842), (595, 843), (596, 843)}


def test_register_extract_and_item_history_print_views(page, stocked):
    sign_in(page)
    page.goto("/trang-bi/?unit=huyen-a1&grade=2")
    page.get_by_test_id("register-print").click()
    expect(page.get_by_test_id("print-rows")).to_contain_text("Cộng: 2 trang bị")
    expect(page.get_by_test_id("signatures")).to_contain_text("Thủ trưởng đơn vị")
    page.emulate_media(media="print")
    shot(page, "doc-5-ban-in-trich-so")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(prefer_css_page_size=True, path=str(ARTIFACTS / "trich-so-dang-ky.pdf"))
    page.emulate_media(media="screen")
    item = Item.objects.get(serial="AK-005")
    page.goto(f"/trang-bi/{item.pk}/")
    expect(page.get_by_test_id("label").locator("svg")).to_be_visible()
    page.get_by_test_id("item-print").click()
    expect(page.get_by_test_id("print-history")).to_contain_text("Đưa đi sửa chữa")
    shot(page, "doc-6-ban-in-ly-lich")
