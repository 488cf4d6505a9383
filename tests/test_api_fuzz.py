"""schemathesis against our own OpenAPI schema, with every check (the CLI's `--checks all`), on valid and on
invalid data: whatever it sends, no 5xx, every answer matches the schema, invalid data is refused."""

import os
from datetime import date

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, is_check_class, load_all_checks
from schemathesis.config import SchemathesisConfig

from materiel.api.main import api
from materiel.api.tokens import issue_token
from materiel.ledger import services
from materiel.wsgi import application

EXAMPLES = int(os.environ.get("MATERIEL_FUZZ_EXAMPLES", "8"))  # per operation: finds crashes, keeps the suite fast

# A request valid by the schema may still break a rule the schema cannot express: text no database can
# store (NUL, a lone UTF-16 surrogate: 400), an id or code that does not exist (404), a stale version
# (409), a ledger rule such as a future date or a lot going negative (422). The API refuses these by
# design, and positive_data_acceptance is told so. Every other check keeps its defaults. The token is
# the test's own (valid on purpose, sent with every call; ignored_auth still re-sends without it), so
# schemathesis does not generate Authorization values that the call would overwrite.
CONFIG = SchemathesisConfig.from_str(
    """
[generation]
with-security-parameters = false

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "404", "409", "422"]
"""
)
load_all_checks()
ALL_CHECKS = [check for check in CHECKS.get_all() if not is_check_class(check)]


def operations():
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"), config=CONFIG)
    schema.app = application
    for result in schema.get_all_operations():
        operation = result.ok()
        yield pytest.param(operation, id=f"{operation.method.upper()} {operation.path}")


@pytest.fixture
def in_process_requests():
    """Calls go straight to the WSGI application; like Django's test client, keep the test's connection open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("operation", list(operations()))
def test_operation_never_fails_and_always_matches_its_schema(world, operation, in_process_requests):
    services.record_receipt(
        equipment_type=world.rifle,
        serial="AK-FUZZ",
        unit=world.district_a1,
        grade=2,
        occurred_on=date(2021, 1, 1),
        actor=world.officer,
    )
    _token, plain = issue_token(world.officer, name="fuzz")
    headers = {"Authorization": f"Bearer {plain}"}

    strategy = st.one_of(operation.as_strategy(generation_mode=mode) for mode in GenerationMode)

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case):
        response = case.call(headers=headers)
        assert response.status_code < 500, response.text[:500]
        case.validate_response(response, checks=ALL_CHECKS, headers=headers)

    check()
