"""Property-based fuzzing of the whole API with schemathesis, against the project's own schema,
as a state lead's token: no server errors, and every response conforms to the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from accounts.models import Role
from config.wsgi import application
from tests.api.conftest import member
from tests.factories import BaselineFactory, CommitmentFactory, MeasurementFactory, StatusUpdateFactory

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
# Random fuzzing only: the exhaustive "coverage" phase sends hundreds of requests per operation.
schema.config.phases.coverage.enabled = False


@pytest.fixture
def keep_test_connection():
    """Calling the WSGI app directly would close the database connection (and the test's
    transaction) at the end of each request; Django's test client prevents this the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def state_lead_headers(world, keep_test_connection):
    """A state lead's token over a state with a launched zone, records to find, and ids 1..n in use."""
    school = world.schools[0]
    BaselineFactory(school=school, metric=world.metric)
    MeasurementFactory(school=school, metric=world.metric)
    StatusUpdateFactory(school=school)
    CommitmentFactory(state=world.state)
    from accounts.tokens import issue_token

    _token, key = issue_token(member(Role.STATE_LEAD, state=world.state), "fuzz")
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, state_lead_headers):
    case.call_and_validate(app=application, headers=state_lead_headers, checks=CHECKS)
