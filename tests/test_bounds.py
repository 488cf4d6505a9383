"""Issue #20: every number has a bound, every write names its unit, and no input ends in a 500."""

from datetime import date

import pytest

from materiel.core import bounds
from materiel.core.errors import DomainError
from materiel.equipment.models import Lot
from materiel.imports import values
from materiel.ledger import coefficients, services
from materiel.ledger.models import Rollup
from materiel.ledger.verify import verify_ledger

from .test_api import Api

D = date(2021, 1, 1)


def lot_receipt(world, unit, quantity, **kw):
    return services.record_lot_receipt(
        equipment_type=world.ammo, unit=unit, grade=1, quantity=quantity, occurred_on=D, actor=world.officer, **kw
    )


def refused(response, field, status=422):
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert body["field"] == field, body
    return body["message"]


# ---- High 1: quantities are bounded, rollups cannot overflow ---------------------------------------


def test_a_lot_receipt_beyond_the_bound_is_refused_naming_the_quantity(world):
    api = Api(world.officer)
    body = {
        "type": "dan762",
        "unit": "huyen-a1",
        "grade": 1,
        "quantity": 4611686018427387904,
        "occurred_on": "2021-01-01",
    }
    message = refused(api.post("/lots", body), "quantity")
    assert "quantity" in message and "1.000.000.000" in message
    assert not Lot.objects.exists() and not Rollup.objects.exists()


def test_the_service_refuses_one_more_than_the_bound_and_takes_the_bound_itself(world):
    with pytest.raises(DomainError) as caught:
        lot_receipt(world, world.district_a1, bounds.MAX_QUANTITY + 1)
    assert caught.value.field == "quantity"
    assert "1.000.000.000" in caught.value.message
    lot_receipt(world, world.district_a1, bounds.MAX_QUANTITY)
    lot_receipt(world, world.district_a2, bounds.MAX_QUANTITY)
    region = Rollup.objects.get(unit=world.region)
    assert region.quantity == 2 * bounds.MAX_QUANTITY and isinstance(region.quantity, int)
    assert verify_ledger().ok


def test_a_receipt_that_would_take_a_region_total_past_its_bound_is_refused(world, monkeypatch):
    # The real bound (10^12 per cell) takes a thousand maximal receipts to reach: the same rule at 2 x 10^9.
    monkeypatch.setattr(bounds, "MAX_HOLDING", 2 * bounds.MAX_QUANTITY)
    lot_receipt(world, world.district_a1, bounds.MAX_QUANTITY)
    lot_receipt(world, world.district_a2, bounds.MAX_QUANTITY)
    with pytest.raises(DomainError) as caught:
        lot_receipt(world, world.commune_a1, 1)
    assert caught.value.field == "quantity"
    assert Rollup.objects.get(unit=world.region).quantity == 2 * bounds.MAX_QUANTITY
    assert Lot.objects.filter(unit=world.commune_a1, quantity__gt=0).count() == 0
    assert verify_ledger().ok
    summary = coefficients.summarise(world.region)
    assert summary is not None


def test_the_batch_path_refuses_a_quantity_beyond_the_bound(world):
    from materiel.ledger import rules

    with pytest.raises(DomainError) as caught:
        rules.check_quantity(10**19)
    assert caught.value.field == "quantity"


def test_an_import_row_beyond_the_bound_names_the_quantity():
    with pytest.raises(values.BadValue) as caught:
        values.quantity("2.000.000.000")
    assert "1.000.000.000" in str(caught.value)


def test_authorised_holdings_are_bounded_in_the_service_and_the_form(world):
    from materiel.catalog import services as catalogue
    from materiel.web.catalogue.forms import HoldingForm

    with pytest.raises(DomainError) as caught:
        catalogue.set_holding(
            actor=world.admin,
            unit=world.district_a1,
            equipment_type=world.rifle,
            quantity=bounds.MAX_AUTHORISED + 1,
            valid_from=D,
        )
    assert caught.value.field == "quantity"
    form = HoldingForm({"quantity": str(bounds.MAX_AUTHORISED + 1), "valid_from": "01/01/2021"}, fixed_type=world.rifle)
    assert "quantity" in form.errors


def test_a_form_number_in_arabic_indic_digits_is_refused(world):
    from materiel.web.catalogue.forms import HoldingForm

    form = HoldingForm({"quantity": "١٢", "valid_from": "01/01/2021"}, fixed_type=world.rifle)
    assert "quantity" in form.errors
