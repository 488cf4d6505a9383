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
