"""Issue #12, formats: numbers, percentages and meter names read the Vietnamese way on every screen."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from materiel.catalog import services as catalogue
from materiel.core.errors import DomainError
from materiel.formats.numbers import number, percent
from materiel.ledger import services
from materiel.web import charts

D = date(2021, 1, 1)


def test_numbers_have_the_decimal_comma_and_no_useless_zero():
    with translation.override("vi"):
        assert number(Decimal("1600.0")) == "1.600"
        assert number(Decimal("1700.5")) == "1.700,5"
        assert number("1700.50") == "1.700,5"  # as an event's details store it
        assert number(12500) == "12.500"
        assert number(None) == "" and number("không phải số") == "không phải số"
    with translation.override("en"):
        assert number(Decimal("1700.5")) == "1,700.5" and number(Decimal("1600.0")) == "1,600"


def test_one_percent_format_without_a_space():
    with translation.override("vi"):
        assert percent(Decimal("94.2")) == "94,2%"
        assert percent(Decimal("94.0")) == "94,0%"  # the coefficient's places stay
        assert percent(None) == ""
        rendered = Template("{% load materiel_tags %}{{ a|percent }} {{ b|number }}").render(
            Context({"a": Decimal("94.8"), "b": Decimal("1600.0")})
        )
    assert rendered == "94,8% 1.600"


@pytest.fixture
def rifle(world):
    return services.record_receipt(
        equipment_type=world.rifle, serial="AK-01", unit=world.district_a1, grade=2, occurred_on=D, actor=world.officer
    ).item


def test_a_meter_running_backwards_is_refused_with_vietnamese_numbers(world, rifle):
    services.record_meter_reading(rifle, meter="rounds", value="1700,5", occurred_on=D, actor=world.officer)
    with translation.override("vi"), pytest.raises(DomainError) as refused:
        services.record_meter_reading(rifle, meter="rounds", value="1600", occurred_on=D, actor=world.officer)
    message = refused.value.message
    assert "Chỉ số 1.600 nhỏ hơn lần ghi trước (1.700,5 ngày 01/01/2021)" in message, message
    assert "1600.0" not in message and "1700.5" not in message


def test_a_foreign_meter_is_named_not_coded(world, rifle):
    with translation.override("vi"), pytest.raises(DomainError) as refused:
        services.record_meter_reading(rifle, meter="km", value="10", occurred_on=D, actor=world.officer)
    assert "“Số km”" in refused.value.message and "“km”" not in refused.value.message


def test_the_item_page_names_the_meter_and_formats_its_reading(client, world, rifle):
    services.record_meter_reading(rifle, meter="rounds", value="1.700,5", occurred_on=D, actor=world.officer)
    client.force_login(world.officer)
    for url in (reverse("web:item", args=[rifle.pk]), reverse("web:item_print", args=[rifle.pk])):
        html = client.get(url).content.decode()
        assert "rounds" not in html, url
        assert html.count("Số phát bắn") >= 2, url  # the latest reading and the history line
        assert "1.700,5" in html and "1700.5" not in html, url


def test_the_dashboard_holdings_and_charts_write_percentages_alike(client, world, rifle):
    catalogue.set_holding(
        actor=world.officer, unit=world.district_a1, equipment_type=world.rifle, quantity=3, valid_from=D
    )
    client.force_login(world.officer)
    pages = [
        client.get(reverse("web:dashboard")).content.decode(),
        client.get(reverse("catalogue:holdings"), {"unit": "huyen-a1"}).content.decode(),
    ]
    assert "100,0%" in pages[0] and "33,3%" in pages[0]  # the coefficient, the fill rate
    assert "33,3%" in pages[1]
    for html in pages:
        assert not re.search(r"\d %", html), re.search(r".{40}\d %", html)
    with translation.override("vi"):
        segment = charts._segment(0, 0, 10, 2, 1, 3, "/")
    assert "(33,3%)" in segment


# -- XLSX -------------------------------------------------------------------------------------------
LONG_UNIT = "Ban Chỉ huy Phòng thủ khu vực 1 - Bát Xát, tỉnh Lào Cai"


@pytest.fixture
def exported(world):
    """An item made in 1993 in a unit with a long name, a lot of it, a handover record between them."""
    from materiel.documents.services import Parties, hand_over
    from materiel.ledger import reorganisation as reorg

    reorg.rename_unit(world.district_a1, name=LONG_UNIT, on=D, actor=world.admin)
    world.district_a1.refresh_from_db()
    old = services.record_receipt(
        equipment_type=world.rifle,
        serial="AK-1993",
        unit=world.district_a1,
        grade=2,
        occurred_on=D,
        actor=world.officer,
        year_made=1993,
    ).item
    services.record_receipt(
        equipment_type=world.rifle, serial="AK-02", unit=world.district_a1, grade=1, occurred_on=D, actor=world.officer
    )
    services.record_lot_receipt(
        equipment_type=world.ammo,
        unit=world.district_a1,
        lot_number="L-01",
        grade=1,
        quantity=12000,
        occurred_on=D,
        actor=world.officer,
    )
    hand_over(
        items=[old], to_unit=world.district_a2, parties=Parties(number="1/BBBG", handed_on=D), actor=world.officer
    )
    catalogue.set_holding(
        actor=world.officer, unit=world.district_a1, equipment_type=world.rifle, quantity=3, valid_from=D
    )
    return old


EXPORTS = [
    ("web:register", {"unit": "tinh-a"}),
    ("web:register", {"unit": "tinh-a", "kind": "lots"}),
    ("web:handovers", {"unit": "tinh-a"}),
    ("reports:events", {"unit": "tinh-a"}),
    ("reports:units", {"unit": "tinh-a"}),
    ("catalogue:index", {}),
    ("catalogue:holdings", {"unit": "huyen-a1"}),
    ("accounts:audit", {}),
]


def widths(sheet) -> dict[int, float]:
    """Column number -> width; xlsxwriter writes neighbours of equal width as one range."""
    found = {}
    for dimension in sheet.column_dimensions.values():
        for column in range(dimension.min, dimension.max + 1):
            found[column] = dimension.width
    return found


def workbook(client, name, query):
    import io

    import openpyxl

    response = client.get(reverse(name), {**query, "format": "xlsx"})
    assert response.status_code == 200, (name, response.status_code)
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.parametrize(("name", "query"), EXPORTS)
def test_every_export_has_a_vietnamese_sheet_name_and_columns_as_wide_as_their_content(
    client, world, exported, name, query
):
    from materiel.core.xlsx import MAX_WIDTH

    client.force_login(world.admin)
    sheet = workbook(client, name, query).active
    assert not sheet.title.isascii(), sheet.title  # "Sổ đăng ký", not "So dang ky"
    header = next(row[0].row for row in sheet.iter_rows() if row[0].value and sheet.cell(row[0].row, 2).value)
    width_of = widths(sheet)
    for column in range(1, sheet.max_column + 1):
        width = width_of[column]
        for row in range(header + 1, sheet.max_row + 1):
            value = sheet.cell(row, column).value
            if isinstance(value, str):
                assert width >= min(len(value), MAX_WIDTH), (sheet.cell(header, column).value, value, width)
    if name == "web:register" and "kind" not in query:
        column = [c.value for c in sheet[header]].index("Đơn vị quản lý") + 1
        assert width_of[column] >= len(LONG_UNIT)


@pytest.mark.parametrize(("name", "query"), EXPORTS[:1] + EXPORTS[3:4])
def test_years_and_ids_are_written_as_plain_integers(client, world, exported, name, query):
    client.force_login(world.admin)
    sheet = workbook(client, name, query).active
    header = next(row[0].row for row in sheet.iter_rows() if row[0].value in ("STT", "Mã sự kiện"))
    headers = [c.value for c in sheet[header]]
    wanted = "Năm sản xuất" if name == "web:register" else "Mã sự kiện"
    cells = [sheet.cell(row, headers.index(wanted) + 1) for row in range(header + 1, sheet.max_row + 1)]
    cells = [c for c in cells if c.value is not None]
    assert cells and all(isinstance(c.value, int) and c.number_format == "0" for c in cells), [
        (c.value, c.number_format) for c in cells
    ]
    if name == "web:register":
        assert 1993 in [c.value for c in cells]


def test_sheet_names_keep_diacritics_within_excels_rules():
    from materiel.core.xlsx import sheet_name

    assert sheet_name("Sổ đăng ký") == "Sổ đăng ký"
    assert sheet_name("Biên bản [2025]: số 1/BBBG?*") == "Biên bản 2025 số 1 BBBG"
    assert len(sheet_name("Hệ số kỹ thuật của các đơn vị trực thuộc quân khu")) == 31
    assert sheet_name("'Trích'") == "Trích" and sheet_name("///") == "Sheet1"


def test_a_lot_too_small_says_its_quantities_in_thousands(world):
    services.record_lot_receipt(
        equipment_type=world.ammo, unit=world.district_a1, lot_number="L-01", grade=1, quantity=12000,
        occurred_on=D, actor=world.officer,
    )  # fmt: skip
    from materiel.equipment.models import Lot

    with translation.override("vi"), pytest.raises(DomainError) as refused:
        services.record_lot_issue(
            Lot.objects.get(), quantity=15000, occurred_on=D, actor=world.officer, reason="Huấn luyện"
        )
    assert "Lô chỉ còn 12.000, không thể xuất 15.000." in refused.value.message
