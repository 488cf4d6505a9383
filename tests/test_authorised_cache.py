"""The per-process cache of authorised totals follows every write to the holdings and to the tree,
including writes that bypass the ORM's save() (queryset update, raw SQL): database triggers count them."""

from datetime import date

import pytest
from django.db import connection

from materiel.catalog.models import AuthorizedHolding
from materiel.ledger import coefficients
from materiel.ledger import reorganisation as reorg
from materiel.ledger.models import ChangeCounter

from .factories import build_world


def authorised(unit):
    return coefficients.summarise(unit).authorised


@pytest.mark.django_db(transaction=True)
def test_cache_follows_updates_raw_writes_and_reorganisations():
    # Outside a transaction, as a page is served (inside one the cache is not used at all); the
    # counter row comes from a migration, which a transactional test's flush may have removed.
    ChangeCounter.objects.get_or_create(name="authorised_holdings")
    world = build_world()
    coefficients._AUTHORISED.clear()
    holding = AuthorizedHolding.objects.create(
        unit=world.district_a1, equipment_type=world.rifle, quantity=10, valid_from=date(2020, 1, 1)
    )
    assert authorised(world.province_a) == 10 and authorised(world.province_b) == 0
    assert coefficients._AUTHORISED  # served from the cache from now on, until something changes
    assert authorised(world.province_a) == 10
    AuthorizedHolding.objects.filter(pk=holding.pk).update(quantity=12)  # no save(), no signal
    assert authorised(world.province_a) == 12
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalog_authorizedholding SET quantity = 15 WHERE id = %s", [holding.pk])
    assert authorised(world.province_a) == 15
    reorg.move_unit(world.district_a1, new_parent=world.province_b, on=date(2024, 1, 1), actor=world.admin)
    world.province_a.refresh_from_db()
    world.province_b.refresh_from_db()
    assert authorised(world.province_a) == 0 and authorised(world.province_b) == 15
    AuthorizedHolding.objects.filter(pk=holding.pk).delete()
    assert authorised(world.province_b) == 0
