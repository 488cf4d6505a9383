"""Inspection compliance: the matrix's obligations per place and period against the finished runs
answering each row, cut weeks, pending periods, refusals of a run that answers the wrong row,
overdue corrective actions, and scoping."""

from datetime import date, timedelta

import pytest

from materiel.core.errors import DomainError
from materiel.inspections import services as insp
from materiel.inspections.compliance import (
    DONE,
    MISSED,
    PENDING,
    compliance,
    overdue_actions_of,
    period_of,
    periods,
)
from materiel.inspections.models import DutyRow, Frequency
from materiel.ledger import services
from materiel.storage import services as storage
from materiel.storage.models import PlaceKind

START, END = date(2025, 10, 1), date(2025, 10, 31)  # Wednesday 1 to Friday 31 October 2025
LATER = date(2026, 1, 15)


@pytest.fixture
def room(world):
    place = storage.save_place(
        actor=world.officer,
        unit=world.district_a1,
        kind=PlaceKind.objects.get(code="phong-vu-khi"),
        code="PVK-1",
        name="Phòng vũ khí đại đội 1",
    )
    item = services.record_receipt(
        equipment_type=world.rifle, serial="AK-9", unit=world.district_a1, grade=2, occurred_on=date(2021, 3, 1),
        actor=world.officer,
    ).item  # fmt: skip
    storage.relocate(item, place=place, occurred_on=date(2021, 3, 2), actor=world.officer)
    return place


def duty(frequency):
    return DutyRow.objects.get(place_kind__code="phong-vu-khi", frequency=frequency)


def held(world, place, row, day, *, finish=True):
    run = insp.open_run(
        actor=world.officer,
        unit=world.district_a1,
        template=insp.current(row.template_code),
        inspector="Đại úy Nguyễn Văn Hùng",
        inspected_on=day,
        kind="regular",
        place=place,
        duty=row,
    )
    return insp.finish_run(run, actor=world.officer) if finish else run


def test_periods_follow_the_calendar():
    assert period_of(Frequency.WEEKLY, date(2025, 10, 1)) == (date(2025, 9, 29), date(2025, 10, 5))
    assert period_of(Frequency.QUARTERLY, date(2025, 11, 20)) == (date(2025, 10, 1), date(2025, 12, 31))
    assert period_of(Frequency.MONTHLY, date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert len(periods(Frequency.WEEKLY, START, END)) == 5
    assert len(periods(Frequency.DAILY, START, END)) == 31
    assert periods(Frequency.YEARLY, START, END) == ((date(2025, 1, 1), date(2025, 12, 31)),)


def test_a_weekly_row_counts_its_own_runs_the_cut_week_included(world, room):
    weekly, daily = duty(Frequency.WEEKLY), duty(Frequency.DAILY)
    held(world, room, weekly, date(2025, 9, 30))  # the day before the range, in its first (cut) week
    held(world, room, weekly, date(2025, 10, 14))
    held(world, room, weekly, date(2025, 10, 15))  # a second run in a week that is already done
    held(world, room, daily, date(2025, 10, 20))  # a squad leader's daily check is not the weekly one
    held(world, room, weekly, date(2025, 10, 21), finish=False)  # a draft answers nothing

    report = compliance(world.officer, world.province_a, START, END, today=LATER, keep=f"d{weekly.pk}")
    line = report.line(f"d{weekly.pk}")
    assert (line.required, line.done, line.missed, line.pending) == (5, 2, 3, 0)
    assert line.rate == 40
    assert [o.first for o in line.of(MISSED)] == [date(2025, 10, 6), date(2025, 10, 20), date(2025, 10, 27)]
    assert line.runs == 2  # the runs held in the range; the one of 30 September lies outside
    done = line.of(DONE)
    assert [len(o.runs) for o in done] == [1, 2]
    daily_line = report.line(f"d{daily.pk}")
    assert (daily_line.required, daily_line.done) == (31, 1)
    # The total and the district's line hold the same obligations; province B owes nothing here.
    assert report.total.required == 36 and report.total.done == 3
    assert [(u.key, u.required) for u in report.by_unit] == [("huyen-a1", 36)]
    assert report.line("khong-co") is None


def test_the_period_not_ended_yet_is_pending_not_missed(world, room):
    weekly = duty(Frequency.WEEKLY)
    today = date(2025, 10, 22)  # a Wednesday: its week is not over
    report = compliance(world.officer, world.province_a, START, END, today=today, keep=f"d{weekly.pk}")
    line = report.line(f"d{weekly.pk}")
    assert (line.done, line.missed, line.pending) == (0, 3, 2)
    assert [o.first for o in line.of(PENDING)] == [date(2025, 10, 20), date(2025, 10, 27)]


def test_a_closed_place_owes_nothing_after_it_closed(world, room):
    weekly = duty(Frequency.WEEKLY)
    room.closed_on = date(2025, 10, 13)
    room.save(update_fields=["closed_on"])
    key = f"d{weekly.pk}"
    line = compliance(world.officer, world.province_a, START, END, today=LATER, keep=key).line(key)
    assert [o.first for o in line.obligations] == [date(2025, 9, 29), date(2025, 10, 6)]


def test_a_run_answers_only_its_rows_template_on_a_place_of_its_kind(world, room):
    weekly = duty(Frequency.WEEKLY)
    vehicles = insp.current("xe-dinh-ky")
    with pytest.raises(DomainError) as caught:
        insp.open_run(
            actor=world.officer, unit=world.district_a1, template=vehicles, inspector="A", inspected_on=START,
            kind="periodic", place=room, duty=weekly,
        )  # fmt: skip
    assert caught.value.field == "duty"
    with pytest.raises(DomainError) as caught:
        insp.open_run(
            actor=world.officer, unit=world.district_a1, template=insp.current(weekly.template_code), inspector="A",
            inspected_on=START, kind="regular", items=[], place=None, duty=weekly,
        )  # fmt: skip
    assert caught.value.field == "place"
    assert "“Phòng (buồng) vũ khí”" in caught.value.message


def test_overdue_actions_are_counted_and_a_stranger_sees_nothing(world, room):
    run = held(world, room, duty(Frequency.WEEKLY), date(2025, 10, 14))
    late = insp.add_action(run, actor=world.officer, text="Bôi dầu", responsible="Trung sĩ A", deadline=END)
    insp.add_action(run, actor=world.officer, text="Thay nhãn", responsible="Trung sĩ B", deadline=LATER)
    done = insp.add_action(run, actor=world.officer, text="Lau súng", responsible="Trung sĩ C", deadline=END)
    insp.close_action(done, actor=world.officer, done="Đã lau", closed_on=END)
    report = compliance(world.officer, world.province_a, START, END, today=LATER - timedelta(days=1))
    assert report.total.overdue_actions == report.by_unit[0].overdue_actions == 1
    listed = overdue_actions_of(world.officer, world.province_a, LATER - timedelta(days=1), "huyen-a1")
    assert list(listed.values_list("pk", flat=True)) == [late.pk]

    stranger = compliance(world.outsider, world.province_b, START, END, today=LATER)
    assert stranger.total.owed == 0 and stranger.total.runs == 0 and stranger.by_unit == []


def test_every_number_of_the_page_opens_the_list_it_counts(client, world, room):
    import io
    import re
    from html import unescape

    from openpyxl import load_workbook

    weekly = duty(Frequency.WEEKLY)
    run = held(world, room, weekly, date(2025, 10, 14))
    insp.add_action(run, actor=world.officer, text="Bôi dầu", responsible="Trung sĩ A", deadline=END)
    client.force_login(world.officer)
    query = "unit=tinh-a&from=01/10/2025&to=31/10/2025"
    page = client.get(f"/kiem-tra/thuc-hien/?{query}")
    assert page.status_code == 200
    html = page.content.decode()
    # Choosing another unit in the scope bar keeps the period.
    assert '<input type="hidden" name="from" value="01/10/2025">' in html
    links = re.findall(r'href="(/kiem-tra/thuc-hien/chi-tiet/\?[^"]+)" data-count="(\d+)"', html)
    assert len(links) >= 6
    for href, count in links:
        detail = client.get(unescape(href))
        assert detail.status_code == 200, href
        rows = re.search(r'data-rows="(\d+)"', detail.content.decode()).group(1)
        assert rows == count, href
    assert client.get(f"/kiem-tra/thuc-hien/chi-tiet/?{query}&line=khong-co").status_code == 404
    book = load_workbook(io.BytesIO(b"".join(client.get(f"/kiem-tra/thuc-hien/xlsx/?{query}").streaming_content)))
    sheet = book.active
    totals = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Cộng")
    report = compliance(world.officer, world.province_a, START, END, today=date.today())
    assert totals[2:6] == (report.total.required, report.total.done, report.total.missed, report.total.pending)
    assert totals[8] == report.total.overdue_actions == 1


def test_a_range_that_cannot_be_used_as_typed_is_said_not_silently_replaced(client, world, room):
    client.force_login(world.officer)
    page = client.get("/kiem-tra/thuc-hien/?unit=tinh-a&from=31/02/2026&to=01/10/2025").content.decode()
    assert "“Từ ngày” 31/02/2026 không phải ngày dd/mm/yyyy" in page
    page = client.get("/kiem-tra/thuc-hien/?unit=tinh-a&from=31/10/2025&to=01/10/2025").content.decode()
    assert "đã đổi chỗ hai ngày" in page and 'value="01/10/2025"' in page
    page = client.get("/kiem-tra/thuc-hien/?unit=tinh-a&from=01/01/2015&to=01/10/2025").content.decode()
    assert "Kỳ dài quá 5 năm" in page
