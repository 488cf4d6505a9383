import os
from datetime import date

import pytest

from materiel.ledger import services

from .factories import build_world

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the test
# itself (fixtures) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def rifle_in_a1(world):
    """An AK-47 received by district A1 on 10/03/2020, grade 2."""
    event = services.record_receipt(
        equipment_type=world.rifle,
        serial="AK123456",
        unit=world.district_a1,
        grade=2,
        occurred_on=date(2020, 3, 10),
        actor=world.officer,
        document_number="12/PN",
    )
    return event.item


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
