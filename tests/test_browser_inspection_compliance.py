"""Inspection compliance in Chromium: the province's page for October 2025, a number clicked opens
the periods it counts, and the range typed in the form changes the figures."""

from datetime import date

import pytest
from playwright.sync_api import expect

from materiel.inspections.models import Frequency

from .browsing import shot
from .test_browser_disposal import sign_in_as
from .test_inspection_compliance import duty, held, room  # noqa: F401 - the room fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_compliance_page_drills_down_to_the_weeks_it_counts(page, world, room):  # noqa: F811
    weekly = duty(Frequency.WEEKLY)
    for day in (date(2025, 9, 30), date(2025, 10, 14)):
        held(world, room, weekly, day)
    sign_in_as(page, "tlkt-a", world.province_a.name)
    page.goto("/kiem-tra/thuc-hien/?unit=tinh-a")
    page.get_by_label("Từ ngày").fill("01/10/2025")
    page.get_by_label("Đến ngày").fill("31/10/2025")
    page.locator("form.filters").get_by_role("button", name="Xem").click()
    row = page.locator(f"tr[data-duty='d{weekly.pk}']")
    expect(row).to_contain_text("Chỉ huy đại đội")
    expect(row.locator("td.num").nth(0)).to_have_text("5")  # five weeks overlap October
    expect(row.locator("td.num").nth(4)).to_have_text("40,0")
    daily = page.locator(f"tr[data-duty='d{duty(Frequency.DAILY).pk}']")
    expect(daily.locator("td.num").nth(4)).to_have_text("0,0")  # none done of 31 is 0 %, not "nothing owed"
    shot(page, "inspection-compliance")
    row.locator("a[href*='what=missed']").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("bỏ sót")
    periods = page.get_by_test_id("detail").locator("tbody tr")
    expect(periods).to_have_count(3)
    expect(periods.first).to_contain_text("06/10/2025 – 12/10/2025")
    expect(periods.first).to_contain_text("PVK-1 – Phòng vũ khí đại đội 1")
