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


# ---- search -------------------------------------------------------------------------------------


@pytest.fixture
def searchable(world):
    """A rifle held by Đặng Văn Hùng, a grenade launcher (its name says đạn), a missile of the
    ammunition category, a rifle whose serial is M79, and two lots of ammunition."""
    from materiel.catalog.models import Category, EquipmentType

    launcher = EquipmentType.objects.create(
        category=world.rifle.category, code="m79", name="Súng phóng lựu đạn M79", unit_of_measure="khẩu"
    )
    missile = EquipmentType.objects.create(
        category=world.ammo.category, code="a72", name="Tên lửa A72", unit_of_measure="quả"
    )
    explosive = EquipmentType.objects.create(
        category=Category.objects.get(code="dan"),
        code="tnt",
        name="Thuốc nổ TNT",
        unit_of_measure="kg",
        serialised=False,
    )
    receive(world, world.rifle, "AK-01", holder="Đặng Văn Hùng")
    receive(world, launcher, "M79-01")
    receive(world, missile, "A72-01")
    receive(world, world.rifle, "M79")
    for etype, lot_number in ((world.ammo, "L-01"), (explosive, "TN-7")):
        services.record_lot_receipt(
            equipment_type=etype, unit=world.district_a1, lot_number=lot_number, grade=1, quantity=500,
            occurred_on=D, actor=world.officer,
        )  # fmt: skip


def listed(client, **query) -> list[str]:
    html = client.get(reverse("web:register"), {"unit": "tinh-a", **query}).content.decode()
    return re.findall(r'<td><a href="/trang-bi/\d+/">([^<]+)</a></td>', html)


def test_searching_dan_ranks_ammunition_and_its_category_before_a_holder_named_dang(officer_client, searchable):
    found = listed(officer_client, q="dan")
    assert set(found) == {"M79-01", "A72-01", "AK-01"}, found
    assert found.index("AK-01") == 2  # the holder Đặng last
    assert listed(officer_client, q="Đạn dược") == ["A72-01"]  # by its category alone
    # A column sort chosen by the user still decides.
    assert listed(officer_client, q="dan", sort="serial") == ["A72-01", "AK-01", "M79-01"]


def test_an_exact_serial_comes_before_its_namesakes(officer_client, searchable):
    assert listed(officer_client, q="m79") == ["M79", "M79-01"]


def test_the_register_search_finds_lots_too(officer_client, searchable):
    html = officer_client.get(reverse("web:register"), {"unit": "tinh-a", "q": "dan"}).content.decode()
    link = re.search(r'data-testid="lot-matches"><a href="([^"]+)">([^<]+)</a>', html)
    assert link and "2 lô" in link.group(2), link
    lots = officer_client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert "Đạn 7,62mm K56" in lots and "Thuốc nổ TNT" in lots  # by type name, by category
    for query, expected in (("L-01", "Đạn 7,62mm K56"), ("dan duoc", "Thuốc nổ TNT")):
        lots = officer_client.get(reverse("web:register"), {"unit": "tinh-a", "kind": "lots", "q": query})
        assert expected in lots.content.decode(), query
    nothing = officer_client.get(reverse("web:register"), {"unit": "tinh-a", "q": "Đặng"}).content.decode()
    assert 'data-testid="lot-matches"' not in nothing


def test_the_api_finds_what_the_register_page_finds(world, searchable):
    from .test_api import Api

    found = Api(world.officer).get("/items", unit="tinh-a", q="Đạn dược").json()
    assert [item["serial"] for item in found["results"]] == ["A72-01"]  # by its category alone
