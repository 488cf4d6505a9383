"""The count campaign in Chromium: the province launches it; the district fills its sheet in the
browser (all found, then one rifle not found and one regraded) and the commune fills its sheet
offline in XLSX and imports it back; each is submitted, approved by its commander and by the
province; the events are in the item's history and the count minute prints the units' totals."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from materiel.accounts.models import Role
from materiel.ledger import services

from .browsing import shot
from .factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()
RECEIVED = TODAY - timedelta(days=400)


def sign_in_as(page, username, heading):
    page.context.clear_cookies()
    page.goto("/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-nghiem")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def open_sheet(page, unit_name):
    page.goto("/kiem-ke/")
    page.get_by_role("link", name="Kiểm kê quý IV").click()
    page.get_by_test_id("sheets").get_by_role("link", name=unit_name).click()


def approve(page, test_id, state):
    page.get_by_test_id(test_id).click()
    expect(page.get_by_test_id("state")).to_have_text(state)


def test_a_campaign_from_launch_to_frozen_result(page, world, tmp_path):
    make_user("tlkt-a1", world.district_a1, Role.DEPOT_KEEPER)
    make_user("chihuy-a1", world.district_a1, Role.COMMANDER)
    rifles = {}
    for serial, unit in [("KK-01", world.district_a1), ("KK-02", world.district_a1), ("KK-03", world.district_a1),
                         ("KK-X1", world.commune_a1)]:  # fmt: skip
        rifles[serial] = services.record_receipt(
            equipment_type=world.rifle, serial=serial, unit=unit, grade=2, occurred_on=RECEIVED, actor=world.officer
        ).item
    sign_in_as(page, "tlkt-a", world.province_a.name)
    page.get_by_role("navigation").get_by_role("link", name="Kiểm kê").click()
    page.get_by_test_id("campaign-create").click()
    page.get_by_label("Tên đợt kiểm kê").fill("Kiểm kê quý IV")
    page.get_by_label("Thời điểm kiểm kê").fill((TODAY - timedelta(days=2)).strftime("%d/%m/%Y"))
    page.get_by_label("Hạn hoàn thành").fill((TODAY + timedelta(days=20)).strftime("%d/%m/%Y"))
    page.get_by_label("Ban Chỉ huy Quân sự huyện", exact=True).check()  # the districts: A1 and A2
    page.get_by_label("Ban Chỉ huy Quân sự xã", exact=True).check()  # and the communes
    page.get_by_test_id("launch").click()
    expect(page.get_by_test_id("count-not_started")).to_have_text("3")

    # The district counts in the browser: all found, then the exceptions.
    sign_in_as(page, "tlkt-a1", world.district_a1.name)
    open_sheet(page, world.district_a1.name)
    page.get_by_test_id("all-found").click()
    grid = page.get_by_test_id("grid")
    grid.get_by_label("Có, dòng KK-02").select_option(label="Không")
    grid.get_by_label("Cấp kiểm kê, dòng KK-03").select_option("4")
    grid.get_by_label("Đồng bộ thiếu, dòng KK-03").fill("Thiếu lưỡi lê")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("fig-missing")).to_have_text("1")
    expect(page.get_by_test_id("fig-grade")).to_have_text("1")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("state")).to_have_text("Đã nộp")

    # The commune's sheet goes out as XLSX and comes back filled.
    open_sheet(page, world.commune_a1.name)
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = book.active
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 6).value == "KK-X1")
    sheet.cell(row, 9).value = "C"
    out = tmp_path / "xa.xlsx"
    buffer = io.BytesIO()
    book.save(buffer)
    out.write_bytes(buffer.getvalue())
    page.get_by_label("Tệp XLSX").set_input_files(str(out))
    page.get_by_test_id("import").click()
    expect(page.get_by_test_id("fig-found")).to_have_text("1")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("state")).to_have_text("Đã nộp")
    shot(page, "counts-01-da-nop")

    sign_in_as(page, "chihuy-a1", world.district_a1.name)
    for unit in (world.district_a1, world.commune_a1):
        open_sheet(page, unit.name)
        approve(page, "approve-unit", "Chỉ huy đơn vị đã duyệt")

    sign_in_as(page, "tlkt-a", world.province_a.name)
    page.goto("/kiem-ke/")
    page.get_by_role("link", name="Kiểm kê quý IV").click()
    expect(page.get_by_test_id("count-unit_approved")).to_have_text("2")
    page.get_by_test_id("board").locator('a[data-state="unit_approved"]').click()
    expect(page.get_by_test_id("sheets").locator("tr[data-unit]")).to_have_count(2)
    for unit in (world.district_a1, world.commune_a1):
        open_sheet(page, unit.name)
        approve(page, "approve-final", "Cấp trên đã phê duyệt")
    expect(page.get_by_test_id("events").locator("li")).to_have_count(0)  # the commune's: all as in the books
    open_sheet(page, world.district_a1.name)
    expect(page.get_by_test_id("events").locator("li")).to_have_count(2)
    shot(page, "counts-02-phe-duyet")
    page.get_by_test_id("events").get_by_role("link", name="KK-03").click()
    expect(page).to_have_url(f"/trang-bi/{rifles['KK-03'].pk}/")
    expect(page.locator("body")).to_contain_text("Kiểm kê: Kiểm kê quý IV")
    page.get_by_test_id("count-link").first.click()  # the event opens the sheet it came from
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Phiếu kiểm kê – {world.district_a1.name}")

    page.goto("/kiem-ke/")
    page.get_by_role("link", name="Kiểm kê quý IV").click()
    page.get_by_test_id("minute").click()
    table = page.get_by_test_id("minute-table")
    expect(table.locator(f'tr[data-unit="{world.district_a1.code}"] [data-testid="missing"]')).to_have_text("1")
    expect(table.locator(f'tr[data-unit="{world.district_a1.code}"] [data-grade="4"]')).to_have_text("1")
    expect(table.locator(f'tr[data-unit="{world.district_a1.code}"] [data-grade="2"]')).to_have_text("1")
    shot(page, "counts-03-bien-ban")
