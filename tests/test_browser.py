"""End to end in Debian's Chromium: what a technical officer does on a normal morning.

Screenshots of each main page are kept in test-artifacts/screenshots/ (not committed) for review.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from materiel.equipment.models import Item
from materiel.ledger import services
from materiel.ledger.models import Event

from .browsing import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username="tlkt-a"):
    page.goto("/")
    expect(page).to_have_url(re.compile("/dang-nhap/"))
    shot(page, "01-dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-nghiem")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bộ CHQS tỉnh Lào Cai")


@pytest.fixture
def stocked(world):
    d = date(2021, 1, 1)
    for n, grade in enumerate([1, 2, 2, 3, 4], start=1):
        services.record_receipt(
            equipment_type=world.rifle,
            serial=f"AK-{n:03d}",
            unit=world.district_a1,
            grade=grade,
            occurred_on=d,
            actor=world.officer,
        )
    services.record_receipt(
        equipment_type=world.truck, serial="UAZ-01", unit=world.district_a2, grade=2, occurred_on=d, actor=world.officer
    )


def test_dashboard_number_leads_to_the_same_number_of_items(page, stocked):
    sign_in(page)
    shot(page, "02-tong-quan")
    cell = (
        page.get_by_test_id("grade-table")
        .get_by_role("row", name=re.compile("Vũ khí bộ binh"))
        .get_by_role("link", name="2", exact=True)
    )
    cell.click()
    expect(page.get_by_test_id("count")).to_contain_text("2 trang bị")
    shot(page, "03-so-dang-ky")
    page.get_by_role("link", name="AK-002").click()
    expect(page.get_by_test_id("history")).to_contain_text("Tiếp nhận")
    shot(page, "04-ly-lich")


def test_search_ignores_diacritics(page, stocked):
    sign_in(page)
    page.goto("/trang-bi/")
    page.get_by_label("Tìm").fill("sung tieu lien")
    expect(page.get_by_test_id("count")).to_contain_text("5 trang bị")
    page.get_by_label("Tìm").fill("xe uoat")
    expect(page.get_by_test_id("count")).to_contain_text("1 trang bị")


def test_record_a_transfer_see_it_on_both_units_then_reverse_it(page, stocked, world):
    sign_in(page)
    item = Item.objects.get(serial="AK-001")
    page.goto(f"/trang-bi/{item.pk}/")
    page.get_by_text("Điều chuyển", exact=True).click()
    form = page.locator("#action-transfer")
    form.get_by_label("Ngày phát sinh").fill("05/02/2025")
    # The receiving unit is typed; the suggestions follow (htmx), diacritics ignored.
    form.get_by_label("Đơn vị nhận").press_sequentially("sa pa")
    expect(form.locator("datalist option")).to_have_count(1)
    expect(form.locator("datalist option")).to_have_attribute("value", "huyen-a2")
    form.get_by_label("Đơn vị nhận").fill("Ban CHQS huyện Sa Pa")
    form.get_by_label("Số biên bản bàn giao").fill("")  # the proposed number, cleared
    form.get_by_role("button", name="Ghi").click()
    expect(page.locator("#action-transfer")).to_contain_text("Điều chuyển phải có số biên bản bàn giao.")
    shot(page, "05-loi-nhap-lieu")
    form = page.locator("#action-transfer")
    form.get_by_label("Số biên bản bàn giao").fill("15/BBBG")
    form.get_by_role("button", name="Ghi").click()
    expect(page.get_by_test_id("item-unit")).to_have_text("Ban CHQS huyện Sa Pa")
    expect(page.get_by_test_id("history")).to_contain_text("Ban CHQS huyện Bát Xát → Ban CHQS huyện Sa Pa")
    page.goto("/trang-bi/?unit=huyen-a2")
    expect(page.get_by_test_id("count")).to_contain_text("2 trang bị")
    page.goto("/trang-bi/?unit=huyen-a1")
    expect(page.get_by_test_id("count")).to_contain_text("4 trang bị")
    page.goto(f"/trang-bi/{item.pk}/")
    page.get_by_placeholder("Lý do hủy").fill("Ghi nhầm đơn vị nhận")
    page.get_by_role("button", name="Hủy (ghi nhầm)").click()
    expect(page.get_by_test_id("item-unit")).to_have_text("Ban CHQS huyện Bát Xát")
    expect(page.get_by_test_id("history")).to_contain_text("đã hủy")
    assert Event.objects.filter(item=item).count() == 3


def test_print_view_hides_the_controls(page, stocked):
    sign_in(page)
    item = Item.objects.get(serial="AK-003")
    page.goto(f"/trang-bi/{item.pk}/")
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.get_by_test_id("history")).to_be_visible()
    shot(page, "06-ban-in-ly-lich")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_past_day_and_keyboard_only_navigation(page, stocked):
    sign_in(page)
    page.get_by_label("Tại ngày").fill("01/01/2020")
    page.get_by_label("Tại ngày").press("Enter")
    expect(page.get_by_test_id("grade-table")).to_contain_text("Chưa có trang bị.")
    shot(page, "07-tong-quan-ngay-cu")
    page.goto("/")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Trang bị")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/trang-bi/"))


def test_administrator_creates_an_account_and_reads_the_audit_log(page, world):
    from .factories import make_user

    make_user("quantri-a", world.province_a, "admin")
    sign_in(page, "quantri-a")
    page.get_by_role("link", name="Quản trị").click()
    page.get_by_role("link", name="Thêm tài khoản").click()
    page.get_by_label("Tên đăng nhập").fill("thukho-a1")
    page.get_by_label("Họ và tên").fill("Nguyễn Văn Kho")
    page.get_by_label("Đơn vị (phạm vi)").select_option(label="Ban CHQS huyện Bát Xát")
    page.get_by_label("Vai trò").select_option(label="Thủ kho")
    page.get_by_label("Mật khẩu").fill("123")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".has-error")).to_contain_text("Mật khẩu")
    page.get_by_label("Mật khẩu").fill("Kho-vu-khi-tot-2026")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_test_id("users")).to_contain_text("thukho-a1")
    shot(page, "08-tai-khoan")
    page.get_by_role("link", name="Nhật ký truy cập").click()
    expect(page.get_by_test_id("audit")).to_contain_text("Tạo tài khoản")
    shot(page, "09-nhat-ky")
