"""Issue #20, Medium 4: a write names its unit; an empty code is refused, never read as one's own unit."""

from datetime import date

import pytest

from materiel.equipment.models import Item
from materiel.ledger import services
from materiel.ledger.models import Event

from .test_api import Api
from .test_bounds import lot_receipt, refused

D = date(2021, 1, 1)


@pytest.fixture
def a1_rifle(world):
    return services.record_receipt(
        equipment_type=world.rifle, serial="AK-1", unit=world.district_a1, grade=2, occurred_on=D, actor=world.officer
    ).item


def test_a_transfer_to_an_empty_unit_code_is_refused(world, a1_rifle):
    body = {"to_unit": "", "occurred_on": "2021-02-01", "document_number": "1/BBBG", "version": a1_rifle.version}
    refused(Api(world.officer).post(f"/items/{a1_rifle.pk}/transfer", body), "to_unit")
    assert Item.objects.get(pk=a1_rifle.pk).unit == world.district_a1


@pytest.mark.parametrize("code", ["", "   "])
def test_receipts_and_lots_must_name_their_unit(world, code):
    api = Api(world.officer)
    item = {"type": "ak47", "serial": "AK-2", "unit": code, "grade": 1, "occurred_on": "2021-01-01"}
    refused(api.post("/items", item), "unit")
    lot = {"type": "dan762", "unit": code, "grade": 1, "quantity": 5, "occurred_on": "2021-01-01"}
    refused(api.post("/lots", lot), "unit")
    assert not Event.objects.exists()


def test_a_lot_transfer_to_an_empty_unit_code_is_refused(world):
    lot = lot_receipt(world, world.district_a1, 10).lot
    body = {
        "quantity": 1,
        "to_unit": "",
        "document_number": "2/BBBG",
        "occurred_on": "2021-02-01",
        "version": lot.version,
    }
    refused(Api(world.officer).post(f"/lots/{lot.pk}/transfer", body), "to_unit")


def test_a_write_without_its_unit_is_refused(world):
    lot = {"type": "dan762", "grade": 1, "quantity": 5, "occurred_on": "2021-01-01"}
    refused(Api(world.officer).post("/lots", lot), "unit")


def test_reads_still_default_to_the_own_scope(world):
    response = Api(world.officer).get("/coefficients", unit="")
    assert response.status_code == 200 and response.json()["unit"] == "tinh-a"
