"""Issue #20, Medium 6: inputs that once ended in a 500 get a 4xx naming the field."""

import json
from datetime import date

import pytest
from django.urls import reverse

from materiel.equipment.models import Item
from materiel.imports import values
from materiel.imports.plan import build_plan
from materiel.imports.reader import read_table
from materiel.ledger import services

from .test_api import Api
from .test_bounds import refused
from .test_imports import HEADER, xlsx

D = date(2021, 1, 1)


@pytest.fixture
def a1_rifle(world):
    return services.record_receipt(
        equipment_type=world.rifle, serial="AK-1", unit=world.district_a1, grade=2, occurred_on=D, actor=world.officer
    ).item


def test_a_lone_surrogate_in_a_json_string_is_refused_naming_the_field(world, a1_rifle):
    api = Api(world.officer)
    raw = f'{{"holder": "\\ud800x", "occurred_on": "2021-02-01", "version": {a1_rifle.version}}}'
    response = api.client.post(
        f"/api/v1/items/{a1_rifle.pk}/issue", raw, content_type="application/json", **api.headers
    )
    refused(response, "holder", status=400)
    assert Item.objects.get(pk=a1_rifle.pk).holder == ""


def test_a_deeply_nested_json_body_is_refused(world):
    api = Api(world.officer)
    raw = '{"reason": ' + "[" * 5000 + "]" * 5000 + "}"
    response = api.client.post("/api/v1/events/1/reverse", raw, content_type="application/json", **api.headers)
    assert response.status_code == 400
    assert response.json()["field"] == "body"


@pytest.mark.parametrize(
    "path, query, field",
    [
        ("/items", {"grade": "9223372036854775808"}, "grade"),
        ("/items", {"after": "99999999999999999999"}, "after"),
        ("/lots", {"limit": "-99999999999999999999"}, "limit"),
        ("/items/99999999999999999999", {}, "item_id"),
        ("/events", {"since": "0001-01-01"}, "since"),
        ("/coefficients", {"on": "0"}, "on"),
        ("/items", {"on": "1"}, "on"),
        ("/events", {"until": "٢٠٢١-٠١-٠١"}, "until"),
    ],
)
def test_out_of_range_numbers_and_dates_in_filters_are_refused_naming_the_field(world, path, query, field):
    refused(Api(world.officer).get(path, **query), field)


def test_integers_beyond_64_bits_in_bodies_are_refused(world, a1_rifle):
    api = Api(world.officer)
    body = {"grade": 2**64, "reason": "x", "occurred_on": "2021-02-01", "version": a1_rifle.version}
    refused(api.post(f"/items/{a1_rifle.pk}/grade", body), "grade")
    refused(api.post(f"/items/{a1_rifle.pk}/grade", body | {"grade": 3, "version": 2**70}), "version")


def test_a_meter_value_in_arabic_indic_digits_is_refused(world):
    truck = services.record_receipt(
        equipment_type=world.truck, serial="UAZ-9", unit=world.district_a1, grade=1, occurred_on=D, actor=world.officer
    ).item
    body = {"meter": "km", "value": "١٢٣", "occurred_on": "2021-02-01", "version": truck.version}
    refused(Api(world.officer).post(f"/items/{truck.pk}/meter", body), "value")


@pytest.mark.parametrize(
    "parse, cell",
    [
        (values.grade, "٣"),
        (values.quantity, "٣"),
        (values.year, "٢٠٢١"),
        (values.day, "٢٠٢١"),
        (values.day, "١/١/٢٠٢١"),
        (values.day, "01/01/0001"),
        (values.day, "01/01/1899"),
    ],
)
def test_the_importer_reads_no_foreign_digits_and_no_year_one(parse, cell):
    with pytest.raises(values.BadValue):
        parse(cell)


def test_a_200000_character_cell_is_refused_by_its_column(world):
    table = read_table(xlsx([HEADER, [1, "A" * 200_000, "Súng tiểu liên AK-47", "Cấp 1", 2015, "16/3/2022"]]), "x.xlsx")
    plan = build_plan(table, actor=world.officer, unit=world.district_a1)
    (issue,) = plan.issues
    assert issue.column.startswith("B") and "80" in issue.message
    assert len(issue.value) < 200


def test_the_importer_still_reads_two_digit_years():
    assert values.day("16/3/22") == date(2022, 3, 16)
    assert values.day("16/03/2022") == date(2022, 3, 16)


@pytest.fixture
def officer(client, world):
    client.force_login(world.officer)
    return client


def test_a_page_filter_with_year_one_or_a_huge_grade_is_not_a_server_error(officer):
    assert officer.get(reverse("reports:events"), {"since": "01/01/0001"}).status_code < 500
    assert officer.get(reverse("web:register"), {"grade": "9223372036854775808"}).status_code < 500
    assert officer.get(reverse("web:register"), {"year": "99999999999999999999"}).status_code < 500


def test_a_bulk_action_with_ids_beyond_64_bits_is_not_found(officer, a1_rifle):
    response = officer.post(reverse("web:register_bulk"), {"action": "grade", "items": ["99999999999999999999"]})
    assert response.status_code == 404


def test_json_bodies_are_still_read(world, a1_rifle):
    body = {"holder": "Lò Văn Páo 𝔸", "occurred_on": "2021-02-01", "version": a1_rifle.version}
    response = Api(world.officer).post(f"/items/{a1_rifle.pk}/issue", body)
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["holder"] == "Lò Văn Páo 𝔸"
