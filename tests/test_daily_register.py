"""Issue #12, the register and the item page: forms that fit the item, a search that ranks what is meant."""

import re
from datetime import date

import pytest
from django.urls import reverse

from materiel.equipment.models import ItemMeter
from materiel.ledger import services

D = date(2021, 1, 1)


@pytest.fixture
def officer_client(client, world):
    client.force_login(world.officer)
    return client


def receive(world, etype, serial, grade=2, holder=""):
    item = services.record_receipt(
        equipment_type=etype, serial=serial, unit=world.district_a1, grade=grade, occurred_on=D, actor=world.officer
    ).item
    if holder:
        services.record_issue(item, holder=holder, occurred_on=D, actor=world.officer)
    return item


def options(html: str, name: str) -> list[tuple[str, bool]]:
    """(value, selected) of each <option> of the <select name=…>."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [(value, " selected" in attrs) for value, attrs in re.findall(r'<option value="([^"]*)"([^>]*)>', select)]


# ---- forms --------------------------------------------------------------------------------------


def test_the_meter_form_offers_only_the_meters_of_the_items_type(officer_client, world):
    rifle, truck = receive(world, world.rifle, "AK-01"), receive(world, world.truck, "UAZ-01")
    rifle_form = officer_client.get(reverse("web:item_action", args=[rifle.pk, "meter"])).content.decode()
    truck_form = officer_client.get(reverse("web:item_action", args=[truck.pk, "meter"])).content.decode()
    assert [value for value, _selected in options(rifle_form, "meter-meter")] == ["rounds"]
    assert [value for value, _selected in options(truck_form, "meter-meter")] == ["km", "engine_hours"]
    # A meter of another type sent anyway is refused by the form, next to the field; nothing is written.
    response = officer_client.post(
        reverse("web:item_action", args=[rifle.pk, "meter"]),
        {"meter-occurred_on": "01/01/2021", "meter-meter": "km", "meter-value": "120"},
    )
    assert response.status_code == 422 and not ItemMeter.objects.exists()


def test_the_grade_form_preselects_the_items_current_grade(officer_client, world):
    rifle = receive(world, world.rifle, "AK-01", grade=3)
    html = officer_client.get(reverse("web:item_action", args=[rifle.pk, "grade"])).content.decode()
    assert [value for value, selected in options(html, "grade-grade") if selected] == ["3"]
