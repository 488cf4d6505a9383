"""A transfer may go to any unit the giving unit may hand over to: the recorder's scope, the depots and
repair stations of the echelons above, and the units a policy names; anything else says why."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from materiel.accounts.scoping import PermissionDenied
from materiel.documents.models import HandoverRecord
from materiel.equipment.models import Item, Lot
from materiel.ledger import reorganisation as reorg
from materiel.ledger import services
from materiel.units.models import UnitKind

from .factories import FOUNDED
from .test_api import Api

D = date(2021, 1, 1)
REFUSED = "đơn vị nhận phải thuộc phạm vi quản lý của bạn, là kho hay trạm sửa chữa của cấp trên"


@pytest.fixture
def above(world):
    """The region's depot and workshop, outside the province officer's scope."""

    def unit(code, name, kind):
        return reorg.create_unit(
            code=code,
            name=name,
            kind=UnitKind.objects.get(code=kind),
            parent=world.region,
            founded_on=FOUNDED,
            actor=world.admin,
        )

    return unit("qk-kho", "Kho K2 Quân khu", "depot"), unit("qk-xuong", "Xưởng sửa chữa Quân khu", "repair-station")


@pytest.fixture
def rifle(world):
    return services.record_receipt(
        equipment_type=world.rifle, serial="AK-P01", unit=world.district_a1, grade=2, occurred_on=D, actor=world.officer
    ).item


def transfer_post(client, item, to_unit, number="21/BBBG"):
    data = {"transfer-occurred_on": "05/02/2025", "transfer-to_unit": to_unit, "transfer-document_number": number}
    return client.post(reverse("web:item_action", args=[item.pk, "transfer"]), data)


def test_the_item_goes_to_the_depot_above_from_the_item_page(client, world, above, rifle):
    depot, _workshop = above
    client.force_login(world.officer)
    form = client.get(reverse("web:item_action", args=[rifle.pk, "transfer"])).content.decode()
    assert "Kho K2 Quân khu" in form and "Xưởng sửa chữa Quân khu" in form  # suggested
    response = transfer_post(client, rifle, "Kho K2 Quân khu")
    record = HandoverRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:handover", args=[record.pk])
    rifle.refresh_from_db()
    assert rifle.unit == depot and record.to_unit == depot
    assert client.get(response["Location"]).status_code == 200  # the giver keeps its record


def test_a_unit_outside_scope_and_policy_is_refused_with_the_reason(client, world, above, rifle):
    client.force_login(world.officer)
    response = transfer_post(client, rifle, world.post_b1.code)  # another province's border post
    assert response.status_code == 422
    assert "Không bàn giao được cho" in response.content.decode() and REFUSED in response.content.decode()
    with pytest.raises(PermissionDenied, match=REFUSED):
        services.record_transfer(
            rifle, to_unit=world.post_b1, occurred_on=D, actor=world.officer, document_number="1/BB"
        )
    assert Item.objects.get(pk=rifle.pk).unit == world.district_a1


def test_a_policy_opens_a_route_beyond_the_tree(world, above, rifle):
    with pytest.raises(PermissionDenied):
        services.record_transfer(
            rifle, to_unit=world.post_b1, occurred_on=D, actor=world.officer, document_number="1/BB"
        )
    call_command(
        "handover_routes", "add", "--from", world.province_a.code, "--to", world.post_b1.code, "--note", "QĐ 12"
    )
    services.record_transfer(rifle, to_unit=world.post_b1, occurred_on=D, actor=world.officer, document_number="1/BB")
    assert Item.objects.get(pk=rifle.pk).unit == world.post_b1


def test_the_api_hands_a_lot_to_the_workshop_above_and_says_why_elsewhere(world, above):
    _depot, workshop = above
    lot = services.record_lot_receipt(
        equipment_type=world.ammo, unit=world.district_a1, grade=1, quantity=100, occurred_on=D, actor=world.officer
    ).lot
    api = Api(world.officer)
    body = {"quantity": 30, "to_unit": workshop.code, "document_number": "9/BBBG", "occurred_on": "2025-02-06"}
    assert api.post(f"/lots/{lot.pk}/transfer", {**body, "version": lot.version}).status_code == 200
    assert Lot.objects.get(unit=workshop).quantity == 30
    lot.refresh_from_db()
    refused = api.post(f"/lots/{lot.pk}/transfer", {**body, "to_unit": world.post_b1.code, "version": lot.version})
    assert refused.status_code == 403 and REFUSED in refused.json()["message"]
    assert not Lot.objects.filter(unit=world.post_b1).exists()


def test_a_commander_hands_over_nothing(world, above, rifle):
    with pytest.raises(PermissionDenied, match="Vai trò"):
        services.record_transfer(rifle, to_unit=above[0], occurred_on=D, actor=world.commander, document_number="1/BB")
