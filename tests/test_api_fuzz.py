"""schemathesis against our own OpenAPI schema: whatever it sends, no 5xx and every answer matches the schema."""

import os
from datetime import date

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from materiel.api.main import api
from materiel.api.tokens import issue_token
from materiel.ledger import services
from materiel.wsgi import application

EXAMPLES = int(os.environ.get("MATERIEL_FUZZ_EXAMPLES", "8"))  # per operation: finds crashes, keeps the suite fast


def operations():
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
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

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def check(case):
        response = case.call(headers=headers)
        assert response.status_code < 500, response.text[:500]
        # ignored_auth: the token is valid on purpose (401s are tested in test_api.py).
        # positive_data_acceptance: a request valid by the schema may still break a ledger rule the schema
        # cannot express (a future date, a lot going negative, a NUL byte), and gets 400/422 by design.
        case.validate_response(response, excluded_checks=[ignored_auth, positive_data_acceptance])

    check()
