"""Technical staff in Chromium: a technician is recorded, certified until next month, shows on the
board of certifications expiring (its count opening exactly them), is put on a course and given a
result, and authors an initiative."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .browsing import shot
from .test_browser_disposal import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()


def day(d):
    return d.strftime("%d/%m/%Y")


def test_a_person_is_certified_shows_on_the_board_is_trained_and_authors_an_initiative(page, world):
    sign_in_as(page, "tlkt-a", world.province_a.name)
    page.get_by_role("navigation").get_by_role("link", name="Cán bộ kỹ thuật").click()
    page.get_by_test_id("person-create").click()
    form = page.get_by_test_id("person-form")
    form.get_by_label("Họ và tên").fill("Nguyễn Văn Kỹ")
    form.get_by_label("Cấp bậc").fill("Thượng sĩ")
    form.get_by_label("Chuyên ngành").select_option(label="Quân khí")
    form.get_by_label("Đơn vị", exact=True).select_option(label=world.district_a1.name)
    form.get_by_label("Ngày vào đơn vị").fill("01/03/2019")
    form.get_by_label("Bậc thợ").select_option(label="Bậc 3/7")
    form.get_by_role("button", name="Thêm cán bộ").click()
    expect(page.get_by_test_id("person-name")).to_have_text("Thượng sĩ Nguyễn Văn Kỹ")
    expect(page.get_by_test_id("unit")).to_have_text(world.district_a1.name)

    certify = page.get_by_test_id("certify-form")
    certify.get_by_label("Loại chứng chỉ").select_option(label="Chứng chỉ sửa chữa vũ khí bộ binh")
    certify.get_by_label("Ngày cấp").fill("01/04/2021")
    certify.get_by_label("Ngày hết hạn").fill("01/03/2021")
    certify.get_by_role("button", name="Ghi chứng chỉ").click()
    expect(page.get_by_test_id("error")).to_contain_text("phải sau ngày cấp")
    page.get_by_test_id("certify-form").get_by_label("Ngày hết hạn").fill(day(TODAY + timedelta(days=25)))
    page.get_by_test_id("certify-form").get_by_role("button", name="Ghi chứng chỉ").click()
    expect(page.get_by_test_id("certifications")).to_contain_text("sắp hết hạn")

    page.get_by_test_id("people-nav").get_by_role("link", name="Chứng chỉ hết hạn").click()
    page.goto(f"/can-bo/chung-chi/?unit={world.province_a.code}")
    row = page.locator(f'tr[data-unit="{world.district_a1.code}"]')
    expect(row.get_by_test_id("expiring")).to_have_text("1")
    row.get_by_test_id("expiring").click()
    expect(page.get_by_test_id("row-count")).to_have_text("1 chứng chỉ.")
    expect(page.get_by_test_id("rows").locator("tr[data-person]")).to_have_count(1)
    expect(page.get_by_test_id("rows")).to_contain_text("Nguyễn Văn Kỹ")
    shot(page, "people-01-chung-chi")

    page.goto(f"/can-bo/khoa-hoc/?unit={world.district_a1.code}")
    course = page.get_by_test_id("course-form")
    course.get_by_label("Tên khóa").fill("Tập huấn sửa chữa súng bộ binh")
    course.get_by_label("Loại hình").select_option(label="Tập huấn")
    course.get_by_label("Từ ngày").fill(day(TODAY - timedelta(days=20)))
    course.get_by_label("Đến ngày").fill(day(TODAY - timedelta(days=15)))
    course.get_by_role("button", name="Mở khóa học").click()
    page.get_by_test_id("participants-form").get_by_label("Cán bộ").select_option(
        label=f"Nguyễn Văn Kỹ – {world.district_a1.name}"
    )
    page.get_by_role("button", name="Thêm vào khóa học").click()
    participant = page.locator('tr[data-person="Nguyễn Văn Kỹ"]')
    participant.get_by_label("Kết quả").select_option(label="Đạt")
    participant.get_by_label("Xếp loại").fill("Giỏi")
    participant.get_by_role("button", name="Ghi").click()
    expect(page.locator('tr[data-person="Nguyễn Văn Kỹ"]').get_by_test_id("result")).to_have_text("Đạt")

    page.goto(f"/can-bo/sang-kien/?unit={world.district_a1.code}")
    initiative = page.get_by_test_id("initiative-form")
    initiative.get_by_label("Tên sáng kiến").fill("Giá kê sửa chữa nòng súng")
    initiative.get_by_label("Tác giả").select_option(label=f"Nguyễn Văn Kỹ – {world.district_a1.name}")
    initiative.get_by_label("Cấp công nhận").select_option(label="Cấp cơ sở (đơn vị)")
    initiative.get_by_label("Ngày công nhận").fill(day(TODAY - timedelta(days=3)))
    initiative.get_by_label("Làm lợi (đồng)").fill("15.000.000")
    initiative.get_by_role("button", name="Ghi sáng kiến").click()
    expect(page.get_by_test_id("authors")).to_have_text("Nguyễn Văn Kỹ")
    page.get_by_test_id("authors").get_by_role("link", name="Nguyễn Văn Kỹ").click()
    expect(page.get_by_test_id("participations")).to_contain_text("Tập huấn sửa chữa súng bộ binh")
    expect(page.get_by_test_id("initiatives")).to_contain_text("Giá kê sửa chữa nòng súng")
    shot(page, "people-02-ho-so")
