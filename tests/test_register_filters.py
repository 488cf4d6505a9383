"""The register's filters beyond type and grade (holder, purpose, year made) and its column sorts,
on the page, in its XLSX export and in the API."""

import io
from datetime import date

import openpyxl
import pytest

from materiel.ledger import services

from .test_api import Api

D = date(2021, 1, 1)


@pytest.fixture
def register(world):
    made = {"AK-101": 2001, "AK-102": 2015, "AK-103": 2015}
    items = {}
    for serial, year in made.items():
        items[serial] = services.record_receipt(
            equipment_type=world.rifle, serial=serial, unit=world.district_a1, grade=1 if year == 2015 else 3,
            occurred_on=D, actor=world.officer, year_made=year,
        ).item  # fmt: skip
    services.record_issue(items["AK-102"], holder="Thượng úy Lò Văn Páo", occurred_on=D, actor=world.officer)
    services.record_receipt(
        equipment_type=world.truck, serial="UAZ-9", unit=world.district_a2, grade=2, occurred_on=D,
        actor=world.officer, year_made=1998,
    )  # fmt: skip
    return items


def serials(page: str) -> list[str]:
    return [s for s in ("AK-101", "AK-102", "AK-103", "UAZ-9") if f">{s}</a>" in page]


def test_holder_purpose_and_year_filters(client, world, register):
    client.force_login(world.officer)
    assert serials(client.get("/trang-bi/?unit=tinh-a&holder=Lò Văn").content.decode()) == ["AK-102"]
    assert serials(client.get("/trang-bi/?unit=tinh-a&year=2015").content.decode()) == ["AK-102", "AK-103"]
    everything = serials(client.get("/trang-bi/?unit=tinh-a&purpose=in_use").content.decode())
    assert everything == ["AK-101", "AK-102", "AK-103", "UAZ-9"]
    assert serials(client.get("/trang-bi/?unit=tinh-a&purpose=reserve").content.decode()) == []


def test_the_filter_bar_keeps_what_was_chosen(client, world, register):
    client.force_login(world.officer)
    world.truck.name = 'Xe <b>"U-oát"</b>'  # names are escaped in the option list
    world.truck.save()
    page = client.get(f"/trang-bi/?unit=tinh-a&type={world.rifle.code}&status=in_service&purpose=reserve")
    html = page.content.decode()
    assert f'<option value="{world.rifle.code}" selected>{world.rifle.name}</option>' in html
    assert f'<option value="{world.truck.code}">Xe &lt;b&gt;&quot;U-oát&quot;&lt;/b&gt;</option>' in html
    assert '<option value="in_service" selected>' in html and '<option value="reserve" selected>' in html


def test_columns_sort_both_ways_and_say_so(client, world, register):
    client.force_login(world.officer)
    page = client.get("/trang-bi/?unit=tinh-a&sort=year").content.decode()
    assert page.index(">UAZ-9<") < page.index(">AK-101<") < page.index(">AK-102<")
    assert 'aria-sort="ascending"><a href="?unit=tinh-a&amp;sort=-year"' in page
    page = client.get("/trang-bi/?unit=tinh-a&sort=-year").content.decode()
    assert page.index(">AK-103<") < page.index(">AK-101<") < page.index(">UAZ-9<")
    assert 'aria-sort="descending"' in page
    # An unknown sort falls back to the register's usual order instead of failing.
    assert client.get("/trang-bi/?unit=tinh-a&sort=hash").status_code == 200


def test_the_export_and_the_api_apply_the_same_filters(client, world, register):
    client.force_login(world.officer)
    response = client.get("/trang-bi/?unit=tinh-a&year=2015&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert "Năm SX: 2015" in [r[0] for r in rows]
    assert sorted(r[1] for r in rows if isinstance(r[0], int)) == ["AK-102", "AK-103"]
    api = Api(world.officer)
    found = api.get("/items", unit="tinh-a", holder="lò văn").json()["results"]
    assert [i["serial"] for i in found] == ["AK-102"]
    assert [i["serial"] for i in api.get("/items", unit="tinh-a", holder="Lò Văn").json()["results"]] == ["AK-102"]
    assert sorted(i["serial"] for i in api.get("/items", unit="tinh-a", year=2015).json()["results"]) == [
        "AK-102",
        "AK-103",
    ]
    assert api.get("/items", purpose="kho").status_code == 422
