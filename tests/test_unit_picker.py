"""The receiving unit of a transfer is typed (name or code) with suggestions, not picked from a
<select> of every unit in scope: suggestions stay in scope, ignore diacritics, and the form names
what it could not find."""

from datetime import date

import pytest

from materiel.ledger import services
from materiel.ledger.models import Event, EventKind

D = date(2021, 5, 1)


@pytest.fixture
def rifle(world):
    return services.record_receipt(
        equipment_type=world.rifle, serial="AK-1", unit=world.district_a1, grade=2, occurred_on=D, actor=world.officer
    ).item


def options(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('<option value="')[1:]]


def test_the_item_page_suggests_the_giving_units_neighbours(client, world, rifle):
    client.force_login(world.officer)
    html = client.get(f"/trang-bi/{rifle.pk}/ghi/transfer/", headers={"HX-Request": "true"}).content.decode()
    assert '<select name="transfer-to_unit"' not in html
    assert 'list="id_transfer-to_unit-list"' in html and 'hx-get="/don-vi/goi-y/?field=transfer-to_unit"' in html
    datalist = html.split('<datalist id="id_transfer-to_unit-list">', 1)[1].split("</datalist>", 1)[0]
    # Under the giving unit's parent (the province), the giving unit itself excluded.
    assert options(datalist) == ["tinh-a", "huyen-a2", "xa-a1"]


def test_suggestions_follow_what_is_typed_and_never_leave_the_scope(client, world):
    client.force_login(world.officer)

    def suggest(text):
        return options(client.get("/don-vi/goi-y/", {"field": "f", "f": text}).content.decode())

    assert suggest("sa pa") == ["huyen-a2"]
    assert suggest("BAT XAT") == ["huyen-a1"]
    assert suggest("huyen") == ["huyen-a1", "huyen-a2"]
    assert suggest("HUYEN-A2") == ["huyen-a2"]  # a code, hyphen and all
    assert suggest("Ma Lù Thàng") == [] and suggest("don-b1") == []  # province B: outside the officer's scope
    client.force_login(world.admin)
    assert suggest("ma lu thang") == ["don-b1"]


def test_the_unit_is_given_by_code_or_exact_name_and_an_unknown_one_is_named(client, world, rifle):
    client.force_login(world.officer)

    def transfer(to_unit, number):
        form = {"occurred_on": "05/02/2025", "to_unit": to_unit, "document_number": number}
        return client.post(
            f"/trang-bi/{rifle.pk}/ghi/transfer/", {f"transfer-{key}": value for key, value in form.items()}
        )

    refused = transfer("Đồn Biên phòng Ma Lù Thàng", "1/BB")  # exists, but outside the scope
    assert refused.status_code == 422
    assert (
        "Không bàn giao được cho “Đồn Biên phòng Ma Lù Thàng”: đơn vị nhận phải thuộc phạm vi"
        in refused.content.decode()
    )
    assert transfer("ban chqs huyen sa pa", "1/BB").status_code == 302  # the name, diacritics and case ignored
    assert transfer("HUYEN-A1", "2/BB").status_code == 302  # the code, any case
    # Its own unit is a unit in scope: the handover rule explains, next to the field.
    same = transfer("huyen-a1", "2/BB")
    assert same.status_code == 422 and "Bên nhận trùng bên giao (Ban CHQS huyện Bát Xát)." in same.content.decode()
    # Two units of one name: the name alone is refused, naming the way out.
    from materiel.ledger import reorganisation

    twin = reorganisation.create_unit(
        code="huyen-a3", name="Ban CHQS huyện Sa Pa", kind=world.district_a2.kind, parent=world.province_a,
        founded_on=D, actor=world.admin,
    )  # fmt: skip
    assert twin.pk
    ambiguous = transfer("Ban CHQS huyện Sa Pa", "3/BB")
    assert ambiguous.status_code == 422 and "Có nhiều đơn vị tên" in ambiguous.content.decode()
    moves = Event.objects.filter(kind=EventKind.TRANSFER).order_by("id").values_list("to_unit__code", flat=True)
    assert list(moves) == ["huyen-a2", "huyen-a1"]
