import os
from datetime import date
from pathlib import Path

import pytest
from django.test import TransactionTestCase
from playwright.sync_api import sync_playwright

from materiel.core.dbroles import as_owner
from materiel.ledger import services

from .browsing import ARGS, CHROMIUM
from .factories import build_world
from .tampering import past_the_triggers

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the test
# itself (fixtures) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


_flush = TransactionTestCase._fixture_teardown


def _flush_past_the_triggers(self):
    """A transactional test ends by emptying every table, the append-only ones too (a TRUNCATE on
    PostgreSQL, a DELETE on SQLite): their triggers would refuse it."""
    with as_owner(), past_the_triggers():
        _flush(self)


TransactionTestCase._fixture_teardown = _flush_past_the_triggers


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb, django_db_createdb):
    """pytest-django's, but the test database is created, migrated and dropped as the tables' owner,
    and the tests then connect as the application's role, as the server does (core.dbroles)."""
    from django.test.utils import setup_databases, teardown_databases

    keepdb = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock(), as_owner():
        config = setup_databases(verbosity=request.config.option.verbose, interactive=False, keepdb=keepdb)
    yield
    if not keepdb:
        with django_db_blocker.unblock(), as_owner():
            teardown_databases(config, verbosity=request.config.option.verbose)


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
def seal_files(settings, tmp_path, monkeypatch):
    """Each test its own seal key and seal file (subprocesses too), never ./data's."""
    settings.MATERIEL_SEAL_KEY_FILE = tmp_path / "seal.key"
    settings.MATERIEL_SEAL_FILE = tmp_path / "seals.txt"
    monkeypatch.setenv("MATERIEL_SEAL_KEY_FILE", str(settings.MATERIEL_SEAL_KEY_FILE))
    monkeypatch.setenv("MATERIEL_SEAL_FILE", str(settings.MATERIEL_SEAL_FILE))
    return settings


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is deliberately slow; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# -- Chromium (Playwright), for the tests marked `browser` ------------------------------------------
@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: run `make test`, which installs Debian's chromium package")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, world):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-US")
    external = []
    context.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page = context.new_page()
    yield page
    context.close()
    assert external == [], f"a page requested something outside the server: {external}"
