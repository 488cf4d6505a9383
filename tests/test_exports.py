"""XLSX export of the register: readable by another program, formula-safe, re-importable."""

import io
from datetime import date, datetime

import openpyxl
import pytest
from django.urls import reverse

from materiel.equipment.models import Item, Status
from materiel.imports.commit import commit_plan
from materiel.imports.plan import build_plan
from materiel.imports.reader import read_table
from materiel.ledger import reorganisation as reorg
from materiel.ledger import services
from materiel.ledger.models import Event
from materiel.units.models import UnitKind

D = date(2021, 3, 16)


@pytest.fixture
def registered(world):
    rows = [
        ("AK-001", 1, 2015, ""),
        ("AK-002", 3, 2010, '=HYPERLINK("http://x","bấm")'),
        ("AK-003", 2, None, "@SUM(A1)"),
    ]
    items = []
    for serial, grade, year, note in rows:
        items.append(
            services.record_receipt(
                equipment_type=world.rifle,
                serial=serial,
                unit=world.district_a1,
                grade=grade,
                occurred_on=D,
                actor=world.officer,
                year_made=year,
                note=note,
            ).item
        )
    services.record_issue(items[0], holder="+84 912 345 678", occurred_on=D, actor=world.officer)
    return items


def download(client, **query):
    response = client.get(reverse("web:register"), {**query, "format": "xlsx"})
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content)


def data_rows(sheet):
    header = next(cell.row for cell in sheet["A"] if cell.value == "STT")
    return header, list(sheet.iter_rows(min_row=header + 1))


def test_the_register_exports_with_title_filters_frozen_header_and_formats(client, world, registered):
    client.force_login(world.officer)
    data = download(client, unit="huyen-a1", grade=3)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "SỔ ĐĂNG KÝ VŨ KHÍ, TRANG BỊ KỸ THUẬT"
    assert sheet["A2"].value == "Đơn vị: Ban CHQS huyện Bát Xát" and sheet["A4"].value == "Cấp: 3"
    header = [c.value for c in sheet[6]]
    assert header[:3] == ["STT", "Số hiệu", "Tên trang bị"] and sheet.freeze_panes == "A7"
    assert [c.value for c in sheet[7]][:2] == [1, "AK-002"] and sheet.max_row == 7
    assert sheet.column_dimensions["C"].width > 20
    received = sheet.cell(row=7, column=10)
    assert received.value == datetime(2021, 3, 16) and received.number_format == "dd/mm/yyyy"


def test_text_that_looks_like_a_formula_stays_text(client, world, registered):
    client.force_login(world.officer)
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, unit="huyen-a1"))).active
    cells = [cell for row in data_rows(sheet)[1] for cell in row if cell.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    risky = {c.value: c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"}
    assert set(risky) == {'=HYPERLINK("http://x","bấm")', "@SUM(A1)", "+84 912 345 678"}
    assert all(c.quotePrefix for c in risky.values())


def test_a_past_day_exports_the_state_of_that_day(client, world, registered):
    services.record_grade_change(registered[2], grade=4, reason="KT", occurred_on=date(2023, 1, 1), actor=world.officer)
    client.force_login(world.officer)
    sheet = openpyxl.load_workbook(io.BytesIO(download(client, unit="huyen-a1", on="01/06/2022"))).active
    grades = {row[1].value: row[5].value for row in data_rows(sheet)[1]}
    assert grades == {"AK-001": 1, "AK-002": 3, "AK-003": 2}


def test_export_outside_the_scope_is_404(client, world, registered):
    client.force_login(world.outsider)
    assert client.get(reverse("web:register"), {"unit": "huyen-a1", "format": "xlsx"}).status_code == 404


def test_round_trip_export_then_import_into_an_empty_unit_gives_the_same_register(client, world, registered):
    client.force_login(world.officer)
    data = download(client, unit="huyen-a1")
    before = sorted(Item.objects.values_list("serial", "equipment_type_id", "grade", "year_made", "received_on"))
    for item in Item.objects.all():  # the old register is retired (receipts reversed), freeing the serials
        for event in Event.objects.filter(item=item).order_by("-id"):
            services.reverse_event(event, reason="Chuyển sang sổ mới", actor=world.officer)
    new_unit = reorg.create_unit(
        code="huyen-a1-moi",
        name="Ban CHQS huyện Bát Xát (sổ mới)",
        kind=UnitKind.objects.get(code="district-command"),
        parent=world.province_a,
        founded_on=date(2015, 1, 1),
        actor=world.officer,
    )
    table = read_table(data, "so-dang-ky.xlsx")
    detected = build_plan(table, actor=world.officer, unit=new_unit)
    # The user confirms the mapping without the unit column: everything goes to the new unit.
    columns = {col: field for col, field in detected.columns.items() if field != "unit"}
    plan = build_plan(table, actor=world.officer, unit=new_unit, columns=columns)
    assert plan.ok, [str(i) for i in plan.issues]
    commit_plan(plan, actor=world.officer, unit=new_unit)
    after = sorted(
        Item.objects.exclude(status=Status.VOID).values_list(
            "serial", "equipment_type_id", "grade", "year_made", "received_on"
        )
    )
    assert after == before
    assert set(Item.objects.exclude(status=Status.VOID).values_list("unit", flat=True)) == {new_unit.pk}
